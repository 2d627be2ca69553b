# shellcheck shell=bash
# Shared helpers for the end-to-end scenarios (tests/e2e/NN-*.sh). Source it, then:
#
#   e2e_init 14                 # TAP plan + root check + traps + runtime selection
#   e2e_start_daemons           # private containerd+dockerd (scripts/start-daemons.sh)
#   t "plugin enable" dk plugin enable rclone
#   t_sh "plugin listed" '[ "$(dk plugin inspect -f {{.Enabled}} rclone)" = true ]'
#   e2e_finish                  # stops daemons, "leaves nothing behind" check, exit status
#
# Environment:
#   E2E_RUNTIME      plugrt (default, as in CI) or runc: dockerd's --default-runtime, hence the
#                    runtime every managed plugin runs under.
#   PLUGRT_BIN       the plugrt binary (ctest sets it); otherwise found in $PLUGRT_BUILD_DIR or
#                    build-e2e/ / build/ of the source tree.
#   E2E_CONTAINER_RUNTIME  runtime for the ordinary busybox containers (default: dockerd's
#                    default, i.e. $E2E_RUNTIME).
#   E2E_WORK_BASE    where private daemon state lives (default /var/tmp/plugrt-e2e); each
#                    script uses $E2E_WORK_BASE/<script stem>.
#   E2E_MAKE_RCLONE_PLUGIN  plugin-dir builder to use instead of scripts/make-rclone-plugin.sh
#                    (called as BUILDER DEST; must leave DEST/config.json and DEST/rootfs).
#   E2E_LOG_DIR      daemon logs are copied there before teardown (default
#                    $PLUGRT_BUILD_DIR/e2e-logs, else /var/tmp/plugrt-e2e-logs).
# Nothing here skips: a missing prerequisite is a failure.

set -uo pipefail

E2E_SELF=$(basename "${BASH_SOURCE[1]:-$0}" .sh)
E2E_LIBDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PLUGRT_SOURCE_DIR=${PLUGRT_SOURCE_DIR:-$(cd "$E2E_LIBDIR/../.." && pwd)}
E2E_RUNTIME=${E2E_RUNTIME:-plugrt}
E2E_WORK_BASE=${E2E_WORK_BASE:-/var/tmp/plugrt-e2e}
E2E_WORK=$E2E_WORK_BASE/$E2E_SELF
if [ -n "${PLUGRT_BUILD_DIR:-}" ]; then
  E2E_LOG_DIR=${E2E_LOG_DIR:-$PLUGRT_BUILD_DIR/e2e-logs}
else
  E2E_LOG_DIR=${E2E_LOG_DIR:-/var/tmp/plugrt-e2e-logs}
fi
E2E_LOG_DIR=$E2E_LOG_DIR/$E2E_SELF-$E2E_RUNTIME
E2E_IMAGE=e2e-busybox:latest

_tap_planned=0 _tap_n=0 _tap_failed=0 _e2e_finished=0 _e2e_daemons=0
E2E_IDS=()   # plugin ids seen by this run (for the leftover checks)
E2E_PIDS=()  # plugin process pids seen by this run

# ------------------------------------------------------------------------ TAP
diag() { local l; while IFS= read -r l; do echo "# $l"; done <<<"$*"; }
diag_file() { # diag_file FILE [N]: last N (40) lines of FILE as diagnostics
  [ -s "$1" ] || return 0
  echo "# --- ${3:-$1} (last ${2:-40} lines)"
  tail -n "${2:-40}" "$1" | sed 's/^/#   /'
}
tap_plan() { _tap_planned=$1; echo "1..$1"; }
ok() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }
not_ok() { _tap_n=$((_tap_n + 1)); _tap_failed=$((_tap_failed + 1)); echo "not ok $_tap_n - $*"; }

