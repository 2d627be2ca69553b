// What the container's process will execve, decided inside the container's root (after
// pivot_root) and before `create` returns, so that a missing program is a create-time error with
// the wording engines match on (runc standard_init_linux.go; moby daemon/errors.go maps
// "executable file not found" and "no such file or directory" to exit 127, "permission denied"
// to 126).
#pragma once

#include <string>
#include <vector>

namespace plugrt {

// Go's exec.LookPath semantics, in the current root: a name with '/' is checked as is; otherwise
// each PATH entry of `env` (or the default PATH) is tried. Throws Error(NotFound) with
//   exec: "NAME": executable file not found in $PATH
//   exec: "/x": stat /x: no such file or directory
// or Error(Invalid) with "permission denied" for a non-executable or directory.
std::string find_executable(const std::string& name, const std::vector<std::string>& env);

// runc adds HOME when the process env has none: the home of `uid` in the container's
// /etc/passwd, or "/" (libcontainer/init_linux.go, user.GetExecUserPath).
void add_home_if_missing(std::vector<std::string>& env, unsigned uid);

// The last "NAME=value" entry of `env` (last wins, like runc), or nullptr.
const std::string* find_env(const std::vector<std::string>& env, const std::string& name);

}  // namespace plugrt
