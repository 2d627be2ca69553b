// Whole-file reads and atomic writes with plain syscalls. Deliberately not iostreams: the
// statically linked supervisor uses these too, and std::ifstream alone pulls the locale
// machinery (hundreds of KB of text) into every running plugin's memory.
#pragma once

#include <string>
#include <string_view>

namespace plugrt {

// Writes `text` to `path` through a temporary file, fsync and rename, so readers never see a
// half-written file. Throws SysError naming the path.
void write_file_atomically(const std::string& path, std::string_view text);

// The whole file; throws SysError naming the path.
std::string read_text_file(const std::string& path);

}  // namespace plugrt
