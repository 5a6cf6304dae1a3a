// Signed tables through the C++ runtime (LoadOptions::trust) and the C API
// (carepath_trust, carepath_table_open_*_trusted): a valid signature, an
// unsigned table, a key that is not trusted, a tampered table, a corrupt
// signature field and keys that are not Ed25519, each with its own code.
// Keys are generated here (OpenSSL), never committed.
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "BackendTestProtocol.h"
#include "backends/JsonTable.h"
#include "carepath/Signing.h"
#include "carepath/Table.h"
#include "carepath/TableFormat.h"
#include "carepath/carepath.h"

using namespace carepath;

namespace {

struct KeyPair {
  std::string privatePem, publicPem;
};

// A fresh key of `type` ("ED25519", "EC") as PEM texts.
KeyPair generate(const char *type) {
  EVP_PKEY *k = std::string(type) == "EC" ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")
                                          : EVP_PKEY_Q_keygen(nullptr, nullptr, type);
  EXPECT_NE(k, nullptr);
  auto pem = [&](bool priv) {
    BIO *b = BIO_new(BIO_s_mem());
    EXPECT_EQ(priv ? PEM_write_bio_PrivateKey(b, k, nullptr, nullptr, 0, nullptr, nullptr) : PEM_write_bio_PUBKEY(b, k), 1);
    char *data = nullptr;
    long n = BIO_get_mem_data(b, &data);
    std::string out(data, static_cast<size_t>(n));
    BIO_free(b);
    return out;
  };
  KeyPair p{pem(true), pem(false)};
  EVP_PKEY_free(k);
  return p;
}

std::string signedMini(const runtime::SigningKey *key, const std::string &status = "verified") {
  ir::Protocol p = handbuilt::miniProtocol();
  SourceManager sm;
  DiagnosticEngine diags(sm);
  backends::TableMetadata meta;
  meta.compilerVersion = "test";
  meta.verification.status = status;
  meta.signer = key;
  auto text = backends::emitJsonTable(p, sm, meta, diags);
  EXPECT_TRUE(text.has_value());
  return text.value_or("");
}

// Applies `edit` and recomputes the digest, as anyone can.
template <typename Edit> std::string redigest(const std::string &text, Edit edit) {
  nlohmann::json d = nlohmann::json::parse(text);
  edit(d);
  d.erase("digest");
  d["digest"] = runtime::tableDigest(d.dump());
  return d.dump(2);
}

struct Keys {
  KeyPair a = generate("ED25519"), b = generate("ED25519"), ec = generate("EC");
};
const Keys &keys() {
  static const Keys k;
  return k;
}

}  // namespace

TEST(Signing, Base64IsStrict) {
  std::string out;
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    ASSERT_TRUE(runtime::base64Decode(runtime::base64Encode(s), out)) << s;
    EXPECT_EQ(out, s);
  }
  EXPECT_EQ(runtime::base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(runtime::base64Encode("fo"), "Zm8=");
  for (const char *bad : {"Zm8", "Zm9=Zm8=", "Zm9v\n", "Zm=8", "Zm9=", "Z===", "Zm8*"})
    EXPECT_FALSE(runtime::base64Decode(bad, out)) << bad;
}

TEST(Signing, TrustedLoadInCxx) {
  runtime::SigningKey key = runtime::SigningKey::fromPem(keys().a.privatePem);
  EXPECT_EQ(key.id().rfind("ed25519:", 0), 0u);
  EXPECT_EQ(key.id().size(), 8u + 64u);
  std::string text = signedMini(&key);
  runtime::TrustStore trust;
  trust.addPem(keys().b.publicPem + "some comment\n" + keys().a.publicPem);
  EXPECT_EQ(trust.size(), 2u);
  EXPECT_TRUE(trust.trusts(key.id()));
  runtime::LoadOptions lo;
  lo.trust = &trust;
  runtime::Table t = runtime::Table::loadText(text, lo);
  EXPECT_EQ(t.signer(), key.id());
  // Without a trust store the signature is not looked at.
  EXPECT_EQ(runtime::Table::loadText(text).signer(), "");
  // A signed table's digest covers the signature: removing it is tampering.
  nlohmann::json d = nlohmann::json::parse(text);
  d.erase("signature");
  try {
    runtime::Table::loadText(d.dump());
    FAIL() << "loaded";
  } catch (const runtime::LoadError &e) {
    EXPECT_EQ(e.kind, runtime::LoadError::Kind::Tampered);
  }
  // A signed unverified table is still refused as unverified.
  std::string unverified = signedMini(&key, "unverified");
  try {
    runtime::Table::loadText(unverified, lo);
    FAIL() << "loaded";
  } catch (const runtime::LoadError &e) {
    EXPECT_EQ(e.kind, runtime::LoadError::Kind::Unverified);
  }
  lo.allowUnverified = true;
  EXPECT_EQ(runtime::Table::loadText(unverified, lo).verificationStatus(), "unverified");
}

