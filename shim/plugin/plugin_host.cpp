#include "shim/plugin/plugin_host.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "runtime/error.hpp"
#include "runtime/unique_fd.hpp"

namespace plugrt::shim {
namespace {

enum class EntryType { Directory, File, Symlink };

struct InitLayerEntry {
    const char* path;  // absolute inside the rootfs
    EntryType type;
    const char* target = nullptr;  // symlinks only
};

// moby daemon/initlayer: the same paths and types.
constexpr InitLayerEntry kInitLayer[] = {
    {"/dev/pts", EntryType::Directory}, {"/dev/shm", EntryType::Directory},
    {"/proc", EntryType::Directory},    {"/sys", EntryType::Directory},
    {"/.dockerenv", EntryType::File},   {"/etc/resolv.conf", EntryType::File},
    {"/etc/hosts", EntryType::File},    {"/etc/hostname", EntryType::File},
    {"/dev/console", EntryType::File},  {"/etc/mtab", EntryType::Symlink, "/proc/mounts"},
};

// Split by hand rather than with std::filesystem: the statically linked supervisor uses this
// file, and std::filesystem drags iostreams and locales into it.
std::vector<std::string> components(const std::string& path) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        if (end > start) out.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

// Removes `name` below `parent` and everything in it, without following symlinks.
bool remove_tree_at(int parent, const char* name) noexcept {
    if (::unlinkat(parent, name, 0) == 0 || errno == ENOENT) return true;
    if (errno != EISDIR && errno != EPERM) return false;
    const int fd = ::openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return false;
    DIR* dir = ::fdopendir(fd);
    if (dir == nullptr) {
        ::close(fd);
        return false;
    }
    bool ok = true;
    while (const dirent* entry = ::readdir(dir)) {
        if (std::strcmp(entry->d_name, ".") == 0 || std::strcmp(entry->d_name, "..") == 0) {
            continue;
        }
        ok = remove_tree_at(::dirfd(dir), entry->d_name) && ok;
    }
    ::closedir(dir);
    return ::unlinkat(parent, name, AT_REMOVEDIR) == 0 && ok;
}

// Opens (creating it if missing) the directory `name` below `parent`, never following a
// symlink: apply_init_layer has just unlinked any non-directory there.
UniqueFd open_or_make_dir(int parent, const std::string& name, const std::string& shown) {
    if (::mkdirat(parent, name.c_str(), 0755) != 0 && errno != EEXIST) {
        throw_errno("init layer: mkdir " + shown);
    }
    UniqueFd fd(::openat(parent, name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) throw_errno("init layer: open " + shown);
    return fd;
}

void apply_entry(int rootfd, const std::string& rootfs, const InitLayerEntry& entry) {
    const auto parts = components(entry.path);
    UniqueFd parent(::fcntl(rootfd, F_DUPFD_CLOEXEC, 0));
    if (!parent) throw_errno("init layer: dup " + rootfs);
    std::string shown = rootfs;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const std::string& name = parts[i];
        shown += "/" + name;
        // Docker unlinks every prefix: a file or symlink where a directory belongs goes away
        // (EISDIR/ENOENT for a directory or nothing are the expected "no-ops").
        if (::unlinkat(parent.get(), name.c_str(), 0) != 0 && errno != ENOENT && errno != EISDIR &&
            errno != EPERM) {
            throw_errno("init layer: unlink " + shown);
        }
        if (i + 1 < parts.size()) {
            parent = open_or_make_dir(parent.get(), name, shown);
            continue;
        }
        struct stat st {};
        if (::fstatat(parent.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) return;
        if (errno != ENOENT) throw_errno("init layer: stat " + shown);
        switch (entry.type) {
            case EntryType::Directory:
                if (::mkdirat(parent.get(), name.c_str(), 0755) != 0) {
                    throw_errno("init layer: mkdir " + shown);
                }
                break;
            case EntryType::File: {
                // 0755 is what Docker uses for these empty files.
                UniqueFd file(::openat(parent.get(), name.c_str(),
                                       O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0755));
                if (!file) throw_errno("init layer: create " + shown);
                if (::fchown(file.get(), 0, 0) != 0) throw_errno("init layer: chown " + shown);
                break;
            }
            case EntryType::Symlink:
                if (::symlinkat(entry.target, parent.get(), name.c_str()) != 0) {
                    throw_errno("init layer: symlink " + shown);
                }
                break;
        }
    }
}

void make_dirs(const std::string& path, mode_t mode, std::vector<std::string>& created) {
    std::string current;
    for (const auto& part : components(path)) {
        current += "/" + part;
        if (::mkdir(current.c_str(), mode) == 0) {
            created.push_back(current);
        } else if (errno != EEXIST) {
            throw_errno("mkdir " + current);
        }
    }
}

void remove_created(const std::vector<std::string>& created) noexcept {
    for (auto it = created.rbegin(); it != created.rend(); ++it) ::rmdir(it->c_str());
}

}  // namespace

bool is_mount_point(const std::string& path) {
    struct statx stx {};
    if (::statx(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) != 0) {
        throw_errno("statx " + path);
    }
    if ((stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) == 0) {
        throw Error(Error::Kind::System,
                    "statx " + path + ": the kernel does not report mount roots (needs 5.8)");
    }
    return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
}

void apply_init_layer(const std::string& rootfs) {
    UniqueFd rootfd(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!rootfd) throw_errno("init layer: open rootfs " + rootfs);
    for (const auto& entry : kInitLayer) apply_entry(rootfd.get(), rootfs, entry);
}

void prepare_plugin_host(const PluginHostLayout& layout) {
    std::vector<std::string> created;
    bool bound = false;
    try {
        make_dirs(layout.socket_dir, 0700, created);
        if (!layout.propagated_mount.empty()) {
            make_dirs(layout.propagated_mount, 0755, created);
            if (!is_mount_point(layout.propagated_mount)) {
                if (::mount(layout.propagated_mount.c_str(), layout.propagated_mount.c_str(),
                            nullptr, MS_BIND, nullptr) != 0) {
                    throw_errno("bind-mount the propagated mount " + layout.propagated_mount +
                                " onto itself");
                }
                bound = true;
            }
            if (::mount(nullptr, layout.propagated_mount.c_str(), nullptr, MS_SHARED | MS_REC,
                        nullptr) != 0) {
                throw_errno("make the propagated mount " + layout.propagated_mount + " rshared");
            }
        }
        apply_init_layer(layout.rootfs);
    } catch (...) {
        if (bound) ::umount2(layout.propagated_mount.c_str(), MNT_DETACH);
        remove_created(created);
        throw;
    }
}

std::vector<std::string> teardown_plugin_host(const PluginHostLayout& layout) noexcept {
    std::vector<std::string> problems;
    auto note = [&](const std::string& what) {
        problems.push_back(what + ": " + std::strerror(errno) + " (" + errno_name(errno) + ")");
    };
    if (!layout.propagated_mount.empty()) {
        // MNT_DETACH takes the whole tree below it too: volume mounts the plugin left behind
        // would otherwise pin the directory (Docker unmounts recursively for the same reason).
        if (::umount2(layout.propagated_mount.c_str(), MNT_DETACH) != 0 && errno != EINVAL &&
            errno != ENOENT) {
            note("unmount " + layout.propagated_mount);
        }
    }
    if (!layout.socket_dir.empty() && !remove_tree_at(AT_FDCWD, layout.socket_dir.c_str())) {
        note("remove " + layout.socket_dir);
    }
    return problems;
}

}  // namespace plugrt::shim
