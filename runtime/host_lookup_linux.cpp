#include "runtime/host_lookup_linux.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

#include "runtime/error.hpp"

namespace plugrt {
namespace {

namespace fs = std::filesystem;

// Go's error text for a failed syscall on a path ("lstat /dev/x: no such file or directory"),
// plus the errno name so that logs stay greppable.
std::string syscall_error(const char* call, const std::string& path, int err) {
    std::string text = std::strerror(err);
    if (!text.empty())
        text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    return std::string(call) + " " + path + ": " + text + " (" + errno_name(err) + ")";
}

[[noreturn]] void fail(const std::string& path, const std::string& why) {
    throw oci::HostLookupError("error gathering device information while adding custom device \"" +
                               path + "\": " + why);
}

// runc's DeviceFromPath: lstat, and only char, block and fifo nodes count.
std::optional<oci::Device> device_at(const std::string& path, std::string& why) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        why = syscall_error("lstat", path, errno);
        return std::nullopt;
    }
    oci::Device d;
    switch (st.st_mode & S_IFMT) {
        case S_IFCHR:
            d.type = "c";
            break;
        case S_IFBLK:
            d.type = "b";
            break;
        case S_IFIFO:
            d.type = "p";
            break;
        default:
            why = "not a device node";
            return std::nullopt;
    }
    d.path = path;
    d.major = static_cast<int64_t>(major(st.st_rdev));
    d.minor = static_cast<int64_t>(minor(st.st_rdev));
    d.file_mode = static_cast<uint32_t>(st.st_mode & 07777);
    d.uid = st.st_uid;
    d.gid = st.st_gid;
    return d;
}

// filepath.EvalSymlinks for a path that lstat says is a symlink; the path itself otherwise or
// if it cannot be resolved (the later lstat then reports the problem).
std::string resolve_if_symlink(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return path;
    std::unique_ptr<char, decltype(&std::free)> resolved(::realpath(path.c_str(), nullptr),
                                                         &std::free);
    return resolved ? std::string(resolved.get()) : path;
}

// filepath.Walk: depth first, names sorted within each directory, symlinks not followed,
// unreadable entries ignored. Device nodes are added with `root` replaced by `shown_root`.
void walk_devices(const std::string& dir, const std::string& root, const std::string& shown_root,
                  std::vector<oci::Device>& found) {
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        names.push_back(it->path().filename().string());
    }
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
        const std::string entry = dir + "/" + name;
        std::string ignored;
        if (auto device = device_at(entry, ignored)) {
            device->path = shown_root + entry.substr(root.size());
            found.push_back(std::move(*device));
            continue;
        }
        struct stat st {};
        if (::lstat(entry.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
            walk_devices(entry, root, shown_root, found);
        }
    }
}

}  // namespace

LinuxHostLookup::LinuxHostLookup(std::string cpu_sysfs_dir)
    : cpu_sysfs_dir_(std::move(cpu_sysfs_dir)) {}

std::vector<oci::Device> LinuxHostLookup::devices_from_path(const std::string& path) {
    const std::string resolved = resolve_if_symlink(path);
    std::string why;
    if (auto device = device_at(resolved, why)) {
        device->path = path;
        return {*device};
    }
    std::vector<oci::Device> found;
    struct stat st {};
    if (why == "not a device node" && ::stat(resolved.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        walk_devices(resolved, resolved, path, found);
    }
    if (found.empty()) fail(path, why);
    return found;
}

std::vector<int> LinuxHostLookup::cpus_with_thermal_throttle() {
    std::ifstream in(cpu_sysfs_dir_ + "/possible");
    std::string list;
    std::getline(in, list);
    std::vector<int> cpus;
    for (int cpu : parse_cpu_list(list)) {
        struct stat st {};
        const std::string dir = cpu_sysfs_dir_ + "/cpu" + std::to_string(cpu) + "/thermal_throttle";
        if (::stat(dir.c_str(), &st) == 0) cpus.push_back(cpu);
    }
    return cpus;
}

std::vector<int> parse_cpu_list(const std::string& text) {
    std::vector<int> cpus;
    std::stringstream parts(text);
    std::string part;
    while (std::getline(parts, part, ',')) {
        int first = 0;
        int last = 0;
        char dash = 0;
        std::stringstream range(part);
        if (!(range >> first)) continue;
        last = first;
        if (range >> dash) {
            if (dash != '-' || !(range >> last)) continue;
        }
        // A bound keeps a corrupt file from making us allocate without limit.
        for (int cpu = first; cpu <= last && cpu >= 0 && cpu < 65536; ++cpu) cpus.push_back(cpu);
    }
    return cpus;
}

}  // namespace plugrt
