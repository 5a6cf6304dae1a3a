// Ed25519 signing and verification of tables with OpenSSL's libcrypto
// (carepath/Signing.h). PEM files are split into their blocks here, so
// that each block's label gives a precise message (a private key where a
// public key is expected, an encrypted key) before OpenSSL reads it.
#include "carepath/Signing.h"

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>

// The WebAssembly build (bindings/js) has no OpenSSL: there, keys cannot be
// read, so a signed table loads like any other and a trusted load is
// refused with the KeyError below (docs/runtime.md, "JavaScript").
#ifndef CAREPATH_NO_OPENSSL
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#endif

#include "carepath/Sha256.h"

namespace carepath::runtime {

namespace {
constexpr const char *kContext = "carepath-table-signature-v1\n";
}  // namespace

std::string signedMessage(std::string_view canonical) { return kContext + std::string(canonical); }

std::string keyId(std::string_view rawPublicKey) { return std::string(kSignatureAlgorithm) + ":" + Sha256::hex(rawPublicKey); }

#ifndef CAREPATH_NO_OPENSSL
namespace {

constexpr size_t kKeySize = 32, kSignatureSize = 64;

struct FreeKey {
  void operator()(EVP_PKEY *k) const { EVP_PKEY_free(k); }
};
struct FreeCtx {
  void operator()(EVP_MD_CTX *c) const { EVP_MD_CTX_free(c); }
};
struct FreeBio {
  void operator()(BIO *b) const { BIO_free(b); }
};
using Key = std::unique_ptr<EVP_PKEY, FreeKey>;

struct PemBlock {
  std::string label;  // "PUBLIC KEY"
  std::string text;   // BEGIN line to END line
  size_t line = 1;    // where it begins
};

// The PEM blocks of `pem`, in order. Text between blocks is ignored (as
// OpenSSL does: a file may carry comments).
std::vector<PemBlock> pemBlocks(std::string_view pem, const std::string &name) {
  std::vector<PemBlock> out;
  const std::string_view begin = "-----BEGIN ";
  size_t pos = 0;
  while ((pos = pem.find(begin, pos)) != std::string_view::npos) {
    size_t labelEnd = pem.find("-----", pos + begin.size());
    if (labelEnd == std::string_view::npos) break;
    PemBlock b;
    b.label = std::string(pem.substr(pos + begin.size(), labelEnd - pos - begin.size()));
    b.line = 1 + static_cast<size_t>(std::count(pem.begin(), pem.begin() + static_cast<std::ptrdiff_t>(pos), '\n'));
    std::string end = "-----END " + b.label + "-----";
    size_t endAt = pem.find(end, labelEnd);
    if (endAt == std::string_view::npos)
      throw KeyError(name + ":" + std::to_string(b.line) + ": the PEM block '" + b.label + "' has no END line");
    b.text = std::string(pem.substr(pos, endAt + end.size() - pos)) + "\n";
    out.push_back(std::move(b));
    pos = endAt + end.size();
  }
  return out;
}

// Never prompts for a passphrase (OpenSSL would read the terminal).
int noPassphrase(char *, int, int, void *) { return -1; }

std::string typeName(const EVP_PKEY *k) {
  const char *name = EVP_PKEY_get0_type_name(k);  // "RSA", "EC", "ED448"
  return name ? name : "unknown";
}

Key readBlock(const PemBlock &b, bool isPrivate, const std::string &where) {
  std::unique_ptr<BIO, FreeBio> bio(BIO_new_mem_buf(b.text.data(), static_cast<int>(b.text.size())));
  if (!bio) throw std::bad_alloc();
  Key k(isPrivate ? PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassphrase, nullptr)
                  : PEM_read_bio_PUBKEY(bio.get(), nullptr, noPassphrase, nullptr));
  if (!k) {
    ERR_clear_error();  // leave nothing in the thread's OpenSSL error queue for a later call to trip on
    throw KeyError(where + ": the " + b.label + " block cannot be read (corrupt base64 or DER)");
  }
  if (EVP_PKEY_get_base_id(k.get()) != EVP_PKEY_ED25519)
    throw KeyError(where + ": not an Ed25519 key (it is " + typeName(k.get()) +
                   "); make one with `openssl genpkey -algorithm ed25519`");
  return k;
}

std::string rawKey(const EVP_PKEY *k, bool isPrivate) {
  std::string raw(kKeySize, '\0');
  size_t len = raw.size();
  auto *p = reinterpret_cast<unsigned char *>(raw.data());
  int ok = isPrivate ? EVP_PKEY_get_raw_private_key(k, p, &len) : EVP_PKEY_get_raw_public_key(k, p, &len);
  if (ok != 1 || len != kKeySize) throw KeyError("cannot read the Ed25519 key's bytes");
  return raw;
}

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw KeyError(path + ": cannot open the key file");
  std::ostringstream s;
  s << in.rdbuf();
  if (s.str().size() > (1u << 20)) throw KeyError(path + ": not a key file (over 1 MiB)");
  return s.str();
}

}  // namespace

SigningKey SigningKey::fromPem(std::string_view pem, const std::string &name) {
  std::vector<PemBlock> blocks = pemBlocks(pem, name);
  if (blocks.empty())
    throw KeyError(name + ": no PEM private key (expected '-----BEGIN PRIVATE KEY-----', as `openssl genpkey -algorithm ed25519` writes it)");
  const PemBlock &b = blocks.front();
  std::string where = name + ":" + std::to_string(b.line);
  if (b.label == "PUBLIC KEY") throw KeyError(where + ": a public key; signing needs the private key");
  if (b.label == "ENCRYPTED PRIVATE KEY")
    throw KeyError(where + ": the private key is encrypted; carepath reads unencrypted keys (decrypt a copy for signing "
                           "with `openssl pkey -in KEY -out PLAIN`)");
  if (b.label != "PRIVATE KEY")
    throw KeyError(where + ": a '" + b.label + "' block is not an Ed25519 private key; make one with `openssl genpkey -algorithm ed25519`");
  Key k = readBlock(b, true, where);
  SigningKey out;
  out.raw_ = rawKey(k.get(), true);
  out.id_ = keyId(rawKey(k.get(), false));
  return out;
}

