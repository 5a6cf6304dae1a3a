// A small protocol built by hand (ir::build), shared by the backend and
// runtime unit tests: it exercises every input kind, every hit policy, a
// pathway with tiers, defines and a capped weight-based dose, without
// depending on the parser.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "backends/JsonTable.h"
#include "basic/Diagnostics.h"
#include "basic/SourceManager.h"
#include "ir/IR.h"

namespace carepath::handbuilt {

inline ir::Protocol miniProtocol() {
  using namespace ir;
  using namespace ir::build;
  Protocol p;
  p.name = "mini";
  p.version = "1.0.0";
  p.title = "Mini protocol";
  Dimension mass, duration;
  mass.exponents["mass"] = 1;
  duration.exponents["duration"] = 1;
  p.units["mg"] = {"mg", mass, 1};
  p.units["kg"] = {"kg", mass, 1000000};
  p.units["h"] = {"h", duration, 1};
  p.units["years"] = {"years", duration, 8766};
  p.enums.push_back({"consciousness", {"alert", "altered", "coma"}});

  Input age{"age", Type::number(duration), Rational(0), Rational(120 * 8766), p.units["years"], "age", {}, {}, {}};
  Input weight{"weight", Type::number(mass), Rational(2000000), Rational(150000000), p.units["kg"], "weight", {}, {}, {}};
  Input fever{"fever", Type::boolean(), {}, {}, {}, "fever", {}, {}, {}};
  Input cons{"consciousness", Type::enumeration(0), {}, {}, {}, "level", {}, {}, {}};
  Input count{"count", Type::number(), Rational(0), Rational(10), {}, "a count", {}, {}, {}};
  count.type.integer = true;
  p.inputs = {age, weight, fever, cons, count};
  p.dosingWeight = 1;
  auto in = [&](int i) { return input(i, p.inputs[i].type); };

  // define encephalopathy = consciousness in {altered, coma}
  p.defines.push_back({"encephalopathy",
                       nary(Op::Or, {binary(Op::Eq, in(3), member(0, 1)), binary(Op::Eq, in(3), member(0, 2))}), "", {}, {}});
  // define suspected = fever and encephalopathy
  p.defines.push_back({"suspected", nary(Op::And, {in(2), define(0, Type::boolean())}), "", {}, {}});
  auto suspected = define(1, Type::boolean());

  p.population = binary(Op::Lt, in(0), number(18 * 8766, duration));
  p.sources.push_back({"R1", "Reference one", {}});

  Pathway pw;
  pw.name = "therapy";
  pw.entry = suspected;
  Tier first;
  first.name = "first";
  first.guard = binary(Op::Lt, in(4), number(2));
  first.failedWhen = binary(Op::Ge, in(4), number(2));
  Action give;
  give.kind = ActionKind::Give;
  give.name = "drug";
  give.drug = 0;
  // 30 mg/kg * weight, max 1000 mg
  Dimension perMass = mass / mass;
  give.dose = binary(Op::Mul, number(Rational(30, 1000000), perMass), in(1));
  give.cap = number(1000, mass);
  give.doseUnit = p.units["mg"];
  give.basis.kind = Basis::Kind::PerTime;
  give.basis.span = 24;
  give.basis.timeUnit = "day";
  give.citations = {"R1"};
  first.actions.push_back(give);
  Tier second;
  second.name = "second";
  second.after = 0;
  second.guard = binary(Op::Ge, in(4), number(2));
  Action u;
  u.kind = ActionKind::Unspecified;
  u.unspecified = "nothing said";
  second.actions.push_back(u);
  pw.tiers = {first, second};
  p.pathways.push_back(pw);

  Drug d;
  d.name = "drug";
  d.route = "iv";
  p.drugs.push_back(d);

  auto act = [](const std::string &name) {
    Action a;
    a.kind = ActionKind::Do;
    a.name = name;
    return a;
  };
  auto rule = [&](const std::string &name, ExprRef guard, std::string action, std::optional<int64_t> prio = {}) {
    Rule r;
    r.name = name;
    r.guard = std::move(guard);
    r.priority = prio;
    r.actions.push_back(act(action));
    return r;
  };
  const HitPolicy policies[] = {HitPolicy::Unique, HitPolicy::First, HitPolicy::Priority, HitPolicy::Any,
                                HitPolicy::Collect};
  for (HitPolicy hp : policies) {
    Table t;
    t.name = std::string("t_") + spelling(hp);
    t.hit = hp;
    t.rules.push_back(rule("young", binary(Op::Lt, in(0), number(5 * 8766, duration)), "a", 2));
    t.rules.push_back(rule("heavy", nary(Op::And, {suspected, binary(Op::Ge, in(1), number(20000000, mass))}), "b", 1));
    t.rules.push_back(rule("not_coma", unary(Op::Not, binary(Op::Eq, in(3), member(0, 2))), "a"));
    // (weight - 10 kg) * 2 >= 4 kg  <=>  weight >= 12 kg; and count != 3
    t.rules.push_back(rule("linear",
                           nary(Op::And, {binary(Op::Ge, binary(Op::Mul, binary(Op::Sub, in(1), number(10000000, mass)), number(2)),
                                                 number(4000000, mass)),
                                          binary(Op::Ne, in(4), number(3))}),
                           "c", 1));
    t.rules.push_back(rule("either", nary(Op::Or, {unary(Op::Not, in(2)), binary(Op::Eq, in(2), boolean(false))}), "a"));
    p.tables.push_back(t);
  }
  return p;
}

/// miniProtocol compiled to a JSON table with the given verification status.
inline std::string miniTable(const std::string &status = "verified") {
  ir::Protocol p = miniProtocol();
  SourceManager sm;
  DiagnosticEngine diags(sm);
  backends::TableMetadata meta;
  meta.compilerVersion = "test";
  meta.verification.status = status;
  auto text = backends::emitJsonTable(p, sm, meta, diags);
  EXPECT_TRUE(text.has_value());
  EXPECT_FALSE(diags.hasErrors());
  return text.value_or("");
}

}  // namespace carepath::handbuilt
