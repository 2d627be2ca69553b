#include "runtime/cgroups.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include "runtime/cgroups_v1.hpp"
#include "runtime/cgroups_v2.hpp"
#include "runtime/error.hpp"
#include "runtime/lexical_path.hpp"
#include "runtime/text_file.hpp"
#include "runtime/unique_fd.hpp"

namespace plugrt {
namespace {

const char* mode_name(CgroupMode mode) {
    switch (mode) {
        case CgroupMode::Legacy:
            return "legacy";
        case CgroupMode::Hybrid:
            return "hybrid";
        case CgroupMode::Unified:
            return "unified";
    }
    return "legacy";
}

CgroupMode mode_from_name(const std::string& name) {
    if (name == "hybrid") return CgroupMode::Hybrid;
    if (name == "unified") return CgroupMode::Unified;
    if (name == "legacy") return CgroupMode::Legacy;
    throw Error(Error::Kind::Invalid, "cgroup state: unknown mode '" + name + "'");
}

std::string parent_of(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

std::string join_path(const std::string& base, const std::string& rel) {
    if (rel.empty() || rel == "/") {
        return base;
    }
    return base + (rel[0] == '/' ? "" : "/") + rel;
}

// One hierarchy's directory for the container.
std::optional<std::string> dir_in(const CgroupHierarchy& h,
                                  const std::map<std::string, std::string>& own,
                                  const std::string& inner, bool absolute, bool parent_base) {
    if (absolute) {
        return join_path(h.mount_point, inner);
    }
    auto own_path = cgroup_path_for(own, h);
    if (!own_path) {
        return std::nullopt;
    }
    auto own_dir = cgroup_dir_on_host(h, parent_base ? parent_of(*own_path) : *own_path);
    if (!own_dir) {
        return std::nullopt;
    }
    return join_path(*own_dir, inner);
}

// cpuset needs cpus and mems before a task can join; a new v1 cpuset starts empty, so copy
// them from the parent (runc fs/cpuset.go ensureParent).
void inherit_cpuset(const std::string& dir) {
    for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
        std::string mine = read_text_file(dir + "/" + file);
        if (mine.find_first_not_of(" \n") != std::string::npos) {
            continue;
        }
        std::string parent = read_text_file(parent_of(dir) + "/" + file);
        parent.erase(parent.find_last_not_of(" \n") + 1);
        write_cgroup_file(dir, file, parent);
    }
}

// mkdir -p; returns the highest directory it created ("" if all existed). The mkdir comes
// first: the parent almost always exists, and then it is the only syscall.
std::string make_dirs(const std::string& path, bool is_cpuset) {
    if (::mkdir(path.c_str(), 0755) < 0) {
        if (errno == EEXIST) {
            return "";
        }
        if (errno != ENOENT || path == "/") {
            throw_errno("mkdir cgroup " + path);
        }
        std::string top = make_dirs(parent_of(path), is_cpuset);
        if (::mkdir(path.c_str(), 0755) < 0 && errno != EEXIST) {
            throw_errno("mkdir cgroup " + path);
        }
        if (is_cpuset) {
            inherit_cpuset(path);
        }
        return top.empty() ? path : top;
    }
    if (is_cpuset) {
        inherit_cpuset(path);
    }
    return path;
}

// rmdir, retrying EBUSY for ~1.5 s: tasks killed a moment ago may not have left yet.
void remove_dir(const std::string& path) {
    for (int attempt = 0;; ++attempt) {
        if (::rmdir(path.c_str()) == 0 || errno == ENOENT) {
            return;
        }
        if (errno != EBUSY || attempt >= 7) {
            throw_errno("rmdir cgroup " + path);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10 << attempt));
    }
}

bool is_v1_controller_dir(const CgroupDir& d, const std::string& controller) {
    std::stringstream keys(d.key);
    std::string key;
    while (std::getline(keys, key, ',')) {
        if (key == controller) {
            return true;
        }
    }
    return false;
}

}  // namespace

