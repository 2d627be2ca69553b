// linux.readonlyPaths and linux.maskedPaths, applied after pivot_root inside the container's
// own /proc, /sys and /dev. Each path is resolved inside the root to an O_PATH fd and every
// mount acts on /proc/self/fd/<fd> (youki GHSA-3q8j-pf29-vwv8: path strings re-resolved at
// each step let a racing container redirect the protection). Missing paths are skipped,
// duplicates handled once (runc mask.bats "mask paths [duplicate paths]").
#pragma once

#include <string>
#include <vector>

namespace plugrt {

// Recursive bind of each path onto itself, then the top mount remounted read-only keeping its
// nosuid/nodev/noexec, and every submount made read-only with mount_setattr(AT_RECURSIVE).
void apply_readonly_paths(int root_fd, const std::vector<std::string>& paths);

// Files: a bind of the container's /dev/null after checking it is char 1:3 (CVE-2025-31133);
// directories: an empty read-only tmpfs (nr_blocks=1,nr_inodes=1 like runc).
void apply_masked_paths(int root_fd, const std::vector<std::string>& paths);

}  // namespace plugrt
