// What a rule is and when it fires: action kinds, hit policies, the order a
// table consults its rules, and which matching rules fire. Defined once,
// here, and used by every reader of a protocol: sema (rule references in
// expressions), the IR reference evaluator, the verifier (symbolically, over
// solver formulas), the table compiler and the DMN export (rule order), and
// the runtime. docs/semantics.md ("Hit policies") states the same in words.
//
// Header-only and dependency-free, so that the runtime and an independent
// reader of the table format can use the very same definition.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace carepath {

// ------------------------------------------------------------------ vocabulary

/// The kind of an action. Spellings are the language's keywords and the
/// table format's `kind` values: a stable interface.
enum class ActionKind : uint8_t { Give, Do, Order, Consider, Monitor, Unspecified };

/// How a table's matching rules become fired rules. Spellings as above.
/// `rule order` and `output order` are DMN's multiple-hit policies: every
/// matching rule fires, and the result is the list of their outputs.
enum class HitPolicy : uint8_t { Unique, First, Priority, Any, Collect, RuleOrder, OutputOrder };

/// How `collect` combines its rules' outputs (DMN's C+, C<, C>, C#); None:
/// the outputs are a list, in rule order.
enum class Aggregation : uint8_t { None, Sum, Min, Max, Count };

/// What a terminology code names (`code KIND NAME = ...`, docs/language.md
/// "Terminology codes"): spelled as after `code` and in the table's `codes`.
enum class CodeTarget : uint8_t { Input, Member, Drug, Route, Action };

constexpr const char *spelling(ActionKind k) {
  switch (k) {
    case ActionKind::Give: return "give";
    case ActionKind::Do: return "do";
    case ActionKind::Order: return "order";
    case ActionKind::Consider: return "consider";
    case ActionKind::Monitor: return "monitor";
    case ActionKind::Unspecified: return "unspecified";
  }
  return "?";
}

constexpr const char *spelling(HitPolicy p) {
  switch (p) {
    case HitPolicy::Unique: return "unique";
    case HitPolicy::First: return "first";
    case HitPolicy::Priority: return "priority";
    case HitPolicy::Any: return "any";
    case HitPolicy::Collect: return "collect";
    case HitPolicy::RuleOrder: return "rule order";
    case HitPolicy::OutputOrder: return "output order";
  }
  return "?";
}

constexpr const char *spelling(Aggregation a) {
  switch (a) {
    case Aggregation::None: return "";
    case Aggregation::Sum: return "sum";
    case Aggregation::Min: return "min";
    case Aggregation::Max: return "max";
    case Aggregation::Count: return "count";
  }
  return "?";
}

constexpr const char *spelling(CodeTarget t) {
  switch (t) {
    case CodeTarget::Input: return "input";
    case CodeTarget::Member: return "member";
    case CodeTarget::Drug: return "drug";
    case CodeTarget::Route: return "route";
    case CodeTarget::Action: return "action";
  }
  return "?";
}

inline constexpr ActionKind kActionKinds[] = {ActionKind::Give,     ActionKind::Do,      ActionKind::Order,
                                              ActionKind::Consider, ActionKind::Monitor, ActionKind::Unspecified};
inline constexpr HitPolicy kHitPolicies[] = {HitPolicy::Unique, HitPolicy::First, HitPolicy::Priority, HitPolicy::Any,
                                             HitPolicy::Collect, HitPolicy::RuleOrder, HitPolicy::OutputOrder};
inline constexpr Aggregation kAggregations[] = {Aggregation::Sum, Aggregation::Min, Aggregation::Max,
                                                Aggregation::Count};

inline constexpr CodeTarget kCodeTargets[] = {CodeTarget::Input, CodeTarget::Member, CodeTarget::Drug,
                                              CodeTarget::Route, CodeTarget::Action};

constexpr std::optional<CodeTarget> parseCodeTarget(std::string_view s) {
  for (CodeTarget t : kCodeTargets)
    if (s == spelling(t)) return t;
  return std::nullopt;
}

constexpr std::optional<ActionKind> parseActionKind(std::string_view s) {
  for (ActionKind k : kActionKinds)
    if (s == spelling(k)) return k;
  return std::nullopt;
}

constexpr std::optional<HitPolicy> parseHitPolicy(std::string_view s) {
  for (HitPolicy p : kHitPolicies)
    if (s == spelling(p)) return p;
  return std::nullopt;
}

constexpr std::optional<Aggregation> parseAggregation(std::string_view s) {
  for (Aggregation a : kAggregations)
    if (s == spelling(a)) return a;
  return std::nullopt;
}

// ------------------------------------------------------------------ rule order

/// Whether only the first matching rule, in rule order, fires. Under
/// `unique`, `collect`, `rule order` and `output order` every matching
/// rule fires.
constexpr bool firesFirstMatchOnly(HitPolicy p) {
  return p == HitPolicy::First || p == HitPolicy::Priority || p == HitPolicy::Any;
}

/// The order in which a table consults its rules (indices into its rules).
/// `priority`: numbered rules first, lowest `priority N` first, then the
/// rules without a number; ties keep the written order. Every other
/// policy: the written order.
inline std::vector<uint32_t> ruleOrder(HitPolicy p, std::span<const std::optional<int64_t>> priorities) {
  std::vector<uint32_t> order(priorities.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  if (p == HitPolicy::Priority)
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      const auto &pa = priorities[a], &pb = priorities[b];
      if (pa.has_value() != pb.has_value()) return pa.has_value();
      return pa && *pa < *pb;
    });
  return order;
}

// ------------------------------------------------------------------ firing

/// Which rules fire, given which match, over any Boolean domain: `bool` in
/// the evaluators, a formula in the verifier and in sema. `Logic` provides
/// `truth()`, `conj(a, b)` and `negate(a)` over `B`.
///
/// fired[r] = matched[r]                                   (unique, collect)
/// fired[r] = matched[r] and no rule before r in `order` matched
///                                                         (first, priority, any)
template <class B, class Logic>
void fire(HitPolicy p, std::span<const uint32_t> order, std::span<const B> matched, std::span<B> fired,
          const Logic &logic) {
  B noneBefore = logic.truth();
  for (uint32_t r : order) {
    fired[r] = firesFirstMatchOnly(p) ? logic.conj(matched[r], noneBefore) : matched[r];
    noneBefore = logic.conj(noneBefore, logic.negate(matched[r]));
  }
}

/// The Boolean domain of concrete evaluation.
struct ConcreteLogic {
  static constexpr uint8_t truth() { return 1; }
  static constexpr uint8_t conj(uint8_t a, uint8_t b) { return a && b; }
  static constexpr uint8_t negate(uint8_t a) { return !a; }
};

// ------------------------------------------------------------------ outputs

/// Whether a table's outputs are one value each (the fired rule's; under
/// `collect` with an aggregation, the aggregate) rather than a list. Only
/// single values can be used in expressions (`table.output`).
constexpr bool hasSingleOutput(HitPolicy p, Aggregation a) {
  if (p == HitPolicy::Collect) return a != Aggregation::None;
  return p != HitPolicy::RuleOrder && p != HitPolicy::OutputOrder;
}

/// The order of a multiple-hit result list (indices of the fired rules).
/// `output order`: by the rank of each rule's first output among that
/// output's declared values (an enum's members, in declaration order: DMN's
/// output values), ties in rule order. Every other policy: rule order.
/// `rank(r)` is asked only under `output order`.
template <class Rank>
std::vector<uint32_t> resultOrder(HitPolicy p, std::span<const uint32_t> order, std::span<const uint8_t> fired,
                                  Rank &&rank) {
  std::vector<uint32_t> out;
  for (uint32_t r : order)
    if (fired[r]) out.push_back(r);
  if (p == HitPolicy::OutputOrder)
    std::stable_sort(out.begin(), out.end(), [&](uint32_t a, uint32_t b) { return rank(a) < rank(b); });
  return out;
}

// ------------------------------------------------------------------ violations

/// What a policy forbids, when it happens for a patient. Evaluation goes
/// on (the fired rules are as above) and the violation is reported.
enum class HitViolation : uint8_t {
  None,
  SeveralMatch,    // `unique` (and a pathway's tiers): more than one rule matches; every match fires
  OutputsDiffer,   // `any`: matching rules whose actions or outputs differ for this patient; the first fires
};

/// A violation for one table and patient: the rules involved, in written
/// order (every match for `unique`; the first match and those whose
/// actions differ from it for `any`).
struct Violation {
  uint32_t table = 0;  // whose index space is the caller's (pathways first in the runtime)
  HitViolation kind = HitViolation::None;
  std::vector<uint32_t> rules;
};

/// The violation of policy `p` among `matched` rules, if any. `sameOutputs(a,
/// b)` says whether rules a and b produce the same actions and outputs for this patient
/// (asked only under `any`). Returns the kind; fills `rules`.
template <class SameOutputs>
HitViolation findViolation(HitPolicy p, std::span<const uint32_t> order, std::span<const uint8_t> matched,
                           SameOutputs &&sameOutputs, std::vector<uint32_t> &rules) {
  rules.clear();  // filled only when there is a violation: no allocation otherwise
  if (p == HitPolicy::Unique) {
    size_t n = 0;
    for (uint8_t m : matched) n += m ? 1 : 0;
    if (n < 2) return HitViolation::None;
    for (uint32_t r = 0; r < matched.size(); ++r)
      if (matched[r]) rules.push_back(r);
    return HitViolation::SeveralMatch;
  }
  if (p == HitPolicy::Any) {
    uint32_t first = UINT32_MAX;
    for (uint32_t r : order)
      if (matched[r]) { first = r; break; }
    if (first == UINT32_MAX) return HitViolation::None;
    auto differs = [&](uint32_t r) { return r != first && matched[r] && !sameOutputs(first, r); };
    bool any = false;
    for (uint32_t r = 0; r < matched.size() && !any; ++r) any = differs(r);
    if (!any) return HitViolation::None;
    for (uint32_t r = 0; r < matched.size(); ++r)
      if (r == first || differs(r)) rules.push_back(r);
    return HitViolation::OutputsDiffer;
  }
  return HitViolation::None;
}

/// The one wording of a violation: "table 'x' (hit unique): rules 'a' and
/// 'b' all match; every match fires".
inline std::string describeViolation(HitViolation v, bool pathway, std::string_view table,
                                     const std::vector<std::string> &ruleNames) {
  std::string names;
  for (size_t i = 0; i < ruleNames.size(); ++i)
    names += std::string(i == 0 ? "" : i + 1 == ruleNames.size() ? " and " : ", ") + "'" + ruleNames[i] + "'";
  std::string head = std::string(pathway ? "pathway '" : "table '") + std::string(table) + "'";
  switch (v) {
    case HitViolation::None: return "";
    case HitViolation::SeveralMatch:
      return head + " (hit unique): " + (pathway ? "tiers " : "rules ") + names + " all match; every match fires";
    case HitViolation::OutputsDiffer:
      return head + " (hit any): rules " + names + " match with different actions; the first fires";
  }
  return "";
}

}  // namespace carepath
