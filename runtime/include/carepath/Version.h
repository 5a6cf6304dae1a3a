#pragma once
namespace carepath::runtime {
/// The runtime library's version.
const char *version();
}  // namespace carepath::runtime
