// The runtime against the IR evaluator on a hand-built protocol (every hit
// policy, a pathway, a capped dose), and the loader's refusals.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "BackendTestProtocol.h"
#include "TableForTest.h"
#include "backends/JsonTable.h"
#include "carepath/Table.h"
#include "carepath/carepath.h"
#include "carepath/TableFormat.h"
#include "ir/Evaluator.h"
#include "ir/PatientInput.h"

using namespace carepath;
using carepath::runtime::LoadError;
using carepath::runtime::LoadOptions;
using carepath::runtime::Table;

namespace {

std::string compileMini(const std::string &status = "verified") { return handbuilt::miniTable(status); }

using unittest::resign;

std::string loadError(const std::string &text, LoadOptions o = {}) {
  try {
    Table::loadText(text, o, "t.json");
  } catch (const LoadError &e) {
    return e.what();
  }
  return "(loaded)";
}

}  // namespace

TEST(RuntimeTable, DeterministicOutput) { EXPECT_EQ(compileMini(), compileMini()); }

TEST(RuntimeTable, AgreesWithEvaluator) {
  ir::Protocol p = handbuilt::miniProtocol();
  Table t = Table::loadText(compileMini());
  ASSERT_EQ(t.tables().size(), p.pathways.size() + p.tables.size());
  std::vector<Rational> ages = {0, 5 * 8766 - 1, 5 * 8766, 18 * 8766 - 1, 18 * 8766, 120 * 8766};
  std::vector<Rational> weights = {2000000, 12000000, 20000000, Rational(100000000, 3), 33333334, 150000000};
  runtime::Result r;
  int checked = 0;
  for (const Rational &a : ages)
    for (const Rational &w : weights)
      for (bool f : {false, true})
        for (int c = 0; c < 3; ++c)
          for (int n : {0, 2, 3, 10}) {
            ir::Patient pt = {ir::Value::ofNumber(a), ir::Value::ofNumber(w), ir::Value::ofBool(f), ir::Value::ofEnum(c),
                              ir::Value::ofNumber(n)};
            std::vector<runtime::PatientValue> values;
            for (const ir::Value &v : pt) values.push_back(ir::fromValue(v));
            ir::Evaluation ev = ir::evaluate(p, pt);
            t.evaluate(values, r);
            ASSERT_EQ(r.inPopulation, ev.inPopulation);
            size_t np = p.pathways.size();
            for (size_t pi = 0; pi < np; ++pi)
              for (size_t k = 0; k < p.pathways[pi].tiers.size(); ++k) ASSERT_EQ(bool(r.fired[pi][k]), bool(ev.tiers[pi][k]));
            for (size_t ti = 0; ti < p.tables.size(); ++ti)
              for (size_t k = 0; k < p.tables[ti].rules.size(); ++k)
                ASSERT_EQ(bool(r.fired[np + ti][k]), bool(ev.rules[ti][k])) << p.tables[ti].name << "." << p.tables[ti].rules[k].name;
            ASSERT_EQ(r.actions.size(), ev.actions.size());
            for (size_t k = 0; k < r.actions.size(); ++k) ASSERT_EQ(r.actions[k].amount, ev.actions[k].amount);
            ASSERT_EQ(r.violations.size(), ev.violations.size());
            for (size_t k = 0; k < r.violations.size(); ++k) {
              EXPECT_EQ(r.violations[k].kind, ev.violations[k].kind);
              EXPECT_EQ(r.violations[k].rules, ev.violations[k].rules);
              EXPECT_EQ(t.describe(r.violations[k]), ir::describe(p, ev.violations[k]));
            }
            ++checked;
          }
  EXPECT_EQ(checked, 6 * 6 * 2 * 3 * 4);
}

