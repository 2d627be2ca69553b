// /proc/<pid>/stat facts the lifecycle needs: whether the process still runs, and its start time
// (field 22, clock ticks since boot). The pair (pid, start time) identifies a process for good:
// runc records it to tell its init from an unrelated process that reused the pid
// (container_linux.go:939-950), and plugrt does the same.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace plugrt {

struct ProcStat {
    char state = '?';  // R, S, D, Z (zombie), X (dead), ...
    pid_t ppid = 0;
    uint64_t start_time = 0;
};

// Parses the text of a stat file. The comm field may contain spaces and ')' so parsing starts
// after the *last* ')' (proc(5)). nullopt for malformed text.
std::optional<ProcStat> parse_proc_stat(std::string_view text);

// nullopt when the process does not exist (or cannot be read).
std::optional<ProcStat> read_proc_stat(pid_t pid);

// True when `pid` is the same live, non-zombie process that had `start_time`.
bool process_alive(pid_t pid, uint64_t start_time);

}  // namespace plugrt
