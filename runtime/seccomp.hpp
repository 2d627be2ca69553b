// linux.seccomp: compiled to classic BPF in the parent with libseccomp, loaded in the child with
// one raw seccomp(2) call (crun seccomp.c: build with libseccomp, export, apply later). The
// child thus never runs libseccomp, never allocates while loading, and the filter bytes reach
// it through the memory copy clone makes.
#pragma once

#include <linux/filter.h>

#include <optional>
#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace plugrt {

struct SeccompProgram {
    std::vector<sock_filter> filter;
    unsigned int flags = 0;  // SECCOMP_FILTER_FLAG_* for seccomp(SECCOMP_SET_MODE_FILTER)
};

// Parent side. nullopt when the spec has no linux.seccomp. Follows runc's reading of the spec:
//   - defaultAction / defaultErrnoRet (ERRNO and TRACE default to EPERM without errnoRet);
//   - architectures added to the native one (SCMP_ARCH_X86 -> "x86", ...);
//   - syscall names unknown to libseccomp are skipped (the kernel or libseccomp is older than
//     the profile), as are rules whose action equals the default (libseccomp refuses them);
//   - argument conditions with SCMP_CMP_{NE,LT,LE,EQ,GE,GT,MASKED_EQ}; MASKED_EQ compares
//     (arg & value) == valueTwo; several conditions on the *same* argument are split into one
//     rule each (an OR), because libseccomp cannot AND two tests of one argument;
//   - flags SECCOMP_FILTER_FLAG_{TSYNC,LOG,SPEC_ALLOW} go to seccomp(2);
//     WAIT_KILLABLE_RECV only qualifies a notify listener and is dropped without one.
// SCMP_ACT_NOTIFY (and listenerPath) is refused: plugrt has no seccomp agent support.
// Errors are Error(Invalid) naming the JSON field, e.g. "linux.seccomp.syscalls[3].action".
std::optional<SeccompProgram> compile_seccomp(const oci::Linux& linux);

// Child side: seccomp(SECCOMP_SET_MODE_FILTER, flags, &prog). Returns 0 or an errno value
// (EACCES without no_new_privs or CAP_SYS_ADMIN). No allocation, no exceptions: it runs right
// before execve.
int load_seccomp(const SeccompProgram& program) noexcept;

}  // namespace plugrt
