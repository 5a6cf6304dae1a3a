// A compiled table edited for the runtime's tests: the edit applied and the
// digest computed again (as a careless tool would not), so the loader's
// checks behind the digest are what a test reaches. One place for the
// tests that hand-edit a table.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

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

}  // namespace carepath::unittest
