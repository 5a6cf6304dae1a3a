// Constants of the compiled decision-table format shared by the compiler
// (which writes it) and the runtime (which reads it). docs/tables.md is the
// full description.
#pragma once

#include <string>
#include <string_view>

namespace carepath::runtime {

inline constexpr const char *kTableFormatName = "carepath-table";
/// Bumped on any change a reader must know about; readers refuse others.
inline constexpr int kTableFormatVersion = 3;

/// The `digest` field's value for a document whose canonical serialisation
/// without the `digest` member is `canonical` (see docs/tables.md,
/// "Canonical form"): "sha256:" followed by 64 lower-case hex digits.
std::string tableDigest(std::string_view canonical);

}  // namespace carepath::runtime
