#!/usr/bin/env bash
# Scenario 4 (issue #5): `docker plugin set` of an env value, an args value and a mount source
# reaches the plugin process, checked from inside with the runtime's exec:
# /proc/1/environ, /proc/1/cmdline, /proc/1/mountinfo and a marker file in the mount.
# A second disable/set/enable round checks that the new values replace the old ones.
source "$(dirname "$0")/lib.sh"
e2e_init 17

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
E2E_PIDS+=("$(plugin_pid "$PLUGIN_ID")")
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
E2E_PIDS+=("$(plugin_pid "$PLUGIN_ID")")
t "new env value: NO_PROXY=e2e-env-2" inside_env "$PLUGIN_ID" NO_PROXY=e2e-env-2
t_sh "new args value: /proc/1/cmdline = rclone serve docker -v" \
  "c=\$(rt exec $PLUGIN_ID cat /proc/1/cmdline | tr '\\0' ' '); echo \"\$c\"; [ \"\$c\" = 'rclone serve docker -v ' ]"
t_sh "new mount source: /data/config bound from $alt2, marker = second-source" \
  "inside_mount_root $PLUGIN_ID /data/config '$alt2' && [ \"\$(rt exec $PLUGIN_ID cat /data/config/marker)\" = second-source ]"
t "disable + rm" bash -c "'$DOCKER_CLI' plugin disable rclone && '$DOCKER_CLI' plugin rm rclone"
e2e_finish
