// Why a condition has its value for one patient, in the author's names: the
// parts that decide it, followed through defines and through the pathways,
// tiers and rules a condition names (ir::Expr::label), down to the
// comparisons and inputs. `carepath test` explains an unmet expectation
// with it, the verifier a counterexample (docs/verifier.md, "Explanations").
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "basic/Diagnostics.h"
#include "ir/Evaluator.h"

namespace carepath::ir {

class Why {
public:
  /// A define the explanation went through, with its value for the patient.
  struct DefineValue {
    int index = -1;
    Value value;
    bool failed = false;  // the evaluator could not compute it (EvalError)
  };

  /// Notes are appended to `notes`, at most 8 per Why (then one saying how
  /// many more parts there were).
  Why(const Protocol &p, const Patient &patient, std::vector<DiagNote> &notes)
      : p_(p), patient_(patient), notes_(notes) {}

  /// Explains `e`, the condition of `name` (not itself listed in the
  /// chain). Each part is a note at its place in the source: "in
  /// encephalopathy (via suspected): 'consciousness in {altered, coma}' is
  /// false (consciousness = alert)". Every value is the reference
  /// evaluator's.
  void explain(const Expr &e, const std::string &name);

  /// The defines the explanations went through, in the order first met.
  const std::vector<DefineValue> &defines() const { return defines_; }

private:
  static constexpr size_t kMaxNotes = 8;

  Truth truthOf(const Expr &e);
  std::string valueText(const Expr &e);
  void reads(const Expr &e, std::vector<const Expr *> &out);
  void leaf(const Expr &e, Truth t);
  void walk(const Expr &e, bool top = false);

  const Protocol &p_;
  const Patient &patient_;
  std::vector<DiagNote> &notes_;
  size_t limit_ = notes_.size() + kMaxNotes;
  size_t dropped_ = 0;
  size_t moreNote_ = SIZE_MAX;  // the "and N more part(s)" note, once there is one
  std::vector<std::string> chain_;
  std::set<std::string> seen_;
  std::vector<DefineValue> defines_;
};

/// A define's value for a message: "true", "false", "unknown (a value is
/// missing)", "12 kg", "cannot be computed".
std::string defineValueText(const Protocol &p, const Why::DefineValue &d);

}  // namespace carepath::ir
