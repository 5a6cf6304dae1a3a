// The runtime's speed paths pinned to the plain ones (docs/runtime.md):
// the compact table format gives the results the JSON table gives, and a
// corrupt or crafted compact file is refused with its error code; the
// patient reader's fast path reads exactly what the general reader reads;
// the C API's columnar batch call fires the rules a per-patient
// evaluation fires, and reports a bad patient by its code.
#include <gtest/gtest.h>

#include <openssl/evp.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "CompileForTest.h"
#include "Frontend.h"
#include "ProtocolGenerator.h"
#include "backends/JsonTable.h"
#include "carepath/Signing.h"
#include "carepath/Table.h"
#include "carepath/carepath.h"
#include "TestScale.h"

using namespace carepath;

namespace {

// The table's JSON only (empty when the protocol is refused); the verdict
// does not change evaluation.
std::string compileText(const std::string &name, const std::string &text, const std::string &status = "verified") {
  return unittest::compileForTest(name, text, status).table;
}

std::string compileFile(const std::string &relative) { return unittest::compileSourceForTest(relative).table; }

// The 300-rule `first` table of bench/gen_wide_first.py: indexed.
std::string wideFirst() {
  FILE *f = popen("python3 " CAREPATH_SOURCE_DIR "/bench/gen_wide_first.py 300 1", "r");
  if (!f) return "";
  std::string text;
  char buf[65536];
  for (size_t n; (n = fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
  if (pclose(f) != 0) return "";
  return compileText("wide-first-300.care", text);
}

/// The tables the tests run on: ANEC, Kawasaki, the DAG test protocol
/// (every node kind), typed outputs, generated protocols (some with tables
/// large enough for the index) and the wide `first` table. Compiled once.
const std::vector<std::pair<std::string, std::string>> &tables() {
  static const std::vector<std::pair<std::string, std::string>> all = [] {
    std::vector<std::pair<std::string, std::string>> out = {
        {"anec", compileFile("protocols/anec.care")},
        {"kawasaki", compileFile("protocols/kawasaki.care")},
        {"dag", compileFile("tests/backends/Inputs/dag.care")},
        {"outputs", compileFile("tests/backends/Inputs/dmn-outputs.care")},
        {"string outputs", compileFile("tests/runtime/Inputs/string-outputs.care")},
        {"wide-first-300", wideFirst()},
    };
    difftest::GeneratorOptions big;
    big.maxRulesPerTable = 24;
    for (uint64_t seed = 1; seed <= 12; ++seed)
      out.push_back({"generated " + std::to_string(seed),
                     compileText("gen.care", difftest::generateProtocol(seed, seed % 2 ? big : difftest::GeneratorOptions{}))});
    return out;
  }();
  return all;
}

int64_t floorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

/// A random patient: each value with its JSON text and its carepath_value
/// (numbers in hundredths of the input's display unit, the range's ends
/// and a hair beyond them included, optional inputs sometimes missing).
struct RandomPatient {
  std::vector<carepath_value> values;
  std::vector<std::string> texts;  // string inputs' text (values point into it)
  std::string json;
};

RandomPatient randomPatient(const runtime::Table &t, std::mt19937_64 &rng) {
  auto pick = [&](uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng); };
  RandomPatient p;
  p.texts.resize(t.inputs().size());
  p.json = "{";
  for (size_t i = 0; i < t.inputs().size(); ++i) {
    const runtime::InputSpec &s = t.inputs()[i];
    carepath_value v{0, 1, nullptr, 0};
    std::string text;
    if (s.optional && pick(8) == 0) {
      v.missing = 1;
      text = pick(2) ? "null" : "";
    } else {
      switch (s.kind) {
        case runtime::InputSpec::Kind::Bool:
          v.num = static_cast<int64_t>(pick(2));
          text = v.num ? "true" : "false";
          break;
        case runtime::InputSpec::Kind::Enum:
          v.num = static_cast<int64_t>(pick(s.members.size()));
          text = "\"" + s.members[static_cast<size_t>(v.num)] + "\"";
          break;
        case runtime::InputSpec::Kind::String:
          p.texts[i] = pick(2) ? "EU" : "x y";
          v.text = p.texts[i].c_str();
          text = "\"" + p.texts[i] + "\"";
          break;
        case runtime::InputSpec::Kind::Number: {
          const runtime::UnitSpec *unit = nullptr;
          for (const runtime::UnitSpec &u : s.units)
            if (u.name == s.displayUnit) unit = &u;
          Rational lo = s.lo.value_or(Rational(-1000)), hi = s.hi.value_or(Rational(1000));
          if (unit) lo = (lo - unit->offset) / unit->factor, hi = (hi - unit->offset) / unit->factor;
          int64_t klo = -floorDiv(-(lo * 100).num(), (lo * 100).den()), khi = floorDiv((hi * 100).num(), (hi * 100).den());
          int64_t k = pick(4) == 0 ? (pick(2) ? klo : khi) + static_cast<int64_t>(pick(3)) - 1
                                   : klo + static_cast<int64_t>(pick(static_cast<uint64_t>(khi - klo) + 1));
          if (s.integer && !unit) k = k / 100 * 100;
          v.num = k;
          v.den = 100;
          int64_t a = k < 0 ? -k : k;
          text = std::string(k < 0 ? "-" : "") + std::to_string(a / 100) + "." + std::to_string(a % 100 / 10) +
                 std::to_string(a % 10);
          text = unit ? "\"" + text + " " + unit->name + "\"" : text;
          break;
        }
      }
    }
    p.values.push_back(v);
    if (text.empty()) continue;
    p.json += std::string(p.json.size() > 1 ? ", " : "") + "\"" + s.name + "\": " + text;
  }
  p.json += "}";
  return p;
}

// Everything a result says, for comparing two evaluations.
std::string describe(const runtime::Table &t, const std::vector<runtime::PatientValue> &patient, bool explain,
                     bool scan = false) {
  runtime::Result r;
  runtime::EvaluateOptions o;
  o.explain = explain;
  o.scan = scan;
  try {
    t.evaluate(patient, r, o);
  } catch (const runtime::EvaluationError &e) {
    return std::string("error: ") + e.what();
  }
  std::ostringstream s;
  s << t.resultJson(patient, r, explain);
  for (size_t k = 0; k < r.fired.size(); ++k)
    for (size_t i = 0; r.inPopulation && i < r.fired[k].size(); ++i)
      s << int(r.matched[k][i]) << int(r.undecided[k][i]) << int(r.fired[k][i]);
  for (const auto &list : r.results)
    for (uint32_t x : list) s << " " << x;
  return s.str();
}

std::string sha256(std::string_view bytes) {
  unsigned char md[32];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char *>(md), 32);
}

/// A compact file whose payload is replaced, with its header made to match
/// (a crafted file: only the reader's checks can refuse it).
std::string recompact(const std::string &compact, std::string payload) {
  std::string out = compact.substr(0, 12) + sha256(payload);
  for (int k = 0; k < 8; ++k) out.push_back(static_cast<char>(static_cast<uint64_t>(payload.size()) >> (8 * k)));
  return out + payload;
}

runtime::LoadError::Kind loadKind(const std::string &bytes, const runtime::LoadOptions &o = {}) {
  try {
    runtime::Table::loadText(bytes, o);
  } catch (const runtime::LoadError &e) {
    return e.kind;
  }
  ADD_FAILURE() << "loaded";
  return runtime::LoadError::Kind::Io;
}

carepath_status openStatus(const std::string &bytes) {
  carepath_table *t = nullptr;
  carepath_error *e = nullptr;
  carepath_status s = carepath_table_open_string(bytes.data(), bytes.size(), 0, &t, &e);
  carepath_table_free(t);
  carepath_error_free(e);
  return s;
}

}  // namespace

