// process.rlimits, oom_score_adj and linux.sysctl as the container sees them.
#include "integration/isolation_helpers.hpp"

using namespace plugrt::test;

namespace {
plugrt::oci::Rlimit limit(std::string type, uint64_t soft, uint64_t hard) {
    plugrt::oci::Rlimit r;
    r.type = std::move(type);
    r.soft = soft;
    r.hard = hard;
    return r;
}
}  // namespace

TEST_SUITE("integration/rlimits") {
    TEST_CASE("rlimits are exactly what the spec says") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "rlimits"}};
        b.spec().process->rlimits = {limit("RLIMIT_NOFILE", 512, 2048), limit("RLIMIT_CORE", 0, 0),
                                     limit("RLIMIT_NPROC", 100, 200)};
        auto r = run_probe(rt, b);
        CAPTURE(r.dump());
        CHECK(r["RLIMIT_NOFILE"]["soft"] == 512);
        CHECK(r["RLIMIT_NOFILE"]["hard"] == 2048);
        CHECK(r["RLIMIT_CORE"]["hard"] == 0);
        CHECK(r["RLIMIT_NPROC"]["soft"] == 100);
    }

    TEST_CASE("duplicate, unknown and inverted rlimits fail create") {
        require_root();
        Runtime rt;
        for (auto limits :
             {std::vector{limit("RLIMIT_CORE", 0, 0), limit("RLIMIT_CORE", 0, 0)},
              std::vector{limit("RLIMIT_FOO", 1, 1)}, std::vector{limit("RLIMIT_CORE", 2, 1)}}) {
            Bundle b{{"/probe", "exit", "0"}};
            b.spec().process->rlimits = limits;
            auto r = run_expecting_failure(rt, b);
            CHECK_MESSAGE(r.err.find("process.rlimits") != std::string::npos, r.describe());
        }
    }

    TEST_CASE("a namespaced sysctl is set inside, the host value stays") {
        require_root();
        Runtime rt;
        const std::string host_before = read_text_file("/proc/sys/net/ipv4/ip_forward");
        const std::string want = host_before == "1\n" ? "0" : "1";
        Bundle b{{"/probe", "sysctl", "net.ipv4.ip_forward"}};
        b.spec().linux->sysctl["net.ipv4.ip_forward"] = want;
        CHECK(run_probe(rt, b)["value"] == want);
        CHECK(read_text_file("/proc/sys/net/ipv4/ip_forward") == host_before);
    }

    TEST_CASE("a sysctl that would change the host is refused") {
        require_root();
        Runtime rt;
        const std::string host_before = read_text_file("/proc/sys/kernel/core_pattern");
        Bundle b{{"/probe", "exit", "0"}};
        b.spec().linux->sysctl["kernel.core_pattern"] = "|/tmp/evil";
        auto r = run_expecting_failure(rt, b);
        CHECK_MESSAGE(r.err.find("kernel.core_pattern") != std::string::npos, r.describe());
        CHECK(read_text_file("/proc/sys/kernel/core_pattern") == host_before);
    }

    TEST_CASE("oom_score_adj is applied") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "read", "/proc/self/oom_score_adj"}};
        b.spec().process->oom_score_adj = 500;
        CHECK(run_probe(rt, b)["content"] == "500\n");
    }
}