TEST(RuntimeTable, ExactCappedDose) {
  Table t = Table::loadText(compileMini());
  std::vector<runtime::PatientError> errors;
  auto pt = t.readPatient(R"({"age": "3 years", "weight": "14.5 kg", "fever": true, "consciousness": "coma", "count": 0})", errors);
  ASSERT_TRUE(pt) << (errors.empty() ? "" : errors[0].message);
  runtime::Result r = t.evaluate(*pt, {true});
  ASSERT_FALSE(r.actions.empty());
  EXPECT_EQ(r.actions[0].amount, Rational(435));  // 30 mg/kg * 14.5 kg
  EXPECT_FALSE(r.trace.empty());
  auto heavy = t.readPatient(R"({"age": "3 years", "weight": "40 kg", "fever": true, "consciousness": "coma", "count": 0})", errors);
  EXPECT_EQ(t.evaluate(*heavy).actions[0].amount, Rational(1000));  // capped
}

TEST(RuntimeTable, PatientErrorsNameTheInput) {
  Table t = Table::loadText(compileMini());
  std::vector<runtime::PatientError> errors;
  auto pt = t.readPatient(R"({"age": "3 years", "weight": "400 kg", "fever": true, "consciousness": "coma"})", errors);
  EXPECT_FALSE(pt);
  bool range = false, missing = false;
  for (auto &e : errors) {
    range |= e.input == "weight";
    missing |= e.input == "count";
  }
  EXPECT_TRUE(range);
  EXPECT_TRUE(missing);
}

TEST(RuntimeTable, EvaluateRefusesOutOfRangeValues) {
  Table t = Table::loadText(compileMini());
  std::vector<runtime::PatientValue> v(5);
  v[0].kind = v[1].kind = v[4].kind = runtime::InputSpec::Kind::Number;
  v[3].kind = runtime::InputSpec::Kind::Enum;
  v[3].member = 0;
  v[1].number = 1;  // 1 mg: below 2 kg
  EXPECT_THROW(t.evaluate(v), runtime::EvaluationError);
}

TEST(RuntimeTable, RefusesTamperedTable) {
  std::string text = compileMini();
  auto pos = text.find("\"1000\"");
  ASSERT_NE(pos, std::string::npos);
  text.replace(pos, 6, "\"2000\"");
  EXPECT_NE(loadError(text).find("digest mismatch"), std::string::npos) << loadError(text);
}

TEST(RuntimeTable, RefusesUnknownFormatAndVersion) {
  auto doc = nlohmann::json::parse(compileMini());
  auto other = doc;
  other["format"] = "something-else";
  EXPECT_NE(loadError(resign(other)).find("not a carepath table"), std::string::npos);
  other = doc;
  other["formatVersion"] = 1;  // version 1 had no rule order: re-deriving it here is what version 2 removed
  EXPECT_NE(loadError(resign(other)).find("format version 1 is not supported"), std::string::npos);
  other["formatVersion"] = 4;
  EXPECT_NE(loadError(resign(other)).find("format version 4 is not supported"), std::string::npos);
}

TEST(RuntimeTable, RefusesAnOrderThatIsNotAPermutation) {
  auto doc = nlohmann::json::parse(compileMini());
  ASSERT_GE(doc["tables"][0]["rules"].size(), 2u);
  auto bad = doc;
  bad["tables"][0]["order"][1] = bad["tables"][0]["order"][0];
  EXPECT_NE(loadError(resign(bad)).find("appears twice in the order"), std::string::npos) << loadError(resign(bad));
  bad = doc;
  bad["tables"][0]["order"].erase(bad["tables"][0]["order"].size() - 1);
  EXPECT_NE(loadError(resign(bad)).find("field 'tables[0].order'"), std::string::npos) << loadError(resign(bad));
  bad = doc;
  bad["tables"][0]["order"][0] = 99;
  EXPECT_NE(loadError(resign(bad)).find("expected a rule index below"), std::string::npos) << loadError(resign(bad));
}