TEST(CompactTable, SameResultsAsTheJsonTable) {
  int indexed = 0;
  for (const auto &[name, json] : tables()) {
    SCOPED_TRACE(name);
    ASSERT_FALSE(json.empty()) << "does not compile";
    runtime::Table a = runtime::Table::loadText(json);
    std::string bytes = a.compact();
    ASSERT_TRUE(runtime::Table::isCompact(bytes));
    EXPECT_LT(bytes.size(), json.size());
    runtime::Table b = runtime::Table::loadText(bytes);
    EXPECT_EQ(b.digest(), a.digest());
    EXPECT_EQ(b.protocolName(), a.protocolName());
    EXPECT_EQ(b.verificationStatus(), a.verificationStatus());
    EXPECT_EQ(b.compact(), bytes) << "writing is deterministic";
    for (uint32_t k = 0; k < a.tables().size(); ++k) {
      EXPECT_EQ(a.indexed(k), b.indexed(k));
      indexed += a.indexed(k);
    }
    std::mt19937_64 rng(7);
    for (int n = 0; n < unittest::cases(200); ++n) {
      RandomPatient rp = randomPatient(a, rng);
      std::vector<runtime::PatientError> errors;
      auto patient = a.readPatient(rp.json, errors);
      if (!patient) continue;
      for (bool explain : {false, true})
        ASSERT_EQ(describe(b, *patient, explain), describe(a, *patient, explain)) << rp.json;
    }
  }
  EXPECT_GT(indexed, 2) << "the index must be exercised";
}

