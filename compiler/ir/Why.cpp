// Moved here from `carepath test` (TestCommand.cpp) so that the verifier
// explains its counterexamples with the same definition.
#include "ir/Why.h"

#include <algorithm>
#include <cctype>
#include <memory>

namespace carepath::ir {

namespace {
bool isName(const std::string &s) {
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.')) return false;
  return !s.empty();
}

std::string truthText(Truth t) {
  return t == Truth::True ? "true" : t == Truth::False ? "false" : "unknown (a value is missing)";
}

/// A value as the protocol writes it ("12 kg", "alert", "true").
std::string constantText(const Protocol &p, const Value &v, const Type &type, const Unit *unit) {
  auto c = std::make_shared<Expr>();
  c->op = Op::Const;
  c->type = type;
  c->constant = v;
  if (unit && !unit->name.empty()) c->unit = *unit;
  return toString(p, *c);
}
}  // namespace

void Why::explain(const Expr &e, const std::string &name) {
  walk(e, e.label == name);
  if (!dropped_) return;
  // One such note however many conditions were explained: the count grows.
  std::string more = "and " + std::to_string(dropped_) + " more part(s) of the condition";
  if (moreNote_ < notes_.size()) notes_[moreNote_].message = more;
  else moreNote_ = notes_.size(), notes_.push_back({{}, more});
}

Truth Why::truthOf(const Expr &e) {
  try {
    return evaluate(p_, e, patient_).truth();
  } catch (const EvalError &) {
    return Truth::Unknown;
  }
}

std::string Why::valueText(const Expr &e) {
  Value v;
  try {
    v = evaluate(p_, e, patient_);
  } catch (const EvalError &) {
    return "cannot be computed";
  }
  if (v.missing) return "missing";
  const Unit *unit = e.op == Op::Input ? &p_.inputs[e.index].displayUnit : nullptr;
  return constantText(p_, v, e.type, unit);
}

// The inputs and number defines a part reads directly (not through a
// define or a named condition), for the values shown with it.
void Why::reads(const Expr &e, std::vector<const Expr *> &out) {
  bool named = e.op == Op::Define || !e.label.empty();
  if (e.op == Op::Input || (named && e.type.kind != Type::Kind::Bool)) {
    std::string text = toString(p_, e);
    for (const Expr *x : out)
      if (toString(p_, *x) == text) return;
    out.push_back(&e);
    return;
  }
  if (named) return;
  for (const ExprRef &a : e.args) reads(*a, out);
}

void Why::leaf(const Expr &e, Truth t) {
  std::string text = toString(p_, e);
  if (!seen_.insert(text).second) return;
  if (notes_.size() >= limit_) {
    ++dropped_;
    return;
  }
  std::vector<const Expr *> rs;
  if (e.op != Op::Input)
    for (const ExprRef &a : e.args) reads(*a, rs);
  std::string values;
  for (const Expr *x : rs) values += (values.empty() ? "" : ", ") + toString(p_, *x) + " = " + valueText(*x);
  std::string where;
  if (!chain_.empty()) {
    where = "in " + chain_.back();
    if (chain_.size() > 1) {
      std::string via;
      for (size_t i = chain_.size() - 1; i-- > 0;) via += (via.empty() ? "" : ", ") + chain_[i];
      where += " (via " + via + ")";
    }
    where += ": ";
  }
  notes_.push_back({e.range, where + "'" + text + "' is " + truthText(t) + (values.empty() ? "" : " (" + values + ")")});
}

void Why::walk(const Expr &e, bool top) {
  if (chain_.size() > 16) return;
  Truth t = truthOf(e);
  // A named condition: a define, or a pathway, tier or rule the author
  // named (a reading of the record, `P_T_state == on`, is one part).
  if (!e.label.empty() && !top) {
    if (!isName(e.label)) return leaf(e, t);
    chain_.push_back(e.label);
    Expr unnamed = e;
    unnamed.label.clear();
    walk(unnamed, true);
    chain_.pop_back();
    return;
  }
  switch (e.op) {
    case Op::Define: {
      const Define &d = p_.defines.at(e.index);
      if (std::none_of(defines_.begin(), defines_.end(), [&](const DefineValue &v) { return v.index == e.index; })) {
        DefineValue v;
        v.index = e.index;
        try {
          v.value = evaluate(p_, e, patient_);
        } catch (const EvalError &) {
          v.failed = true;
        }
        defines_.push_back(std::move(v));
      }
      chain_.push_back(d.name);
      walk(*d.value);
      chain_.pop_back();
      return;
    }
    case Op::Not: case Op::IsTrue: walk(*e.args[0]); return;
    case Op::Or:
      // `x in {a, b}` is one part, as written.
      if (std::all_of(e.args.begin(), e.args.end(), [](const ExprRef &a) {
            return a->op == Op::Eq && a->label.empty() && a->args[0]->op == Op::Input;
          }))
        return leaf(e, t);
      [[fallthrough]];
    case Op::And: {
      // The parts that decide: the false ones of a false `and`, the true
      // ones of a true `or`, the unknown ones of an unknown result; every
      // part otherwise.
      Truth decides = t;
      bool some = false;
      for (const ExprRef &a : e.args) some = some || truthOf(*a) == decides;
      for (const ExprRef &a : e.args)
        if (!some || truthOf(*a) == decides) walk(*a);
      return;
    }
    case Op::Const: return;
    default: return leaf(e, t);
  }
}

std::string defineValueText(const Protocol &p, const Why::DefineValue &d) {
  if (d.failed) return "cannot be computed";
  const Define &def = p.defines.at(d.index);
  if (d.value.kind == Type::Kind::Bool) return truthText(d.value.truth());
  if (d.value.missing) return "missing";
  const Unit *unit = def.value && def.value->unit ? &*def.value->unit : nullptr;
  return constantText(p, d.value, def.value ? def.value->type : Type{}, unit);
}

}  // namespace carepath::ir
