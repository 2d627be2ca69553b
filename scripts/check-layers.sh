#!/usr/bin/env bash
# Enforces the dependency direction shim → runtime → oci, and that oci/ stays free of syscalls.
# Prints each violation and exits 1 if there is any.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
report() { echo "check-layers: $*" >&2; status=1; }

while IFS= read -r hit; do report "oci/ must not include runtime/ or shim/: $hit"; done \
  < <(grep -nE '#include *"(runtime|shim)/' oci/*.hpp oci/*.cpp 2>/dev/null || true)
while IFS= read -r hit; do report "runtime/ must not include shim/: $hit"; done \
  < <(grep -nE '#include *"shim/' runtime/*.hpp runtime/*.cpp 2>/dev/null || true)
# oci/ is pure: no POSIX/syscall headers (sys/mount.h is allowed for the MS_* constants only).
while IFS= read -r hit; do report "oci/ must not make syscalls or do I/O: $hit"; done \
  < <(grep -nE '#include *<(unistd|fcntl|sys/(syscall|stat|ioctl|socket|wait)|fstream)\.?h?>' \
        oci/*.hpp oci/*.cpp 2>/dev/null || true)
# <cstdio> is fine for snprintf into a buffer; its stream I/O is not.
while IFS= read -r hit; do report "oci/ must not do I/O: $hit"; done \
  < <(grep -nE '\b(fopen|fread|fwrite|fprintf|printf|puts|fputs|fgets|popen)[[:space:]]*\(' \
        oci/*.hpp oci/*.cpp 2>/dev/null || true)
exit $status
