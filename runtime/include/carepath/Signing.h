// Signed tables (docs/tables.md, "Signature"; docs/runtime.md, "Trusted
// tables"). The digest shows a table was not corrupted, but anyone can
// recompute it; an Ed25519 signature shows who produced it. The compiler
// signs (carepath compile --sign KEY); a loader given a TrustStore refuses
// a table that is unsigned, signed by a key it does not trust, or whose
// signature does not match its content (LoadOptions::trust).
//
// Keys are PEM files as OpenSSL writes them:
//   openssl genpkey -algorithm ed25519 -out signing.pem       (private)
//   openssl pkey -in signing.pem -pubout -out signing.pub.pem (public)
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace carepath::runtime {

/// A key that cannot be read, or that is not an Ed25519 key of the kind
/// expected (a private key where a public one is needed, RSA, ...). The
/// message names the file and, in a file of several keys, which one.
struct KeyError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The table's `signature.algorithm`.
inline constexpr const char *kSignatureAlgorithm = "ed25519";

/// What is signed, for a table whose canonical form without `digest` and
/// `signature` is `canonical` (docs/tables.md, "Signature"): a fixed
/// context string, then those bytes. The context keeps a carepath table
/// signature from being valid for anything else signed with the same key.
std::string signedMessage(std::string_view canonical);

/// A key's identifier, as a table's `signature.keyId` records it:
/// "ed25519:" and the lower-case hex SHA-256 of the 32-byte raw public key.
std::string keyId(std::string_view rawPublicKey);

/// An Ed25519 private key (the compiler's side).
class SigningKey {
public:
  /// Reads the first PEM private key of `pem` (unencrypted PKCS#8, as
  /// `openssl genpkey` writes it); `name` is used in messages. Throws KeyError.
  static SigningKey fromPem(std::string_view pem, const std::string &name = "<key>");
  static SigningKey fromFile(const std::string &path);

  const std::string &id() const { return id_; }
  /// The 64-byte signature of `message`.
  std::string sign(std::string_view message) const;

private:
  std::string id_;
  std::string raw_;  // the 32-byte raw private key (no OpenSSL type in this header)
};

/// The public keys a loader trusts, by key id.
class TrustStore {
public:
  /// Adds every PEM public key ("-----BEGIN PUBLIC KEY-----") in `pem`,
  /// any number, one after the other; `name` is used in messages. Throws
  /// KeyError (nothing is added) when there is none, or one is not an
  /// Ed25519 public key.
  void addPem(std::string_view pem, const std::string &name = "<keys>");
  void addFile(const std::string &path);

  size_t size() const { return keys_.size(); }
  bool empty() const { return keys_.empty(); }
  /// The trusted key ids, sorted.
  std::vector<std::string> ids() const;
  /// True when the key `id` is trusted and `signature` (64 bytes) is its
  /// signature of `message`.
  bool trusts(const std::string &id) const { return keys_.count(id) != 0; }
  bool verify(const std::string &id, std::string_view message, std::string_view signature) const;

private:
  std::map<std::string, std::string> keys_;  // key id -> 32-byte raw public key
};

/// Base64 (RFC 4648, with padding), as the table's `signature.value`.
std::string base64Encode(std::string_view bytes);
/// Strict: false for anything that is not canonical padded base64.
bool base64Decode(std::string_view text, std::string &out);

}  // namespace carepath::runtime
