// The device filter's meaning, checked by running the generated program on an interpreter of
// the few eBPF instructions the compiler emits (anything else fails the test). The kernel's
// own run of it is in tests/integration/device_filter_test.cpp.
#include "runtime/device_filter.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

#include "runtime/cgroups_v1.hpp"
#include "runtime/error.hpp"

using namespace plugrt;

namespace {

constexpr uint32_t kChar = BPF_DEVCG_DEV_CHAR, kBlock = BPF_DEVCG_DEV_BLOCK;
constexpr uint32_t kRead = BPF_DEVCG_ACC_READ, kWrite = BPF_DEVCG_ACC_WRITE,
                   kMknod = BPF_DEVCG_ACC_MKNOD;

// 1 (allow) or 0 (deny), as the kernel would get it from the program.
int run(const std::vector<bpf_insn>& program, uint32_t type, uint32_t access, uint32_t major,
        uint32_t minor) {
    const uint32_t ctx[3] = {(access << 16) | type, major, minor};
    uint64_t r[11] = {};
    for (size_t pc = 0; pc < program.size(); ++pc) {
        const bpf_insn& i = program[pc];
        uint64_t& dst = r[i.dst_reg];
        const auto low = static_cast<uint32_t>(dst);
        const auto imm = static_cast<uint32_t>(i.imm);
        switch (i.code) {
            case BPF_LDX | BPF_MEM | BPF_W:
                if (i.src_reg != 1 || i.off % 4 != 0 || i.off > 8) {
                    throw std::runtime_error("load outside the context");
                }
                dst = ctx[i.off / 4];
                break;
            case BPF_ALU | BPF_AND | BPF_K:
                dst = low & imm;
                break;
            case BPF_ALU | BPF_RSH | BPF_K:
                dst = low >> imm;
                break;
            case BPF_ALU | BPF_MOV | BPF_X:
                dst = static_cast<uint32_t>(r[i.src_reg]);
                break;
            case BPF_ALU64 | BPF_MOV | BPF_K:
                dst = static_cast<uint64_t>(static_cast<int64_t>(i.imm));
                break;
            case BPF_JMP32 | BPF_JNE | BPF_K:
                if (low != imm) pc += static_cast<size_t>(i.off);
                break;
            case BPF_JMP32 | BPF_JEQ | BPF_K:
                if (low == imm) pc += static_cast<size_t>(i.off);
                break;
            case BPF_JMP | BPF_EXIT:
                return static_cast<int>(r[0]);
            default:
                throw std::runtime_error("unexpected instruction " + std::to_string(i.code));
        }
    }
    throw std::runtime_error("the program ran off its end");
}

std::vector<bpf_insn> container_program(std::vector<oci::DeviceRule> spec_rules) {
    oci::Linux linux;
    linux.resources.emplace().devices = std::move(spec_rules);
    return compile_device_filter(container_device_rules(linux));
}

}  // namespace

