#include "runtime/text_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "runtime/error.hpp"
#include "runtime/unique_fd.hpp"

namespace plugrt {

void write_file_atomically(const std::string& path, std::string_view text) {
    const std::string temporary = path + ".tmp";
    {
        UniqueFd fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
        if (!fd) throw_errno("create " + temporary);
        while (!text.empty()) {
            const ssize_t n = ::write(fd.get(), text.data(), text.size());
            if (n < 0) {
                if (errno == EINTR) continue;
                throw_errno("write " + temporary);
            }
            text.remove_prefix(static_cast<std::size_t>(n));
        }
        if (::fsync(fd.get()) != 0) throw_errno("fsync " + temporary);
    }
    if (::rename(temporary.c_str(), path.c_str()) != 0)
        throw_errno("rename " + temporary + " to " + path);
}

std::string read_to_end(int fd, const std::string& what) {
    std::string text;
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("read " + what);
        }
        text.append(buffer, static_cast<std::size_t>(n));
    }
    return text;
}

std::string read_text_file(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw_errno("open " + path);
    return read_to_end(fd.get(), path);
}

std::optional<std::string> read_text_file_if_present(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return std::nullopt;
    return read_to_end(fd.get(), path);
}

std::string read_first_line_or_empty(const std::string& path) noexcept {
    try {
        std::string text = read_text_file(path);
        text.erase(std::min(text.find('\n'), text.size()));
        return text;
    } catch (...) {  // an Error for the file, or bad_alloc: either way, nothing to read
        return "";
    }
}

}  // namespace plugrt
