// libFuzzer target: the compiled-table loader (runtime Table::loadText) and,
// for tables that load, the evaluator on a patient built from the table's
// own inputs. A mutated table fails its digest check at once, so each input
// is also loaded with its digest recomputed: that reaches the loader's
// field checks and the evaluator.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "carepath/Table.h"
#include "carepath/TableFormat.h"

namespace {
using namespace carepath::runtime;

void loadAndEvaluate(std::string_view text) {
  LoadOptions options;
  options.allowUnverified = true;
  try {
    Table table = Table::loadText(text, options, "fuzz.table.json");
    // One patient: every input at its lower bound (or false / first member).
    std::vector<PatientValue> patient;
    for (const InputSpec &in : table.inputs()) {
      PatientValue v;
      v.kind = in.kind;
      if (in.kind == InputSpec::Kind::Enum) v.member = in.members.empty() ? -1 : 0;
      if (in.kind == InputSpec::Kind::Number) v.number = in.lo ? *in.lo : carepath::Rational(0);
      patient.push_back(v);
    }
    Result r = table.evaluate(patient, EvaluateOptions{true});
    (void)table.resultJson(patient, r, true);
  } catch (const LoadError &) {
  } catch (const EvaluationError &) {
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  loadAndEvaluate(text);
  // The same document with a correct digest.
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return 0;
  nlohmann::json content = doc;
  content.erase("digest");
  try {
    doc["digest"] = tableDigest(content.dump());
  } catch (const nlohmann::json::exception &) {
    return 0;
  }
  loadAndEvaluate(doc.dump());
  return 0;
}