// The runtime applies the order the table gives; it never re-derives it
// from priorities (which are kept for display only).
TEST(RuntimeTable, FollowsTheOrderTheTableGives) {
  auto doc = nlohmann::json::parse(compileMini());
  for (size_t t = 0; t < doc["tables"].size(); ++t) {
    if (doc["tables"][t]["hit"] != "first" && doc["tables"][t]["hit"] != "priority") continue;
    auto &order = doc["tables"][t]["order"];
    std::vector<uint32_t> reversed(order.rbegin(), order.rend());
    order = reversed;
    Table table = Table::loadText(resign(doc));
    EXPECT_EQ(table.tables()[doc["pathways"].size() + t].order, reversed);
    return;
  }
  GTEST_SKIP() << "the mini protocol has no first/priority table";
}

TEST(RuntimeTable, RefusesUnverifiedUnlessAllowed) {
  std::string text = compileMini("unverified");
  EXPECT_NE(loadError(text).find("refusing it"), std::string::npos);
  LoadOptions o;
  o.allowUnverified = true;
  EXPECT_EQ(loadError(text, o), "(loaded)");
}

TEST(RuntimeTable, RefusesMalformedTruncatedAndOversized) {
  std::string text = compileMini();
  std::string e = loadError(text.substr(0, text.size() / 2));
  EXPECT_NE(e.find("malformed JSON"), std::string::npos) << e;
  EXPECT_NE(e.find("truncated"), std::string::npos) << e;
  LoadOptions small;
  small.maxBytes = 100;
  EXPECT_NE(loadError(text, small).find("the limit is 100 bytes"), std::string::npos);
  EXPECT_NE(loadError("{\"a\": 1, \"a\": 2}").find("appears twice"), std::string::npos);
}

// Found by fuzz_table: a number beyond the range of a double escaped
// loadText as nlohmann's out_of_range (only its parse_error was caught), so
// `carepath eval` ended in exit 4. loadError() above catches LoadError only.
TEST(RuntimeTable, NumberTooLargeForADoubleIsALoadError) {
  EXPECT_EQ(loadError("5e8395"), "t.json:1:1: malformed JSON: number '5e8395' is too large");
  EXPECT_EQ(loadError("{\"a\": 1e999999}"), "t.json:1:7: malformed JSON: number '1e999999' is too large");
  EXPECT_EQ(loadError("{\"format\": \"carepath-table\",\n \"formatVersion\": -1E400}"),
            "t.json:2:19: malformed JSON: number '-1E400' is too large");
}

// The C API turns the same documents into NULL and the located message.
TEST(RuntimeTable, CApiReportsANumberTooLargeForADouble) {
  for (std::string text : {"5e8395", "{\"a\": 1e999999}"}) {
    char *error = nullptr;
    carepath_table *t = carepath_table_load_string(text.data(), text.size(), CAREPATH_ALLOW_UNVERIFIED, &error);
    EXPECT_EQ(t, nullptr);
    ASSERT_NE(error, nullptr);
    EXPECT_NE(std::string(error).find(":1:"), std::string::npos) << error;
    EXPECT_NE(std::string(error).find("is too large"), std::string::npos) << error;
    carepath_string_free(error);
    carepath_table_free(t);
  }
}

