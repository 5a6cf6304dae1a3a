# The lit suite: every user-facing diagnostic and command is pinned here.
# Folders mirror the stages: parse/, sema/, verify/, backends/, runtime/,
# driver/, protocols/. `Inputs/` folders hold files that are not tests.
import os
import lit.formats

config.name = "carepath"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".care", ".test"]
config.excludes = ["Inputs", "unit", "interop", "lit.cfg.py", "lit.site.cfg.py", "CMakeLists.txt"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.carepath_bin_dir, "tests")

# Deterministic output: no colour, no locale surprises.
config.environment["NO_COLOR"] = "1"
config.environment["LC_ALL"] = "C"
config.environment["PATH"] = os.pathsep.join([config.llvm_bin_dir, config.environment.get("PATH", "")])

stdlib = os.path.join(config.carepath_src_dir, "stdlib")
config.substitutions.append(("%carepath", config.carepath + " "))
config.substitutions.append(("%stdlib", stdlib))
config.substitutions.append(("%protocols", os.path.join(config.carepath_src_dir, "protocols")))
config.substitutions.append(("%srcroot", config.carepath_src_dir))
config.substitutions.append(("%python", config.python))
config.substitutions.append(("FileCheck", config.filecheck))
# `%exit N cmd...`: cmd must exit with exactly N (lit's `not` accepts any
# failure, a crash or a usage error included). docs/diagnostics.md.
config.substitutions.append(("%exit", config.python + " " + os.path.join(config.test_source_root, "Inputs", "exit.py")))

# The sanitizer stage (scripts/sanitize.sh; docs/reliability.md, "CI time"):
# feature `sanitize`, and fewer random mutations (the normal stage runs 400;
# scripts/fuzz.sh is the long campaign).
if getattr(config, "sanitize", False):
    config.available_features.add("sanitize")
    config.substitutions.append(("%mutation_count", "40"))
else:
    config.substitutions.append(("%mutation_count", "400"))
