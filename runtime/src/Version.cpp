#include "carepath/Version.h"

#include "carepath/ProjectVersion.h"

namespace carepath::runtime {
const char *version() { return CAREPATH_VERSION; }
}  // namespace carepath::runtime
