#include "runtime/seccomp.hpp"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <memory>

#include "runtime/error.hpp"
#include "runtime/unique_fd.hpp"

namespace plugrt {
namespace {

// SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV is newer than some headers.
constexpr unsigned int kWaitKillableRecv = 1U << 5;

using FilterContext = std::unique_ptr<void, decltype(&seccomp_release)>;

Error invalid(const std::string& field, const std::string& message) {
    return Error(Error::Kind::Invalid, "linux.seccomp." + field + ": " + message);
}

uint32_t action_for(const std::string& name, std::optional<uint32_t> errno_ret,
                    const std::string& field) {
    const uint32_t ret = errno_ret.value_or(EPERM);
    if (name == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
    if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(ret);
    if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL;
    if (name == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
    if (name == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
    if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(ret);
    if (name == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
    if (name == "SCMP_ACT_NOTIFY") {
        throw invalid(field, "SCMP_ACT_NOTIFY is not supported (no seccomp agent support)");
    }
    throw invalid(field, "unknown action '" + name + "'");
}

scmp_compare compare_for(const std::string& op, const std::string& field) {
    if (op == "SCMP_CMP_NE") return SCMP_CMP_NE;
    if (op == "SCMP_CMP_LT") return SCMP_CMP_LT;
    if (op == "SCMP_CMP_LE") return SCMP_CMP_LE;
    if (op == "SCMP_CMP_EQ") return SCMP_CMP_EQ;
    if (op == "SCMP_CMP_GE") return SCMP_CMP_GE;
    if (op == "SCMP_CMP_GT") return SCMP_CMP_GT;
    if (op == "SCMP_CMP_MASKED_EQ") return SCMP_CMP_MASKED_EQ;
    throw invalid(field, "unknown operator '" + op + "'");
}

uint32_t arch_for(const std::string& name, const std::string& field) {
    const std::string prefix = "SCMP_ARCH_";
    if (name.rfind(prefix, 0) != 0) {
        throw invalid(field, "unknown architecture '" + name + "'");
    }
    std::string lower = name.substr(prefix.size());
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    uint32_t arch = seccomp_arch_resolve_name(lower.c_str());
    if (arch == 0) {
        throw invalid(field, "unknown architecture '" + name + "'");
    }
    return arch;
}

unsigned int flag_for(const std::string& name, const std::string& field) {
    if (name == "SECCOMP_FILTER_FLAG_TSYNC") return SECCOMP_FILTER_FLAG_TSYNC;
    if (name == "SECCOMP_FILTER_FLAG_LOG") return SECCOMP_FILTER_FLAG_LOG;
    if (name == "SECCOMP_FILTER_FLAG_SPEC_ALLOW") return SECCOMP_FILTER_FLAG_SPEC_ALLOW;
    if (name == "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") return kWaitKillableRecv;
    throw invalid(field, "unknown flag '" + name + "'");
}

void check(int rc, const std::string& what) {
    if (rc < 0) {
        throw SysError(-rc, what);
    }
}

void add_rule(scmp_filter_ctx ctx, uint32_t action, int nr, const std::string& name,
              const std::vector<scmp_arg_cmp>& conditions, const std::string& field) {
    int rc = seccomp_rule_add_array(ctx, action, nr, static_cast<unsigned>(conditions.size()),
                                    conditions.empty() ? nullptr : conditions.data());
    if (rc < 0) {
        throw SysError(-rc, "linux.seccomp." + field + ": add rule for " + name);
    }
}

void add_syscall_rules(scmp_filter_ctx ctx, const oci::SeccompSyscall& rule, size_t index,
                       uint32_t default_action) {
    const std::string field = "syscalls[" + std::to_string(index) + "]";
    const uint32_t action = action_for(rule.action, rule.errno_ret, field + ".action");
    std::vector<scmp_arg_cmp> conditions;
    std::vector<int> per_arg(6, 0);
    bool repeated_arg = false;
    for (size_t a = 0; a < rule.args.size(); ++a) {
        const auto& arg = rule.args[a];
        const std::string arg_field = field + ".args[" + std::to_string(a) + "]";
        if (arg.index >= 6) {
            throw invalid(arg_field, "index " + std::to_string(arg.index) + " is not 0..5");
        }
        repeated_arg |= ++per_arg[arg.index] > 1;
        conditions.push_back(scmp_arg_cmp{arg.index, compare_for(arg.op, arg_field + ".op"),
                                          arg.value, arg.value_two});
    }
    if (action == default_action) {
        return;  // libseccomp rejects rules that repeat the default action
    }
    for (const auto& name : rule.names) {
        const int nr = seccomp_syscall_resolve_name(name.c_str());
        if (nr == __NR_SCMP_ERROR) {
            continue;  // unknown to this libseccomp: skipped like runc does
        }
        if (!repeated_arg) {
            add_rule(ctx, action, nr, name, conditions, field);
            continue;
        }
        for (const auto& condition : conditions) {
            add_rule(ctx, action, nr, name, {condition}, field);
        }
    }
}

std::vector<sock_filter> export_bpf(scmp_filter_ctx ctx) {
    // libseccomp 2.5.4 can only export to an fd (seccomp_export_bpf_mem is 2.6).
    UniqueFd memfd(::memfd_create("plugrt-seccomp-bpf", MFD_CLOEXEC));
    if (!memfd) {
        throw_errno("memfd_create for the seccomp program");
    }
    check(seccomp_export_bpf(ctx, memfd.get()), "seccomp_export_bpf");
    off_t size = ::lseek(memfd.get(), 0, SEEK_END);
    if (size < 0 || size % static_cast<off_t>(sizeof(sock_filter)) != 0) {
        throw Error(Error::Kind::System, "seccomp_export_bpf: unexpected program size");
    }
    std::vector<sock_filter> program(static_cast<size_t>(size) / sizeof(sock_filter));
    if (::pread(memfd.get(), program.data(), static_cast<size_t>(size), 0) != size) {
        throw_errno("read back the seccomp program");
    }
    if (program.empty() || program.size() > BPF_MAXINSNS) {
        throw Error(Error::Kind::Invalid, "linux.seccomp: the compiled program has " +
                                              std::to_string(program.size()) +
                                              " instructions (kernel limit 4096)");
    }
    return program;
}

}  // namespace

std::optional<SeccompProgram> compile_seccomp(const oci::Linux& linux) {
    if (!linux.seccomp) {
        return std::nullopt;
    }
    const oci::Seccomp& spec = *linux.seccomp;
    if (!spec.listener_path.empty()) {
        throw invalid("listenerPath", "seccomp notify listeners are not supported");
    }
    const uint32_t default_action =
        action_for(spec.default_action, spec.default_errno_ret, "defaultAction");
    FilterContext ctx(seccomp_init(default_action), &seccomp_release);
    if (!ctx) {
        throw invalid("defaultAction", "libseccomp refused '" + spec.default_action + "'");
    }
    // The filter is loaded by plugrt, not by seccomp_load, so libseccomp's NNP attribute is
    // irrelevant: no_new_privs stays what process.noNewPrivileges says.
    for (size_t i = 0; i < spec.architectures.size(); ++i) {
        const std::string field = "architectures[" + std::to_string(i) + "]";
        int rc = seccomp_arch_add(ctx.get(), arch_for(spec.architectures[i], field));
        if (rc < 0 && rc != -EEXIST) {
            throw SysError(-rc, "linux.seccomp." + field + ": add " + spec.architectures[i]);
        }
    }
    SeccompProgram program;
    for (size_t i = 0; i < spec.flags.size(); ++i) {
        program.flags |= flag_for(spec.flags[i], "flags[" + std::to_string(i) + "]");
    }
    program.flags &= ~kWaitKillableRecv;  // only meaningful with SECCOMP_FILTER_FLAG_NEW_LISTENER
    if (spec.syscalls.size() > 8) {
        // Binary-tree dispatch for long profiles (runc does the same above 8 rules).
        seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2);
    }
    for (size_t i = 0; i < spec.syscalls.size(); ++i) {
        add_syscall_rules(ctx.get(), spec.syscalls[i], i, default_action);
    }
    program.filter = export_bpf(ctx.get());
    return program;
}

int load_seccomp(const SeccompProgram& program) noexcept {
    struct sock_fprog prog {};
    prog.len = static_cast<unsigned short>(program.filter.size());
    prog.filter = const_cast<sock_filter*>(program.filter.data());
    long rc = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, program.flags, &prog);
    if (rc < 0) {
        return errno;
    }
    // With TSYNC a positive result is the id of a thread that could not be synchronised.
    return rc == 0 ? 0 : ESRCH;
}

}  // namespace plugrt
