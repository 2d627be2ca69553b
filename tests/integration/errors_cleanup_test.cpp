// Bad input makes `create` fail with one line naming the field or path at fault, and leaves the
// host exactly as it was: no process, mount, state directory or cgroup (runtime-spec: errors
// "MUST leave the state of the environment as if the operation were never attempted").
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "integration/harness.hpp"

using namespace plugrt::test;

namespace {

// Runs `create`, expects failure whose stderr mentions every one of `expected`, and no leaks.
void expect_clean_failure(Runtime& rt, Bundle& b, const std::vector<std::string>& expected) {
    std::string id = rt.new_id();
    HostSnapshot before = snapshot_host(rt.root());
    auto r = rt.run({"create", "--bundle", b.dir(), "--pid-file", b.dir() + "/init.pid", id});
    reap_zombies();
    CHECK_MESSAGE(r.exit_code == 1, r.describe());
    for (const auto& part : expected) {
        CHECK_MESSAGE(r.err.find(part) != std::string::npos, "stderr should mention '"
                                                                 << part << "'\n"
                                                                 << r.describe());
    }
    // One line: engines show the message verbatim.
    std::string trimmed = r.err.substr(0, r.err.find_last_not_of('\n') + 1);
    CHECK_MESSAGE(trimmed.find('\n') == std::string::npos, r.describe());
    CHECK_MESSAGE(rt.log_text().find("\"level\":\"error\"") != std::string::npos, rt.log_text());
    CHECK_FALSE(path_exists(b.dir() + "/init.pid"));
    std::vector<std::string> leaks;
    wait_until(
        [&] {
            leaks = leaks_between(before, snapshot_host(rt.root()));
            return leaks.empty();
        },
        3000);
    std::string listing;
    for (const auto& leak : leaks) {
        listing += leak + "\n";
    }
    CHECK_MESSAGE(leaks.empty(), "left behind after a failed create:\n" << listing);
}

}  // namespace

TEST_SUITE("integration/errors_cleanup") {
    TEST_CASE("missing config.json is named") {
        require_root();
        Runtime rt;
        Bundle b;
        std::filesystem::remove(b.config_path());
        expect_clean_failure(rt, b, {b.config_path()});
    }

    TEST_CASE("invalid JSON in config.json is named") {
        require_root();
        Runtime rt;
        Bundle b;
        b.write_raw_config("{\"ociVersion\": \"1.0.2\", \"process\": ");
        expect_clean_failure(rt, b, {"config.json"});
    }

    TEST_CASE("a missing rootfs is named") {
        require_root();
        Runtime rt;
        Bundle b;
        b.spec().root->path = "no-such-rootfs";
        b.write_config();
        expect_clean_failure(rt, b, {"no-such-rootfs"});
    }

    TEST_CASE("an unknown namespace type names the field") {
        require_root();
        Runtime rt;
        Bundle b;
        b.spec().linux->namespaces.push_back({"bogus", ""});
        b.write_config();
        expect_clean_failure(rt, b, {"namespaces", "bogus"});
    }

    TEST_CASE("a nonexistent bind mount source is named, after mounts were already made") {
        require_root();
        Runtime rt;
        Bundle b;
        plugrt::oci::Mount m;
        m.destination = "/data";
        m.type = "bind";
        m.source = "/nonexistent/plugrt-test-source";
        m.options = {"rbind", "ro"};
        b.spec().mounts.push_back(m);
        b.write_config();
        expect_clean_failure(rt, b, {"/nonexistent/plugrt-test-source"});
    }

    TEST_CASE("an executable missing from PATH fails create with runc's wording") {
        require_root();
        Runtime rt;
        Bundle b{{"nosuchcmd"}};
        expect_clean_failure(rt, b, {"exec: \"nosuchcmd\": executable file not found in $PATH"});
    }

    TEST_CASE("a missing absolute executable says 'no such file or directory'") {
        require_root();
        Runtime rt;
        Bundle b{{"/bin/nosuchcmd"}};
        expect_clean_failure(rt, b, {"/bin/nosuchcmd", "no such file or directory"});
    }

    // On a host with v1 hierarchies the init is already running (building its rootfs) while
    // the v1 cgroups are made and limited (container_create.cpp v1_cgroups_after_clone).
    TEST_CASE("a limit the kernel refuses after the init was cloned is named, nothing is left") {
        require_root();
        Runtime rt;
        Bundle b;
        if (!b.spec().linux->resources) {
            b.spec().linux->resources.emplace();
        }
        b.spec().linux->resources->cpu_period = 10;  // the kernel's minimum is 1000 us
        b.write_config();
        expect_clean_failure(rt, b, {"cpu.cfs_period_us", "Invalid argument"});
    }

    TEST_CASE("a missing cwd is named") {
        require_root();
        Runtime rt;
        Bundle b;
        b.spec().process->cwd = "/no/such/dir";
        b.write_config();
        expect_clean_failure(rt, b, {"/no/such/dir"});
    }

    TEST_CASE("invalid container ids are refused before anything is created") {
        require_root();
        Runtime rt;
        Bundle b;
        for (std::string id : {"..", "a/b", "has space", ""}) {
            HostSnapshot before = snapshot_host(rt.root());
            auto r = rt.run({"create", "--bundle", b.dir(), id});
            CHECK_MESSAGE(r.exit_code == 1, r.describe());
            CHECK(leaks_between(before, snapshot_host(rt.root())).empty());
        }
    }
}
