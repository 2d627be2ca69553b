#!/usr/bin/env bash
# The README's main command: installs dependencies, builds plugrt, then runs the shipped example,
# the real rclone volume plugin (examples/rclone/config.json, rootfs from Debian's rclone),
# end to end without Docker:
#
#   1. assemble the plugin (config.json + rootfs/) from Debian packages;
#   2. generate Docker's exact OCI spec with `plugrt plugin spec` (Docker 20.10 profile);
#   3. prepare the host side as dockerd does (socket dir, rshared propagated mount);
#   4. run it with plugrt's own runtime, wait for its socket, Plugin.Activate;
#   5. create and mount a volume through the socket and show, on the host, a file written into
#      the volume through the plugin's propagated mount;
#   6. unmount, stop, delete, and leave the host clean.
#
# Steps 3-6 are what the plugin supervisor (`plugrt plugin run`, issue #4) will do by itself;
# until it lands, this script does them in the open with plugrt's runtime commands.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "run-example.sh: run as root (plugins need mounts, namespaces and /dev/fuse)" >&2
  exit 1
fi
scripts/install-deps.sh
scripts/build.sh

plugrt=$PWD/build/shim/plugrt
id=e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1  # any 64-hex id
work=/var/lib/plugrt-example          # plays the role of Docker's root (/var/lib/docker)
state=/run/plugrt-example             # plugrt --root
plugin=$work/plugins/$id              # config.json, rootfs/, propagated-mount/
sockdir=/run/docker/plugins/$id       # hard-wired in Docker, so in the spec too
log=$state/rclone-plugin.log

say() { printf '\n== %s\n' "$*"; }
call() {  # call METHOD JSON: POST to the plugin socket like dockerd does
  curl -sS --fail-with-body --unix-socket "$sockdir/rclone.sock" \
    -H 'Accept: application/vnd.docker.plugins.v1.2+json' -d "$2" "http://plugin/$1"
  echo
}
cleanup() {
  set +e
  "$plugrt" --root "$state" delete --force "$id" >/dev/null 2>&1
  umount -R "$plugin/propagated-mount" 2>/dev/null
  rm -rf "$sockdir"
}
trap cleanup EXIT
cleanup

say "assembling the rclone plugin from Debian's rclone, fuse3 and busybox-static"
scripts/make-rclone-plugin.sh "$plugin" >/dev/null
mkdir -p "$work/rclone/config/share" "$work/rclone/cache" "$state"

say "the OCI spec Docker 20.10 would run (plugrt plugin spec), written to $plugin/bundle"
mkdir -p "$plugin/bundle"
"$plugrt" plugin spec "$plugin" --id "$id" --docker-root "$work" \
  --set "config.source=$work/rclone/config" --set "cache.source=$work/rclone/cache" \
  --set RCLONE_VERBOSE=1 >"$plugin/bundle/config.json"
echo "process.args: $(grep -A4 '"args"' "$plugin/bundle/config.json" | tr -d ' \n' | cut -c1-80)..."

say "host side, as dockerd prepares it: socket dir and an rshared propagated mount"
mkdir -p -m 0700 "$sockdir"
mkdir -p "$plugin/propagated-mount"
mount --bind "$plugin/propagated-mount" "$plugin/propagated-mount"
mount --make-rshared "$plugin/propagated-mount"

say "starting the plugin with plugrt's runtime (log: $log)"
start=$(date +%s%N)
"$plugrt" --root "$state" run --detach --bundle "$plugin/bundle" "$id" >"$log" 2>&1 </dev/null
for _ in $(seq 1 200); do [ -S "$sockdir/rclone.sock" ] && break; sleep 0.05; done
[ -S "$sockdir/rclone.sock" ] || { echo "socket never appeared; plugin log:"; cat "$log"; exit 1; }
echo "socket $sockdir/rclone.sock ready after $(( ($(date +%s%N) - start) / 1000000 )) ms"
"$plugrt" --root "$state" list
echo -n "Plugin.Activate: "; call Plugin.Activate ''

say "a volume through the plugin socket (type=local, backed by $work/rclone/config/share)"
echo "hello from the host" >"$work/rclone/config/share/from-host.txt"
call VolumeDriver.Create '{"Name":"demo","Opts":{"type":"local","path":"/data/config/share"}}'
mounted=$(call VolumeDriver.Mount '{"Name":"demo","ID":"example"}')
echo "VolumeDriver.Mount: $mounted"
inside=$(echo "$mounted" | sed -n 's/.*"Mountpoint":"\([^"]*\)".*/\1/p')
host_view=$plugin/propagated-mount/${inside#/mnt/}
echo "on the host, through the propagated mount: $host_view"
cat "$host_view/from-host.txt"
echo "written through the FUSE mount" >"$host_view/from-volume.txt"
echo "back in the backing dir: $(cat "$work/rclone/config/share/from-volume.txt")"

say "unmount, remove, stop"
call VolumeDriver.Unmount '{"Name":"demo","ID":"example"}'
call VolumeDriver.Remove '{"Name":"demo"}'
"$plugrt" --root "$state" kill "$id" TERM
for _ in $(seq 1 100); do
  [ "$("$plugrt" --root "$state" state "$id" | grep -o '"status": *"[a-z]*"' | grep -o '[a-z]*"$')" = 'stopped"' ] && break
  sleep 0.1
done
cleanup
trap - EXIT
left=$(grep -c "plugrt-example" /proc/self/mountinfo || true)
echo "mounts left under $work: $left; plugin log lines: $(wc -l <"$log") (in $log)"
