#include "runtime/stuck_init.hpp"

#include <dirent.h>
#include <unistd.h>

#include <charconv>
#include <memory>
#include <string_view>
#include <vector>

#include "runtime/proc_stat.hpp"
#include "runtime/text_file.hpp"

namespace plugrt {

namespace {

std::string pid_namespace_of(pid_t pid) {
    const std::string link = "/proc/" + std::to_string(pid) + "/ns/pid";
    char target[128];
    const ssize_t n = ::readlink(link.c_str(), target, sizeof target);
    return n > 0 ? std::string(target, static_cast<size_t>(n)) : std::string();
}

// A /proc entry's pid, or 0 for the entries that are not processes ("self", "sys", ...).
pid_t pid_of_entry(std::string_view name) {
    pid_t pid = 0;
    const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
    return ec == std::errc() && end == name.data() + name.size() ? pid : 0;
}

// Zombies (pid, parent) that share `init`'s PID namespace; at most `limit` of them.
std::vector<std::pair<pid_t, pid_t>> zombies_in_namespace_of(pid_t init, size_t limit) {
    std::vector<std::pair<pid_t, pid_t>> found;
    const std::string ns = pid_namespace_of(init);
    std::unique_ptr<DIR, int (*)(DIR*)> proc(::opendir("/proc"), ::closedir);
    if (ns.empty() || !proc) {
        return found;
    }
    while (const dirent* entry = ::readdir(proc.get())) {
        const pid_t pid = pid_of_entry(entry->d_name);
        if (pid == 0 || pid == init) {
            continue;
        }
        const auto stat = read_proc_stat(pid);
        if (stat && stat->state == 'Z' && pid_namespace_of(pid) == ns) {
            found.emplace_back(pid, stat->ppid);
            if (found.size() == limit) {
                break;
            }
        }
    }
    return found;
}

}  // namespace

std::string describe_stuck_init(pid_t init) {
    const std::string wchan = read_first_line_or_empty("/proc/" + std::to_string(init) + "/wchan");
    if (wchan.find("zap_pid_ns_processes") == std::string::npos) {
        return "";
    }
    std::string text =
        "; it is held in zap_pid_ns_processes: the kernel lets a PID namespace's init exit only "
        "after every other process of the namespace was reaped";
    const auto zombies = zombies_in_namespace_of(init, 4);
    if (zombies.empty()) {
        return text;
    }
    text += ", and these zombies (host pids) wait for their parents to reap them:";
    for (const auto& [pid, parent] : zombies) {
        text += " " + std::to_string(pid) + " (parent " + std::to_string(parent) + ")";
    }
    return text;
}

}  // namespace plugrt
