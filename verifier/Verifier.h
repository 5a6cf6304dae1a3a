// The verifier's interface: proof obligations over the IR, decided by Z3.
// Results are never two-valued: proved, refuted (with a patient), unknown
// (with the solver's reason), or a warning (an `unspecified` placeholder).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "basic/Diagnostics.h"
#include "ir/IR.h"

namespace carepath::verifier {

enum class Status { Proved, Refuted, Unknown, Warning };
const char *spelling(Status s);  // "proved", "refuted", "unknown", "warning"

struct PropertyResult {
  std::string kind;     // stable: "reaches", "tier-reachable", "tier-exclusive", "tier-order",
                        // "table-overlap", "table-gap", "rule-dead", "rule-shadowed",
                        // "dose-bounded", "dose-formulary", "assertion", "unspecified"
  Status status = Status::Unknown;
  std::string message;  // success or failure wording of this obligation
  SourceRange range;    // the rule/tier/property that the result is about
  std::vector<DiagNote> related;  // other rules involved (the overlapping rule, ...)
  std::optional<std::vector<ir::Value>> counterexample;  // one value per input
  std::string reason;   // Unknown: the solver's reason_unknown()
};

/// Least and greatest amount of one `give` over the patients it applies to.
struct DoseEnvelope {
  std::string drug;
  std::string where;        // "immunotherapy.first_line"
  ir::Basis basis;
  ir::Unit unit;            // display unit
  std::optional<Rational> min, max;  // nullopt: unbounded / not found
  SourceRange range;
};

struct Report {
  std::vector<PropertyResult> properties;
  std::vector<DoseEnvelope> doses;
  /// "verified" (all proved), "failed" (something refuted), "inconclusive".
  std::string verdict() const;
};

struct Options {
  unsigned timeoutMs = 10000;      // per property, wall-clock backstop
  unsigned rlimit = 50'000'000;    // per property, deterministic limit
  bool strict = false;             // `unspecified` is an error, not a warning
  bool checkModels = false;        // re-check every counterexample on the IR evaluator
};

Report verify(const ir::Protocol &protocol, const Options &options);

}  // namespace carepath::verifier
