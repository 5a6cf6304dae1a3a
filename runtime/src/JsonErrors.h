// Where and why the runtime's JSON readers (the table loader, the patient
// reader) stop on a document nlohmann's parser refuses, in carepath's own
// words: worked out from the text, the position and the exception's id,
// never from nlohmann's English message (its wording is not an interface).
// Private to the runtime.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace carepath::runtime {

struct JsonSyntaxError {
  size_t line = 1, column = 1;  // of the offending token or byte (or just past the end)
  std::string reason;           // "unexpected ']'", "the file ends early (truncated?)"
};

/// `position` as a SAX handler's parse_error receives it (bytes read, the
/// offending one included), `id` the exception's id.
JsonSyntaxError describeJsonError(std::string_view text, size_t position, int id);

}  // namespace carepath::runtime
