// The long run of the random-protocol differential test
// (scripts/differential.sh wraps it):
//
//   carepath_differential PROTOCOLS PATIENTS [SEED] [--out DIR] [--no-verify]
//   carepath_differential --print SEED        # the protocol text for SEED
//
// Protocols SEED, SEED+1, ... are generated and compared (Differential.h);
// every disagreement is printed with its seed, the protocol written to DIR
// (default /tmp/carepath-differential) and the patient. Exit 0 when only
// expected disagreements were found, 1 on a new one, 2 when the generator
// wrote a protocol `check` refuses, 64 on bad usage.
#include <cstdlib>
#include <iostream>
#include <string>

#include "Differential.h"
#include "ProtocolGenerator.h"

using namespace carepath::difftest;

namespace {

int usage() {
  std::cerr << "usage: carepath_differential PROTOCOLS PATIENTS [SEED] [--out DIR] [--no-verify]\n"
               "       carepath_differential --print SEED\n";
  return 64;
}

bool number(const std::string &s, uint64_t &out) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 19) return false;
  out = std::stoull(s);
  return true;
}

}  // namespace

int main(int argc, char **argv) {
  std::vector<std::string> positional;
  std::string out = "/tmp/carepath-differential";
  DifferentialOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--out" && i + 1 < argc) out = argv[++i];
    else if (a == "--no-verify") options.verify = false;
    else if (a == "--print" && i + 1 < argc) {
      uint64_t seed;
      if (!number(argv[++i], seed)) return usage();
      std::cout << generateProtocol(seed);
      return 0;
    } else if (!a.empty() && a[0] == '-') return usage();
    else positional.push_back(a);
  }
  uint64_t protocols = 0, patients = 0, seed = 1;
  if (positional.size() < 2 || positional.size() > 3 || !number(positional[0], protocols) ||
      !number(positional[1], patients) || (positional.size() == 3 && !number(positional[2], seed)) || patients > 100000000)
    return usage();
  options.patients = static_cast<int>(patients);
  std::cout << "differential: " << protocols << " protocols x " << patients << " patients from seed " << seed
            << (options.verify ? "" : " (no verifier)") << "\n";
  RunSummary s = runMany(seed, protocols, options, out, std::cout);
  printSummary(s, options, std::cout);
  if (s.checkFailed) return 2;
  return s.unexpected().empty() ? 0 : 1;
}
