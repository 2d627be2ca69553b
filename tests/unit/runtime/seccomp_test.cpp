#include "runtime/seccomp.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/error.hpp"

using namespace plugrt;

namespace {

oci::SeccompSyscall rule(std::vector<std::string> names, std::string action,
                         std::optional<uint32_t> errno_ret = std::nullopt) {
    oci::SeccompSyscall r;
    r.names = std::move(names);
    r.action = std::move(action);
    r.errno_ret = errno_ret;
    return r;
}

oci::SeccompArg arg(uint32_t index, std::string op, uint64_t value, uint64_t value_two = 0) {
    oci::SeccompArg a;
    a.index = index;
    a.op = std::move(op);
    a.value = value;
    a.value_two = value_two;
    return a;
}

oci::Linux profile(std::string default_action, std::vector<oci::SeccompSyscall> syscalls) {
    oci::Linux linux;
    linux.seccomp = oci::Seccomp{};
    linux.seccomp->default_action = std::move(default_action);
    linux.seccomp->syscalls = std::move(syscalls);
    return linux;
}

// Loads the program in a forked child (no_new_privs makes that unprivileged) and returns what
// `probe` returned there: errno of the failed call, 0 on success, or 1000 + signal.
template <typename Probe>
int run_filtered(const SeccompProgram& program, Probe probe) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        // Raw exit_group: the sanitizers' _exit interceptor makes syscalls a profile may deny.
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) syscall(SYS_exit_group, 250);
        if (load_seccomp(program) != 0) syscall(SYS_exit_group, 251);
        syscall(SYS_exit_group, probe());
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
}

int errno_of(long rc) { return rc < 0 ? errno : 0; }

}  // namespace

