#!/usr/bin/env bash
# Starts a private containerd + dockerd pair for the end-to-end tests and benchmarks.
#
#   scripts/start-daemons.sh WORKDIR [--runtime plugrt|runc] [--plugrt-bin PATH]
#                            [--live-restore] [--dockerd-only] [--timeout SECS]
#
# Everything lives under WORKDIR (absolute path, created if missing):
#   containerd/{config.toml,root,state,containerd.sock,containerd.log,containerd.pid}
#   docker/{data,exec,daemon.json,docker.sock,dockerd.log,dockerd.pid}
#   env            shell assignments for the tests (DOCKER_HOST, CONTAINERD_ADDRESS, paths, ...)
# dockerd's stderr (where managed plugins' `plugin=<id>` lines go) is docker/dockerd.log.
#
# A leftover WORKDIR from a crashed run is torn down first (scripts/stop-daemons.sh).
# --dockerd-only starts dockerd again against the containerd already running for WORKDIR
# (daemon-restart tests); the runtime settings saved in WORKDIR/env are reused unless given.
# Readiness: `docker info` on the private socket is polled until it answers (deadline
# --timeout, default 60 s). Exits non-zero with the log tail on failure.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
die() { echo "start-daemons: $*" >&2; exit 1; }

[ $# -ge 1 ] || die "usage: start-daemons.sh WORKDIR [--runtime plugrt|runc] [--plugrt-bin PATH] [--live-restore] [--dockerd-only] [--timeout SECS]"
work=$1; shift
case $work in /*) ;; *) die "WORKDIR must be absolute: $work" ;; esac
[ "$work" != / ] || die "refusing WORKDIR=/"

runtime="" plugrt_bin="" live_restore=0 dockerd_only=0 timeout=60
while [ $# -gt 0 ]; do
  case $1 in
    --runtime) runtime=$2; shift 2 ;;
    --plugrt-bin) plugrt_bin=$2; shift 2 ;;
    --live-restore) live_restore=1; shift ;;
    --dockerd-only) dockerd_only=1; shift ;;
    --timeout) timeout=$2; shift 2 ;;
    *) die "unknown option $1" ;;
  esac
done

[ "$(id -u)" -eq 0 ] || die "must run as root (dockerd, containerd, mounts)"
for b in containerd dockerd ctr; do
  command -v "$b" >/dev/null || die "$b not found in PATH (install docker.io and containerd)"
done
docker_cli=${DOCKER_CLI:-/usr/bin/docker}
[ -x "$docker_cli" ] || docker_cli=$(command -v docker) || die "docker CLI not found"

ctd=$work/containerd
dkr=$work/docker

if [ $dockerd_only -eq 1 ]; then
  [ -f "$work/env" ] || die "--dockerd-only: $work/env missing (start the pair first)"
  # shellcheck disable=SC1091
  saved_runtime=$(. "$work/env"; echo "$E2E_DEFAULT_RUNTIME")
  saved_bin=$(. "$work/env"; echo "$E2E_PLUGRT_BIN")
  runtime=${runtime:-$saved_runtime}
  plugrt_bin=${plugrt_bin:-$saved_bin}
  if [ -f "$dkr/dockerd.pid" ] && kill -0 "$(cat "$dkr/dockerd.pid")" 2>/dev/null; then
    die "dockerd for $work is still running (pid $(cat "$dkr/dockerd.pid"))"
  fi
  ctr --address "$ctd/containerd.sock" version >/dev/null 2>&1 ||
    die "--dockerd-only: containerd for $work is not answering"
else
  # A previous run may have crashed: tear down whatever is left of it.
  if [ -e "$work" ]; then
    "$here/stop-daemons.sh" "$work" >&2 || die "could not clean up the previous run in $work"
  fi
fi

runtime=${runtime:-runc}
case $runtime in
  runc) ;;
  plugrt)
    [ -n "$plugrt_bin" ] || die "--runtime plugrt needs --plugrt-bin PATH"
    ;;
  *) die "--runtime must be plugrt or runc, not $runtime" ;;
esac
if [ -n "$plugrt_bin" ]; then
  case $plugrt_bin in /*) ;; *) plugrt_bin=$(cd "$(dirname "$plugrt_bin")" && pwd)/$(basename "$plugrt_bin") ;; esac
  [ -x "$plugrt_bin" ] || die "plugrt binary not executable: $plugrt_bin"
fi

mkdir -p "$ctd/root" "$ctd/state" "$ctd/opt" "$dkr/data" "$dkr/exec"

# ---------------------------------------------------------------- containerd
if [ $dockerd_only -eq 0 ]; then
  cat >"$ctd/config.toml" <<EOF
version = 2
root = "$ctd/root"
state = "$ctd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = "$ctd/containerd.sock"

[ttrpc]
  address = "$ctd/containerd.sock.ttrpc"

[debug]
  address = "$ctd/debug.sock"
  level = "debug"

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "$ctd/opt"
EOF
  containerd --config "$ctd/config.toml" >"$ctd/containerd.log" 2>&1 </dev/null &
  echo $! >"$ctd/containerd.pid"
  deadline=$((SECONDS + timeout))
  until ctr --address "$ctd/containerd.sock" version >/dev/null 2>&1; do
    if ! kill -0 "$(cat "$ctd/containerd.pid")" 2>/dev/null; then
      tail -n 30 "$ctd/containerd.log" >&2
      die "containerd exited during start-up (log: $ctd/containerd.log)"
    fi
    [ $SECONDS -lt $deadline ] || { tail -n 30 "$ctd/containerd.log" >&2; die "containerd not ready after ${timeout}s"; }
    sleep 0.1
  done
fi

# ------------------------------------------------------------------- dockerd
echo '{}' >"$dkr/daemon.json"
args=(
  --config-file "$dkr/daemon.json"
  --containerd "$ctd/containerd.sock"
  --data-root "$dkr/data"
  --exec-root "$dkr/exec"
  --pidfile "$dkr/dockerd.pid"
  -H "unix://$dkr/docker.sock"
  --iptables=false --ip-masq=false --bridge=none
  --log-level debug
  --default-runtime "$runtime"
)
[ -z "$plugrt_bin" ] || args+=(--add-runtime "plugrt=$plugrt_bin")
[ $live_restore -eq 0 ] || args+=(--live-restore)

# Append so that a dockerd restart keeps the earlier log (and its plugin= lines).
{ echo "=== start-daemons: dockerd ${args[*]} ($(date -Is))"; } >>"$dkr/dockerd.log"
dockerd "${args[@]}" >>"$dkr/dockerd.log" 2>&1 </dev/null &
dpid=$!
deadline=$((SECONDS + timeout))
until "$docker_cli" -H "unix://$dkr/docker.sock" info >/dev/null 2>&1; do
  if ! kill -0 $dpid 2>/dev/null; then
    tail -n 40 "$dkr/dockerd.log" >&2
    die "dockerd exited during start-up (log: $dkr/dockerd.log)"
  fi
  [ $SECONDS -lt $deadline ] || { tail -n 40 "$dkr/dockerd.log" >&2; die "dockerd not ready after ${timeout}s"; }
  sleep 0.1
done
# dockerd writes its pidfile itself; make sure it is there even if it raced with us.
[ -s "$dkr/dockerd.pid" ] || echo $dpid >"$dkr/dockerd.pid"

cat >"$work/env" <<EOF
E2E_WORKDIR=$work
E2E_DEFAULT_RUNTIME=$runtime
E2E_PLUGRT_BIN=$plugrt_bin
E2E_LIVE_RESTORE=$live_restore
DOCKER_HOST=unix://$dkr/docker.sock
DOCKER_CLI=$docker_cli
CONTAINERD_ADDRESS=$ctd/containerd.sock
CONTAINERD_ROOT=$ctd/root
CONTAINERD_STATE=$ctd/state
CONTAINERD_LOG=$ctd/containerd.log
DOCKER_DATA_ROOT=$dkr/data
DOCKER_EXEC_ROOT=$dkr/exec
DOCKERD_LOG=$dkr/dockerd.log
DOCKERD_PIDFILE=$dkr/dockerd.pid
CONTAINERD_PIDFILE=$ctd/containerd.pid
RUNTIME_ROOT_PLUGINS=$dkr/exec/runtime-runc/plugins.moby
RUNTIME_ROOT_MOBY=$dkr/exec/runtime-runc/moby
EOF
echo "start-daemons: dockerd pid $(cat "$dkr/dockerd.pid") ready on unix://$dkr/docker.sock (default runtime $runtime)" >&2