E2E_OUT=""  # output of the last t/t_sh step
# t DESC CMD...: one test point; CMD's output is kept in $E2E_OUT and shown on failure.
t() { local desc=$1; shift; _t_run "$desc" "$*" "$@"; }
# t_sh DESC 'shell code': like t; the code runs in bash with this library's functions and the
# daemon variables loaded.
t_sh() {
  local desc=$1 code=$2 pre rc
  pre=$(mktemp)
  { declare -f; _e2e_vars; } >"$pre"
  _t_run "$desc" "$code" bash -c "set -o pipefail; source '$pre'; $code"
  rc=$?
  rm -f "$pre"
  return $rc
}
_t_run() {
  local desc=$1 shown=$2; shift 2
  local f rc; f=$(mktemp)
  "$@" >"$f" 2>&1
  rc=$?
  E2E_OUT=$(cat "$f"); rm -f "$f"
  if [ $rc -eq 0 ]; then ok "$desc"; else
    not_ok "$desc"
    diag "command: $shown" "exit status: $rc"
    [ -z "$E2E_OUT" ] || diag "$E2E_OUT"
  fi
  return $rc
}
_e2e_vars() {
  local v
  for v in E2E_CONTAINER_RUNTIME E2E_WORK E2E_RUNTIME PLUGRT_BIN RUNTIME_BIN E2E_IMAGE DOCKER_HOST DOCKER_CLI \
    CONTAINERD_ADDRESS CONTAINERD_STATE CONTAINERD_ROOT DOCKER_DATA_ROOT DOCKER_EXEC_ROOT \
    DOCKERD_LOG RUNTIME_ROOT_PLUGINS RUNTIME_ROOT_MOBY PLUGRT_SOURCE_DIR PLUGIN_ID; do
    [ -n "${!v+x}" ] && printf '%s=%q\n' "$v" "${!v}"
  done
  echo 'export DOCKER_HOST'
}
# bail REASON: stop here (the EXIT trap still tears everything down).
bail() { echo "Bail out! $*"; exit 1; }

# ---------------------------------------------------------------- set-up
require_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "1..1"
    echo "not ok 1 - $E2E_SELF needs root (real containerd/dockerd, mounts, namespaces); run as root"
    echo "Bail out! not root" >&2
    exit 1
  fi
}

# require_cmd CMD...: every command must exist (fails, never skips).
require_cmd() {
  local c missing=()
  for c in "$@"; do command -v "$c" >/dev/null 2>&1 || missing+=("$c"); done
  [ ${#missing[@]} -eq 0 ] || bail "missing commands: ${missing[*]} (scripts/install-deps.sh installs them)"
}

_find_plugrt() {
  local c
  for c in "${PLUGRT_BIN:-}" "${PLUGRT_BUILD_DIR:+$PLUGRT_BUILD_DIR/shim/plugrt}" \
    "$PLUGRT_SOURCE_DIR/build-e2e/shim/plugrt" "$PLUGRT_SOURCE_DIR/build/shim/plugrt"; do
    [ -n "$c" ] && [ -x "$c" ] && { echo "$c"; return 0; }
  done
  return 1
}

# e2e_init PLAN: root check, TAP plan, runtime selection, traps.
e2e_init() {
  require_root
  tap_plan "$1"
  trap _e2e_exit EXIT
  trap 'exit 130' INT TERM
  require_cmd containerd dockerd ctr jq curl tar awk
  DOCKER_CLI=${DOCKER_CLI:-/usr/bin/docker}
  [ -x "$DOCKER_CLI" ] || DOCKER_CLI=$(command -v docker) || bail "docker CLI not found"
  PLUGRT_BIN=$(_find_plugrt || true)
  case $E2E_RUNTIME in
    plugrt)
      [ -n "$PLUGRT_BIN" ] || bail "E2E_RUNTIME=plugrt but no plugrt binary (set PLUGRT_BIN or build build-e2e/shim/plugrt)"
      RUNTIME_BIN=$PLUGRT_BIN ;;
    runc)
      require_cmd runc
      RUNTIME_BIN=$(command -v runc) ;;
    *) bail "E2E_RUNTIME must be plugrt or runc, not '$E2E_RUNTIME'" ;;
  esac
  diag "runtime: $E2E_RUNTIME ($RUNTIME_BIN); plugrt: ${PLUGRT_BIN:-none}; work dir: $E2E_WORK"
  mkdir -p "$E2E_WORK_BASE"
}

