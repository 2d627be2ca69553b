#!/usr/bin/env bash
# Scenario 1 (issue #5): the rclone volume plugin, built from Debian's rclone with the
# shipped examples/rclone/config.json, runs as a Docker managed plugin under $E2E_RUNTIME and
# serves a `type=local` volume through its propagated mount. The volume's path is seen from
# inside the plugin: /data/config is bind-mounted from the host dir set as config.source,
# so path=/data/config/share is the host dir $E2E_WORK/rclone-config/share.
source "$(dirname "$0")/lib.sh"
e2e_init 20

t "daemons start (default runtime $E2E_RUNTIME)" e2e_start_daemons || bail "no daemons"
t "local busybox image from busybox-static (docker import)" e2e_busybox_image || bail "no image"
t "plugin create from the rclone plugin dir; private config/cache via plugin set" \
  e2e_rclone_setup rclone || bail "no plugin"
diag "plugin id $PLUGIN_ID"

e2e_time enable_s dk plugin enable rclone >"$E2E_WORK/enable.out" 2>&1
rc=$?
E2E_OUT=$(cat "$E2E_WORK/enable.out")
if [ $rc -eq 0 ]; then ok "docker plugin enable (${enable_s}s)"; else
  not_ok "docker plugin enable (${enable_s}s)"; diag "$E2E_OUT"
  bail "plugin did not start"
fi
diag "timing: docker plugin enable with $E2E_RUNTIME: ${enable_s}s"
E2E_PIDS+=("$(plugin_pid "$PLUGIN_ID")")

t_sh "docker plugin ls shows the plugin enabled (true)" \
  'dk plugin ls --format "{{.Name}} {{.Enabled}}" | tee /dev/stderr | grep -qx "rclone:latest true"'

share=$E2E_WORK/rclone-config/share
mkdir -p "$share"
echo "written-on-host-$$" >"$share/from-host.txt"
t "docker volume create -d rclone -o type=local -o path=/data/config/share" \
  dk volume create -d rclone -o type=local -o path=/data/config/share vol
t_sh "docker run -v vol:/data sees the file placed on the host" \
  "out=\$(drun --rm -v vol:/data $E2E_IMAGE cat /data/from-host.txt) && echo \"\$out\" && [ \"\$out\" = written-on-host-$$ ]"
t_sh "a file written by a container appears on the host" \
  "drun --rm -v vol:/data $E2E_IMAGE sh -c 'echo written-in-container > /data/from-container.txt' &&
   wait_until 10 '[ -s $share/from-container.txt ]' && cat $share/from-container.txt &&
   [ \"\$(cat $share/from-container.txt)\" = written-in-container ]"
t_sh "the volume's FUSE mount is visible on the host through the propagated mount while in use" \
  "drun -d --name holder -v vol:/data $E2E_IMAGE sleep 60 >/dev/null &&
   grep -F '$DOCKER_DATA_ROOT/plugins/$PLUGIN_ID/propagated-mount/vol' /proc/self/mountinfo;
   rc=\$?; dk rm -f holder >/dev/null; exit \$rc"
t "docker volume rm" dk volume rm vol

# Terminals through containerd's shim: it passes --console-socket to create (docker run -t)
# and --process with "terminal": true plus --console-socket to exec (docker exec -t).
t_sh "docker run -t: the container's stdio is a pty" \
  "out=\$(drun --rm -t $E2E_IMAGE tty | tr -d '\r') && echo \"\$out\" && [[ \$out == /dev/pts/* ]]"
t_sh "docker exec -t: the exec'd process gets a pty of its own" \
  "drun -d --name ttyholder $E2E_IMAGE sleep 60 >/dev/null &&
   out=\$(dk exec -t ttyholder sh -c 'tty; [ -t 0 ] && echo stdin-is-a-tty' | tr -d '\r');
   echo \"\$out\"; [[ \$out == /dev/pts/* ]] && [[ \$out == *stdin-is-a-tty* ]]"
t_sh "docker exec -t returns the process's exit status" \
  "dk exec -t ttyholder sh -c 'exit 7'; rc=\$?; echo rc=\$rc; [ \$rc -eq 7 ]"
# docker update reaches the runtime as `update --resources -` (containerd's runc shim).
t_sh "docker update --memory lands in the running container's memory cgroup" \
  "dk update --memory 64m --memory-swap -1 ttyholder >/dev/null &&
   pid=\$(dk inspect -f '{{.State.Pid}}' ttyholder) &&
   f=/sys/fs/cgroup/memory\$(awk -F: '\$2==\"memory\" {print \$3}' /proc/\$pid/cgroup)/memory.limit_in_bytes &&
   echo \"\$f: \$(cat \$f)\" && [ \"\$(cat \$f)\" = 67108864 ];
   rc=\$?; dk rm -f ttyholder >/dev/null; exit \$rc"
t_sh "no FUSE mount of the volume left on the host" \
  "! grep -F 'propagated-mount/vol' /proc/self/mountinfo"
t "docker plugin disable" dk plugin disable rclone
t_sh "disabled plugin leaves no process, mount, runtime state or cgroup" "plugin_gone $PLUGIN_ID"
t "docker plugin rm" dk plugin rm rclone
t_sh "plugin root and exec dir removed" \
  "[ ! -e $DOCKER_DATA_ROOT/plugins/$PLUGIN_ID ] && [ ! -e /run/docker/plugins/$PLUGIN_ID ] || { ls -la $DOCKER_DATA_ROOT/plugins/$PLUGIN_ID /run/docker/plugins/$PLUGIN_ID; false; }"
e2e_finish
