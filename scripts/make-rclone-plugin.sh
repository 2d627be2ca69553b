#!/usr/bin/env bash
# Assembles the rclone managed plugin from this machine's Debian packages:
#
#   DEST/config.json   rclone's published plugin config (examples/rclone/config.json)
#   DEST/rootfs/       rclone, fusermount3 (+ fusermount), busybox with applet links, the
#                      shared libraries and dynamic loader they need, a minimal /etc and the
#                      directories the config mounts onto
#
# Usage: scripts/make-rclone-plugin.sh [--config FILE] [--tar FILE.tar.gz] DEST
#
#   --config FILE  use another plugin config.json
#   --tar FILE     also write FILE, a tar.gz of config.json + rootfs/ (numeric owners, xattrs),
#                  for `plugrt plugin create NAME FILE` / `docker plugin create`-style use
#
# Idempotent and safe to re-run: the rootfs is built next to the old one and swapped in at the
# end (a concurrent run waits on DEST/.lock); a rootfs with something mounted below it (a
# running plugin) is never replaced. Needs: rclone, fuse3, busybox-static (or busybox), ldd.
# The script checks `rclone version` in the rootfs (with /proc and /dev, as in a container).
set -euo pipefail

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
die() { echo "make-rclone-plugin: $*" >&2; exit 1; }

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CONFIG="$SCRIPT_DIR/../examples/rclone/config.json"
TAR=""
DEST=""
while [ $# -gt 0 ]; do
    case "$1" in
        --config) [ $# -ge 2 ] || usage; CONFIG=$2; shift 2 ;;
        --tar) [ $# -ge 2 ] || usage; TAR=$2; shift 2 ;;
        -h|--help) usage ;;
        -*) die "unknown option $1" ;;
        *) [ -z "$DEST" ] || usage; DEST=$1; shift ;;
    esac
done
[ -n "$DEST" ] || usage
[ -f "$CONFIG" ] || die "config $CONFIG not found"

find_tool() {
    local path
    path=$(command -v "$1" 2>/dev/null || true)
    [ -n "$path" ] || die "$1 not found (apt-get install $2)"
    readlink -f "$path"
}
RCLONE=$(find_tool rclone rclone)
FUSERMOUNT3=$(find_tool fusermount3 fuse3)
BUSYBOX=$(find_tool busybox busybox-static)
command -v ldd >/dev/null || die "ldd not found (apt-get install libc-bin)"

mkdir -p "$DEST"
DEST=$(cd "$DEST" && pwd)
exec 9>"$DEST/.lock"
flock 9

ROOTFS="$DEST/rootfs"
if [ -d "$ROOTFS" ] && findmnt -rn -o TARGET | grep -q -F -- "$ROOTFS/"; then
    die "$ROOTFS has mounts below it (is the plugin running?); stop it first"
fi
NEW="$DEST/.rootfs.new"
rm -rf "$NEW" "$DEST/.rootfs.old"
mkdir -m 0755 "$NEW"

