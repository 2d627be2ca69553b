// Mount propagation: rootfsPropagation=rshared plus an rshared bind is how a Docker plugin's
// propagated mount works (moby plugin_linux.go InitSpec); anything else must stay private.
#include <chrono>
#include <thread>

#include "integration/isolation_helpers.hpp"

using namespace plugrt::test;

namespace {

bool host_has_mount(const std::string& mountpoint) {
    return read_text_file("/proc/self/mountinfo").find(" " + mountpoint + " ") != std::string::npos;
}

// The propagated-mount host dir: a mount point of its own, rshared (what dockerd prepares).
void make_rshared(const std::string& dir) {
    REQUIRE(::mount(dir.c_str(), dir.c_str(), nullptr, MS_BIND | MS_REC, nullptr) == 0);
    REQUIRE(::mount(nullptr, dir.c_str(), nullptr, MS_SHARED | MS_REC, nullptr) == 0);
}

// A container running busybox sh with CAP_SYS_ADMIN that mounts a tmpfs at `inner` and sleeps.
void prepare_mounting_container(Bundle& b, const std::string& inner) {
    b.add_busybox({"sh", "mount", "mkdir", "sleep"});
    auto& p = *b.spec().process;
    p.args = {"/bin/sh", "-c",
              "mkdir -p " + inner + " && mount -t tmpfs pm " + inner + " && sleep 60"};
    std::vector<std::string> caps = {"CAP_SYS_ADMIN", "CAP_KILL"};
    p.capabilities = plugrt::oci::Capabilities{};
    p.capabilities->bounding = caps;
    p.capabilities->effective = caps;
    p.capabilities->permitted = caps;
    b.spec().root->readonly = false;
}

}  // namespace

TEST_SUITE("integration/propagation") {
    TEST_CASE("a mount under the rshared propagated mount appears on the host") {
        require_root();
        Runtime rt;
        HostDir propagated;
        make_rshared(propagated.path());
        Bundle b;
        prepare_mounting_container(b, "/mnt/volume1");
        b.spec().linux->rootfs_propagation = "rshared";
        b.spec().mounts.push_back(
            spec_mount("/mnt", "bind", propagated.path(), {"rbind", "rw", "rshared"}));
        b.write_config();
        const std::string id = rt.new_id();
        auto created = rt.run({"create", "--bundle", b.dir(), id});
        REQUIRE_MESSAGE(created.exit_code == 0, created.describe());
        rt.run({"start", id});
        const std::string on_host = propagated.path() + "/volume1";
        const std::string why = "the container's tmpfs did not propagate to " + on_host;
        CHECK_MESSAGE(wait_until([&] { return host_has_mount(on_host); }), why);
        // The container's own mounts never show up on the host.
        CHECK_FALSE(host_has_mount(b.rootfs() + "/proc"));
        CHECK_FALSE(host_has_mount(b.rootfs()));
        rt.run({"kill", id, "KILL"});
        wait_until([&] { return rt.state(id)["status"] == "stopped"; });
        rt.run({"delete", id});
        ::umount2(on_host.c_str(), MNT_DETACH);
    }

    TEST_CASE("without rshared, mounts made in the container stay in the container") {
        require_root();
        Runtime rt;
        HostDir shared_dir;
        make_rshared(shared_dir.path());
        Bundle b;
        prepare_mounting_container(b, "/mnt/volume1");
        b.spec().mounts.push_back(spec_mount("/mnt", "bind", shared_dir.path(), {"rbind", "rw"}));
        b.write_config();
        const std::string id = rt.new_id();
        REQUIRE(rt.run({"create", "--bundle", b.dir(), id}).exit_code == 0);
        rt.run({"start", id});
        // Give the container time to mount; its tmpfs must not reach the host (rslave root).
        std::this_thread::sleep_for(std::chrono::milliseconds(1000));
        CHECK(rt.state(id)["status"] == "running");
        CHECK_FALSE(host_has_mount(shared_dir.path() + "/volume1"));
        rt.run({"kill", id, "KILL"});
        wait_until([&] { return rt.state(id)["status"] == "stopped"; });
        rt.run({"delete", id});
    }

    TEST_CASE("with rootfsPropagation rshared the container's / is shared after pivot_root") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "mounts"}};
        b.spec().linux->rootfs_propagation = "rshared";
        auto root = find_mount(run_probe(rt, b), "/");
        CHECK_MESSAGE(root["propagation"].get<std::string>().find("shared:") != std::string::npos,
                      root.dump());
    }

    TEST_CASE("by default nothing in the container is shared with the host") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "mounts"}};
        const auto report = run_probe(rt, b);  // a member of a temporary would dangle in range-for
        for (const auto& m : report["mounts"]) {
            CHECK_MESSAGE(m["propagation"].get<std::string>().find("shared:") == std::string::npos,
                          m.dump());
        }
    }
}