std::vector<CgroupDir> plan_cgroup_dirs(const CgroupLayout& layout,
                                        const std::string& proc_self_cgroup,
                                        const std::string& cgroups_path,
                                        const std::string& container_id) {
    const std::string requested = cgroups_path.empty() ? container_id : cgroups_path;
    const bool absolute = !requested.empty() && requested[0] == '/';
    const std::string inner = clean_path_lexically(requested);
    if (inner.empty() || inner == "/") {
        throw Error(Error::Kind::Invalid,
                    "linux.cgroupsPath '" + cgroups_path + "': resolves to a hierarchy root");
    }
    const auto own = parse_proc_cgroup(proc_self_cgroup);
    std::vector<CgroupDir> dirs;
    for (const auto& h : layout.v1) {
        if (auto dir = dir_in(h, own, inner, absolute, false)) {
            dirs.push_back(CgroupDir{std::string(), *dir, ""});
            for (const auto& c : h.controllers) {
                dirs.back().key += (dirs.back().key.empty() ? "" : ",") + c;
            }
        }
    }
    if (layout.unified) {
        // v2's "no internal processes" rule: next to plugrt's cgroup, not inside it.
        const bool parent_base = layout.mode == CgroupMode::Unified;
        if (auto dir = dir_in(*layout.unified, own, inner, absolute, parent_base)) {
            dirs.push_back(CgroupDir{"", *dir, ""});
        }
    }
    if (dirs.empty()) {
        throw Error(Error::Kind::Invalid,
                    "cgroups: plugrt's own cgroup is not reachable in any "
                    "mounted hierarchy");
    }
    return dirs;
}

HostCgroups read_host_cgroups() {
    return HostCgroups{detect_host_cgroup_layout(), read_text_file("/proc/self/cgroup")};
}

Cgroup Cgroup::create(const std::string& container_id, const oci::Spec& spec, bool systemd) {
    if (systemd) {
        return create(container_id, spec, systemd, HostCgroups{});  // refuses, see below
    }
    return create(container_id, spec, systemd, read_host_cgroups());
}

Cgroup Cgroup::create(const std::string& container_id, const oci::Spec& spec, bool systemd,
                      const HostCgroups& host) {
    Cgroup cgroup = plan(container_id, spec, systemd, host);
    try {
        cgroup.create_dirs(Part::Unified);
        cgroup.create_dirs(Part::V1);
    } catch (...) {
        try {
            cgroup.destroy();  // roll back what was made before the failure
        } catch (...) {
        }
        throw;
    }
    return cgroup;
}

Cgroup Cgroup::plan(const std::string& container_id, const oci::Spec& spec, bool systemd,
                    const HostCgroups& host) {
    if (systemd) {
        struct stat st {};
        if (::stat("/run/systemd/system", &st) != 0) {
            throw Error(Error::Kind::Invalid,
                        "systemd cgroup driver requested but systemd is not running");
        }
        throw Error(Error::Kind::Invalid,
                    "the systemd cgroup driver is not implemented; run "
                    "without --systemd-cgroup");
    }
    Cgroup cgroup;
    cgroup.mode_ = host.layout.mode;
    cgroup.unified_mount_ = host.layout.unified ? host.layout.unified->mount_point : "";
    cgroup.dirs_ = plan_cgroup_dirs(host.layout, host.proc_self_cgroup,
                                    spec.linux ? spec.linux->cgroups_path : "", container_id);
    return cgroup;
}

// No rollback here: after a failure the caller destroys, once nothing is in the cgroups any
// more. (The init may already live in the unified one; an rmdir now would only retry EBUSY.)
void Cgroup::create_dirs(Part part) {
    for (auto& dir : dirs_) {
        if (dir.key.empty() != (part == Part::Unified)) {
            continue;
        }
        dir.created_top = make_dirs(dir.path, is_v1_controller_dir(dir, "cpuset"));
        if (dir.key.empty() && mode_ == CgroupMode::Unified) {
            enable_v2_controllers(unified_mount_, dir.path);
        }
    }
}

bool Cgroup::has_v1_dirs() const {
    return std::any_of(dirs_.begin(), dirs_.end(),
                       [](const CgroupDir& d) { return !d.key.empty(); });
}

void Cgroup::add_process_to_unified(pid_t pid) {
    for (const auto& dir : dirs_) {
        if (dir.key.empty()) {
            write_cgroup_file(dir.path, "cgroup.procs", std::to_string(pid));
        }
    }
}

void Cgroup::apply_resources(const oci::Linux& linux) {
    if (mode_ == CgroupMode::Unified) {
        for (const auto& dir : dirs_) {
            apply_v2_resources(dir.path, linux);
        }
        return;
    }
    apply_v1_resources([this](const std::string& controller) { return v1_dir(controller); }, linux);
}

void Cgroup::update_limits(const oci::Resources& res) {
    if (mode_ == CgroupMode::Unified) {
        for (const auto& dir : dirs_) {
            apply_v2_limits(dir.path, res);
        }
        return;
    }
    apply_v1_limits([this](const std::string& controller) { return v1_dir(controller); }, res);
}

