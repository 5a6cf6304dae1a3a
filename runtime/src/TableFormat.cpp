#include "carepath/TableFormat.h"

#include "carepath/Sha256.h"

namespace carepath::runtime {

std::string tableDigest(std::string_view canonical) { return "sha256:" + Sha256::hex(canonical); }

}  // namespace carepath::runtime
