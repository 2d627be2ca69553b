#!/usr/bin/env bash
# Scenario 2 (issue #5): debugging a managed plugin the way Docker's "Debugging plugins" docs
# show it, with the runtime's own CLI on dockerd's runtime root for plugins
# (<exec-root>/runtime-runc/plugins.moby):
#   <runtime> --root ... list / state / exec <id> ...
#   a direct VolumeDriver.List call on /run/docker/plugins/<id>/rclone.sock
#     (`plugrt plugin call` when plugrt has it, else curl --unix-socket)
#   the plugin's stdout/stderr lines in dockerd's log, tagged plugin=<id>
source "$(dirname "$0")/lib.sh"
e2e_init 16

t "daemons start (default runtime $E2E_RUNTIME)" e2e_start_daemons || bail "no daemons"
t "plugin create + private config/cache" e2e_rclone_setup rclone || bail "no plugin"
# INFO level so that rclone logs "Serving unix socket" (on its stderr).
dk plugin set rclone RCLONE_VERBOSE=1 || bail "plugin set RCLONE_VERBOSE=1 failed"
t "docker plugin enable" dk plugin enable rclone || bail "plugin did not start"
pid=$(plugin_pid "$PLUGIN_ID"); E2E_PIDS+=("$pid")
diag "plugin id $PLUGIN_ID, containerd task pid $pid"

t_sh "$E2E_RUNTIME --root <plugins.moby root> list shows the plugin running" \
  "rt list | tee /dev/stderr | awk -v id=$PLUGIN_ID '\$1==id && \$3==\"running\" {f=1} END {exit !f}'"
t_sh "$E2E_RUNTIME state: status running, pid = containerd's task pid ($pid)" \
  "rt state $PLUGIN_ID | tee /dev/stderr | jq -e --argjson pid '$pid' '.status==\"running\" and .pid==\$pid and .id==\"$PLUGIN_ID\"'"
t_sh "$E2E_RUNTIME exec <id> ls / lists the plugin rootfs" \
  "out=\$(rt exec $PLUGIN_ID ls /) && echo \"\$out\" && for d in data mnt run usr; do echo \"\$out\" | grep -qx \$d || { echo missing \$d; exit 1; }; done"
t_sh "$E2E_RUNTIME exec: pid 1 in the plugin is rclone serve docker" \
  "out=\$(rt exec $PLUGIN_ID cat /proc/1/cmdline | tr '\\0' ' ') && echo \"\$out\" && [[ \$out == 'rclone serve docker'* ]]"
t_sh "$E2E_RUNTIME exec: the plugin sees its socket in /run/docker/plugins" \
  "rt exec $PLUGIN_ID ls -l /run/docker/plugins/ | tee /dev/stderr | grep -q 'rclone.sock'"
t "docker volume create -d rclone (something to list)" \
  dk volume create -d rclone -o type=local -o path=/data/config vol

sock=/run/docker/plugins/$PLUGIN_ID/rclone.sock
# `plugrt plugin call` counts as present only if its own help says so (CLI11 prints the top
# level help, exit 0, for unknown subcommands followed by --help).
if [ -n "$PLUGRT_BIN" ] && "$PLUGRT_BIN" plugin call --help 2>&1 | grep -q 'plugin call'; then
  diag "using plugrt plugin call"
  t_sh "plugrt plugin call $sock VolumeDriver.List answers with the volume" \
    "'$PLUGRT_BIN' plugin call '$sock' VolumeDriver.List '{}' | tee /dev/stderr | jq -e '.Volumes | map(.Name) | index(\"vol\") != null'"
else
  diag "plugrt plugin call not available: using curl --unix-socket"
  t_sh "curl --unix-socket $sock VolumeDriver.List answers with the volume" \
    "curl -sS --fail --max-time 10 --unix-socket '$sock' -X POST -H 'Accept: application/vnd.docker.plugins.v1.2+json' -d '{}' http://plugin/VolumeDriver.List | tee /dev/stderr | jq -e '.Volumes | map(.Name) | index(\"vol\") != null'"
fi
t_sh "VolumeDriver.Capabilities answers scope local" \
  "curl -sS --fail --max-time 10 --unix-socket '$sock' -X POST -d '{}' http://plugin/VolumeDriver.Capabilities | tee /dev/stderr | jq -e '.Capabilities.Scope==\"local\"'"
t_sh "dockerd's log has the plugin's lines tagged plugin=<id> (stderr at level=error)" \
  "grep -F 'plugin=$PLUGIN_ID' '$DOCKERD_LOG' | tee /dev/stderr | grep -E '^time=\"[^\"]+\" level=error msg=\".*Serving unix socket: /run/docker/plugins/rclone.sock\" plugin=$PLUGIN_ID\$'"
t "docker volume rm + plugin disable" bash -c "'$DOCKER_CLI' volume rm vol && '$DOCKER_CLI' plugin disable rclone"
t_sh "after disable: $E2E_RUNTIME list no longer shows it; nothing left" \
  "! rt list 2>/dev/null | grep -q $PLUGIN_ID && plugin_gone $PLUGIN_ID"
t "docker plugin rm" dk plugin rm rclone
e2e_finish
