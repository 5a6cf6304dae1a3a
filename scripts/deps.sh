#!/usr/bin/env bash
# Installs every Debian 12 package carepath needs to build and test.
# Run as root on a fresh machine; safe to run again.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config git
  default-jre-headless antlr4 libantlr4-runtime-dev
  libz3-dev z3 cvc5 libfmt-dev nlohmann-json3-dev libcli11-dev
  # The carepath executable's allocator (compiler/driver/CMakeLists.txt).
  libmimalloc-dev
  # Signed tables: libcrypto, and the openssl tool that makes keys (docs/tables.md).
  libssl-dev openssl
  libgtest-dev libgmock-dev libbenchmark-dev
  llvm-14-tools python3 python3-psutil python3-yaml
  graphviz
  # The JavaScript binding (bindings/js): the runtime compiled to WebAssembly;
  # its system libraries come prebuilt. Without it the binding is not built.
  emscripten
  # The SQL export's engines and `carepath audit`'s clients (tests/sql).
  postgresql sqlite3
  # The review page's browser test (tests/doc/browser-check.py); large, and
  # the test is skipped without it.
  chromium
)
# Node.js and npm (the DMN interop, schema and SARIF tests) may already be on
# the machine from outside Debian (this project's machines ship Node 20 with
# npm 11, which conflict with Debian's nodejs/npm packages): install
# Debian's only when there is no node or npm at all.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi
