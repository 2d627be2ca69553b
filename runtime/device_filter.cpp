#include "runtime/device_filter.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <utility>

#include "runtime/cgroups_v1.hpp"
#include "runtime/error.hpp"
#include "runtime/unique_fd.hpp"

namespace plugrt {
namespace {

// The program's registers: r1 is the context (struct bpf_cgroup_dev_ctx) on entry.
constexpr uint8_t kType = 2, kAccess = 3, kMajor = 4, kMinor = 5, kScratch = 6;

bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
    bpf_insn i{};
    i.code = code;
    i.dst_reg = dst & 0xf;
    i.src_reg = src & 0xf;
    i.off = off;
    i.imm = imm;
    return i;
}
bpf_insn load_ctx_word(uint8_t dst, int16_t offset) {
    return insn(BPF_LDX | BPF_MEM | BPF_W, dst, 1, offset, 0);
}
bpf_insn alu32_imm(uint8_t op, uint8_t dst, int32_t imm) {
    return insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm);
}
bpf_insn mov32_reg(uint8_t dst, uint8_t src) {
    return insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0);
}
// A jump to the end of the current rule's block; the offset is patched once the block is done.
bpf_insn jump_imm(uint8_t op, uint8_t dst, int32_t imm) {
    return insn(BPF_JMP32 | op | BPF_K, dst, 0, 0, imm);
}
void return_value(std::vector<bpf_insn>& out, int32_t value) {
    out.push_back(insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, value));
    out.push_back(insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
}

bool covers_all_devices(const oci::DeviceRule& rule) {
    return rule.type.empty() || rule.type == "a";
}

int32_t access_bits(const oci::DeviceRule& rule) {
    if (rule.access.empty()) {
        return BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;
    }
    int32_t bits = 0;
    for (char c : rule.access) {
        switch (c) {
            case 'r':
                bits |= BPF_DEVCG_ACC_READ;
                break;
            case 'w':
                bits |= BPF_DEVCG_ACC_WRITE;
                break;
            case 'm':
                bits |= BPF_DEVCG_ACC_MKNOD;
                break;
            default:
                throw Error(Error::Kind::Invalid, "device rule '" + format_v1_device_rule(rule) +
                                                      "': access must be made of r, w and m");
        }
    }
    return bits;
}

int32_t type_code(const oci::DeviceRule& rule) {
    if (rule.type == "c") return BPF_DEVCG_DEV_CHAR;
    if (rule.type == "b") return BPF_DEVCG_DEV_BLOCK;
    throw Error(Error::Kind::Invalid,
                "device rule '" + format_v1_device_rule(rule) + "': type must be a, c or b");
}

// One rule: every test that fails jumps past the block; falling through returns its verdict.
void append_rule(std::vector<bpf_insn>& out, const oci::DeviceRule& rule) {
    std::vector<bpf_insn> block;
    if (!covers_all_devices(rule)) {
        block.push_back(jump_imm(BPF_JNE, kType, type_code(rule)));
    }
    const int32_t bits = access_bits(rule);
    block.push_back(mov32_reg(kScratch, kAccess));
    if (rule.allow) {
        // Every requested bit granted: (access & ~bits) == 0.
        block.push_back(alu32_imm(BPF_AND, kScratch, ~bits));
        block.push_back(jump_imm(BPF_JNE, kScratch, 0));
    } else {
        // Any requested bit denied: (access & bits) != 0.
        block.push_back(alu32_imm(BPF_AND, kScratch, bits));
        block.push_back(jump_imm(BPF_JEQ, kScratch, 0));
    }
    for (auto [number, reg] : {std::pair{rule.major, kMajor}, std::pair{rule.minor, kMinor}}) {
        if (!number || *number < 0) {
            continue;  // any
        }
        if (*number > UINT32_MAX) {
            // Truncated to 32 bits it would name another device.
            throw Error(Error::Kind::Invalid, "device rule '" + format_v1_device_rule(rule) +
                                                  "': device number out of range");
        }
        block.push_back(jump_imm(BPF_JNE, reg, static_cast<int32_t>(*number)));
    }
    return_value(block, rule.allow ? 1 : 0);
    const auto size = static_cast<int16_t>(block.size());
    for (int16_t i = 0; i < size; ++i) {
        if (BPF_CLASS(block[i].code) == BPF_JMP32) {
            block[i].off = static_cast<int16_t>(size - i - 1);  // to the next block
        }
    }
    out.insert(out.end(), block.begin(), block.end());
}

bool same_devices(const oci::DeviceRule& a, const oci::DeviceRule& b) {
    auto any = [](const std::optional<int64_t>& n) { return !n || *n < 0; };
    auto same = [&](const std::optional<int64_t>& x, const std::optional<int64_t>& y) {
        return any(x) ? any(y) : !any(y) && *x == *y;
    };
    return a.type == b.type && same(a.major, b.major) && same(a.minor, b.minor);
}

// v1 keeps one exception per device and adds the access of a new allow rule to it: "c 1:3 r"
// then "c 1:3 w" allow an O_RDWR open, which neither rule allows alone here. So the new last
// rule takes over the access of an earlier allow rule for the same devices, unless a deny rule
// came in between (then the rules stay apart and the last match decides, as before).
void merge_with_earlier_allow(std::vector<oci::DeviceRule>& rules) {
    oci::DeviceRule& last = rules.back();
    if (!last.allow) {
        return;
    }
    for (size_t i = rules.size() - 1; i-- > 0;) {
        if (!rules[i].allow) {
            return;
        }
        if (same_devices(rules[i], last)) {
            last.access = (rules[i].access.empty() ? "rwm" : rules[i].access) +
                          (last.access.empty() ? "rwm" : last.access);
            rules.erase(rules.begin() + static_cast<std::ptrdiff_t>(i));
            return;
        }
    }
}

long bpf(int command, bpf_attr& attr) { return ::syscall(__NR_bpf, command, &attr, sizeof attr); }

}  // namespace

std::vector<bpf_insn> compile_device_filter(const std::vector<oci::DeviceRule>& rules) {
    bool default_allow = true;  // a cgroup starts out allowing what its parent allows
    std::vector<oci::DeviceRule> since_reset;
    for (const auto& rule : rules) {
        if (covers_all_devices(rule)) {
            default_allow = rule.allow;
            since_reset.clear();
        } else {
            since_reset.push_back(rule);
            merge_with_earlier_allow(since_reset);
        }
    }
    std::vector<bpf_insn> program = {
        load_ctx_word(kType, offsetof(bpf_cgroup_dev_ctx, access_type)),
        alu32_imm(BPF_AND, kType, 0xffff),
        load_ctx_word(kAccess, offsetof(bpf_cgroup_dev_ctx, access_type)),
        alu32_imm(BPF_RSH, kAccess, 16),
        load_ctx_word(kMajor, offsetof(bpf_cgroup_dev_ctx, major)),
        load_ctx_word(kMinor, offsetof(bpf_cgroup_dev_ctx, minor)),
    };
    for (auto it = since_reset.rbegin(); it != since_reset.rend(); ++it) {
        append_rule(program, *it);
    }
    return_value(program, default_allow ? 1 : 0);
    return program;
}

void attach_device_filter(const std::string& cgroup_dir, const std::vector<bpf_insn>& program) {
    static const char kLicense[] = "Apache-2.0";  // no GPL-only helper is called
    bpf_attr load{};
    load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    load.insns = reinterpret_cast<uintptr_t>(program.data());
    load.insn_cnt = static_cast<uint32_t>(program.size());
    load.license = reinterpret_cast<uintptr_t>(kLicense);
    UniqueFd prog(static_cast<int>(bpf(BPF_PROG_LOAD, load)));
    if (!prog) {
        const int err = errno;
        // Again with the verifier's log, which says which instruction it refused.
        std::string log(16384, '\0');
        load.log_buf = reinterpret_cast<uintptr_t>(log.data());
        load.log_size = static_cast<uint32_t>(log.size());
        load.log_level = 1;
        UniqueFd unexpected_success(static_cast<int>(bpf(BPF_PROG_LOAD, load)));
        log.resize(std::strlen(log.c_str()));
        throw_errno(err, "cgroup " + cgroup_dir + ": load the device filter (bpf BPF_PROG_LOAD)" +
                             (log.empty() ? "" : ": " + log));
    }
    UniqueFd dir(::open(cgroup_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir) {
        throw_errno("open cgroup " + cgroup_dir + " to attach the device filter");
    }
    bpf_attr attach{};
    attach.target_fd = static_cast<uint32_t>(dir.get());
    attach.attach_bpf_fd = static_cast<uint32_t>(prog.get());
    attach.attach_type = BPF_CGROUP_DEVICE;
    attach.attach_flags = BPF_F_ALLOW_MULTI;
    if (bpf(BPF_PROG_ATTACH, attach) != 0) {
        throw_errno("cgroup " + cgroup_dir + ": attach the device filter (bpf BPF_PROG_ATTACH)");
    }
}

}  // namespace plugrt
