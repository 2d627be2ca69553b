#!/usr/bin/env bash
# The README's main command: installs dependencies, builds plugrt, then runs the shipped example,
# the real rclone volume plugin (examples/rclone/config.json, rootfs from Debian's rclone),
# end to end without Docker, the way a plugin user would:
#
#   1. assemble the plugin (config.json + rootfs/) from Debian packages;
#   2. `plugrt plugin create` puts it in a store, `plugrt plugin set` configures it;
#   3. `plugrt plugin start` generates Docker's exact OCI spec, prepares the host like dockerd
#      (socket dir, rshared propagated mount, init layer), runs it under the plugrt-shim
#      supervisor with plugrt's own runtime, and waits for the socket and Plugin.Activate;
#   4. `plugrt plugin call` creates and mounts a volume through the socket; the script shows, on
#      the host, a file written into the volume through the plugin's propagated mount;
#   5. unmount, `plugrt plugin stop`, and check that the host is clean.
# Everything lives under /var/lib/plugrt-example and /run/plugrt-example.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "run-example.sh: run as root (plugins need mounts, namespaces and /dev/fuse)" >&2
  exit 1
fi
# PLUGRT_BUILD_DIR: use an existing build (developers) instead of installing and building.
if [ -z "${PLUGRT_BUILD_DIR:-}" ]; then
  scripts/install-deps.sh
  scripts/build.sh
fi

plugrt=$(cd "${PLUGRT_BUILD_DIR:-build}" && pwd)/shim/plugrt
work=/var/lib/plugrt-example
export PLUGRT_PLUGIN_STORE=$work/plugins   # plugrt's plugin store (like /var/lib/docker/plugins)
export PLUGRT_PLUGIN_STATE=/run/plugrt-example  # supervisor state, logs
name=rclone:example

say() { printf '\n== %s\n' "$*"; }
run() { printf '$ %s\n' "$*" | sed "s|$plugrt|plugrt|"; "$@"; }
cleanup() {
  set +e
  "$plugrt" plugin stop "$name" >/dev/null 2>&1
  "$plugrt" plugin rm -f "$name" >/dev/null 2>&1
}
trap cleanup EXIT
cleanup

say "assembling the rclone plugin from Debian's rclone, fuse3 and busybox-static"
scripts/make-rclone-plugin.sh "$work/src" >/dev/null
mkdir -p "$work/rclone/config/share" "$work/rclone/cache"

say "into the store, configured like \`docker plugin set\`"
run "$plugrt" plugin create "$name" "$work/src"
run "$plugrt" plugin set "$name" "config.source=$work/rclone/config" \
  "cache.source=$work/rclone/cache" RCLONE_VERBOSE=1
id=$("$plugrt" plugin ls --quiet --no-trunc)
sockdir=/run/docker/plugins/$id       # hard-wired in Docker, so in the spec too

say "start: Docker's spec, host preparation, plugrt's runtime, socket + Plugin.Activate"
run "$plugrt" plugin start "$name"
run "$plugrt" plugin ls
run "$plugrt" list

say "a volume through the plugin socket (type=local, backed by $work/rclone/config/share)"
echo "hello from the host" >"$work/rclone/config/share/from-host.txt"
run "$plugrt" plugin call "$name" VolumeDriver.Create \
  '{"Name":"demo","Opts":{"type":"local","path":"/data/config/share"}}'
mounted=$(run "$plugrt" plugin call "$name" VolumeDriver.Mount '{"Name":"demo","ID":"example"}')
echo "$mounted"
inside=$(echo "$mounted" | sed -n 's/.*"Mountpoint":"\([^"]*\)".*/\1/p')
host_view=$PLUGRT_PLUGIN_STORE/$id/propagated-mount/${inside#/mnt/}
echo "on the host, through the propagated mount: $host_view"
cat "$host_view/from-host.txt"
echo "written through the FUSE mount" >"$host_view/from-volume.txt"
echo "back in the backing dir: $(cat "$work/rclone/config/share/from-volume.txt")"

say "unmount, remove, stop"
run "$plugrt" plugin call "$name" VolumeDriver.Unmount '{"Name":"demo","ID":"example"}'
run "$plugrt" plugin call "$name" VolumeDriver.Remove '{"Name":"demo"}'
run "$plugrt" plugin stop "$name"

say "the plugin's log, as dockerd would have written it (last 3 lines)"
"$plugrt" plugin logs "$name" | tail -n 3
log=$PLUGRT_PLUGIN_STATE/$id/plugin.log
left_mounts=$(grep -c " $work/" /proc/self/mountinfo || true)
left_sock=$([ -e "$sockdir" ] && echo present || echo removed)
echo
echo "plugin log: $log ($(wc -l <"$log") lines); supervisor events: ${log%/*}/supervisor.log"
echo "mounts left under $work: $left_mounts; socket dir $sockdir: $left_sock"
[ "$left_mounts" = 0 ] && [ "$left_sock" = removed ]
trap - EXIT
cleanup