TEST(CompactTable, CorruptOrCraftedFilesAreRefusedWithTheirCode) {
  std::string json = compileFile("protocols/anec.care");
  ASSERT_FALSE(json.empty());
  std::string bytes = runtime::Table::loadText(json).compact();
  using K = runtime::LoadError::Kind;
  // Any byte changed after the header: the digest.
  for (size_t at = 52; at < bytes.size(); at += 997) {
    std::string bad = bytes;
    bad[at] = static_cast<char>(bad[at] ^ 0x20);
    EXPECT_EQ(loadKind(bad), K::Tampered) << "byte " << at;
    EXPECT_EQ(openStatus(bad), CAREPATH_ERROR_TAMPERED_TABLE);
  }
  std::string digest = bytes, size = bytes, version = bytes;
  digest[20] = static_cast<char>(digest[20] ^ 1);
  size[44] = static_cast<char>(size[44] ^ 1);
  version[8] = 9;  // a version this runtime does not read
  EXPECT_EQ(loadKind(digest), K::Tampered);
  EXPECT_EQ(loadKind(size), K::Tampered);
  EXPECT_EQ(loadKind(bytes.substr(0, bytes.size() - 1)), K::Tampered);
  EXPECT_EQ(loadKind(bytes.substr(0, 30)), K::Tampered);
  EXPECT_EQ(loadKind(bytes + "x"), K::Tampered);
  EXPECT_EQ(loadKind(version), K::Unsupported);
  EXPECT_EQ(openStatus(version), CAREPATH_ERROR_UNSUPPORTED_TABLE);
  // Crafted: the header matches, the payload is cut or extended.
  std::string payload = bytes.substr(52);
  for (const std::string &crafted : {recompact(bytes, payload.substr(0, payload.size() / 2)),
                                     recompact(bytes, payload + "x"), recompact(bytes, "")}) {
    EXPECT_EQ(loadKind(crafted), K::Malformed);
    EXPECT_EQ(openStatus(crafted), CAREPATH_ERROR_MALFORMED_TABLE);
  }
  try {
    runtime::Table::loadText(recompact(bytes, payload + "x"), {}, "t.ctab");
    FAIL();
  } catch (const runtime::LoadError &e) {
    EXPECT_STREQ(e.what(), "t.ctab: malformed compact table: bytes after the end of the table");
  }
  // (The helper makes a file the reader accepts when the payload is intact.)
  EXPECT_EQ(runtime::Table::loadText(recompact(bytes, payload)).digest(), runtime::Table::loadText(json).digest());
}

