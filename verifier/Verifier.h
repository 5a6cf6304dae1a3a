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
                        // "dose-bounded", "dose-formulary", "assertion", "unspecified",
                        // "population" (the population is not empty: else every proof is vacuous)
  Status status = Status::Unknown;
  std::string message;  // success or failure wording of this obligation
  SourceRange range;    // the rule/tier/property that the result is about
  std::vector<DiagNote> related;  // other rules involved (the overlapping rule, ...)
  std::optional<std::vector<ir::Value>> counterexample;  // one value per input
  std::string reason;   // Unknown: the solver's reason_unknown()
  /// The counterexample as a ready-to-paste `example` block (one line each).
  std::vector<std::string> example;
};

/// Least and greatest amount of one `give` over the patients it applies to.
struct DoseEnvelope {
  std::string drug;
  std::string where;        // "immunotherapy.first_line"
  ir::Basis basis;
  ir::Unit unit;            // display unit
  std::optional<Rational> min, max;  // nullopt: unbounded / not found
  bool unbounded = false;   // max is +infinity
  bool never = false;       // no patient in the population gets it
  SourceRange range;
};

/// How the work was done (for benchmarks and `--stats`; not part of a verdict).
struct Statistics {
  size_t solverChecks = 0;        // satisfiability checks sent to Z3
  size_t witnessesReused = 0;     // reachability shown by an earlier Z3 model
  size_t overlapPairs = 0;        // rule pairs of unique tables
  size_t overlapSwept = 0;        // of which excluded by the interval sweep
  size_t optimisations = 0;       // z3::optimize calls (dose envelopes)
};

struct Report {
  std::vector<PropertyResult> properties;
  std::vector<DoseEnvelope> doses;
  /// Counterexamples the IR evaluator did not confirm (`checkModels`): a
  /// bug in carepath, never a finding about the protocol.
  std::vector<std::string> internalErrors;
  Statistics stats;
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
