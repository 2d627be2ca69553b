// linux.seccomp as enforced in the container: actions, errnoRet, argument conditions, and the
// placement relative to no_new_privs.
#include <csignal>

#include "integration/isolation_helpers.hpp"

using namespace plugrt::test;

namespace {

plugrt::oci::SeccompSyscall rule(std::vector<std::string> names, std::string action,
                                 std::optional<uint32_t> errno_ret = std::nullopt) {
    plugrt::oci::SeccompSyscall r;
    r.names = std::move(names);
    r.action = std::move(action);
    r.errno_ret = errno_ret;
    return r;
}

plugrt::oci::SeccompArg arg_equals(uint32_t index, uint64_t value) {
    plugrt::oci::SeccompArg a;
    a.index = index;
    a.value = value;
    a.op = "SCMP_CMP_EQ";
    return a;
}

void allow_by_default(Bundle& b, std::vector<plugrt::oci::SeccompSyscall> rules) {
    plugrt::oci::Seccomp seccomp;
    seccomp.default_action = "SCMP_ACT_ALLOW";
    seccomp.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
    seccomp.syscalls = std::move(rules);
    b.spec().linux->seccomp = seccomp;
}

}  // namespace

TEST_SUITE("integration/seccomp") {
    TEST_CASE("a denied syscall returns the profile's errnoRet") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "syscall", "mkdir"}};
        allow_by_default(b, {rule({"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO", 100)});
        auto r = run_probe(rt, b);
        CHECK_MESSAGE(r["errno"] == 100, r.dump());  // ENETDOWN, runc's "explicit errno" test
    }

    TEST_CASE("SCMP_ACT_ERRNO without errnoRet means EPERM; the filter is mode 2") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "syscall", "getuid"}};
        allow_by_default(b, {rule({"getuid"}, "SCMP_ACT_ERRNO")});
        CHECK(run_probe(rt, b)["errno"] == EPERM);

        Bundle status{{"/probe", "caps"}};
        allow_by_default(status, {rule({"getuid"}, "SCMP_ACT_ERRNO")});
        CHECK(run_probe(rt, status)["Seccomp"] == "2");
    }

    TEST_CASE("argument conditions select which calls are denied") {
        require_root();
        Runtime rt;
        // The probe calls socket(0, 0, 0): only a condition matching arg0 == 0 denies it.
        auto matching = rule({"socket"}, "SCMP_ACT_ERRNO", 99);
        matching.args = {arg_equals(0, 0)};
        Bundle hit{{"/probe", "syscall", "socket"}};
        allow_by_default(hit, {matching});
        CHECK(run_probe(rt, hit)["errno"] == 99);

        auto other = rule({"socket"}, "SCMP_ACT_ERRNO", 99);
        other.args = {arg_equals(0, 38)};
        Bundle miss{{"/probe", "syscall", "socket"}};
        allow_by_default(miss, {other});
        CHECK(run_probe(rt, miss)["errno"] != 99);  // the kernel's own answer (EAFNOSUPPORT)
    }

    TEST_CASE("SCMP_ACT_KILL kills the process with SIGSYS") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "syscall", "getuid"}};
        allow_by_default(b, {rule({"getuid"}, "SCMP_ACT_KILL")});
        b.write_config();
        auto r = rt.run({"run", "--bundle", b.dir(), rt.new_id()});
        CHECK_MESSAGE(r.exit_code == 128 + SIGSYS, r.describe());
    }

    TEST_CASE("without no_new_privs the filter is loaded while plugrt still may") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "caps"}};
        b.spec().process->no_new_privileges = false;
        allow_by_default(b, {rule({"getuid"}, "SCMP_ACT_ERRNO")});
        auto status = run_probe(rt, b);
        CHECK(status["NoNewPrivs"] == "0");
        CHECK(status["Seccomp"] == "2");
    }

    TEST_CASE("SCMP_ACT_NOTIFY is refused with a clear error") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "exit", "0"}};
        allow_by_default(b, {rule({"getuid"}, "SCMP_ACT_NOTIFY")});
        auto r = run_expecting_failure(rt, b);
        CHECK_MESSAGE(r.err.find("SCMP_ACT_NOTIFY") != std::string::npos, r.describe());
    }
}