# e2e_start_daemons [--live-restore] [--dockerd-only]: start (or restart dockerd of) the pair.
e2e_start_daemons() {
  local args=("$E2E_WORK" --runtime "$E2E_RUNTIME")
  [ -z "$PLUGRT_BIN" ] || args+=(--plugrt-bin "$PLUGRT_BIN")
  "$PLUGRT_SOURCE_DIR/scripts/start-daemons.sh" "${args[@]}" "$@" || return 1
  _e2e_daemons=1
  _e2e_load_env
}
_e2e_load_env() {
  # shellcheck disable=SC1091
  . "$E2E_WORK/env"
  export DOCKER_HOST
}
# e2e_stop_dockerd: SIGTERM dockerd only (containerd and plugins under live-restore stay).
e2e_stop_dockerd() { "$PLUGRT_SOURCE_DIR/scripts/stop-daemons.sh" "$E2E_WORK" --dockerd-only; }

# ------------------------------------------------------------- commands
dk() { "$DOCKER_CLI" "$@"; }
# drun ARGS...: `docker run` of an ordinary container. It uses dockerd's default runtime
# ($E2E_RUNTIME) unless E2E_CONTAINER_RUNTIME names another one (e.g. runc, to tell plugin
# problems from container problems).
drun() { "$DOCKER_CLI" run ${E2E_CONTAINER_RUNTIME:+--runtime "$E2E_CONTAINER_RUNTIME"} "$@"; }
# rt ARGS...: the plugin runtime's CLI on dockerd's runtime root for plugins, as Docker's
# "Debugging plugins" docs do with runc.
rt() { "$RUNTIME_BIN" --root "$RUNTIME_ROOT_PLUGINS" "$@"; }
ctrp() { ctr --address "$CONTAINERD_ADDRESS" -n plugins.moby "$@"; }

# plugin_pid ID: pid of the plugin's task as containerd sees it (runtime-independent).
plugin_pid() { ctrp tasks ls 2>/dev/null | awk -v id="$1" '$1==id && $3=="RUNNING" {print $2}'; }

# wait_until SECS 'shell condition'
wait_until() {
  local deadline=$((SECONDS + $1))
  until eval "$2"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.1
  done
}

# e2e_time VAR CMD...: run CMD, store wall seconds (3 decimals) in VAR, return CMD's status.
e2e_time() {
  local __v=$1; shift
  local s e rc
  s=$(date +%s.%N); "$@"; rc=$?; e=$(date +%s.%N)
  printf -v "$__v" '%s' "$(awk -v s="$s" -v e="$e" 'BEGIN{printf "%.3f", e-s}')"
  return $rc
}

# ------------------------------------------------------------- fixtures
# e2e_busybox_image: a local image built from busybox-static with `docker import`.
e2e_busybox_image() {
  local r=$E2E_WORK/busybox-rootfs a
  [ -x /bin/busybox ] || { echo "busybox-static missing (/bin/busybox)"; return 1; }
  rm -rf "$r"; mkdir -p "$r/bin" "$r/tmp" "$r/etc"
  cp /bin/busybox "$r/bin/busybox"
  for a in $(/bin/busybox --list); do [ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"
  tar -C "$r" -cf "$E2E_WORK/busybox.tar" . && dk import "$E2E_WORK/busybox.tar" "$E2E_IMAGE" >/dev/null
}

# e2e_make_rclone_plugin DEST: plugin dir (config.json + rootfs) from Debian's rclone.
# Uses scripts/make-rclone-plugin.sh; $E2E_MAKE_RCLONE_PLUGIN overrides it.
e2e_make_rclone_plugin() {
  local mk=${E2E_MAKE_RCLONE_PLUGIN:-$PLUGRT_SOURCE_DIR/scripts/make-rclone-plugin.sh}
  [ -x "$mk" ] || { echo "plugin builder missing: $mk"; return 1; }
  "$mk" "$1" && [ -f "$1/config.json" ] && [ -d "$1/rootfs" ]
}

# e2e_make_busybox_plugin DEST CONFIG_JSON: a tiny plugin whose rootfs is busybox-static.
e2e_make_busybox_plugin() {
  local a
  rm -rf "$1"; mkdir -p "$1/rootfs/bin" "$1/rootfs/mnt" "$1/rootfs/run/docker/plugins"
  cp /bin/busybox "$1/rootfs/bin/busybox"
  for a in $(/bin/busybox --list); do [ -e "$1/rootfs/bin/$a" ] || ln -s busybox "$1/rootfs/bin/$a"; done
  printf '%s\n' "$2" >"$1/config.json"
}

# e2e_rclone_setup NAME: build, create and configure the rclone plugin NAME with private
# config/cache dirs ($E2E_WORK/NAME-config, $E2E_WORK/NAME-cache). Sets PLUGIN_ID.
e2e_rclone_setup() {
  local name=$1
  [ -d "$E2E_WORK/rclone-plugin" ] || e2e_make_rclone_plugin "$E2E_WORK/rclone-plugin" || return 1
  mkdir -p "$E2E_WORK/$name-config" "$E2E_WORK/$name-cache" || return 1
  dk plugin create "$name" "$E2E_WORK/rclone-plugin" >/dev/null || return 1
  PLUGIN_ID=$(dk plugin inspect -f '{{.Id}}' "$name") || return 1
  E2E_IDS+=("$PLUGIN_ID")
  dk plugin set "$name" config.source="$E2E_WORK/$name-config" cache.source="$E2E_WORK/$name-cache"
}

# --------------------------------------------------------- leftover checks
# procs_rooted_in DIR: pids whose root directory is DIR or below (processes of a plugin).
procs_rooted_in() {
  local p r
  for p in /proc/[0-9]*; do
    r=$(readlink "$p/root" 2>/dev/null) || continue
    [[ $r == "$1" || $r == "$1"/* ]] && echo "${p#/proc/}"
  done
}
# cgroups_named ID: cgroup directories (any hierarchy) named after a container id.
cgroups_named() { find /sys/fs/cgroup -mindepth 2 -maxdepth 8 -type d -name "$1" 2>/dev/null; }
mounts_under() { awk -v p="$1" '$5==p || index($5, p"/")==1 {print $5}' /proc/self/mountinfo; }

# plugin_gone ID: nothing of a disabled/removed/failed plugin remains (daemons still up):
# no runtime state dir, no containerd task/bundle, no process, no mount, no cgroup.
plugin_gone() {
  local id=$1 bad=0 x
  if [ -e "$RUNTIME_ROOT_PLUGINS/$id" ]; then echo "runtime state dir left: $RUNTIME_ROOT_PLUGINS/$id"; ls -la "$RUNTIME_ROOT_PLUGINS/$id"; bad=1; fi
  if [ -e "$CONTAINERD_STATE/io.containerd.runtime.v2.task/plugins.moby/$id" ]; then
    echo "containerd bundle left: $CONTAINERD_STATE/io.containerd.runtime.v2.task/plugins.moby/$id"; bad=1
  fi
  x=$(ctrp tasks ls 2>/dev/null | awk -v id="$id" '$1==id'); [ -z "$x" ] || { echo "containerd task left: $x"; bad=1; }
  x=$(procs_rooted_in "$DOCKER_DATA_ROOT/plugins/$id/rootfs"); [ -z "$x" ] || { echo "plugin processes left: $x"; ps -o pid,ppid,args -p "${x//$'\n'/,}"; bad=1; }
  x=$(mounts_under "$DOCKER_DATA_ROOT/plugins/$id"); [ -z "$x" ] || { echo "mounts left under the plugin root: $x"; bad=1; }
  x=$(mounts_under "/run/docker/plugins/$id"); [ -z "$x" ] || { echo "mounts left under /run/docker/plugins/$id: $x"; bad=1; }
  x=$(grep -F "$id" /proc/self/mountinfo | awk '{print $5}'); [ -z "$x" ] || { echo "host mounts naming the id: $x"; bad=1; }
  x=$(cgroups_named "$id"); [ -z "$x" ] || { echo "cgroups left: $x"; bad=1; }
  return $bad
}

# nothing_left: after the daemons are stopped: no mount under the work dir, no work dir, no
# process rooted in or naming it, no cgroup or exec dir for any plugin id this run used.
nothing_left() {
  local bad=0 x id
  x=$(mounts_under "$E2E_WORK"); [ -z "$x" ] || { echo "mounts left: $x"; bad=1; }
  [ ! -e "$E2E_WORK" ] || { echo "work dir left: $E2E_WORK"; bad=1; }
  x=$(procs_rooted_in "$E2E_WORK"); [ -z "$x" ] || { echo "processes rooted in the work dir: $x"; bad=1; }
  for x in /proc/[0-9]*; do
    tr '\0' ' ' 2>/dev/null <"$x/cmdline" | grep -qF "$E2E_WORK/" &&
      { echo "process naming the work dir: ${x#/proc/} $(tr '\0' ' ' 2>/dev/null <"$x/cmdline")"; bad=1; }
  done
  for id in "${E2E_IDS[@]}"; do
    [ ! -e "/run/docker/plugins/$id" ] || { echo "exec dir left: /run/docker/plugins/$id"; bad=1; }
    x=$(cgroups_named "$id"); [ -z "$x" ] || { echo "cgroups left: $x"; bad=1; }
  done
  for id in "${E2E_PIDS[@]}"; do
    kill -0 "$id" 2>/dev/null && { echo "plugin process $id still alive: $(tr '\0' ' ' <"/proc/$id/cmdline")"; bad=1; }
  done
  return $bad
}

# ------------------------------------------------------------- teardown
_e2e_save_logs() {
  [ -d "$E2E_WORK" ] || return 0
  mkdir -p "$E2E_LOG_DIR"
  cp -f "$E2E_WORK"/docker/dockerd.log "$E2E_WORK"/containerd/containerd.log "$E2E_LOG_DIR"/ 2>/dev/null
  local f
  for f in "$CONTAINERD_STATE"/io.containerd.runtime.v2.task/*/*/log.json; do
    [ -s "$f" ] && cp -f "$f" "$E2E_LOG_DIR/runtime-log.$(basename "$(dirname "$f")").json"
  done 2>/dev/null
  return 0
}

# e2e_finish: last test point: stop the daemons and check that nothing is left.
e2e_finish() {
  _e2e_save_logs
  if [ $_tap_failed -gt 0 ]; then
    [ -z "${DOCKERD_LOG:-}" ] || grep -E 'level=(error|warning)|plugin=' "$DOCKERD_LOG" | tail -n 30 >"$E2E_WORK/dockerd.errors"
    diag_file "$E2E_WORK/dockerd.errors" 30 "dockerd.log errors and plugin lines"
  fi
  t_sh "daemons stopped, nothing left behind (mounts, processes, state dirs, cgroups)" \
    "'$PLUGRT_SOURCE_DIR/scripts/stop-daemons.sh' '$E2E_WORK' && E2E_IDS=(${E2E_IDS[*]:-}) && E2E_PIDS=(${E2E_PIDS[*]:-}) && nothing_left"
  _e2e_daemons=0
  _e2e_finished=1
  diag "logs kept in $E2E_LOG_DIR"
  exit 0  # the EXIT trap computes the status
}

_e2e_exit() {
  local rc=$?
  trap - EXIT
  if [ $_e2e_finished -eq 0 ] && [ -e "$E2E_WORK" ]; then
    _e2e_save_logs
    if [ -n "${DOCKERD_LOG:-}" ] && [ -f "$DOCKERD_LOG" ]; then
      grep -E 'level=(error|warning)|plugin=' "$DOCKERD_LOG" | tail -n 30 >"$E2E_WORK/dockerd.errors"
      diag_file "$E2E_WORK/dockerd.errors" 30 "dockerd.log errors and plugin lines"
    fi
    diag "aborted: tearing down $E2E_WORK (logs in $E2E_LOG_DIR)"
    "$PLUGRT_SOURCE_DIR/scripts/stop-daemons.sh" "$E2E_WORK" 2>&1 | sed 's/^/# /'
  fi
  if [ $_tap_n -ne $_tap_planned ]; then
    diag "planned $_tap_planned tests but ran $_tap_n"
    rc=1
  fi
  if [ $_tap_failed -gt 0 ]; then
    diag "$_tap_failed of $_tap_n failed (runtime: $E2E_RUNTIME)"
    rc=1
  fi
  exit $rc
}
