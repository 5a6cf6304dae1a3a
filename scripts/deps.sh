#!/usr/bin/env bash
# Installs every Debian 12 package carepath needs to build and test.
# Run as root on a fresh machine; safe to run again.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config git
  default-jre-headless antlr4 libantlr4-runtime-dev
  libz3-dev z3 libfmt-dev nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  llvm-14-tools python3 python3-psutil
  nodejs npm graphviz
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi
