// carepath: check, verify, compile, test and evaluate clinical protocols.
#include "Driver.h"

#ifdef CAREPATH_MIMALLOC
#include <mimalloc.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstdio>

namespace {

/// The heap in 2 MiB pages (transparent huge pages, where the kernel allows
/// them: `madvise` mode is enough). The first touch of each 4 KiB page was
/// a quarter to a third of a run's CPU time; Z3's context alone touches
/// 19 MiB (docs/performance.md, "Eighth round"). mimalloc advises the
/// memory it maps from now on; what it mapped before main (the libraries'
/// static constructors allocate) is advised here, by the mapping that
/// holds a fresh block. Where any of this fails, pages stay 4 KiB: slower,
/// never different.
void useHugePages() {
  mi_option_enable(mi_option_large_os_pages);
  void *probe = mi_malloc(16);
  auto at = reinterpret_cast<uintptr_t>(probe);
  if (std::FILE *maps = std::fopen("/proc/self/maps", "r")) {
    char line[512];
    unsigned long lo = 0, hi = 0;
    while (std::fgets(line, sizeof line, maps))
      if (std::sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo <= at && at < hi) {
        madvise(reinterpret_cast<void *>(lo), hi - lo, MADV_HUGEPAGE);
        break;
      }
    std::fclose(maps);
  }
  mi_free(probe);
}

}  // namespace
#endif

int main(int argc, char **argv) {
#ifdef CAREPATH_MIMALLOC
  useHugePages();
#endif
  return carepath::driver::runDriver(argc, argv);
}
