#!/usr/bin/env bash
# The README's main command: installs dependencies, builds plugrt and runs the shipped example,
# the rclone volume plugin (examples/rclone/config.json).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "run-example.sh: run as root (plugins need mounts, namespaces and /dev/fuse)" >&2
  exit 1
fi
scripts/install-deps.sh
scripts/build.sh
echo "== the OCI spec Docker would generate for examples/rclone =="
build/shim/plugrt plugin spec examples/rclone
