// linux.maskedPaths and linux.readonlyPaths (runc mask.bats, crun test_paths.py), with the
// default capabilities (no CAP_SYS_ADMIN, so the container cannot undo them).
#include "integration/isolation_helpers.hpp"

using namespace plugrt::test;

TEST_SUITE("integration/masked_paths") {
    TEST_CASE("a masked file reads empty and is the null device") {
        require_root();
        Runtime rt;
        Bundle read{{"/probe", "read", "/proc/keys"}};
        CHECK(run_probe(rt, read)["content"] == "");
        Bundle st{{"/probe", "stat", "/proc/timer_list"}};
        auto info = run_probe(rt, st);
        CHECK(info["type"] == "char");
        CHECK(info["major"] == 1);
        CHECK(info["minor"] == 3);
    }

    TEST_CASE("a masked directory is an empty read-only tmpfs") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "mounts"}};
        auto firmware = find_mount(run_probe(rt, b), "/sys/firmware");
        CHECK(firmware["fstype"] == "tmpfs");
        CHECK(has_option(firmware, "ro"));
        Bundle w{{"/probe", "write", "/sys/firmware/x"}};
        w.write_config();
        auto r = rt.run({"run", "--bundle", w.dir(), rt.new_id()});
        CHECK(r.exit_code != 0);
        CHECK_MESSAGE(r.out.find("Read-only file system") != std::string::npos, r.describe());
    }

    TEST_CASE("readonly paths cannot be written") {
        require_root();
        Runtime rt;
        for (const char* path : {"/proc/sys/kernel/hostname", "/proc/sys/vm/overcommit_memory"}) {
            CAPTURE(path);
            Bundle b{{"/probe", "write", path}};
            b.write_config();
            auto r = rt.run({"run", "--bundle", b.dir(), rt.new_id()});
            CHECK(r.exit_code != 0);
            CHECK_MESSAGE(r.out.find("Read-only file system") != std::string::npos, r.describe());
        }
    }

    TEST_CASE("missing and duplicate masked paths are fine") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "mounts"}};
        b.spec().linux->masked_paths.push_back("/proc/does-not-exist");
        b.spec().linux->masked_paths.push_back("/proc/keys");
        int keys_mounts = 0;
        const auto report = run_probe(rt, b);  // a member of a temporary would dangle in range-for
        for (const auto& m : report["mounts"]) {
            keys_mounts += m["mountpoint"] == "/proc/keys";
        }
        CHECK(keys_mounts == 1);
    }

    TEST_CASE("a /dev/null that is not the null device stops masking (CVE-2025-31133)") {
        require_root();
        Runtime rt;
        HostDir dev;
        std::filesystem::create_symlink("/proc/sys/kernel/core_pattern", dev.path() + "/null");
        const std::string core_pattern = read_text_file("/proc/sys/kernel/core_pattern");
        Bundle b{{"/probe", "exit", "0"}};
        // /dev bound from the host dir: plugrt then leaves /dev alone, like runc.
        auto& mounts = b.spec().mounts;
        std::erase_if(mounts, [](const auto& m) { return m.destination.rfind("/dev", 0) == 0; });
        mounts.push_back(spec_mount("/dev", "bind", dev.path(), {"rbind"}));
        auto r = run_expecting_failure(rt, b);
        CHECK_MESSAGE(r.err.find("/dev/null") != std::string::npos, r.describe());  // names it
        CHECK(read_text_file("/proc/sys/kernel/core_pattern") == core_pattern);
    }
}
