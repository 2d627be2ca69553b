// Whole-file reads and atomic writes with plain syscalls. Deliberately not iostreams: the
// statically linked supervisor uses these too, and std::ifstream alone pulls the locale
// machinery (hundreds of KB of text) into every running plugin's memory.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace plugrt {

// Writes `text` to `path` through a temporary file, fsync and rename, so readers never see a
// half-written file. Throws SysError naming the path.
void write_file_atomically(const std::string& path, std::string_view text);

// The whole file; throws SysError naming the path.
std::string read_text_file(const std::string& path);
// The whole file, or nullopt when it cannot be opened. For files an image may well lack (its
// /etc/passwd): the init would otherwise throw and catch an exception on every start. Read
// errors after a successful open still throw.
std::optional<std::string> read_text_file_if_present(const std::string& path);
// Everything left to read on `fd` (a pipe too, e.g. stdin); throws SysError naming `what`.
std::string read_to_end(int fd, const std::string& what);

// The first line (without its newline), or "" when the file cannot be opened or read: for
// kernel files whose absence means "not supported here" (/proc/self/setgroups, a freezer's
// state on a cgroup that is already gone).
std::string read_first_line_or_empty(const std::string& path) noexcept;

}  // namespace plugrt
