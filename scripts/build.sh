#!/usr/bin/env bash
# Builds plugrt into build/ and, with --sanitize, the ASan+UBSan unit tests into build-asan/.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
if [ "${1:-}" = "--sanitize" ]; then
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DPLUGRT_SANITIZE=ON >/dev/null
  cmake --build build-asan -j"$jobs" --target unit_oci unit_runtime unit_shim 2>/dev/null ||
    cmake --build build-asan -j"$jobs"
fi