// Crafted files: one byte of the payload changed and the digest made to
// match. Each is refused with a LoadError or loads into a table that
// evaluates (or refuses a patient with an EvaluationError): never a crash
// or another exception (the sanitizer stage runs this too).
TEST(CompactTable, CraftedPayloadsNeverCrash) {
  for (const char *file : {"tests/backends/Inputs/dag.care", "protocols/anec.care"}) {
    SCOPED_TRACE(file);
    std::string json = compileFile(file);
    ASSERT_FALSE(json.empty());
    runtime::Table original = runtime::Table::loadText(json);
    std::string bytes = original.compact(), payload = bytes.substr(52);
    std::mt19937_64 rng(5);
    std::vector<RandomPatient> patients;
    for (int n = 0; n < 10; ++n) patients.push_back(randomPatient(original, rng));
    int refused = 0, loaded = 0;
    for (int n = 0; n < 400; ++n) {
      std::string p = payload;
      size_t at = rng() % p.size();
      p[at] = static_cast<char>(p[at] ^ (1 << (rng() % 8)));
      std::optional<runtime::Table> t;
      try {
        t = runtime::Table::loadText(recompact(bytes, p));
      } catch (const runtime::LoadError &e) {
        EXPECT_NE(e.kind, runtime::LoadError::Kind::Tampered);
        ++refused;
        continue;
      }
      ++loaded;
      for (const RandomPatient &rp : patients) {
        std::vector<runtime::PatientError> errors;
        auto patient = t->readPatient(rp.json, errors);
        if (!patient) continue;
        for (bool explain : {false, true}) {
          runtime::Result r;
          runtime::EvaluateOptions o;
          o.explain = explain;
          try {
            t->evaluate(*patient, r, o);
          } catch (const runtime::EvaluationError &) {
            continue;
          }
          try {
            EXPECT_FALSE(t->resultJson(*patient, r, explain).empty());
          } catch (const RationalOverflow &) {
            // A plan factor made huge: display arithmetic overflows, as it
            // would for a JSON table crafted the same way.
          }
        }
      }
    }
    EXPECT_GT(refused, 20);
    EXPECT_GT(loaded, 20);
  }
}

// The stored rule index (RuleIndex::Recipe, the payload's last part):
// bytes of it changed and the digest made to match. A recipe that does
// not fit the table is refused with a located error naming the table;
// one that fits loads and evaluates without a crash (its answers are
// what the file says: the digest, not the loader, vouches for them).
TEST(CompactTable, CraftedIndexesAreRefusedOrEvaluate) {
  const std::string &json = tables()[5].second;  // wide-first-300
  ASSERT_FALSE(json.empty());
  runtime::Table original = runtime::Table::loadText(json);
  ASSERT_TRUE(original.indexed(0));
  std::string bytes = original.compact(), payload = bytes.substr(52);
  std::mt19937_64 rng(11);
  std::vector<RandomPatient> patients;
  for (int n = 0; n < 10; ++n) patients.push_back(randomPatient(original, rng));
  int refused = 0, located = 0, loaded = 0;
  for (int n = 0; n < unittest::cases(300); ++n) {
    std::string p = payload;
    size_t at = p.size() - 1 - rng() % 2000;  // 300 rules' checks take more than that
    p[at] = static_cast<char>(p[at] ^ (1 << (rng() % 8)));
    std::optional<runtime::Table> t;
    try {
      t = runtime::Table::loadText(recompact(bytes, p), {}, "t.ctab");
    } catch (const runtime::LoadError &e) {
      EXPECT_EQ(e.kind, runtime::LoadError::Kind::Malformed) << e.what();
      ++refused;
      located += std::string(e.what()).starts_with("t.ctab: malformed compact table: table 'triage': an index ");
      continue;
    }
    ++loaded;
    for (const RandomPatient &rp : patients) {
      std::vector<runtime::PatientError> errors;
      auto patient = t->readPatient(rp.json, errors);
      if (!patient) continue;
      for (bool explain : {false, true}) {
        runtime::Result r;
        runtime::EvaluateOptions o;
        o.explain = explain;
        try {
          t->evaluate(*patient, r, o);
        } catch (const runtime::EvaluationError &) {
          continue;
        }
        EXPECT_FALSE(t->resultJson(*patient, r, explain).empty());
      }
    }
  }
  EXPECT_GT(refused, unittest::cases(20));
  EXPECT_GT(located, unittest::cases(10));
  EXPECT_GT(loaded, unittest::cases(20));
}

TEST(CompactTable, VerificationGateAndTrust) {
  std::string json = compileText("mini.care", unittest::readSource("protocols/anec.care"), "not-verified");
  ASSERT_FALSE(json.empty());
  runtime::LoadOptions allow;
  allow.allowUnverified = true;
  std::string bytes = runtime::Table::loadText(json, allow).compact();
  EXPECT_EQ(loadKind(bytes), runtime::LoadError::Kind::Unverified);
  EXPECT_EQ(openStatus(bytes), CAREPATH_ERROR_UNVERIFIED_TABLE);
  EXPECT_EQ(runtime::Table::loadText(bytes, allow).verificationStatus(), "not-verified");
  // No signature travels with a compact table: a trusted load refuses it.
  runtime::TrustStore trust;
  runtime::LoadOptions trusted = allow;
  trusted.trust = &trust;
  try {
    runtime::Table::loadText(bytes, trusted, "t.ctab");
    FAIL();
  } catch (const runtime::LoadError &e) {
    EXPECT_EQ(e.kind, runtime::LoadError::Kind::Unsigned);
    EXPECT_NE(std::string(e.what()).find("a compact table carries no signature"), std::string::npos);
  }
}

TEST(PatientFastPath, ReadsWhatTheGeneralReaderReads) {
  int fast = 0, general = 0;
  // A batch reuses one vector for every patient (Table::readPatient into
  // values): what a previous patient left in it must not show through.
  std::vector<runtime::PatientValue> reused;
  auto same = [&](const runtime::Table &t, const std::string &doc) {
    std::vector<runtime::PatientValue> quick;
    std::vector<runtime::PatientError> errors;
    auto full = runtime::readPatientGeneral(t.inputs(), doc, errors);
    std::vector<runtime::PatientError> errors2;
    bool readInto = t.readPatient(doc, reused, errors2);
    EXPECT_EQ(readInto, full.has_value()) << doc;
    if (readInto && full) {
      ASSERT_EQ(reused.size(), full->size());
      for (size_t i = 0; i < reused.size(); ++i) {
        const runtime::PatientValue &a = reused[i], &b = (*full)[i];
        EXPECT_TRUE(a.kind == b.kind && a.missing == b.missing && a.boolean == b.boolean && a.member == b.member &&
                    a.number == b.number && a.text == b.text)
            << "read into a reused vector: " << doc << ": input " << t.inputs()[i].name;
      }
    }
    if (!runtime::readSimplePatient(t.inputs(), doc, quick)) {
      ++general;
      return;
    }
    ++fast;
    ASSERT_TRUE(full) << "the fast path accepted what the general reader refuses: " << doc << "\n"
                      << (errors.empty() ? "" : errors[0].message);
    ASSERT_EQ(quick.size(), full->size());
    for (size_t i = 0; i < quick.size(); ++i) {
      const runtime::PatientValue &a = quick[i], &b = (*full)[i];
      EXPECT_TRUE(a.kind == b.kind && a.missing == b.missing && a.boolean == b.boolean && a.member == b.member &&
                  a.number == b.number && a.text == b.text)
          << doc << ": input " << t.inputs()[i].name;
    }
  };
  for (const auto &[name, json] : tables()) {
    SCOPED_TRACE(name);
    runtime::Table t = runtime::Table::loadText(json);
    std::mt19937_64 rng(11);
    for (int n = 0; n < 300; ++n) same(t, randomPatient(t, rng).json);
  }
  // Documents at the edges of the fast path's grammar, on ANEC.
  runtime::Table anec = runtime::Table::loadText(compileFile("protocols/anec.care"));
  std::string typical = unittest::readSource("protocols/examples/typical-3yo-14kg.json");
  same(anec, typical);  // its weight is a {"value", "unit"} object: the general reader's
  std::vector<runtime::PatientValue> v;
  EXPECT_FALSE(runtime::readSimplePatient(anec.inputs(), typical, v));
  const std::string object = "{ \"value\": 14, \"unit\": \"kg\" }";
  size_t at = typical.find(object);
  ASSERT_NE(at, std::string::npos);
  typical.replace(at, object.size(), "\"14 kg\"");
  same(anec, typical);
  EXPECT_TRUE(runtime::readSimplePatient(anec.inputs(), typical, v)) << "a pretty-printed flat patient is simple";
  for (const char *edit : {"14 kg", "14.0 kg", "14e0 kg", " 14 kg ", "14 kgs", "14000 g", "14 KG", "1.4e1 kg", "14 mg/mg",
                           "-0 kg", "0.0001 kg", "14", "14kg", "14\\u0020kg", "1e400 kg", "14 k\xc3\xa9"}) {
    std::string doc = typical;
    size_t at = doc.find("\"14 kg\"");
    ASSERT_NE(at, std::string::npos);
    doc.replace(at, 7, std::string("\"") + edit + "\"");
    same(anec, doc);
  }
  for (const char *doc : {"{}", "[]", "", "{\"age\": 3}", "{\"age\": \"3 years\", \"age\": \"3 years\"}", "{,}", "{\"x\":1}"}) {
    same(anec, doc);
    EXPECT_FALSE(runtime::readSimplePatient(anec.inputs(), doc, v)) << doc;
  }
  for (const char *tail : {" ", "\n", " x", "}", ",", "\r\n"}) same(anec, typical + tail);
  // The fast path scans strings eight bytes at a time: a byte it must leave
  // to the general reader (an escape, a quote, a control or non-ASCII byte)
  // at every offset of a long string value, and of a key.
  runtime::Table strings = runtime::Table::loadText(compileFile("tests/runtime/Inputs/string-outputs.care"));
  const std::string text = "abcdefghijklmnopqrstuvwxyz";
  for (const char *odd : {"\\u0041", "\\\"", "\\n", "\x01", "\x1f", "\xc3\xa9", "\x7f"})
    for (size_t at = 0; at <= text.size(); ++at) {
      std::string value = text.substr(0, at) + odd + text.substr(at);
      same(strings, "{\"region\": \"" + value + "\", \"score\": 3}");
      std::string key = std::string("score").insert(std::min<size_t>(at, 5), odd);
      same(strings, "{\"region\": \"x\", \"" + key + "\": 3}");
    }
  EXPECT_GT(fast, 1000);
  EXPECT_GT(general, 20);
}

