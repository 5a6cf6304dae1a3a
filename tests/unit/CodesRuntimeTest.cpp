// Terminology codes from the protocol to the runtime (docs/tables.md,
// "Codes"): the IR's bindings, the table's `codes`, the C++ and C API
// lookups, and the compact format (version 4 on, now 5) keeping them.
#include <gtest/gtest.h>

#include "CompileForTest.h"
#include "CompactVersion.h"
#include "carepath/Table.h"
#include "carepath/carepath.h"

using namespace carepath;

namespace {

const char *kProtocol = "tests/runtime/Inputs/coded.care";

using Compiled = unittest::CompiledForTest;

Compiled compile(const std::string &relative) { return unittest::compileSourceForTest(relative); }

using Target = runtime::CodeInfo::Target;

TEST(Codes, IrBindingsInDeclarationOrder) {
  Compiled c = compile(kProtocol);
  ASSERT_TRUE(c.protocol);
  const ir::Protocol &p = *c.protocol;
  ASSERT_EQ(p.codes.size(), 6u);
  EXPECT_EQ(p.codes[0].target, ir::CodeBinding::Target::Input);
  EXPECT_EQ(p.codes[0].name, "weight");
  ASSERT_TRUE(p.codes[0].coding);
  EXPECT_EQ(*p.codes[0].coding, (ir::Coding{"http://loinc.org", "29463-7", "Body weight"}));
  EXPECT_EQ(p.codes[0].citations, ir::Citations{"LOINC_BW"});
  EXPECT_EQ(p.codes[1].name, "level.drowsy");
  EXPECT_FALSE(p.codes[1].coding);
  EXPECT_EQ(p.codes[1].unspecified, "no code checked for the test");
  std::vector<ir::Coding> iv = p.codingsOf(ir::CodeBinding::Target::Route, "iv");
  ASSERT_EQ(iv.size(), 1u);
  EXPECT_EQ(iv[0].code, "47625008");
  EXPECT_TRUE(p.codingsOf(ir::CodeBinding::Target::Drug, "calm").empty());      // unspecified
  EXPECT_TRUE(p.codingsOf(ir::CodeBinding::Target::Input, "iv").empty());       // another target kind
}

TEST(Codes, TableLookups) {
  Compiled c = compile(kProtocol);
  ASSERT_FALSE(c.table.empty());
  runtime::Table t = runtime::Table::loadText(c.table);
  ASSERT_EQ(t.codes().size(), 6u);
  EXPECT_EQ(t.codes()[0].system, "http://loinc.org");
  EXPECT_EQ(t.codes()[0].display, "Body weight");
  EXPECT_EQ(t.codes()[0].citations, std::vector<std::string>{"LOINC_BW"});
  EXPECT_EQ(t.codes()[2].unspecified, "a made-up drug has no RxNorm code");
  EXPECT_EQ(t.codings(Target::Input, "weight"), std::vector<uint32_t>{0});
  EXPECT_TRUE(t.codings(Target::Member, "level.drowsy").empty());  // unspecified: no coding
  EXPECT_TRUE(t.codings(Target::Input, "age").empty());
  // The give of rule `drowsy` (route iv): the drug has no code, the route one.
  const runtime::TableInfo &treat = t.tables().at(0);
  ASSERT_EQ(treat.rules.size(), 2u);
  std::vector<uint32_t> give = t.actionCodings(treat.rules[0].actions.at(0));
  ASSERT_EQ(give.size(), 1u);
  EXPECT_EQ(t.codes()[give[0]].code, "47625008");
  EXPECT_EQ(t.codes()[t.actionCodings(treat.rules[1].actions.at(0)).at(0)].code, "26643006");
  EXPECT_TRUE(t.actionCodings(treat.rules[1].actions.at(1)).empty());  // do observe: unspecified
  EXPECT_STREQ(spelling(Target::Member), "member");
  EXPECT_EQ(parseCodeTarget("route"), Target::Route);
  EXPECT_FALSE(parseCodeTarget("unit"));
}

TEST(Codes, CompactKeepsThemAndRefusesVersion3) {
  Compiled c = compile(kProtocol);
  runtime::Table t = runtime::Table::loadText(c.table);
  std::string bytes = t.compact();
  runtime::Table back = runtime::Table::loadCompact(bytes);
  ASSERT_EQ(back.codes().size(), t.codes().size());
  for (size_t i = 0; i < t.codes().size(); ++i) {
    const runtime::CodeInfo &a = t.codes()[i], &b = back.codes()[i];
    EXPECT_EQ(a.target, b.target);
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.system, b.system);
    EXPECT_EQ(a.code, b.code);
    EXPECT_EQ(a.display, b.display);
    EXPECT_EQ(a.unspecified, b.unspecified);
    EXPECT_EQ(a.citations, b.citations);
  }
  // A file of the previous version (no codes) is refused with its version named.
  expectOlderCompactRefused(bytes, 3);
}

TEST(Codes, CApi) {
  Compiled c = compile(kProtocol);
  carepath_table *t = nullptr;
  carepath_error *e = nullptr;
  ASSERT_EQ(carepath_table_open_string(c.table.data(), c.table.size(), 0, &t, &e), CAREPATH_OK);
  ASSERT_EQ(carepath_table_code_count(t), 6u);
  EXPECT_STREQ(carepath_table_code_target(t, 0), "input");
  EXPECT_STREQ(carepath_table_code_name(t, 0), "weight");
  EXPECT_STREQ(carepath_table_code_system(t, 0), "http://loinc.org");
  EXPECT_STREQ(carepath_table_code_code(t, 0), "29463-7");
  EXPECT_STREQ(carepath_table_code_display(t, 0), "Body weight");
  EXPECT_EQ(carepath_table_code_unspecified(t, 0), nullptr);
  EXPECT_STREQ(carepath_table_code_unspecified(t, 1), "no code checked for the test");
  EXPECT_STREQ(carepath_table_code_system(t, 1), "");
  EXPECT_EQ(carepath_table_code_name(t, 6), nullptr);
  EXPECT_EQ(carepath_table_code_target(nullptr, 0), nullptr);
  // From a result's fired action to its codes.
  carepath_result *r = carepath_result_new();
  ASSERT_EQ(carepath_table_evaluate_into(t, R"({"age": "6 years", "weight": "20 kg", "level": "drowsy"})", 0, r, &e),
            CAREPATH_OK);
  ASSERT_EQ(carepath_result_action_count(r), 1u);
  size_t tb = 0, rule = 0, action = 0;
  ASSERT_EQ(carepath_result_action(r, 0, &tb, &rule, &action), CAREPATH_OK);
  ASSERT_EQ(carepath_table_action_code_count(t, tb, rule, action), 1u);
  size_t code = carepath_table_action_code(t, tb, rule, action, 0);
  EXPECT_STREQ(carepath_table_code_code(t, code), "47625008");
  EXPECT_EQ(carepath_table_action_code(t, tb, rule, action, 1), static_cast<size_t>(-1));
  EXPECT_EQ(carepath_table_action_code_count(t, tb, rule, 9), 0u);
  carepath_result_free(r);
  carepath_table_free(t);
}

// A protocol without `code` declarations: no key in its table, no codes.
TEST(Codes, AbsentWithoutDeclarations) {
  Compiled c = compile("tests/verify/Inputs/assumptions.care");
  ASSERT_FALSE(c.table.empty());
  EXPECT_EQ(c.table.find("\"codes\""), std::string::npos);
  EXPECT_TRUE(runtime::Table::loadText(c.table).codes().empty());
}

}  // namespace
