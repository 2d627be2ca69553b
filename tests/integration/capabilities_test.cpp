// Capability sets, ids and groups of the container process, read back from /proc/self/status.
#include "integration/isolation_helpers.hpp"

using namespace plugrt::test;

namespace {

// Docker's 14 default capabilities plus CAP_SYS_ADMIN: what a FUSE plugin like rclone gets.
const std::vector<std::string> kPluginCaps = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
    "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
    "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_KILL",    "CAP_AUDIT_WRITE",  "CAP_SYS_ADMIN"};

std::string hex_mask(std::initializer_list<int> caps) {
    unsigned long long mask = 0;
    for (int cap : caps) {
        mask |= 1ULL << cap;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", mask);
    return buf;
}

}  // namespace

TEST_SUITE("integration/capabilities") {
    TEST_CASE("the plugin capability sets are exact; inheritable and ambient stay empty") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "caps"}};
        auto& caps = b.spec().process->capabilities;
        caps = plugrt::oci::Capabilities{};
        caps->bounding = kPluginCaps;
        caps->effective = kPluginCaps;
        caps->permitted = kPluginCaps;
        auto status = run_probe(rt, b);
        // CHOWN 0, DAC_OVERRIDE 1, FOWNER 3, FSETID 4, KILL 5, SETGID 6, SETUID 7, SETPCAP 8,
        // NET_BIND_SERVICE 10, NET_RAW 13, SYS_CHROOT 18, SYS_ADMIN 21, MKNOD 27,
        // AUDIT_WRITE 29, SETFCAP 31.
        const std::string expected = hex_mask({0, 1, 3, 4, 5, 6, 7, 8, 10, 13, 18, 21, 27, 29, 31});
        CHECK(status["CapBnd"] == expected);
        CHECK(status["CapEff"] == expected);
        CHECK(status["CapPrm"] == expected);
        CHECK(status["CapInh"] == "0000000000000000");
        CHECK(status["CapAmb"] == "0000000000000000");
        CHECK(status["NoNewPrivs"] == "1");
    }

    TEST_CASE("an unknown capability fails create and names the field") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "caps"}};
        b.spec().process->capabilities->bounding = {"CAP_KILL", "CAP_BOGUS"};
        auto r = run_expecting_failure(rt, b);
        CHECK_MESSAGE(r.err.find("CAP_BOGUS") != std::string::npos, r.describe());
    }

    TEST_CASE("a non-root user keeps ambient capabilities and exactly its additional groups") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "caps"}};
        auto& p = *b.spec().process;
        std::vector<std::string> nbs = {"CAP_NET_BIND_SERVICE"};
        p.capabilities = plugrt::oci::Capabilities{};
        p.capabilities->bounding = nbs;
        p.capabilities->effective = nbs;
        p.capabilities->permitted = nbs;
        p.capabilities->inheritable = nbs;
        p.capabilities->ambient = nbs;
        p.user.uid = 1000;
        p.user.gid = 1000;
        p.user.additional_gids = {4242};
        auto status = run_probe(rt, b);
        CHECK(status["CapAmb"] == hex_mask({10}));
        CHECK(status["CapEff"] == hex_mask({10}));

        Bundle ids{{"/probe", "ids"}};
        ids.spec().process = p;
        ids.spec().process->args = {"/probe", "ids"};
        ids.spec().process->user.umask = 077;
        auto who = run_probe(rt, ids);
        CHECK(who["uid"] == 1000);
        CHECK(who["euid"] == 1000);
        CHECK(who["gid"] == 1000);
        CHECK(who["groups"] == nlohmann::json::array({4242}));
        CHECK(who["umask"] == 077);
    }

    TEST_CASE("without capabilities in the spec the process has none") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "caps"}};
        b.spec().process->capabilities.reset();
        auto status = run_probe(rt, b);
        CHECK(status["CapBnd"] == "0000000000000000");
        CHECK(status["CapEff"] == "0000000000000000");
        CHECK(status["CapPrm"] == "0000000000000000");
    }

    TEST_CASE("the default umask is 0022") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "ids"}};
        CHECK(run_probe(rt, b)["umask"] == 022);
    }
}