TEST(CApiColumns, FiresWhatEachPatientFires) {
  for (const auto &[name, json] : tables()) {
    SCOPED_TRACE(name);
    runtime::Table t = runtime::Table::loadText(json);
    carepath_table *ct = nullptr;
    ASSERT_EQ(carepath_table_open_string(json.data(), json.size(), 0, &ct, nullptr), CAREPATH_OK);
    size_t total = carepath_table_rule_total(ct), inputs = t.inputs().size();
    constexpr size_t kPatients = 150;
    std::mt19937_64 rng(3);
    std::vector<RandomPatient> patients;
    for (size_t p = 0; p < kPatients; ++p) patients.push_back(randomPatient(t, rng));
    std::vector<std::vector<carepath_value>> columns(inputs, std::vector<carepath_value>(kPatients));
    for (size_t p = 0; p < kPatients; ++p)
      for (size_t i = 0; i < inputs; ++i) columns[i][p] = patients[p].values[i];
    std::vector<const carepath_value *> cols;
    for (auto &c : columns) cols.push_back(c.data());
    std::vector<int32_t> status(kPatients);
    std::vector<uint8_t> inPopulation(kPatients), fired(kPatients * total + 1);
    carepath_error *error = nullptr;
    carepath_status s = carepath_table_evaluate_columns(ct, kPatients, cols.data(), status.data(), inPopulation.data(),
                                                        fired.data(), &error);
    int failed = 0;
    for (size_t p = 0; p < kPatients; ++p) {
      std::vector<runtime::PatientError> errors;
      auto patient = t.readPatient(patients[p].json, errors);
      runtime::Result r;
      int32_t want = CAREPATH_OK;
      if (!patient) want = CAREPATH_ERROR_INVALID_PATIENT;
      else
        try {
          t.evaluate(*patient, r);
        } catch (const runtime::EvaluationError &e) {
          want = e.kind == runtime::EvaluationError::Kind::InvalidPatient ? CAREPATH_ERROR_INVALID_PATIENT
                 : e.kind == runtime::EvaluationError::Kind::Arithmetic   ? CAREPATH_ERROR_ARITHMETIC
                                                                          : CAREPATH_ERROR_UNDEFINED_AMOUNT;
        }
      ASSERT_EQ(status[p], want) << patients[p].json;
      if (want != CAREPATH_OK) {
        if (!failed++) {
          EXPECT_EQ(s, want);
          ASSERT_NE(error, nullptr);
          EXPECT_EQ(std::string(carepath_error_message(error)).rfind("patient " + std::to_string(p) + ": ", 0), 0u)
              << carepath_error_message(error);
        }
        continue;
      }
      EXPECT_EQ(inPopulation[p], r.inPopulation ? 1 : 0);
      for (size_t k = 0; k < t.tables().size(); ++k)
        for (size_t rule = 0; rule < t.tables()[k].rules.size(); ++rule)
          ASSERT_EQ(fired[p * total + carepath_table_rule_offset(ct, k) + rule], r.inPopulation && r.fired[k][rule])
              << patients[p].json << ": " << t.tables()[k].name << "." << t.tables()[k].rules[rule].name;
    }
    if (!failed) {
      EXPECT_EQ(s, CAREPATH_OK);
      EXPECT_EQ(error, nullptr);
    }
    carepath_error_free(error);
    carepath_table_free(ct);
  }
}

