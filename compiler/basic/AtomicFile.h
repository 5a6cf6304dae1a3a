// Writes a whole file or nothing: the text goes to a temporary file in the
// destination's folder, is flushed to disk (fsync), then renamed over the
// destination. A failure or a kill at any point leaves the previous file (if
// any) untouched and no partial output under the destination's name.
#pragma once

#include <string>
#include <string_view>

namespace carepath {

/// Returns true on success; otherwise sets `error` to a message in the
/// user's words ("cannot write 'out/t.json': Permission denied") and removes
/// the temporary file. "-" writes to standard output.
bool writeFileAtomically(const std::string &path, std::string_view contents, std::string &error);

}  // namespace carepath
