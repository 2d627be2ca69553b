#include "runtime/cgroup_join.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "runtime/error.hpp"
#include "runtime/syscalls.hpp"

namespace plugrt {

CgroupEntry open_unified_entry(const Cgroup& cgroup) {
    CgroupEntry entry;
    for (const auto& dir : cgroup.dirs()) {
        if (dir.key.empty()) {
            entry.unified_dir.reset(::open(dir.path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
            if (!entry.unified_dir) {
                throw_errno("open cgroup " + dir.path);
            }
            entry.unified_path = dir.path;
        }
    }
    return entry;
}

std::vector<CgroupTasksFile> open_v1_tasks_files(const Cgroup& cgroup) {
    std::vector<CgroupTasksFile> files;
    for (const auto& dir : cgroup.dirs()) {
        if (dir.key.empty()) {
            continue;
        }
        std::string path = dir.path + "/tasks";
        UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
        if (!fd) {
            throw_errno("open " + path);
        }
        files.push_back({std::move(fd), std::move(path)});
    }
    return files;
}

CgroupEntry open_cgroup_entry(const Cgroup& cgroup) {
    CgroupEntry entry = open_unified_entry(cgroup);
    entry.tasks_files = open_v1_tasks_files(cgroup);
    return entry;
}

pid_t clone_into_unified_cgroup(uint64_t flags, UniqueFd& pidfd, const CgroupEntry& entry,
                                bool& born_in_unified) {
    born_in_unified = false;
    if (entry.unified_dir) {
        try {
            pid_t pid = clone3_with_pidfd(flags, pidfd, entry.unified_dir.get());
            born_in_unified = true;
            return pid;
        } catch (Error& e) {
            if (e.err() != EINVAL && e.err() != E2BIG) {
                e.with_context("into cgroup " + entry.unified_path);
                throw;
            }
        }
    }
    return clone3_with_pidfd(flags, pidfd);
}

void enter_cgroups_from_inside(std::vector<CgroupTasksFile>& files) {
    for (auto& file : files) {
        if (::write(file.fd.get(), "0", 1) != 1) {
            throw_errno("join cgroup: write 0 to " + file.path);
        }
        file.fd.reset();
    }
}

}  // namespace plugrt
