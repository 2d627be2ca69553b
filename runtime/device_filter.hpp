// Device access on cgroup v2, which has no devices controller: an eBPF program of type
// BPF_PROG_TYPE_CGROUP_DEVICE attached to the container's cgroup answers every open and mknod
// of a device node (runc libcontainer/cgroups/devices, crun ebpf.c do the same).
//
// The rules are those v1 writes to its devices controller (container_device_rules: deny-all,
// the spec's rules, runc's defaults), given v1's meaning:
//  - a rule for all devices ("a", or no type) resets: its allow/deny becomes the default and
//    earlier rules are forgotten;
//  - of the rules after the last reset, the last one that matches decides: an allow rule
//    matches a request whose type and numbers it covers and whose every access bit it grants,
//    a deny rule one whose type and numbers it covers and that asks for any bit it denies;
//  - nothing matches: the default.
// The program checks the remaining rules from the last to the first and returns at the first
// match, then the default.
#pragma once

#include <linux/bpf.h>

#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace plugrt {

// Pure: the program for `rules`, in order. Throws Error(Invalid) naming a rule whose type or
// access it cannot express.
std::vector<bpf_insn> compile_device_filter(const std::vector<oci::DeviceRule>& rules);

// bpf(BPF_PROG_LOAD) of `program`, then BPF_PROG_ATTACH to `cgroup_dir` with
// BPF_F_ALLOW_MULTI: programs of ancestors stay in force (all must allow). The cgroup keeps
// the program alive; no fd is left open. Throws naming the directory, with the verifier's
// log when it rejects the program.
void attach_device_filter(const std::string& cgroup_dir, const std::vector<bpf_insn>& program);

}  // namespace plugrt
