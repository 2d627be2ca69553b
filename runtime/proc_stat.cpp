#include "runtime/proc_stat.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <string>

#include "runtime/unique_fd.hpp"

namespace plugrt {

std::optional<ProcStat> parse_proc_stat(std::string_view text) {
    size_t close = text.rfind(')');
    if (close == std::string_view::npos || close + 2 >= text.size()) {
        return std::nullopt;
    }
    // After ") ": field 3 (state), 4 (ppid), ..., 22 (starttime).
    std::string_view rest = text.substr(close + 2);
    ProcStat stat;
    int field = 3;
    while (!rest.empty() && field <= 22) {
        size_t end = rest.find(' ');
        std::string_view value = rest.substr(0, end);
        if (field == 3) {
            stat.state = value.empty() ? '?' : value[0];
        } else if (field == 4) {
            std::from_chars(value.data(), value.data() + value.size(), stat.ppid);
        } else if (field == 22) {
            auto [p, ec] =
                std::from_chars(value.data(), value.data() + value.size(), stat.start_time);
            if (ec != std::errc()) {
                return std::nullopt;
            }
            return stat;
        }
        if (end == std::string_view::npos) {
            break;
        }
        rest.remove_prefix(end + 1);
        ++field;
    }
    return std::nullopt;
}

std::optional<ProcStat> read_proc_stat(pid_t pid) {
    std::string path = "/proc/" + std::to_string(pid) + "/stat";
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        return std::nullopt;
    }
    char buf[1024];
    ssize_t n = ::read(fd.get(), buf, sizeof buf - 1);
    if (n <= 0) {
        return std::nullopt;
    }
    return parse_proc_stat(std::string_view(buf, static_cast<size_t>(n)));
}

bool process_alive(pid_t pid, uint64_t start_time) {
    if (pid <= 0) {
        return false;
    }
    auto stat = read_proc_stat(pid);
    // A zombie the subreaper has not reaped yet is already "stopped" for callers
    // (runtime-cli-contract §2.1).
    return stat && stat->state != 'Z' && stat->state != 'X' && stat->start_time == start_time;
}

}  // namespace plugrt