TEST(CApiColumns, BadValuesAndArguments) {
  std::string json = compileFile("protocols/anec.care");
  carepath_table *t = nullptr;
  ASSERT_EQ(carepath_table_open_string(json.data(), json.size(), 0, &t, nullptr), CAREPATH_OK);
  size_t inputs = carepath_table_input_count(t);
  std::vector<carepath_value> row(inputs, carepath_value{0, 1, nullptr, 0});
  size_t weight = inputs, fever = inputs;
  for (size_t i = 0; i < inputs; ++i) {
    if (std::string(carepath_table_input_name(t, i)) == "weight") weight = i;
    if (std::string(carepath_table_input_name(t, i)) == "fever") fever = i;
    if (carepath_table_input_kind(t, i) == CAREPATH_KIND_NUMBER) carepath_table_input_min(t, i, &row[i].num, &row[i].den);
  }
  ASSERT_LT(weight, inputs);
  ASSERT_LT(fever, inputs);
  EXPECT_STREQ(carepath_table_input_unit(t, weight), "kg");
  // Three patients: as given, weight 1000 kg (out of range), fever 2.
  std::vector<std::vector<carepath_value>> columns(inputs, std::vector<carepath_value>(3));
  for (size_t i = 0; i < inputs; ++i) columns[i] = {row[i], row[i], row[i]};
  columns[weight][1] = {1000, 1, nullptr, 0};
  columns[fever][2] = {2, 1, nullptr, 0};
  std::vector<const carepath_value *> cols;
  for (auto &c : columns) cols.push_back(c.data());
  int32_t status[3];
  carepath_error *e = nullptr;
  EXPECT_EQ(carepath_table_evaluate_columns(t, 3, cols.data(), status, nullptr, nullptr, &e), CAREPATH_ERROR_INVALID_PATIENT);
  EXPECT_EQ(status[0], CAREPATH_OK);
  EXPECT_EQ(status[1], CAREPATH_ERROR_INVALID_PATIENT);
  EXPECT_EQ(status[2], CAREPATH_ERROR_INVALID_PATIENT);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(carepath_error_code(e), CAREPATH_ERROR_INVALID_PATIENT);
  EXPECT_EQ(std::string(carepath_error_message(e)).rfind("patient 1: input 'weight' = 1000 kg is outside its range", 0), 0u)
      << carepath_error_message(e);
  carepath_error_free(e);
  EXPECT_EQ(carepath_table_evaluate_columns(t, 3, nullptr, status, nullptr, nullptr, nullptr), CAREPATH_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(carepath_table_evaluate_columns(t, 3, cols.data(), nullptr, nullptr, nullptr, nullptr), CAREPATH_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(carepath_table_evaluate_columns(nullptr, 3, cols.data(), status, nullptr, nullptr, nullptr),
            CAREPATH_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(carepath_table_evaluate_columns(t, 0, nullptr, status, nullptr, nullptr, nullptr), CAREPATH_OK);
  size_t sum = 0;
  for (size_t k = 0; k < carepath_table_table_count(t); ++k) {
    EXPECT_EQ(carepath_table_rule_offset(t, k), sum);
    sum += carepath_table_rule_count(t, k);
  }
  EXPECT_EQ(carepath_table_rule_total(t), sum);
  carepath_table_free(t);
}
