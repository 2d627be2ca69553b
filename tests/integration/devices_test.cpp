// /dev as plugrt builds it: default nodes, spec devices (a plugin's /dev/fuse), symlinks, and
// the devices cgroup that decides which nodes may be opened.
#include "integration/isolation_helpers.hpp"

using namespace plugrt::test;

namespace {
plugrt::oci::Device fuse_device() {
    plugrt::oci::Device d;
    d.path = "/dev/fuse";
    d.type = "c";
    d.major = 10;
    d.minor = 229;
    d.file_mode = 384;  // 0600, as Docker writes it for /dev/fuse
    d.uid = 0;
    d.gid = 0;
    return d;
}

plugrt::oci::DeviceRule fuse_rule(bool allow) {
    plugrt::oci::DeviceRule r;
    r.allow = allow;
    r.type = "c";
    r.major = 10;
    r.minor = 229;
    r.access = "rwm";
    return r;
}
}  // namespace

TEST_SUITE("integration/devices") {
    TEST_CASE("a plugin's /dev/fuse is c 10:229 with mode 0600") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "stat", "/dev/fuse"}};
        b.spec().linux->devices.push_back(fuse_device());
        auto st = run_probe(rt, b);
        CHECK(st["type"] == "char");
        CHECK(st["major"] == 10);
        CHECK(st["minor"] == 229);
        CHECK(st["mode"] == 0600);
        CHECK(st["uid"] == 0);
    }

    TEST_CASE("runc's default nodes and symlinks exist") {
        require_root();
        Runtime rt;
        for (auto [path, major, minor] : {std::tuple{"/dev/null", 1, 3},
                                          {"/dev/zero", 1, 5},
                                          {"/dev/full", 1, 7},
                                          {"/dev/tty", 5, 0},
                                          {"/dev/random", 1, 8},
                                          {"/dev/urandom", 1, 9}}) {
            CAPTURE(path);
            Bundle b{{"/probe", "stat", path}};
            auto st = run_probe(rt, b);
            CHECK(st["type"] == "char");
            CHECK(st["major"] == major);
            CHECK(st["minor"] == minor);
            CHECK(st["mode"] == 0666);
        }
        for (const char* link : {"/dev/ptmx", "/dev/fd", "/dev/stdin", "/dev/stderr"}) {
            CAPTURE(link);
            Bundle b{{"/probe", "stat", link}};
            CHECK(run_probe(rt, b)["type"] == "symlink");
        }
    }

    TEST_CASE("spec devices get their owner and mode, in /dev and below it, set-id bits kept") {
        require_root();
        Runtime rt;
        struct Case {
            const char* path;
            unsigned mode;
            unsigned uid, gid;
        };
        // Nodes right in /dev take the short way (mknodat + fchownat), one below it and one
        // with a set-gid bit (which a chown may clear) the checked one.
        for (auto c : {Case{"/dev/fuse", 0620, 1000, 1001}, Case{"/dev/net/tun", 0660, 0, 1002},
                       Case{"/dev/fuse", 02660, 1003, 1004}}) {
            CAPTURE(c.path);
            CAPTURE(c.mode);
            Bundle b{{"/probe", "stat", c.path}};
            plugrt::oci::Device d = fuse_device();
            d.path = c.path;
            d.file_mode = c.mode;
            d.uid = c.uid;
            d.gid = c.gid;
            b.spec().linux->devices.push_back(d);
            auto st = run_probe(rt, b);
            CHECK(st["type"] == "char");
            CHECK(st["mode"] == c.mode);
            CHECK(st["uid"] == c.uid);
            CHECK(st["gid"] == c.gid);
        }
    }

    TEST_CASE("the devices cgroup denies a node without an allow rule, allows it with one") {
        require_root();
        Runtime rt;
        // /dev/kmsg (c 1:11) is not in runc's default allow list; writing to it works when
        // allowed, so EPERM can only come from the devices cgroup.
        plugrt::oci::Device kmsg = fuse_device();
        kmsg.path = "/dev/kmsg";
        kmsg.major = 1;
        kmsg.minor = 11;
        Bundle denied{{"/probe", "write", "/dev/kmsg"}};
        denied.spec().linux->devices.push_back(kmsg);
        denied.write_config();
        auto r = rt.run({"run", "--bundle", denied.dir(), rt.new_id()});
        CHECK(r.exit_code != 0);
        CHECK_MESSAGE(r.out.find("Operation not permitted") != std::string::npos, r.describe());

        Bundle allowed{{"/probe", "write", "/dev/kmsg"}};
        allowed.spec().linux->devices.push_back(kmsg);
        auto rule = fuse_rule(true);
        rule.minor = 11;
        rule.major = 1;
        allowed.spec().linux->resources->devices.push_back(rule);
        CHECK(run_probe(rt, allowed)["written"] == true);
    }

    TEST_CASE("device paths outside /dev are refused before anything is created") {
        require_root();
        Runtime rt;
        for (const char* path : {"/etc/evil", "/dev/../etc/evil"}) {
            CAPTURE(path);
            Bundle b{{"/probe", "exit", "0"}};
            auto d = fuse_device();
            d.path = path;
            b.spec().linux->devices.push_back(d);
            auto r = run_expecting_failure(rt, b);
            // Refused by validation, naming the field: "/etc/evil" as outside /dev/,
            // "/dev/../etc/evil" already for its ".." component.
            CHECK_MESSAGE(r.err.find("linux.devices[0]") != std::string::npos, r.describe());
            CHECK_FALSE(path_exists(b.rootfs() + "/etc/evil"));
        }
    }
}
