#!/usr/bin/env bash
# Scenario 3 (issue #5): failures surface well and leave nothing behind.
#   a. entrypoint does not exist      -> `docker plugin enable` fails with the runtime's own
#                                        message naming the path (never containerd's
#                                        "unable to retrieve OCI runtime error")
#   b. device the host lacks          -> enable fails naming the device
#   c. bind-mount source that is gone -> enable fails with the runtime's message naming it
# After each failure: plugin shown disabled; no process, mount, runtime state dir, containerd
# task/bundle or cgroup is left.
source "$(dirname "$0")/lib.sh"
e2e_init 17

config() { # config NAME ENTRYPOINT-JSON EXTRA-JSON
  jq -n --arg name "$1" --argjson ep "$2" --argjson extra "$3" '{
    description: ("e2e failure case " + $name), documentation: "-",
    interface: {socket: "e2e.sock", types: ["docker.volumedriver/1.0"]},
    entrypoint: $ep, workdir: "/", network: {type: "host"}, propagatedMount: "/mnt",
    env: [], mounts: [], args: {name: "args", value: [], settable: ["value"]},
    linux: {capabilities: [], devices: []}} * $extra'
}

# enable_fails NAME PATTERN: enable must fail; its message must match PATTERN (ERE) and must
# not be containerd's fallback for an unreadable runtime log.
enable_fails() {
  local name=$1 pat=$2 out rc secs
  e2e_time secs dk plugin enable "$name" >"$E2E_WORK/$name.enable" 2>&1
  rc=$?
  out=$(cat "$E2E_WORK/$name.enable")
  echo "exit status $rc after ${secs}s: $out"
  [ $rc -ne 0 ] || { echo "enable unexpectedly succeeded"; return 1; }
  grep -qE "$pat" <<<"$out" || { echo "message does not match /$pat/"; return 1; }
  if grep -q 'unable to retrieve OCI runtime error' <<<"$out"; then
    echo "containerd could not read the runtime's error (runtime log not in runc's JSON format)"; return 1
  fi
  return 0
}

# case_plugin NAME ENTRYPOINT EXTRA: create a busybox-rootfs plugin.
case_plugin() {
  e2e_make_busybox_plugin "$E2E_WORK/$1" "$(config "$1" "$2" "$3")" &&
    dk plugin create "$1" "$E2E_WORK/$1" >/dev/null &&
    E2E_IDS+=("$(dk plugin inspect -f '{{.Id}}' "$1")")
}
id_of() { dk plugin inspect -f '{{.Id}}' "$1"; }

t "daemons start (default runtime $E2E_RUNTIME)" e2e_start_daemons || bail "no daemons"

# --- a. missing entrypoint
t "create plugin 'noentry' (entrypoint /no/such/entrypoint)" \
  case_plugin noentry '["/no/such/entrypoint", "arg"]' '{}' || bail "create failed"
t "enable fails with the runtime's message naming /no/such/entrypoint" \
  enable_fails noentry '/no/such/entrypoint'
diag "message: $(cat "$E2E_WORK/noentry.enable")"
t_sh "noentry is shown disabled" '[ "$(dk plugin inspect -f {{.Enabled}} noentry)" = false ]'
t_sh "noentry left no process, mount, runtime state, task or cgroup" "plugin_gone $(id_of noentry)"
t "docker plugin rm noentry" dk plugin rm noentry

# --- b. device missing on the host
t "create plugin 'nodevice' (device /dev/plugrt-e2e-missing)" \
  case_plugin nodevice '["/bin/sleep", "600"]' '{"linux": {"devices": [{"path": "/dev/plugrt-e2e-missing"}]}}' ||
  bail "create failed"
t "enable fails naming /dev/plugrt-e2e-missing" enable_fails nodevice '/dev/plugrt-e2e-missing'
diag "message: $(cat "$E2E_WORK/nodevice.enable")"
t_sh "nodevice left no process, mount, runtime state, task or cgroup" "plugin_gone $(id_of nodevice)"
nodevice_id=$(id_of nodevice)
t "docker plugin rm nodevice" dk plugin rm nodevice
# dockerd 20.10 itself fails here (in InitSpec, before any runtime call) after it created
# /run/docker/plugins/<id>; it never removes that dir. Not the runtime's doing: clean it up.
if [ -d "/run/docker/plugins/$nodevice_id" ]; then
  diag "dockerd left its exec dir /run/docker/plugins/$nodevice_id (known dockerd behaviour): removing it"
  rmdir "/run/docker/plugins/$nodevice_id"
fi

# --- c. bind-mount source missing
t "create plugin 'nosource' (bind mount of /nonexistent/plugrt-e2e-source)" \
  case_plugin nosource '["/bin/sleep", "600"]' \
  '{"mounts": [{"name": "data", "source": "/nonexistent/plugrt-e2e-source", "destination": "/data", "type": "bind", "options": ["rbind"], "settable": ["source"]}]}' ||
  bail "create failed"
t "enable fails with the runtime's message naming /nonexistent/plugrt-e2e-source" \
  enable_fails nosource '/nonexistent/plugrt-e2e-source'
diag "message: $(cat "$E2E_WORK/nosource.enable")"
t_sh "nosource is shown disabled" '[ "$(dk plugin inspect -f {{.Enabled}} nosource)" = false ]'
t_sh "nosource left no process, mount, runtime state, task or cgroup" "plugin_gone $(id_of nosource)"
t "docker plugin rm nosource" dk plugin rm nosource
t_sh "no plugin left in docker plugin ls" '[ -z "$(dk plugin ls -q)" ]'
e2e_finish
