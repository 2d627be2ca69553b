#include "runtime/devices.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstring>
#include <optional>

#include "runtime/error.hpp"
#include "runtime/mount_api.hpp"
#include "runtime/mount_plan.hpp"
#include "runtime/path_in_root.hpp"

namespace plugrt {
namespace {

// The umask would otherwise strip bits from fileMode (runc sets umask 0 around mknod).
class ScopedUmask {
public:
    explicit ScopedUmask(mode_t mask) : old_(::umask(mask)) {}
    ~ScopedUmask() { ::umask(old_); }
    ScopedUmask(const ScopedUmask&) = delete;
    ScopedUmask& operator=(const ScopedUmask&) = delete;

private:
    mode_t old_;
};

DeviceNode default_node(const char* path, unsigned major, unsigned minor) {
    DeviceNode node;
    node.path = path;
    node.major = major;
    node.minor = minor;
    return node;
}

mode_t file_type_bits(char type) {
    switch (type) {
        case 'b':
            return S_IFBLK;
        case 'p':
            return S_IFIFO;
        default:
            return S_IFCHR;
    }
}

std::string describe(const DeviceNode& node) {
    return node.path + " (" + std::string(1, node.type) + " " + std::to_string(node.major) + ":" +
           std::to_string(node.minor) + ")";
}

// After creating or finding the node: it must be what we asked for, not something planted.
void verify_node(int fd, const DeviceNode& node) {
    struct stat st {};
    if (::fstat(fd, &st) < 0) {
        throw_errno("fstat device " + node.path);
    }
    const bool type_ok = (st.st_mode & S_IFMT) == file_type_bits(node.type);
    const bool rdev_ok = node.type == 'p' || st.st_rdev == makedev(node.major, node.minor);
    if (!type_ok || !rdev_ok) {
        throw Error(Error::Kind::Invalid, "device " + describe(node) +
                                              ": an existing file of another type or number "
                                              "is in the way");
    }
}

void bind_host_node(int root_fd, const DeviceNode& node) {
    InRootPath target = create_file_in_root(root_fd, node.path, 0000);
    if (::mount(node.path.c_str(), proc_fd_path(target.fd.get()).c_str(), nullptr, MS_BIND,
                nullptr) < 0) {
        throw_errno("bind mount host device " + node.path + " into the container");
    }
}

// `dev` is the container's /dev, already resolved: most nodes live right in it, and need no
// lookup of their own.
void create_node(int root_fd, const InRootPath& dev, const DeviceNode& node) {
    std::optional<InRootParent> parent;
    int dir = dev.fd.get();
    const char* name = node.path.c_str() + std::strlen("/dev/");  // planned paths are below /dev/
    if (std::strchr(name, '/') != nullptr) {
        parent = open_parent_in_root(root_fd, node.path);
        dir = parent->dir.fd.get();
        name = parent->name.c_str();
    }
    const dev_t rdev = node.type == 'p' ? 0 : makedev(node.major, node.minor);
    if (::mknodat(dir, name, file_type_bits(node.type) | node.mode, rdev) == 0) {
        // Made just now with umask 0: type, number and permissions are exactly the ones asked
        // for, only the owner may differ. Set-id and sticky bits are left to the checked path
        // below (a chown could clear them).
        if ((node.mode & 07000) == 0) {
            if (::fchownat(dir, name, node.uid, node.gid, AT_SYMLINK_NOFOLLOW) < 0) {
                throw_errno("chown device " + node.path);
            }
            return;
        }
    } else if (errno == EPERM) {
        // No CAP_MKNOD in this user namespace: use the host's node (runc
        // bindMountDeviceNode). It keeps the host's owner and mode.
        bind_host_node(root_fd, node);
        return;
    } else if (errno != EEXIST) {
        throw_errno("mknod " + describe(node));
    }
    // A node that was already there (or needs its special bits restored) is checked first.
    UniqueFd fd(::openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) {
        throw_errno("open device " + node.path);
    }
    verify_node(fd.get(), node);
    // Through the fd, so a node swapped for a symlink cannot redirect chown/chmod.
    const std::string link = proc_fd_path(fd.get());
    if (::chown(link.c_str(), node.uid, node.gid) < 0) {
        throw_errno("chown device " + node.path);
    }
    if (::chmod(link.c_str(), node.mode) < 0) {
        throw_errno("chmod device " + node.path);
    }
}

void make_symlink(int dev_fd, const char* target, const char* name) {
    if (::symlinkat(target, dev_fd, name) < 0 && errno != EEXIST) {
        throw_errno(std::string("symlink /dev/") + name + " -> " + target);
    }
}

}  // namespace

std::vector<DeviceNode> planned_device_nodes(const oci::Linux* linux) {
    std::vector<DeviceNode> nodes = {
        default_node("/dev/null", 1, 3),    default_node("/dev/zero", 1, 5),
        default_node("/dev/full", 1, 7),    default_node("/dev/tty", 5, 0),
        default_node("/dev/urandom", 1, 9), default_node("/dev/random", 1, 8),
    };
    if (linux == nullptr) {
        return nodes;
    }
    for (size_t i = 0; i < linux->devices.size(); ++i) {
        const auto& d = linux->devices[i];
        const std::string where = "linux.devices[" + std::to_string(i) + "] " + d.path;
        DeviceNode node;
        node.path = clean_absolute_path(d.path);
        if (node.path.rfind("/dev/", 0) != 0 || d.path.empty() || d.path[0] != '/') {
            throw Error(Error::Kind::Invalid, where + ": device paths must be below /dev/");
        }
        if (d.type.size() != 1 || std::string("cbup").find(d.type[0]) == std::string::npos) {
            throw Error(Error::Kind::Invalid, where + ": unknown device type '" + d.type + "'");
        }
        node.type = d.type[0] == 'u' ? 'c' : d.type[0];
        if (d.major < 0 || d.minor < 0 || d.major > 0xfff || d.minor > 0xfffff) {
            throw Error(Error::Kind::Invalid, where + ": major/minor out of range");
        }
        node.major = static_cast<unsigned>(d.major);
        node.minor = static_cast<unsigned>(d.minor);
        // Docker may pass the type bits along (fileMode 8576 = 020600); keep the permissions.
        node.mode = d.file_mode ? static_cast<mode_t>(*d.file_mode & 07777) : 0666;
        node.uid = d.uid.value_or(0);
        node.gid = d.gid.value_or(0);
        std::erase_if(nodes, [&](const DeviceNode& n) { return n.path == node.path; });
        nodes.push_back(node);
    }
    return nodes;
}

void setup_dev(int root_fd, const oci::Linux* linux) {
    auto nodes = planned_device_nodes(linux);
    InRootPath dev = mkdir_all_in_root(root_fd, "/dev", 0755);
    {
        ScopedUmask no_mask(0);
        for (const auto& node : nodes) {
            create_node(root_fd, dev, node);
        }
    }
    make_symlink(dev.fd.get(), "/proc/self/fd", "fd");
    make_symlink(dev.fd.get(), "/proc/self/fd/0", "stdin");
    make_symlink(dev.fd.get(), "/proc/self/fd/1", "stdout");
    make_symlink(dev.fd.get(), "/proc/self/fd/2", "stderr");
    if (::access("/proc/kcore", F_OK) == 0) {
        make_symlink(dev.fd.get(), "/proc/kcore", "core");
    }
    // /dev/ptmx must be the devpts instance's ptmx (newinstance), not a host node.
    if (::unlinkat(dev.fd.get(), "ptmx", 0) < 0 && errno != ENOENT) {
        throw_errno("remove /dev/ptmx");
    }
    make_symlink(dev.fd.get(), "pts/ptmx", "ptmx");
}

}  // namespace plugrt