SigningKey SigningKey::fromFile(const std::string &path) { return fromPem(readFile(path), path); }

std::string SigningKey::sign(std::string_view message) const {
  Key k(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char *>(raw_.data()),
                                     raw_.size()));
  std::unique_ptr<EVP_MD_CTX, FreeCtx> ctx(EVP_MD_CTX_new());
  std::string sig(kSignatureSize, '\0');
  size_t len = sig.size();
  // Ed25519 signs the message itself (no digest: the null EVP_MD).
  if (!k || !ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, k.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(sig.data()), &len,
                     reinterpret_cast<const unsigned char *>(message.data()), message.size()) != 1 ||
      len != kSignatureSize)
    throw KeyError("OpenSSL could not sign with key " + id_);
  return sig;
}

void TrustStore::addPem(std::string_view pem, const std::string &name) {
  std::vector<PemBlock> blocks = pemBlocks(pem, name);
  if (blocks.empty())
    throw KeyError(name + ": no PEM public key (expected '-----BEGIN PUBLIC KEY-----', as `openssl pkey -in KEY -pubout` writes it)");
  std::map<std::string, std::string> added;
  for (const PemBlock &b : blocks) {
    std::string where = name + ":" + std::to_string(b.line);
    if (b.label == "PRIVATE KEY" || b.label == "ENCRYPTED PRIVATE KEY")
      throw KeyError(where + ": a private key; trust takes public keys only (`openssl pkey -in KEY -pubout`), and the "
                             "private key should not leave its holder");
    if (b.label != "PUBLIC KEY") throw KeyError(where + ": a '" + b.label + "' block is not an Ed25519 public key");
    std::string raw = rawKey(readBlock(b, false, where).get(), false);
    added.emplace(keyId(raw), raw);
  }
  keys_.insert(added.begin(), added.end());
}

void TrustStore::addFile(const std::string &path) { addPem(readFile(path), path); }

std::vector<std::string> TrustStore::ids() const {
  std::vector<std::string> out;
  for (const auto &[id, raw] : keys_) out.push_back(id);
  return out;
}

bool TrustStore::verify(const std::string &id, std::string_view message, std::string_view signature) const {
  auto it = keys_.find(id);
  if (it == keys_.end() || signature.size() != kSignatureSize) return false;
  Key k(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char *>(it->second.data()),
                                    it->second.size()));
  std::unique_ptr<EVP_MD_CTX, FreeCtx> ctx(EVP_MD_CTX_new());
  if (!k || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, k.get()) != 1) return false;
  bool ok = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char *>(signature.data()), signature.size(),
                             reinterpret_cast<const unsigned char *>(message.data()), message.size()) == 1;
  ERR_clear_error();
  return ok;
}

#else  // CAREPATH_NO_OPENSSL

namespace {
[[noreturn]] void noOpenSsl(const std::string &name) {
  throw KeyError(name + ": signed tables need OpenSSL, which this build of the runtime (WebAssembly) does not have");
}
}  // namespace

SigningKey SigningKey::fromPem(std::string_view, const std::string &name) { noOpenSsl(name); }
SigningKey SigningKey::fromFile(const std::string &path) { noOpenSsl(path); }
std::string SigningKey::sign(std::string_view) const { noOpenSsl(id_); }
void TrustStore::addPem(std::string_view, const std::string &name) { noOpenSsl(name); }
void TrustStore::addFile(const std::string &path) { noOpenSsl(path); }
std::vector<std::string> TrustStore::ids() const { return {}; }
bool TrustStore::verify(const std::string &, std::string_view, std::string_view) const { return false; }

#endif  // CAREPATH_NO_OPENSSL

namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
int sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}
}  // namespace

std::string base64Encode(std::string_view bytes) {
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) v |= static_cast<uint8_t>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[v & 63] : '=';
  }
  return out;
}

bool base64Decode(std::string_view text, std::string &out) {
  out.clear();
  if (text.size() % 4 != 0) return false;
  for (size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    int pad = last ? (text[i + 3] == '=') + (text[i + 2] == '=') : 0;
    if (pad == 1 && text[i + 2] == '=') return false;  // "x=y=" is not padding
    int s[4];
    for (int j = 0; j < 4 - pad; ++j)
      if ((s[j] = sextet(text[i + static_cast<size_t>(j)])) < 0) return false;
    uint32_t v = static_cast<uint32_t>(s[0]) << 18 | static_cast<uint32_t>(s[1]) << 12;
    if (pad < 2) v |= static_cast<uint32_t>(s[2]) << 6;
    if (pad < 1) v |= static_cast<uint32_t>(s[3]);
    // Canonical: the bits padding drops are zero (one encoding per byte string).
    if ((pad == 1 && (v & 0xff)) || (pad == 2 && (v & 0xffff))) return false;
    out += static_cast<char>(v >> 16);
    if (pad < 2) out += static_cast<char>((v >> 8) & 0xff);
    if (pad < 1) out += static_cast<char>(v & 0xff);
  }
  return true;
}

}  // namespace carepath::runtime
