#!/usr/bin/env bash
# Stops the private containerd + dockerd pair started by scripts/start-daemons.sh and removes
# everything it left: plugin/container processes, shims, mounts under WORKDIR, plugin exec
# dirs under /run/docker/plugins/<id>, and WORKDIR itself.
#
#   scripts/stop-daemons.sh WORKDIR [--dockerd-only] [--keep-workdir] [--timeout SECS]
#
# Safe after a crash: pids are only signalled if their command line names WORKDIR, and a
# missing/partial WORKDIR is fine. --dockerd-only stops dockerd (SIGTERM, wait, SIGKILL) and
# nothing else, for daemon-restart tests. Exit status is non-zero if something could not be
# cleaned up (the reason is printed).
set -uo pipefail

die() { echo "stop-daemons: $*" >&2; exit 1; }
say() { echo "stop-daemons: $*" >&2; }

[ $# -ge 1 ] || die "usage: stop-daemons.sh WORKDIR [--dockerd-only] [--keep-workdir] [--timeout SECS]"
work=$1; shift
case $work in /*) ;; *) die "WORKDIR must be absolute: $work" ;; esac
work=${work%/}
[ -n "$work" ] && [ "$work" != / ] || die "refusing WORKDIR=/"
dockerd_only=0 keep=0 timeout=40
while [ $# -gt 0 ]; do
  case $1 in
    --dockerd-only) dockerd_only=1; shift ;;
    --keep-workdir) keep=1; shift ;;
    --timeout) timeout=$2; shift 2 ;;
    *) die "unknown option $1" ;;
  esac
done
[ "$(id -u)" -eq 0 ] || die "must run as root"

ctd=$work/containerd
dkr=$work/docker
status=0

# cmdline_has PID STRING: the process exists and its argv contains STRING.
cmdline_has() {
  local c
  c=$(tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline") || return 1
  [[ $c == *"$2"* ]]
}

# pids_matching NAME-SUBSTRING ARG-SUBSTRING: processes whose argv has both.
pids_matching() {
  local p c
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    c=$(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline") || continue
    [[ $c == *"$1"* && $c == *"$2"* ]] && echo "$p"
  done
}

# wait_gone SECS PID...: true once none of the pids exists.
wait_gone() {
  local secs=$1; shift
  local deadline=$((SECONDS + secs)) p alive
  while :; do
    alive=0
    for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive -eq 1 ] || return 0
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.1
  done
}

# stop_pids LABEL PID...: SIGTERM, wait, SIGKILL, wait.
stop_pids() {
  local label=$1; shift
  [ $# -gt 0 ] || return 0
  kill -TERM "$@" 2>/dev/null
  if ! wait_gone "$timeout" "$@"; then
    say "$label ($*) still alive after ${timeout}s: SIGKILL"
    kill -KILL "$@" 2>/dev/null
    wait_gone 10 "$@" || { say "$label ($*) survived SIGKILL"; status=1; }
  fi
}

# ------------------------------------------------------------------- dockerd
dpids=()
if [ -f "$dkr/dockerd.pid" ]; then
  p=$(cat "$dkr/dockerd.pid" 2>/dev/null)
  if [ -n "$p" ] && cmdline_has "$p" "$dkr/data"; then dpids+=("$p"); fi
fi
for p in $(pids_matching dockerd "--data-root $dkr/data"); do
  [[ " ${dpids[*]} " == *" $p "* ]] || dpids+=("$p")
done
stop_pids dockerd "${dpids[@]}"
rm -f "$dkr/dockerd.pid"
[ $dockerd_only -eq 0 ] || exit $status

# ---------------------------------------------- tasks left in containerd
addr=$ctd/containerd.sock
if [ -S "$addr" ] && ctr --address "$addr" version >/dev/null 2>&1; then
  for ns in $(ctr --address "$addr" namespaces ls -q 2>/dev/null); do
    tasks=$(ctr --address "$addr" -n "$ns" tasks ls -q 2>/dev/null)
    for t in $tasks; do
      say "killing leftover task $ns/$t"
      ctr --address "$addr" -n "$ns" tasks kill -s SIGKILL "$t" >/dev/null 2>&1
    done
    for t in $tasks; do
      deadline=$((SECONDS + 10))
      while ctr --address "$addr" -n "$ns" tasks ls 2>/dev/null | awk -v t="$t" '$1==t && $3=="RUNNING"' | grep -q .; do
        [ $SECONDS -lt $deadline ] || break
        sleep 0.1
      done
      ctr --address "$addr" -n "$ns" tasks delete -f "$t" >/dev/null 2>&1
    done
    for c in $(ctr --address "$addr" -n "$ns" containers ls -q 2>/dev/null); do
      ctr --address "$addr" -n "$ns" containers delete "$c" >/dev/null 2>&1
    done
  done
fi

# ---------------------------------------------------------------- containerd
cpids=()
if [ -f "$ctd/containerd.pid" ]; then
  p=$(cat "$ctd/containerd.pid" 2>/dev/null)
  if [ -n "$p" ] && cmdline_has "$p" "$ctd/config.toml"; then cpids+=("$p"); fi
fi
for p in $(pids_matching containerd "--config $ctd/config.toml"); do
  [[ " ${cpids[*]} " == *" $p "* ]] || cpids+=("$p")
done
stop_pids containerd "${cpids[@]}"
rm -f "$ctd/containerd.pid"

# -------------------------------------- shims and their containers (crash case)
for shim in $(pids_matching containerd-shim "$addr"); do
  kids=$(awk -v s="$shim" '$1=="PPid:" && $2==s {print FILENAME}' /proc/[0-9]*/status 2>/dev/null |
    sed -n 's,^/proc/\([0-9]*\)/status$,\1,p')
  say "killing leftover shim $shim and its children: ${kids//$'\n'/ }"
  # shellcheck disable=SC2086
  [ -z "$kids" ] || kill -KILL $kids 2>/dev/null
  kill -KILL "$shim" 2>/dev/null
  wait_gone 10 "$shim" $kids || { say "shim $shim survived"; status=1; }
