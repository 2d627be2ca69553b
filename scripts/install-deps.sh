#!/usr/bin/env bash
# Installs every Debian package plugrt needs to build, test and run its examples.
# Idempotent and quick when everything is present: apt-get only runs if a package is missing.
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config git
  # libraries (see README "Dependencies")
  libseccomp-dev libcap-dev nlohmann-json3-dev libarchive-dev libboost-dev doctest-dev
  libcli11-dev
  # plugin rootfs for the examples and e2e tests: the rclone volume plugin, FUSE, a shell
  rclone fuse3 busybox-static
  # end-to-end tests: real engines that drive plugrt as their runtime
  docker.io containerd runc
  # tooling used by the tests and scripts
  iproute2 procps util-linux curl
)

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: must run as root (apt-get install)" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