# Mirror the host's merged-/usr links (bin -> usr/bin, lib64 -> usr/lib64, ...) so every
# path ldd reports, and the ELF interpreter path, resolve the same way inside the rootfs.
for top in bin sbin lib lib64; do
    if [ -L "/$top" ]; then
        target=$(readlink "/$top")
        case "$target" in /*) die "/$top is an absolute symlink; unsupported host layout" ;; esac
        mkdir -p "$NEW/$target"
        ln -s "$target" "$NEW/$top"
    else
        mkdir -p "$NEW/$top"
    fi
done

# Copies host path $1 to the same path in the rootfs, recreating every symlink on the way to
# the real file (e.g. /usr/lib64/ld-linux-x86-64.so.2 -> /lib/x86_64-linux-gnu/...).
copy_path() {
    local path=$1 dir target
    [ -e "$NEW$path" ] || [ -L "$NEW$path" ] && return 0
    dir=$(dirname "$path")
    mkdir -p "$NEW$dir"
    if [ -L "$path" ]; then
        target=$(readlink "$path")
        ln -s "$target" "$NEW$path"
        case "$target" in
            /*) copy_path "$target" ;;
            *) copy_path "$dir/$target" ;;
        esac
    else
        cp -a "$path" "$NEW$path"
    fi
}

# Copies a binary to $2 in the rootfs plus every library ldd reports and the loader.
copy_binary() {
    local binary=$1 dest=$2 line lib
    mkdir -p "$NEW$(dirname "$dest")"
    cp -a "$binary" "$NEW$dest"
    if ! ldd "$binary" >/dev/null 2>&1; then
        return 0  # statically linked
    fi
    while read -r line; do
        case "$line" in
            *"not found"*) die "ldd $binary: $line" ;;
            *"=> /"*) lib=${line#*=> }; lib=${lib%% (*} ;;
            /*) lib=${line%% (*} ;;
            *) continue ;;
        esac
        copy_path "$lib"
    done < <(ldd "$binary")
}

copy_binary "$RCLONE" /usr/bin/rclone
copy_binary "$FUSERMOUNT3" /usr/bin/fusermount3
ln -s fusermount3 "$NEW/usr/bin/fusermount"   # rclone tries fusermount3, then fusermount
copy_binary "$BUSYBOX" /usr/bin/busybox

# busybox applets, without replacing the real binaries copied above.
APPLETS="sh ash ls cat cp mv rm ln mkdir rmdir chmod chown touch echo env printenv sleep true
false id whoami uname hostname mount umount df du ps kill grep sed awk head tail wc find
xargs tr cut sort uniq stat readlink realpath which date tee vi less wget nslookup ip ifconfig"
available=" $("$BUSYBOX" --list | tr '\n' ' ') "
for applet in $APPLETS; do
    case "$available" in *" $applet "*) ;; *) continue ;; esac
    [ -e "$NEW/usr/bin/$applet" ] || ln -s busybox "$NEW/usr/bin/$applet"
done

# Minimal /etc: the plugin runs as root; nobody exists for tools that drop privileges.
mkdir -p "$NEW/etc"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$NEW/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$NEW/etc/group"
printf 'hosts: files dns\n' >"$NEW/etc/nsswitch.conf"
: >"$NEW/etc/hosts"        # mount targets for the host's files (network: host)
: >"$NEW/etc/resolv.conf"
: >"$NEW/etc/hostname"
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    # The bundle alone is what Go's crypto/x509 reads first; the hash links are not needed.
    mkdir -p "$NEW/etc/ssl/certs"
    cp -L /etc/ssl/certs/ca-certificates.crt "$NEW/etc/ssl/certs/ca-certificates.crt"
fi

# Directories the config uses (workdir, mounts, propagatedMount, socket dir) and the usual
# mount points.
mkdir -p "$NEW"/{data/config,data/cache,mnt,run/docker/plugins,proc,sys,dev,root,var/lib}
mkdir -m 1777 -p "$NEW/tmp"

# Swap in the new rootfs and config.
cp "$CONFIG" "$DEST/.config.json.new"
if [ -d "$ROOTFS" ]; then
    mv "$ROOTFS" "$DEST/.rootfs.old"
fi
mv "$NEW" "$ROOTFS"
mv "$DEST/.config.json.new" "$DEST/config.json"
rm -rf "$DEST/.rootfs.old"

if [ -n "$TAR" ]; then
    mkdir -p "$(dirname "$TAR")"
    tar --numeric-owner --xattrs --acls -C "$DEST" -czf "$TAR.tmp" config.json rootfs
    mv "$TAR.tmp" "$TAR"
fi

# Self-check. rclone's FUSE library opens /dev/null and reads /proc at start-up, which a
# container has but a bare chroot does not, so run it in a private mount namespace with both.
version="(not checked: needs root and unshare)"
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
    version=$(unshare -m sh -c 'mount -t proc proc "$1/proc" && mount --rbind /dev "$1/dev" &&
        chroot "$1" rclone version' sh "$ROOTFS" 2>&1) ||
        die "rclone does not run in $ROOTFS: $version"
    version=${version%%$'\n'*}
fi
echo "make-rclone-plugin: $DEST ready: $version"
