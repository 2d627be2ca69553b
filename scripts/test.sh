#!/usr/bin/env bash
# The README's test command: installs dependencies, builds, then runs every tier.
#   1. unit tests under ASan+UBSan (build-asan/)
#   2. unit, integration and e2e tests against the real binary (build/)
# Integration and e2e tests need root; they fail (never skip) without it.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "test.sh: the integration and e2e tiers create real containers and need root." >&2
  echo "test.sh: run as root (sudo scripts/test.sh)." >&2
  exit 1
fi

scripts/install-deps.sh
scripts/build.sh --sanitize

status=0
echo "== unit tests (ASan+UBSan) =="
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest -L unit --output-on-failure) || status=1

echo "== unit, integration and e2e tests =="
(cd build && ctest --output-on-failure) || status=1
exit $status
