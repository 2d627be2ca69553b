#!/usr/bin/env bash
# Scenario 4 (issue #5): `docker plugin set` of an env value, an args value and a mount source
# reaches the plugin process. Checked twice: from the host through /proc/<plugin pid> (the
# pid containerd reports; independent of the runtime's exec), and from inside with the
# runtime's exec (/proc/1/environ, /proc/1/cmdline, /proc/1/mountinfo, a marker file in the
# mount), as Docker's debugging docs do with runc exec.
# A second disable/set/enable round checks that the new values replace the old ones.
source "$(dirname "$0")/lib.sh"
e2e_init 19

# host_facts PID ENV1 ENV2 CMDLINE MOUNTSRC MARKER: the plugin process as the host sees it.
host_facts() {
  local pid=$1 e c bad=0
  [ -n "$pid" ] || { echo "no plugin pid"; return 1; }
  for e in "$2" "$3"; do
    tr '\0' '\n' <"/proc/$pid/environ" | grep -qxF "$e" || { echo "environ lacks $e"; bad=1; }
  done
  c=$(tr '\0' ' ' <"/proc/$pid/cmdline"); [ "$c" = "$4" ] || { echo "cmdline is '$c', want '$4'"; bad=1; }
  awk -v src="$5" '$5=="/data/config" && $4==src {f=1} END {exit !f}' "/proc/$pid/mountinfo" ||
    { echo "no /data/config bound from $5 in /proc/$pid/mountinfo:"; grep ' /data/config ' "/proc/$pid/mountinfo"; bad=1; }
  [ "$(cat "/proc/$pid/root/data/config/marker")" = "$6" ] || { echo "marker is not $6"; bad=1; }
  return $bad
}
# inside_env ID NAME=VALUE: the plugin's pid 1 has exactly that environment entry.
inside_env() { rt exec "$1" cat /proc/1/environ | tr '\0' '\n' | tee /dev/stderr | grep -qxF "$2"; }
# inside_mount_root ID MOUNTPOINT HOSTDIR: mountinfo of pid 1 shows MOUNTPOINT bound from HOSTDIR
# (field 4 is the path inside the source filesystem; the work dir is on the root fs).
inside_mount_root() {
  rt exec "$1" cat /proc/1/mountinfo | tee /dev/stderr |
    awk -v mp="$2" -v src="$3" '$5==mp {found=1; if ($4==src || (length($4)>1 && substr(src, length(src)-length($4)+1)==$4)) ok=1} END {exit !(found && ok)}'
}

t "daemons start (default runtime $E2E_RUNTIME)" e2e_start_daemons || bail "no daemons"
t "plugin create + private config/cache" e2e_rclone_setup rclone || bail "no plugin"
alt1=$E2E_WORK/alt-config-1 alt2=$E2E_WORK/alt-config-2
mkdir -p "$alt1" "$alt2"; echo first-source >"$alt1/marker"; echo second-source >"$alt2/marker"

t "docker plugin set NO_PROXY=e2e-env-1 RCLONE_VERBOSE=2 args='--socket-gid 0' config.source=$alt1" \
  dk plugin set rclone NO_PROXY=e2e-env-1 RCLONE_VERBOSE=2 args="--socket-gid 0" config.source="$alt1"
t "docker plugin enable" dk plugin enable rclone || bail "plugin did not start"
pid=$(plugin_pid "$PLUGIN_ID"); E2E_PIDS+=("$pid")
t "host view of pid $pid: environ, cmdline, /data/config source and marker all reflect the settings" \
  host_facts "$pid" NO_PROXY=e2e-env-1 RCLONE_VERBOSE=2 "rclone serve docker --socket-gid 0 " "$alt1" first-source
t "env value reached the plugin: NO_PROXY=e2e-env-1 in /proc/1/environ" inside_env "$PLUGIN_ID" NO_PROXY=e2e-env-1
t "env value reached the plugin: RCLONE_VERBOSE=2 in /proc/1/environ" inside_env "$PLUGIN_ID" RCLONE_VERBOSE=2
t_sh "args value reached the plugin: /proc/1/cmdline = rclone serve docker --socket-gid 0" \
  "c=\$(rt exec $PLUGIN_ID cat /proc/1/cmdline | tr '\\0' ' '); echo \"\$c\"; [ \"\$c\" = 'rclone serve docker --socket-gid 0 ' ]"
t "mount source reached the plugin: /data/config bound from $alt1 (mountinfo)" \
  inside_mount_root "$PLUGIN_ID" /data/config "$alt1"
t_sh "mount source reached the plugin: /data/config/marker = first-source" \
  "[ \"\$(rt exec $PLUGIN_ID cat /data/config/marker)\" = first-source ]"

t "disable, then set NO_PROXY=e2e-env-2 args=-v config.source=$alt2" \
  bash -c "'$DOCKER_CLI' plugin disable rclone && '$DOCKER_CLI' plugin set rclone NO_PROXY=e2e-env-2 args=-v config.source='$alt2'"
t_sh "the disabled plugin left nothing behind" "plugin_gone $PLUGIN_ID"
t "docker plugin enable again" dk plugin enable rclone || bail "plugin did not restart"
pid=$(plugin_pid "$PLUGIN_ID"); E2E_PIDS+=("$pid")
t "host view of pid $pid: the new env, args and mount source" \
  host_facts "$pid" NO_PROXY=e2e-env-2 RCLONE_VERBOSE=2 "rclone serve docker -v " "$alt2" second-source
t "new env value: NO_PROXY=e2e-env-2" inside_env "$PLUGIN_ID" NO_PROXY=e2e-env-2
t_sh "new args value: /proc/1/cmdline = rclone serve docker -v" \
  "c=\$(rt exec $PLUGIN_ID cat /proc/1/cmdline | tr '\\0' ' '); echo \"\$c\"; [ \"\$c\" = 'rclone serve docker -v ' ]"
t_sh "new mount source: /data/config bound from $alt2, marker = second-source" \
  "inside_mount_root $PLUGIN_ID /data/config '$alt2' && [ \"\$(rt exec $PLUGIN_ID cat /data/config/marker)\" = second-source ]"
t "disable + rm" bash -c "'$DOCKER_CLI' plugin disable rclone && '$DOCKER_CLI' plugin rm rclone"
e2e_finish
