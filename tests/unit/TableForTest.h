// A compiled table edited for the runtime's tests: the edit applied and the
// digest computed again (as a careless tool would not), so the loader's
// checks behind the digest are what a test reaches. One place for the
// tests that hand-edit a table.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "carepath/Table.h"
#include "carepath/TableFormat.h"

namespace carepath::unittest {

/// The document with its digest computed again.
inline std::string resign(nlohmann::json doc) {
  doc.erase("digest");
  doc["digest"] = runtime::tableDigest(doc.dump());
  return doc.dump(2);
}

/// The table text with `edit` applied, re-signed.
inline std::string edited(const std::string &text, const std::function<void(nlohmann::json &)> &edit) {
  nlohmann::json doc = nlohmann::json::parse(text);
  edit(doc);
  return resign(std::move(doc));
}

/// The runtime's result for a patient given as JSON text (a patient the
/// table cannot read fails the test and gives an empty result).
inline runtime::Result evaluateText(const runtime::Table &t, const std::string &text) {
  std::vector<runtime::PatientError> errors;
  auto values = t.readPatient(text, errors);
  EXPECT_TRUE(values) << text;
  return values ? t.evaluate(*values) : runtime::Result{};
}

}  // namespace carepath::unittest