// Malformed JSON is described in the runtime's own words (not nlohmann's),
// at the offending token or byte.
TEST(RuntimeTable, MalformedJsonInOwnWords) {
  EXPECT_EQ(loadError(""), "t.json:1:1: malformed JSON: the file is empty");
  EXPECT_EQ(loadError(" \n"), "t.json:1:1: malformed JSON: the file is empty");
  EXPECT_EQ(loadError("{\"a\": [1, 2"), "t.json:1:12: malformed JSON: the file ends early (truncated?)");
  EXPECT_EQ(loadError("{\"a\": \"cut"), "t.json:1:11: malformed JSON: the file ends early (truncated?)");
  EXPECT_EQ(loadError("protocol anec"), "t.json:1:1: malformed JSON: unexpected 'protocol'");
  EXPECT_EQ(loadError("{\"a\": NaN}"), "t.json:1:7: malformed JSON: unexpected 'NaN'");
  EXPECT_EQ(loadError("{\"a\" 123}"), "t.json:1:6: malformed JSON: unexpected '123'");
  EXPECT_EQ(loadError("{\"a\": 1,\n ]"), "t.json:2:2: malformed JSON: unexpected ']'");
  EXPECT_EQ(loadError("{\"a\": 1 \"b\": 2}"), "t.json:1:9: malformed JSON: unexpected string");
  EXPECT_EQ(loadError("{} x"), "t.json:1:4: malformed JSON: unexpected 'x'");
  // A literal or number cut short is named, not the byte after it; after a
  // whole token the byte is what is unexpected.
  EXPECT_EQ(loadError("{\"a\": tru\n}"), "t.json:1:7: malformed JSON: unexpected 'tru'");
  EXPECT_EQ(loadError("{\"a\": -}"), "t.json:1:7: malformed JSON: unexpected '-'");
  EXPECT_EQ(loadError("{\"a\": 1.}"), "t.json:1:7: malformed JSON: unexpected '1.'");
  EXPECT_EQ(loadError("{\"a\": 1e+}"), "t.json:1:7: malformed JSON: unexpected '1e+'");
  EXPECT_EQ(loadError("{\"a\":1]"), "t.json:1:7: malformed JSON: unexpected ']'");
  EXPECT_EQ(loadError("{\"a\":-1.5e3]"), "t.json:1:12: malformed JSON: unexpected ']'");
  EXPECT_EQ(loadError("{\"a\":true]"), "t.json:1:10: malformed JSON: unexpected ']'");
  EXPECT_EQ(loadError("{\"a\": \x01}"), "t.json:1:7: malformed JSON: unexpected byte 0x01");
  EXPECT_EQ(loadError("{\"a\": \"x\ty\"}"),
            "t.json:1:9: malformed JSON: control character 0x09 in a string (write it as an escape such as \\n)");
  EXPECT_EQ(loadError("{\"a\": \"x\\qy\"}"), "t.json:1:10: malformed JSON: invalid escape sequence in a string");
  EXPECT_EQ(loadError("{\"a\": \"x\xFFy\"}"), "t.json:1:9: malformed JSON: invalid UTF-8 in a string (byte 0xFF)");
  // Overlong and surrogate forms: the sequence is named by its first byte.
  EXPECT_EQ(loadError("{\"a\": \"x\xC0\xAFy\"}"), "t.json:1:9: malformed JSON: invalid UTF-8 in a string (byte 0xC0)");
  EXPECT_EQ(loadError("{\"a\": \"x\xED\xA0\x80y\"}"),
            "t.json:1:9: malformed JSON: invalid UTF-8 in a string (byte 0xED)");
  EXPECT_EQ(loadError("{\"a\": \"\xC3\xA9\x80\"}"), "t.json:1:10: malformed JSON: invalid UTF-8 in a string (byte 0x80)");
  EXPECT_EQ(loadError("{\"a\": \"x\xE2\x82y\"}"), "t.json:1:9: malformed JSON: invalid UTF-8 in a string (byte 0xE2)");
}

TEST(RuntimeTable, NamesTheBadField) {
  auto doc = nlohmann::json::parse(compileMini());
  doc["tables"][1]["hit"] = "sometimes";
  EXPECT_NE(loadError(resign(doc)).find("field 'tables[1].hit'"), std::string::npos) << loadError(resign(doc));
  doc = nlohmann::json::parse(compileMini());
  for (auto &n : doc["nodes"])
    if (n["op"] == "const" && n["type"] == "number") {
      n["value"] = "abc";
      break;
    }
  EXPECT_NE(loadError(resign(doc)).find("'abc' is not an exact number"), std::string::npos) << loadError(resign(doc));
}