TEST_SUITE("runtime/seccomp") {
    TEST_CASE("no linux.seccomp means no program") {
        CHECK_FALSE(compile_seccomp(oci::Linux{}).has_value());
    }

    TEST_CASE("an explicit errnoRet is what the syscall returns") {
        auto linux = profile("SCMP_ACT_ALLOW", {rule({"mkdirat", "mkdir"}, "SCMP_ACT_ERRNO", 100)});
        auto program = compile_seccomp(linux);
        REQUIRE(program.has_value());
        CHECK(program->filter.size() > 3);
        CHECK(run_filtered(*program, [] { return errno_of(mkdirat(AT_FDCWD, "/x/y", 0)); }) == 100);
        CHECK(run_filtered(*program, [] { return errno_of(getpid()); }) == 0);
    }

    TEST_CASE("defaultErrnoRet applies to everything not allowed; ERRNO defaults to EPERM") {
        auto linux =
            profile("SCMP_ACT_ERRNO", {rule({"exit", "exit_group", "getppid"}, "SCMP_ACT_ALLOW"),
                                       rule({"getpid"}, "SCMP_ACT_ERRNO")});
        linux.seccomp->default_errno_ret = ENXIO;
        auto program = compile_seccomp(linux);
        REQUIRE(program.has_value());
        CHECK(run_filtered(*program, [] { return errno_of(syscall(SYS_getuid)); }) == ENXIO);
        CHECK(run_filtered(*program, [] { return errno_of(syscall(SYS_getpid)); }) == EPERM);
        CHECK(run_filtered(*program, [] { return errno_of(syscall(SYS_getppid)); }) == 0);
    }

    TEST_CASE("conditions on different arguments are ANDed") {
        auto r = rule({"socket"}, "SCMP_ACT_ERRNO", EACCES);
        r.args = {arg(0, "SCMP_CMP_EQ", AF_UNIX), arg(1, "SCMP_CMP_MASKED_EQ", 0xf, SOCK_DGRAM)};
        auto program = compile_seccomp(profile("SCMP_ACT_ALLOW", {r}));
        REQUIRE(program.has_value());
        auto unix_dgram = [] { return errno_of(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)); };
        auto unix_stream = [] { return errno_of(socket(AF_UNIX, SOCK_STREAM, 0)); };
        CHECK(run_filtered(*program, unix_dgram) == EACCES);  // masked: CLOEXEC bit ignored
        CHECK(run_filtered(*program, unix_stream) == 0);
    }

    TEST_CASE("several conditions on one argument become separate rules (OR), like runc") {
        // Docker's AF_ALG/AF_VSOCK pattern written as one rule: NE 38 and NE 40 on arg 0.
        auto r = rule({"socket"}, "SCMP_ACT_ERRNO", EAFNOSUPPORT);
        r.args = {arg(0, "SCMP_CMP_EQ", 38), arg(0, "SCMP_CMP_EQ", 40)};
        auto program = compile_seccomp(profile("SCMP_ACT_ALLOW", {r}));
        REQUIRE(program.has_value());
        CHECK(run_filtered(*program, [] { return errno_of(socket(38, SOCK_SEQPACKET, 0)); }) ==
              EAFNOSUPPORT);
        CHECK(run_filtered(*program, [] { return errno_of(socket(40, SOCK_STREAM, 0)); }) ==
              EAFNOSUPPORT);
        CHECK(run_filtered(*program, [] { return errno_of(socket(AF_UNIX, SOCK_STREAM, 0)); }) ==
              0);
    }

    TEST_CASE("unknown syscall names and rules equal to the default are skipped") {
        auto linux = profile("SCMP_ACT_ALLOW", {rule({"no_such_syscall_2026"}, "SCMP_ACT_ERRNO"),
                                                rule({"getpid"}, "SCMP_ACT_ALLOW")});
        CHECK_NOTHROW(compile_seccomp(linux));
    }

    TEST_CASE("SCMP_ACT_KILL kills the caller") {
        auto program =
            compile_seccomp(profile("SCMP_ACT_ALLOW", {rule({"getppid"}, "SCMP_ACT_KILL")}));
        CHECK(run_filtered(*program, [] { return errno_of(syscall(SYS_getppid)); }) ==
              1000 + SIGSYS);
    }

    TEST_CASE("flags map to seccomp(2) filter flags") {
        auto linux = profile("SCMP_ACT_ALLOW", {});
        linux.seccomp->flags = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                                "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
        auto program = compile_seccomp(linux);
        CHECK(program->flags == (SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW));
        CHECK(run_filtered(*program, [] { return errno_of(getpid()); }) == 0);
    }

    TEST_CASE("architectures are added; unknown ones are errors naming the field") {
        auto linux = profile("SCMP_ACT_ALLOW", {});
        linux.seccomp->architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
        CHECK_NOTHROW(compile_seccomp(linux));
        linux.seccomp->architectures = {"SCMP_ARCH_VAX"};
        CHECK_THROWS_WITH_AS(compile_seccomp(linux), doctest::Contains("architectures[0]"), Error);
    }

    TEST_CASE("bad actions, operators, indexes and notify are refused") {
        CHECK_THROWS_WITH_AS(compile_seccomp(profile("SCMP_ACT_MAYBE", {})),
                             doctest::Contains("defaultAction"), Error);
        auto bad_op = rule({"read"}, "SCMP_ACT_ERRNO");
        bad_op.args = {arg(0, "SCMP_CMP_ALMOST", 1)};
        CHECK_THROWS_WITH_AS(compile_seccomp(profile("SCMP_ACT_ALLOW", {bad_op})),
                             doctest::Contains("syscalls[0].args[0].op"), Error);
        auto bad_index = rule({"read"}, "SCMP_ACT_ERRNO");
        bad_index.args = {arg(6, "SCMP_CMP_EQ", 1)};
        CHECK_THROWS_AS(compile_seccomp(profile("SCMP_ACT_ALLOW", {bad_index})), Error);
        CHECK_THROWS_WITH_AS(
            compile_seccomp(profile("SCMP_ACT_ALLOW", {rule({"read"}, "SCMP_ACT_NOTIFY")})),
            doctest::Contains("not supported"), Error);
    }
}