TEST_SUITE("runtime/device_filter") {
    TEST_CASE("a container without device rules gets runc's defaults and nothing else") {
        const auto p = container_program({});
        CHECK(run(p, kChar, kRead | kWrite, 1, 3) == 1);     // /dev/null
        CHECK(run(p, kChar, kRead, 1, 9) == 1);              // /dev/urandom
        CHECK(run(p, kChar, kRead | kWrite, 136, 7) == 1);   // a pty slave
        CHECK(run(p, kChar, kRead | kWrite, 10, 200) == 1);  // /dev/net/tun
        CHECK(run(p, kChar, kRead, 1, 11) == 0);             // /dev/kmsg
        CHECK(run(p, kChar, kRead | kWrite, 10, 229) == 0);  // /dev/fuse
        CHECK(run(p, kBlock, kRead, 8, 0) == 0);             // a disk
        CHECK(run(p, kChar, kMknod, 1, 11) == 1);            // mknod of anything is allowed
        CHECK(run(p, kBlock, kMknod, 8, 0) == 1);
    }

    TEST_CASE("an allow rule grants only the access it lists") {
        const auto p = container_program({device_rule(true, "c", 10, 229, "rw")});  // /dev/fuse
        CHECK(run(p, kChar, kRead | kWrite, 10, 229) == 1);
        CHECK(run(p, kChar, kRead, 10, 228) == 0);
        const auto read_only = container_program({device_rule(true, "c", 1, 11, "r")});
        CHECK(run(read_only, kChar, kRead, 1, 11) == 1);
        CHECK(run(read_only, kChar, kWrite, 1, 11) == 0);
        CHECK(run(read_only, kChar, kRead | kWrite, 1, 11) == 0);  // every bit must be granted
        CHECK(run(read_only, kBlock, kRead, 1, 11) == 0);          // the type counts
    }

    TEST_CASE("wildcards, and the last matching rule decides") {
        const auto p =
            compile_device_filter({device_rule(false, "a", std::nullopt, std::nullopt, "rwm"),
                                   device_rule(true, "c", std::nullopt, std::nullopt, "rwm"),
                                   device_rule(false, "c", 1, 3, "w")});
        CHECK(run(p, kChar, kRead, 4, 2) == 1);
        CHECK(run(p, kChar, kRead, 1, 3) == 1);
        CHECK(run(p, kChar, kWrite, 1, 3) == 0);
        CHECK(run(p, kChar, kRead | kWrite, 1, 3) == 0);  // asks for a denied bit
        CHECK(run(p, kBlock, kRead, 1, 3) == 0);          // the default, deny
        const auto majors =
            compile_device_filter({device_rule(false, "", std::nullopt, std::nullopt, ""),
                                   device_rule(true, "b", 8, std::nullopt, "r")});
        CHECK(run(majors, kBlock, kRead, 8, 17) == 1);
        CHECK(run(majors, kBlock, kRead, 9, 0) == 0);
    }

    TEST_CASE("a rule for all devices resets what came before it, as on v1") {
        const auto allow_all =
            compile_device_filter({device_rule(false, "c", 1, 3, "rwm"),
                                   device_rule(true, "a", std::nullopt, std::nullopt, "rwm")});
        CHECK(run(allow_all, kChar, kRead, 1, 3) == 1);
        CHECK(run(allow_all, kBlock, kWrite, 8, 0) == 1);
        const auto deny_all =
            compile_device_filter({device_rule(true, "c", 1, 3, "rwm"),
                                   device_rule(false, "a", std::nullopt, std::nullopt, "rwm")});
        CHECK(run(deny_all, kChar, kRead, 1, 3) == 0);
        // No rules: a new cgroup allows what its parent does.
        CHECK(run(compile_device_filter({}), kBlock, kRead | kWrite, 8, 0) == 1);
    }

    TEST_CASE("allow rules for the same device add up, as v1's exceptions do") {
        const auto split = container_program(
            {device_rule(true, "c", 10, 229, "r"), device_rule(true, "c", 10, 229, "w")});
        CHECK(run(split, kChar, kRead | kWrite, 10, 229) == 1);
        CHECK(run(split, kChar, kMknod, 10, 229) == 1);  // runc's default: mknod of any char
        CHECK(run(split, kChar, kRead | kWrite, 10, 228) == 0);
        // A deny in between keeps them apart: the last match decides.
        const auto apart = compile_device_filter({device_rule(true, "c", 10, 229, "r"),
                                                  device_rule(false, "c", 10, 229, "r"),
                                                  device_rule(true, "c", 10, 229, "w")});
        CHECK(run(apart, kChar, kWrite, 10, 229) == 1);
        CHECK(run(apart, kChar, kRead, 10, 229) == 0);
        CHECK(run(apart, kChar, kRead | kWrite, 10, 229) == 0);
    }

    TEST_CASE("rules the program cannot express are refused, naming the rule") {
        CHECK_THROWS_WITH_AS(compile_device_filter({device_rule(true, "p", 1, 3, "r")}),
                             doctest::Contains("p 1:3 r"), Error);
        CHECK_THROWS_WITH_AS(compile_device_filter({device_rule(true, "c", 1, 3, "rx")}),
                             doctest::Contains("access must be made of r, w and m"), Error);
        // 2^32 + 1 would become major 1 (/dev/mem) if truncated.
        CHECK_THROWS_WITH_AS(
            compile_device_filter({device_rule(true, "c", int64_t{1} << 32 | 1, 1, "r")}),
            doctest::Contains("out of range"), Error);
    }
}
