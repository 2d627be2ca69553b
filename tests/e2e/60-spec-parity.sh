#!/usr/bin/env bash
# Scenario 6 (issue #5): the OCI spec dockerd hands the runtime for the rclone plugin equals
# what `plugrt plugin spec` generates for the same plugin dir, id, settings and Docker root
# with --profile docker-20.10. The spec is captured from containerd's bundle
# (<containerd state>/io.containerd.runtime.v2.task/plugins.moby/<id>/config.json) while the
# plugin is enabled and compared as JSON (object keys unordered, arrays in order); a diff is
# printed on mismatch. With E2E_RUNTIME=runc this validates the generator on its own.
# It also checks, independently of plugrt, that the golden fixture the unit tests use
# (tests/fixtures/specs/rclone-docker-20.10.24.json, for tests/fixtures/plugins/rclone-v1.56.json)
# is what this machine's dockerd produces: the v1.56 config is run as a second plugin and its
# captured spec, with the data root, plugin id and mount sources mapped back to the fixture's,
# must equal the fixture.
# The Docker-root option of `plugrt plugin spec` is found in its --help (--docker-root,
# --data-root); E2E_SPEC_ROOT_FLAG overrides it.
source "$(dirname "$0")/lib.sh"
e2e_init 12

t "daemons start (default runtime $E2E_RUNTIME)" e2e_start_daemons || bail "no daemons"
t "plugin create + private config/cache" e2e_rclone_setup rclone || bail "no plugin"
settings=(config.source="$E2E_WORK/rclone-config" cache.source="$E2E_WORK/rclone-cache" RCLONE_VERBOSE=1 args=-v)
t "docker plugin set ${settings[*]}" dk plugin set rclone "${settings[@]}"
t "docker plugin enable" dk plugin enable rclone || bail "plugin did not start"
E2E_PIDS+=("$(plugin_pid "$PLUGIN_ID")")

bundle=$CONTAINERD_STATE/io.containerd.runtime.v2.task/plugins.moby/$PLUGIN_ID/config.json
docker_spec=$E2E_WORK/spec-from-dockerd.json
plugrt_spec=$E2E_WORK/spec-from-plugrt.json
t_sh "captured the spec dockerd handed the runtime (bundle config.json)" \
  "cp '$bundle' '$docker_spec' && jq -e '.root.path == \"$DOCKER_DATA_ROOT/plugins/$PLUGIN_ID/rootfs\"' '$docker_spec'"
mkdir -p "$E2E_LOG_DIR" && cp -f "$docker_spec" "$E2E_LOG_DIR/spec-from-dockerd.json"

gen_spec() {
  [ -n "$PLUGRT_BIN" ] || { echo "no plugrt binary (PLUGRT_BIN / build-e2e/shim/plugrt)"; return 1; }
  local help flag args=()
  help=$("$PLUGRT_BIN" plugin spec --help 2>&1) || { echo "plugrt plugin spec --help failed:"; echo "$help"; return 1; }
  flag=${E2E_SPEC_ROOT_FLAG:-$(grep -oE -- '--(docker-root|data-root)' <<<"$help" | head -n1)}
  [ -n "$flag" ] || { echo "no Docker-root option in plugrt plugin spec --help:"; echo "$help"; return 1; }
  local s; for s in "${settings[@]}"; do args+=(--set "$s"); done
  echo "+ plugrt plugin spec $E2E_WORK/rclone-plugin --id $PLUGIN_ID --profile docker-20.10 $flag $DOCKER_DATA_ROOT ${args[*]}"
  "$PLUGRT_BIN" plugin spec "$E2E_WORK/rclone-plugin" --id "$PLUGIN_ID" --profile docker-20.10 \
    "$flag" "$DOCKER_DATA_ROOT" "${args[@]}" >"$plugrt_spec" && jq -e . "$plugrt_spec" >/dev/null
}
t "plugrt plugin spec for the same dir, id, settings and Docker root (--profile docker-20.10)" gen_spec
t_sh "dockerd's spec == plugrt plugin spec (as JSON)" \
  "[ -s '$plugrt_spec' ] || { echo 'no spec from plugrt to compare'; exit 1; }; diff -u --label dockerd <(jq -S . '$docker_spec') --label 'plugrt plugin spec' <(jq -S . '$plugrt_spec')"
t "disable + rm" bash -c "'$DOCKER_CLI' plugin disable rclone && '$DOCKER_CLI' plugin rm rclone"

# --- the golden fixture against this machine's dockerd
fixture_id=ccce444f10491c9b22fa4dc1d1237f9a51391faf56c78134266ea61c2926558f
fixture_cfg=$PLUGRT_SOURCE_DIR/tests/fixtures/plugins/rclone-v1.56.json
fixture_spec=$PLUGRT_SOURCE_DIR/tests/fixtures/specs/rclone-docker-20.10.24.json
v156=$E2E_WORK/rclone-v156
make_v156() { # same rootfs, the v1.56 config (its entrypoint is /usr/local/bin/rclone)
  rm -rf "$v156" && mkdir -p "$v156" && cp -a "$E2E_WORK/rclone-plugin/rootfs" "$v156/rootfs" &&
    mkdir -p "$v156/rootfs/usr/local/bin" && ln -sf /usr/bin/rclone "$v156/rootfs/usr/local/bin/rclone" &&
    cp "$fixture_cfg" "$v156/config.json" && mkdir -p "$E2E_WORK/v156-config" "$E2E_WORK/v156-cache" &&
    dk plugin create v156 "$v156" >/dev/null &&
    dk plugin set v156 config.source="$E2E_WORK/v156-config" cache.source="$E2E_WORK/v156-cache" &&
    dk plugin enable v156
}
t "plugin from the fixture config rclone-v1.56.json created and enabled" make_v156 || bail "v1.56 plugin did not start"
V156_ID=$(dk plugin inspect -f '{{.Id}}' v156); E2E_IDS+=("$V156_ID"); E2E_PIDS+=("$(plugin_pid "$V156_ID")")
t_sh "its spec, with data root/id/mount sources mapped back, equals tests/fixtures/specs/rclone-docker-20.10.24.json" \
  "sed -e 's#$DOCKER_DATA_ROOT/#/var/lib/docker/#g' -e 's#$V156_ID#$fixture_id#g' \
       -e 's#$E2E_WORK/v156-config#/var/lib/docker-plugins/rclone/config#g' \
       -e 's#$E2E_WORK/v156-cache#/var/lib/docker-plugins/rclone/cache#g' \
       '$CONTAINERD_STATE/io.containerd.runtime.v2.task/plugins.moby/$V156_ID/config.json' >'$E2E_WORK/v156-mapped.json' &&
   diff -u --label 'dockerd (mapped)' <(jq -S . '$E2E_WORK/v156-mapped.json') --label fixture <(jq -S . '$fixture_spec')"
t "v1.56 plugin disable + rm" bash -c "'$DOCKER_CLI' plugin disable v156 && '$DOCKER_CLI' plugin rm v156"
e2e_finish
