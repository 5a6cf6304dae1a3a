#include "carepath/Version.h"

namespace carepath::runtime {
const char *version() { return "0.1.0"; }
}  // namespace carepath::runtime