std::vector<pid_t> Cgroup::pids() const {
    std::vector<pid_t> out;
    for (const auto& dir : dirs_) {
        std::ifstream in(dir.path + "/cgroup.procs");
        pid_t pid = 0;
        while (in >> pid) {
            out.push_back(pid);
        }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::optional<std::string> Cgroup::v1_dir(const std::string& controller) const {
    for (const auto& dir : dirs_) {
        if (is_v1_controller_dir(dir, controller)) {
            return dir.path;
        }
    }
    return std::nullopt;
}

const CgroupDir* Cgroup::freezer_dir() const {
    for (const auto& dir : dirs_) {
        const bool usable =
            mode_ == CgroupMode::Unified ? dir.key.empty() : is_v1_controller_dir(dir, "freezer");
        if (usable) {
            return &dir;
        }
    }
    return nullptr;
}

void Cgroup::freeze() {
    const CgroupDir* dir = freezer_dir();
    if (dir == nullptr) {
        throw Error(Error::Kind::Invalid,
                    "pause: the freezer cgroup controller is not mounted on this host");
    }
    if (mode_ == CgroupMode::Unified) {
        set_v2_frozen(dir->path, true);
    } else {
        set_v1_frozen(dir->path, true);
    }
}

void Cgroup::thaw() {
    const CgroupDir* dir = freezer_dir();
    if (dir == nullptr) {
        throw Error(Error::Kind::Invalid,
                    "resume: the freezer cgroup controller is not mounted on this host");
    }
    if (mode_ == CgroupMode::Unified) {
        set_v2_frozen(dir->path, false);
    } else {
        set_v1_frozen(dir->path, false);
    }
}

bool Cgroup::frozen() const {
    const CgroupDir* dir = freezer_dir();
    if (dir == nullptr) {
        return false;
    }
    return mode_ == CgroupMode::Unified ? v2_frozen(dir->path) : v1_frozen(dir->path);
}

void Cgroup::signal_all(int sig) {
    // A freezer directory that is gone (the container's cgroup was removed, e.g. by another
    // container sharing its cgroupsPath) has no tasks to signal either.
    struct stat st {};
    const CgroupDir* freezer = freezer_dir();
    const bool can_freeze = freezer != nullptr && ::stat(freezer->path.c_str(), &st) == 0;
    const bool was_frozen = can_freeze && frozen();
    if (can_freeze && !was_frozen) {
        freeze();  // nothing can fork a child we would miss (runc signalAllProcesses)
    }
    for (pid_t pid : pids()) {
        ::kill(pid, sig);  // ESRCH: exited meanwhile
    }
    if (can_freeze && (!was_frozen || sig == SIGKILL)) {
        thaw();
    }
}

void Cgroup::destroy() {
    std::string first_error;
    for (const auto& dir : dirs_) {
        try {
            remove_dir(dir.path);
            if (dir.created_top.empty()) {
                continue;
            }
            // Parents made by create() go too, unless another container still uses them
            // (EBUSY/ENOTEMPTY for a cgroup with children): then they stay, silently.
            for (std::string p = parent_of(dir.path);
                 p.size() >= dir.created_top.size() && p != "/"; p = parent_of(p)) {
                if (::rmdir(p.c_str()) < 0) {
                    break;
                }
            }
        } catch (const Error& e) {
            if (first_error.empty()) {
                first_error = e.what();
            }
        }
    }
    if (!first_error.empty()) {
        throw Error(Error::Kind::System, first_error);
    }
}

nlohmann::json Cgroup::to_state() const {
    nlohmann::json dirs = nlohmann::json::array();
    for (const auto& dir : dirs_) {
        dirs.push_back({{"key", dir.key}, {"path", dir.path}, {"created_top", dir.created_top}});
    }
    return {{"driver", "cgroupfs"}, {"mode", mode_name(mode_)}, {"dirs", dirs}};
}

Cgroup Cgroup::from_state(const nlohmann::json& state) {
    Cgroup cgroup;
    try {
        cgroup.mode_ = mode_from_name(state.at("mode").get<std::string>());
        for (const auto& dir : state.at("dirs")) {
            cgroup.dirs_.push_back(CgroupDir{dir.at("key").get<std::string>(),
                                             dir.at("path").get<std::string>(),
                                             dir.value("created_top", std::string())});
        }
    } catch (const nlohmann::json::exception& e) {
        throw Error(Error::Kind::Invalid, std::string("cgroup state: ") + e.what());
    }
    return cgroup;
}

}  // namespace plugrt