done

# Runtime state left under the exec root (runc or plugrt state dirs).
if [ -d "$dkr/exec/runtime-runc" ]; then
  for root in "$dkr"/exec/runtime-runc/*/; do
    [ -d "$root" ] || continue
    for st in "$root"*/; do
      [ -d "$st" ] || continue
      id=$(basename "$st")
      for rt in ${E2E_PLUGRT_BIN:-} runc; do
        [ -x "$(command -v "$rt")" ] || continue
        "$rt" --root "${root%/}" delete -f "$id" >/dev/null 2>&1 && break
      done
    done
  done
fi

# ---------------------------------------------- plugin exec dirs on the host
if [ -d "$dkr/data/plugins" ]; then
  for d in "$dkr"/data/plugins/*/; do
    id=$(basename "$d")
    [[ $id =~ ^[0-9a-f]{64}$ ]] || continue
    if [ -e "/run/docker/plugins/$id" ]; then
      awk -v p="/run/docker/plugins/$id" '$5==p || index($5, p"/")==1 {print $5}' /proc/self/mountinfo |
        sort -r | while read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; done
      rm -rf "/run/docker/plugins/$id"
    fi
  done
fi

# ------------------------------------------------------- mounts under WORKDIR
for _ in 1 2 3 4 5; do
  mounts=$(awk -v p="$work" '$5==p || index($5, p"/")==1 {print $5}' /proc/self/mountinfo | sort -r)
  [ -n "$mounts" ] || break
  while read -r m; do
    m=$(printf '%b' "$(sed 's/\\\([0-7]\{3\}\)/\\0\1/g' <<<"$m")")  # mountinfo octal escapes
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
  done <<<"$mounts"
done
left=$(awk -v p="$work" '$5==p || index($5, p"/")==1 {print $5}' /proc/self/mountinfo)
if [ -n "$left" ]; then
  say "mounts still present under $work:"; echo "$left" >&2
  status=1
fi

if [ $keep -eq 0 ] && [ -e "$work" ] && [ -z "$left" ]; then
  rm -rf --one-file-system "$work" || { say "could not remove $work"; status=1; }
fi
exit $status