namespace {
// The index of the first node with operator `op`.
size_t firstNode(const nlohmann::json &doc, const std::string &op) {
  for (size_t i = 0; i < doc["nodes"].size(); ++i)
    if (doc["nodes"][i]["op"] == op) return i;
  ADD_FAILURE() << "no '" << op << "' node";
  return 0;
}
}  // namespace

// The DAG is checked node by node: the operator, arguments that come
// earlier (so there is no cycle), their number and their kinds; every
// refusal names the node.
TEST(RuntimeTable, RefusesABadNode) {
  const auto doc = nlohmann::json::parse(compileMini());
  auto bad = doc;
  size_t lt = firstNode(doc, "lt");
  bad["nodes"][lt]["op"] = "xor";
  EXPECT_NE(loadError(resign(bad)).find("field 'nodes[" + std::to_string(lt) + "].op': unknown operator 'xor'"),
            std::string::npos)
      << loadError(resign(bad));

  bad = doc;
  bad["nodes"][lt]["args"][1] = lt;  // itself: a cycle
  EXPECT_NE(loadError(resign(bad)).find("field 'nodes[" + std::to_string(lt) + "].args[1]': node " + std::to_string(lt) +
                                        " is not earlier than this node"),
            std::string::npos)
      << loadError(resign(bad));

  bad = doc;
  bad["nodes"][lt]["args"].erase(1);
  EXPECT_NE(loadError(resign(bad)).find("'lt' takes 2 argument(s), got 1"), std::string::npos) << loadError(resign(bad));

  // `and` over a number: the kinds are checked.
  bad = doc;
  size_t number = firstNode(doc, "mul"), andNode = 0;
  for (size_t i = number; i < doc["nodes"].size(); ++i)
    if (doc["nodes"][i]["op"] == "and") andNode = i;
  ASSERT_GT(andNode, number) << "the test needs an 'and' node after a number node";
  bad["nodes"][andNode]["args"][0] = number;
  EXPECT_NE(loadError(resign(bad)).find("'and' needs a condition here, node " + std::to_string(number) + " is a number"),
            std::string::npos)
      << loadError(resign(bad));

  // A rule's condition must be a condition, an amount a number.
  bad = doc;
  bad["tables"][0]["rules"][0]["condition"] = number;
  EXPECT_NE(loadError(resign(bad)).find("field 'tables[0].rules[0].condition': node " + std::to_string(number) +
                                        " is a number, expected a condition"),
            std::string::npos)
      << loadError(resign(bad));
  bad = doc;
  bad["tables"][0]["rules"][0]["condition"] = 100000;
  EXPECT_NE(loadError(resign(bad)).find("expected a node index below"), std::string::npos) << loadError(resign(bad));
}

// Version 2 tables (conditions as rows) are refused with the version named.
TEST(RuntimeTable, RefusesVersion2) {
  auto doc = nlohmann::json::parse(compileMini());
  doc["formatVersion"] = 2;
  EXPECT_NE(loadError(resign(doc)).find("format version 2 is not supported by this runtime (it reads version 3)"),
            std::string::npos)
      << loadError(resign(doc));
}

// A subexpression many rules use is one node: the define `suspected`, and
// the rule `young` (`age < 5 years`) written in each of the five tables.
TEST(RuntimeTable, SharedSubexpressionsAreOneNode) {
  auto doc = nlohmann::json::parse(compileMini());
  int suspected = 0;
  for (const auto &n : doc["nodes"]) suspected += n["op"] == "define" && n["name"] == "suspected";
  EXPECT_EQ(suspected, 1);
  ASSERT_EQ(doc["tables"].size(), 5u);
  for (const auto &t : doc["tables"]) EXPECT_EQ(t["rules"][0]["condition"], doc["tables"][0]["rules"][0]["condition"]);
  // Every argument is an earlier node (topological order).
  for (size_t i = 0; i < doc["nodes"].size(); ++i)
    for (const auto &a : doc["nodes"][i].value("args", nlohmann::json::array())) EXPECT_LT(a.get<size_t>(), i);
}
