// Hostile symlinks in the image must never make plugrt mount, create or write outside the
// rootfs (CVE-2021-30465, CVE-2019-19921, CVE-2024-45310, CVE-2026-41579).
#include <fstream>

#include "integration/isolation_helpers.hpp"

using namespace plugrt::test;

TEST_SUITE("integration/symlink_escape") {
    TEST_CASE("a symlink to /etc-like host paths is followed inside the rootfs only") {
        require_root();
        Runtime rt;
        HostDir marker;
        std::ofstream(marker.path() + "/secret") << "host";
        Bundle b{{"/probe", "stat", marker.path() + "/conf/stack"}};
        // rootfs/etc -> "/../../../../<marker>": on the host that would be the marker dir.
        std::filesystem::create_symlink("/../../../../" + marker.path(), b.rootfs() + "/etc");
        b.spec().root->readonly = false;
        b.spec().mounts.push_back(spec_mount("/etc/conf/stack", "tmpfs", "tmpfs", {"mode=755"}));
        CHECK(run_probe(rt, b)["type"] == "dir");
        CHECK(marker.listing() == std::vector<std::string>{"secret"});
        CHECK(path_exists(b.rootfs() + marker.path() + "/conf/stack"));
    }

    TEST_CASE("a bind through a symlink to / lands inside the rootfs") {
        require_root();
        Runtime rt;
        HostDir source;
        std::ofstream(source.path() + "/f") << "bound";
        Bundle b{{"/probe", "read", "/sub/f"}};
        std::filesystem::create_symlink("/", b.rootfs() + "/mnt1");
        b.spec().root->readonly = false;
        b.spec().mounts.push_back(spec_mount("/mnt1/sub", "bind", source.path(), {"rbind"}));
        CHECK(run_probe(rt, b)["content"] == "bound");
        CHECK_FALSE(path_exists("/sub"));
    }

    TEST_CASE("a destination that resolves to the rootfs itself is refused") {
        require_root();
        Runtime rt;
        HostDir source;
        Bundle b{{"/probe", "exit", "0"}};
        std::filesystem::create_symlink("/", b.rootfs() + "/mnt1");
        b.spec().mounts.push_back(spec_mount("/mnt1", "bind", source.path(), {"rbind"}));
        auto r = run_expecting_failure(rt, b);
        CHECK_MESSAGE(r.err.find("container root") != std::string::npos, r.describe());
    }

    TEST_CASE("proc is never mounted through a symlink") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "exit", "0"}};
        std::filesystem::create_directories(b.rootfs() + "/bad-proc");
        std::filesystem::create_symlink("/bad-proc", b.rootfs() + "/proc");
        auto r = run_expecting_failure(rt, b);
        CHECK_MESSAGE(r.err.find("ordinary directory") != std::string::npos, r.describe());
    }

    TEST_CASE("an image whose /dev points at a host directory gets its nodes inside the rootfs") {
        require_root();
        Runtime rt;
        HostDir host_dev;
        std::ofstream(host_dev.path() + "/ptmx") << "marker";
        Bundle b{{"/probe", "stat", "/dev/null"}};
        auto& mounts = b.spec().mounts;
        std::erase_if(mounts, [](const auto& m) { return m.destination.rfind("/dev", 0) == 0; });
        b.spec().root->readonly = false;
        std::filesystem::create_symlink(host_dev.path(), b.rootfs() + "/dev");
        auto st = run_probe(rt, b);
        CHECK(st["type"] == "char");
        CHECK(host_dev.listing() == std::vector<std::string>{"ptmx"});
        CHECK(read_text_file(host_dev.path() + "/ptmx") == "marker");
    }

    TEST_CASE("a dangling absolute symlink as a file mountpoint is created inside the rootfs") {
        require_root();
        Runtime rt;
        HostDir source;
        std::ofstream(source.path() + "/resolv.conf") << "nameserver 192.0.2.1\n";
        Bundle b{{"/probe", "read", "/etc/resolv.conf"}};
        std::filesystem::create_directories(b.rootfs() + "/etc");
        const std::string host_target = "/opt/plugrt-it-resolv-" + std::to_string(::getpid());
        std::filesystem::create_symlink(host_target, b.rootfs() + "/etc/resolv.conf");
        b.spec().root->readonly = false;
        b.spec().mounts.push_back(spec_mount("/etc/resolv.conf", "bind",
                                             source.path() + "/resolv.conf", {"rbind", "ro"}));
        CHECK(run_probe(rt, b)["content"] == "nameserver 192.0.2.1\n");
        CHECK_FALSE(path_exists(host_target));
    }
}
