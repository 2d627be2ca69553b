#!/usr/bin/env bash
# Scenario 5 (issue #5): dockerd restarts.
#   live-restore: an enabled plugin keeps running across a dockerd restart (same pid) and is
#                 still usable: dockerd reconnects to it (volume ls/inspect/create answered by
#                 the plugin, new volume mounted into a container).
#                 Known dockerd 20.10 behaviour (same with runc): at shutdown dockerd
#                 unmounts <data-root>/plugins/*/propagated-mount even with --live-restore and
#                 does not restore it, so FUSE mounts the surviving plugin makes no longer reach
#                 the host (moby#33378). That is reported as a diagnostic, not tested.
#   without it:   the plugin is restarted cleanly: the old process is gone, a new one serves,
#                 and stopping dockerd stops the plugin.
source "$(dirname "$0")/lib.sh"
e2e_init 20

# usable TAG [VOLUME]: a container reads, through the plugin's volume, the file placed on the
# host. Volumes use a remote from rclone.conf: rclone 1.60 cannot restore type=/path= volumes
# after a plugin restart ("Failed to restore volume ...: cannot parse path").
usable() {
  local out
  out=$(drun --rm -v "${2:-vol}":/data "$E2E_IMAGE" cat /data/from-host.txt) || return 1
  echo "$out"; [ "$out" = "host-file-$1" ]
}
task_state() { ctrp tasks ls | tee /dev/stderr | awk -v id="$PLUGIN_ID" '$1==id {print $3}'; }

t "daemons start with --live-restore (default runtime $E2E_RUNTIME)" e2e_start_daemons --live-restore ||
  bail "no daemons"
t "local busybox image" e2e_busybox_image || bail "no image"
t "plugin create + private config/cache" e2e_rclone_setup rclone || bail "no plugin"
t "docker plugin enable" dk plugin enable rclone || bail "plugin did not start"
pid1=$(plugin_pid "$PLUGIN_ID"); E2E_PIDS+=("$pid1")
diag "plugin pid before restart: $pid1"
share=$E2E_WORK/rclone-config/share
mkdir -p "$share"; echo "host-file-$$" >"$share/from-host.txt"
printf '[hostdir]\ntype = local\n' >"$E2E_WORK/rclone-config/rclone.conf"
t_sh "volume create (remote=hostdir:/data/config/share) + usable" \
  "dk volume create -d rclone -o remote=hostdir:/data/config/share vol >/dev/null && usable $$"

# --- live-restore
t "dockerd stopped (SIGTERM) with --live-restore" e2e_stop_dockerd
t_sh "plugin process $pid1 still running without dockerd; containerd task RUNNING" \
  "kill -0 $pid1 && [ \"\$(task_state)\" = RUNNING ]"
t "dockerd restarted with --live-restore" e2e_start_daemons --dockerd-only --live-restore || bail "no dockerd"
t_sh "plugin still enabled, same pid $pid1" \
  "[ \"\$(dk plugin inspect -f {{.Enabled}} rclone)\" = true ] && p=\$(plugin_pid $PLUGIN_ID) && echo pid \$p && [ \"\$p\" = $pid1 ]"
t_sh "plugin still usable after the live restore: volume inspect/create answered, new volume mounts" \
  "dk volume inspect vol >/dev/null && dk volume create -d rclone -o remote=hostdir:/data/config/share vol2 >/dev/null &&
   drun --rm -v vol2:/data $E2E_IMAGE true && dk volume rm vol2"
if out=$(usable $$ 2>&1); then
  diag "after the live restore the volume's content is visible in containers"
else
  diag "after the live restore the volume's content is NOT visible in containers ($out): dockerd" \
    "unmounted the propagated mount at shutdown (moby#33378; same with runc)"
fi

# --- restart without live-restore: the surviving plugin is replaced
t "dockerd stopped, restarted without --live-restore" \
  bash -c "'$PLUGRT_SOURCE_DIR/scripts/stop-daemons.sh' '$E2E_WORK' --dockerd-only" || bail "dockerd did not stop"
e2e_start_daemons --dockerd-only >/dev/null 2>&1 || bail "dockerd did not restart"
pid2=$(plugin_pid "$PLUGIN_ID"); E2E_PIDS+=("$pid2")
diag "plugin pid after restart without live-restore: $pid2"
t_sh "plugin re-enabled cleanly: enabled, new pid ($pid2), old process $pid1 gone" \
  "[ \"\$(dk plugin inspect -f {{.Enabled}} rclone)\" = true ] && [ -n '$pid2' ] && [ '$pid2' != '$pid1' ] && ! kill -0 $pid1 2>/dev/null"
t "plugin usable after the restart" usable $$

# --- without live-restore, stopping dockerd stops the plugin
t "dockerd stopped without --live-restore" e2e_stop_dockerd
t_sh "the plugin process $pid2 stopped with dockerd; no task left running" \
  "wait_until 15 '! kill -0 $pid2 2>/dev/null' && [ \"\$(task_state)\" != RUNNING ]"
t "dockerd started again" e2e_start_daemons --dockerd-only || bail "no dockerd"
pid3=$(plugin_pid "$PLUGIN_ID"); E2E_PIDS+=("$pid3")
t_sh "plugin enabled again with a new process ($pid3)" \
  "[ \"\$(dk plugin inspect -f {{.Enabled}} rclone)\" = true ] && [ -n '$pid3' ] && [ '$pid3' != '$pid2' ]"
t "plugin usable" usable $$
t_sh "volume rm, plugin disable: nothing left; plugin rm" \
  "for v in \$(dk volume ls -q); do dk volume rm \$v || exit 1; done && dk plugin disable rclone && plugin_gone $PLUGIN_ID && dk plugin rm rclone"
e2e_finish
