// The semantic diff of two versions of a protocol (`carepath diff`): for
// every outcome (a tier or rule firing, an action being done, the dose and
// details of an action at a tier or rule), whether some patient valid in
// both versions gets a different outcome. Both versions are encoded over
// one set of solver variables, inputs matched by name (docs/cli.md, "diff").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ir/IR.h"
#include "verifier/Verifier.h"

namespace carepath::verifier {

/// What an outcome is about. The spellings are a stable interface (JSON
/// `kind`, `--fail-on`).
enum class OutcomeKind {
  Population,  // "population": the patient is in the population
  Tier,        // "tier": pathway.tier applies
  Rule,        // "rule": table.rule fires
  Action,      // "action": `give D` / `do X` is done (by any tier or rule)
  Dose,        // "dose": the amount and details of an action at one tier or rule
};
const char *spelling(OutcomeKind k);
std::optional<OutcomeKind> parseOutcomeKind(std::string_view text);

/// An input added, removed, retyped or with another range or optionality.
struct InputChange {
  std::string name;
  std::string description;  // "added", "range 2 kg .. 150 kg -> 3 kg .. 150 kg"
  SourceRange oldRange, newRange;
};

struct OutcomeResult {
  OutcomeKind kind = OutcomeKind::Rule;
  std::string name;  // "treat.pulse", "give methylprednisolone", "give methylprednisolone at treat.pulse"
  bool inOld = true, inNew = true;
  /// Proved: no patient changes; Refuted: some patient does (`patient`);
  /// Unknown: the solver could not decide (`reason`), never read as equal.
  Status status = Status::Unknown;
  bool syntactic = false;  // proved because both versions are the same formula
  std::string reason;
  std::string before, after;  // what it is in each version, in the protocol's terms
  std::string exampleBefore, exampleAfter;  // for the example patient
  /// The changed region's bounds on numeric inputs ("weight > 33.3 kg"):
  /// every changed patient lies within them (a hull, not the exact region).
  std::vector<std::string> region;
  std::optional<std::vector<ir::Value>> patient;  // in the new version's inputs
  std::vector<std::string> example;               // a pasteable `example` block for the new version
  SourceRange oldRange, newRange;
};

struct DiffReport {
  std::vector<InputChange> inputs;
  /// A population assumption (`assume`) only one version makes, or with
  /// another condition: `name` is the assumption's. Both versions'
  /// assumptions restrict the comparison to the patients both say exist.
  std::vector<InputChange> assumptions;
  std::vector<OutcomeResult> outcomes;  // every outcome compared, in the new version's order, then removed ones
  std::vector<std::string> internalErrors;
  size_t solverChecks = 0, syntactic = 0, optimisations = 0;
  size_t count(Status s) const;
};

DiffReport semanticDiff(const ir::Protocol &oldP, const ir::Protocol &newP, const Options &options);

}  // namespace carepath::verifier
