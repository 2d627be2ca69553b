#include "runtime/cgroup_detect.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "runtime/error.hpp"

namespace plugrt {
namespace {

std::vector<std::string> split(std::string_view text, char sep) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t end = text.find(sep, pos);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        out.emplace_back(text.substr(pos, end - pos));
        pos = end + 1;
    }
    return out;
}

// Super options of a v1 cgroup mount mix controllers with generic options; these are not
// controllers (cgroups(7), "Mounting v1 controllers").
bool is_generic_cgroup_option(const std::string& option) {
    static const char* const kGeneric[] = {
        "rw", "ro", "noprefix", "clone_children", "xattr", "cpuset_v2_mode", "none"};
    for (const char* g : kGeneric) {
        if (option == g) {
            return true;
        }
    }
    return option.rfind("release_agent=", 0) == 0;
}

}  // namespace

CgroupLayout detect_cgroup_layout(const std::vector<MountInfoEntry>& mounts) {
    CgroupLayout layout;
    for (const auto& m : mounts) {
        if (m.fs_type == "cgroup") {
            bool seen = std::any_of(layout.v1.begin(), layout.v1.end(),
                                    [&](const auto& h) { return h.mount_point == m.mount_point; });
            if (seen) {
                continue;
            }
            CgroupHierarchy h{m.mount_point, m.root, {}};
            for (auto& option : split(m.super_options, ',')) {
                if (!option.empty() && !is_generic_cgroup_option(option)) {
                    h.controllers.push_back(option);
                }
            }
            // The same hierarchy may be mounted twice (e.g. bind-mounted elsewhere); keep one.
            bool same_controllers =
                std::any_of(layout.v1.begin(), layout.v1.end(),
                            [&](const auto& o) { return o.controllers == h.controllers; });
            if (!same_controllers) {
                layout.v1.push_back(std::move(h));
            }
        } else if (m.fs_type == "cgroup2") {
            // Prefer the canonical locations when cgroup2 is mounted more than once.
            if (!layout.unified || m.mount_point == "/sys/fs/cgroup" ||
                m.mount_point == "/sys/fs/cgroup/unified") {
                layout.unified = CgroupHierarchy{m.mount_point, m.root, {}};
            }
        }
    }
    if (layout.v1.empty() && !layout.unified) {
        throw Error(Error::Kind::Invalid, "no cgroup filesystem is mounted on this host");
    }
    if (layout.v1.empty()) {
        layout.mode = CgroupMode::Unified;
    } else if (layout.unified) {
        layout.mode = CgroupMode::Hybrid;
    } else {
        layout.mode = CgroupMode::Legacy;
    }
    return layout;
}

CgroupLayout detect_host_cgroup_layout() { return detect_cgroup_layout(read_mountinfo()); }

std::map<std::string, std::string> parse_proc_cgroup(std::string_view text) {
    std::map<std::string, std::string> out;
    for (const auto& line : split(text, '\n')) {
        if (line.empty()) {
            continue;
        }
        auto first = line.find(':');
        auto second = first == std::string::npos ? first : line.find(':', first + 1);
        if (second == std::string::npos) {
            throw Error(Error::Kind::Invalid, "malformed /proc/<pid>/cgroup line '" + line + "'");
        }
        out[line.substr(first + 1, second - first - 1)] = line.substr(second + 1);
    }
    return out;
}

std::optional<std::string> cgroup_path_for(const std::map<std::string, std::string>& proc_cgroup,
                                           const CgroupHierarchy& hierarchy) {
    if (hierarchy.controllers.empty()) {
        auto it = proc_cgroup.find("");
        return it == proc_cgroup.end() ? std::nullopt : std::optional(it->second);
    }
    auto wanted = hierarchy.controllers;
    std::sort(wanted.begin(), wanted.end());
    for (const auto& [controllers, path] : proc_cgroup) {
        auto have = split(controllers, ',');
        std::sort(have.begin(), have.end());
        if (!controllers.empty() && have == wanted) {
            return path;
        }
    }
    return std::nullopt;
}

std::optional<std::string> cgroup_dir_on_host(const CgroupHierarchy& hierarchy,
                                              const std::string& cgroup_path) {
    std::string rel = cgroup_path;
    if (hierarchy.root != "/") {
        if (rel.rfind(hierarchy.root, 0) != 0 ||
            (rel.size() > hierarchy.root.size() && rel[hierarchy.root.size()] != '/')) {
            return std::nullopt;
        }
        rel = rel.substr(hierarchy.root.size());
    }
    if (rel.empty() || rel == "/") {
        return hierarchy.mount_point;
    }
    return hierarchy.mount_point + (rel[0] == '/' ? "" : "/") + rel;
}

}  // namespace plugrt