TEST(Signing, KeysThatAreNotEd25519) {
  auto error = [](auto f) {
    try {
      f();
    } catch (const runtime::KeyError &e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error([] { runtime::SigningKey::fromPem(keys().ec.privatePem, "ec.pem"); }),
            "ec.pem:1: not an Ed25519 key (it is EC); make one with `openssl genpkey -algorithm ed25519`");
  EXPECT_EQ(error([] { runtime::SigningKey::fromPem(keys().a.publicPem, "a.pub"); }),
            "a.pub:1: a public key; signing needs the private key");
  runtime::TrustStore trust;
  EXPECT_EQ(error([&] { trust.addPem(keys().a.publicPem + keys().ec.publicPem, "k.pem"); }),
            "k.pem:4: not an Ed25519 key (it is EC); make one with `openssl genpkey -algorithm ed25519`");
  EXPECT_EQ(trust.size(), 0u);  // nothing of a refused file is added
  EXPECT_NE(error([&] { trust.addPem(keys().a.privatePem, "k.pem"); }).find("k.pem:1: a private key"), std::string::npos);
  EXPECT_NE(error([&] { trust.addPem("", "k.pem"); }).find("k.pem: no PEM public key"), std::string::npos);
  EXPECT_NE(error([&] { trust.addPem("-----BEGIN PUBLIC KEY-----\nMCow\n", "k.pem"); }).find("has no END line"),
            std::string::npos);
}

namespace {
struct Opened {
  carepath_status status = CAREPATH_ERROR_INTERNAL;
  carepath_table *table = nullptr;
  carepath_error *error = nullptr;
  ~Opened() {
    carepath_table_free(table);
    carepath_error_free(error);
  }
};
struct Trust {
  carepath_trust *t = carepath_trust_new();
  ~Trust() { carepath_trust_free(t); }
};
}  // namespace

TEST(Signing, CApiRefusesEachWayWithItsOwnCode) {
  runtime::SigningKey key = runtime::SigningKey::fromPem(keys().a.privatePem);
  std::string good = signedMini(&key);
  Trust trust;
  carepath_error *e = nullptr;
  ASSERT_EQ(carepath_trust_add_pem(trust.t, keys().a.publicPem.data(), keys().a.publicPem.size(), &e), CAREPATH_OK);
  EXPECT_EQ(e, nullptr);
  EXPECT_EQ(carepath_trust_key_count(trust.t), 1u);
  Trust other;
  ASSERT_EQ(carepath_trust_add_pem(other.t, keys().b.publicPem.data(), keys().b.publicPem.size(), nullptr), CAREPATH_OK);

  {
    Opened o;
    o.status = carepath_table_open_string_trusted(good.data(), good.size(), 0, trust.t, &o.table, &o.error);
    ASSERT_EQ(o.status, CAREPATH_OK) << carepath_error_message(o.error);
    EXPECT_EQ(carepath_table_signer(o.table), key.id());
  }
  struct Case {
    std::string text;
    const carepath_trust *trust;
    carepath_status status;
    const char *words;
  };
  std::string tampered = redigest(good, [](nlohmann::json &d) { d["protocol"]["version"] = "2.0.0"; });
  std::string undigested = good;
  undigested.replace(undigested.find("\"1.0.0\""), 7, "\"2.0.0\"");
  std::vector<Case> cases = {
      {signedMini(nullptr), trust.t, CAREPATH_ERROR_UNSIGNED_TABLE, "field 'signature': the table is not signed"},
      {good, other.t, CAREPATH_ERROR_UNTRUSTED_SIGNATURE, "which is not trusted"},
      {tampered, trust.t, CAREPATH_ERROR_BAD_SIGNATURE, "does not match the content"},
      {undigested, trust.t, CAREPATH_ERROR_TAMPERED_TABLE, "digest mismatch"},
      {redigest(good, [](nlohmann::json &d) { d["signature"]["value"] = "AAAA"; }), trust.t, CAREPATH_ERROR_BAD_SIGNATURE,
       "field 'signature.value': corrupt signature"},
      {redigest(good, [](nlohmann::json &d) { d["signature"] = 7; }), trust.t, CAREPATH_ERROR_BAD_SIGNATURE,
       "field 'signature': corrupt signature: expected an object"},
      // The key id claims the trusted key, the signature is another key's.
      {redigest(signedMini(nullptr),
                [&](nlohmann::json &d) {
                  runtime::SigningKey b = runtime::SigningKey::fromPem(keys().b.privatePem);
                  d["signature"] = nlohmann::json::parse(signedMini(&b))["signature"];
                  d["signature"]["keyId"] = key.id();
                }),
       trust.t, CAREPATH_ERROR_BAD_SIGNATURE, "does not match the content"},
  };
  for (const Case &c : cases) {
    Opened o;
    o.status = carepath_table_open_string_trusted(c.text.data(), c.text.size(), 0, c.trust, &o.table, &o.error);
    EXPECT_EQ(o.status, c.status) << c.words;
    EXPECT_EQ(o.table, nullptr);
    ASSERT_NE(o.error, nullptr);
    EXPECT_EQ(carepath_error_code(o.error), c.status);
    EXPECT_NE(std::string(carepath_error_message(o.error)).find(c.words), std::string::npos) << carepath_error_message(o.error);
  }
  // The untrusted open still accepts the signed table, and the unsigned one.
  Opened plain;
  plain.status = carepath_table_open_string(good.data(), good.size(), 0, &plain.table, &plain.error);
  EXPECT_EQ(plain.status, CAREPATH_OK);
  EXPECT_STREQ(carepath_table_signer(plain.table), "");
  // A trusted open without a store is a caller's error, not an open door.
  Opened none;
  none.status = carepath_table_open_string_trusted(good.data(), good.size(), 0, nullptr, &none.table, &none.error);
  EXPECT_EQ(none.status, CAREPATH_ERROR_INVALID_ARGUMENT);
}

TEST(Signing, CApiKeyErrors) {
  Trust trust;
  carepath_error *e = nullptr;
  EXPECT_EQ(carepath_trust_add_pem(trust.t, keys().ec.publicPem.data(), keys().ec.publicPem.size(), &e),
            CAREPATH_ERROR_INVALID_KEY);
  ASSERT_NE(e, nullptr);
  EXPECT_STREQ(carepath_error_message(e), "<keys>:1: not an Ed25519 key (it is EC); make one with `openssl genpkey -algorithm ed25519`");
  carepath_error_free(e);
  EXPECT_EQ(carepath_trust_add_file(trust.t, "/nonexistent/keys.pem", &e), CAREPATH_ERROR_IO);
  EXPECT_STREQ(carepath_error_message(e), "/nonexistent/keys.pem: cannot read the key file");
  carepath_error_free(e);
  EXPECT_EQ(carepath_trust_add_pem(nullptr, "", 0, nullptr), CAREPATH_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(carepath_trust_key_count(trust.t), 0u);
  EXPECT_STREQ(carepath_status_name(CAREPATH_ERROR_BAD_SIGNATURE), "CAREPATH_ERROR_BAD_SIGNATURE");
  EXPECT_STREQ(carepath_status_name(CAREPATH_ERROR_INVALID_KEY), "CAREPATH_ERROR_INVALID_KEY");
  EXPECT_STREQ(carepath_status_name(CAREPATH_ERROR_UNSIGNED_TABLE), "CAREPATH_ERROR_UNSIGNED_TABLE");
  EXPECT_STREQ(carepath_status_name(CAREPATH_ERROR_UNTRUSTED_SIGNATURE), "CAREPATH_ERROR_UNTRUSTED_SIGNATURE");
}
