#include "runtime/path_in_root.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <deque>
#include <vector>

#include "runtime/error.hpp"
#include "runtime/mount_api.hpp"

namespace plugrt {
namespace {

// Linux's own limit on symlinks followed during one lookup (fs/namei.c MAXSYMLINKS).
constexpr int kMaxSymlinks = 40;

// The resolved prefix never contains symlinks, so the kernel must not meet any either; if it
// does, somebody swapped a component after we looked at it.
constexpr uint64_t kStrictResolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;

enum class Missing { Fail, MakeDirs, MakeFile };

std::deque<std::string> split_components(std::string_view path) {
    std::deque<std::string> parts;
    size_t pos = 0;
    while (pos < path.size()) {
        size_t end = path.find('/', pos);
        if (end == std::string_view::npos) {
            end = path.size();
        }
        if (end > pos) {
            parts.emplace_back(path.substr(pos, end - pos));
        }
        pos = end + 1;
    }
    return parts;
}

std::string join_components(const std::vector<std::string>& parts) {
    if (parts.empty()) {
        return "/";
    }
    std::string out;
    for (const auto& part : parts) {
        out += '/';
        out += part;
    }
    return out;
}

void reject_nul(std::string_view path) {
    if (path.find('\0') != std::string_view::npos) {
        throw Error(Error::Kind::Invalid, "path contains a NUL byte");
    }
}

UniqueFd open_resolved(int root_fd, const std::string& in_root, uint64_t extra_flags) {
    // Relative to root_fd: drop the leading '/' (RESOLVE_IN_ROOT would accept it too).
    std::string rel = in_root == "/" ? "." : in_root.substr(1);
    return openat2_or_throw(root_fd, rel, O_PATH | extra_flags, kStrictResolve,
                            in_root + " inside the container root");
}

std::string read_symlink_fd(int fd, const std::string& in_root) {
    char buf[PATH_MAX + 1];
    // readlinkat(fd, "") reads the link an O_PATH|O_NOFOLLOW fd refers to (readlinkat(2)).
    ssize_t n = ::readlinkat(fd, "", buf, PATH_MAX);
    if (n < 0) {
        throw_errno("readlink " + in_root + " inside the container root");
    }
    return std::string(buf, static_cast<size_t>(n));
}

// The clean in-root path of `path` if it contains no symlinks: "." dropped, ".." taking away
// the previous component (and staying at the root, as in chroot).
std::string clean_in_root(std::string_view path) {
    std::vector<std::string> parts;
    for (auto& comp : split_components(path)) {
        if (comp == "..") {
            if (!parts.empty()) {
                parts.pop_back();
            }
        } else if (comp != ".") {
            parts.push_back(std::move(comp));
        }
    }
    return join_components(parts);
}

// The common case in one syscall: every component exists and none is a symlink. The kernel
// then resolves the whole path under the same rules the walk below enforces one component at
// a time (RESOLVE_IN_ROOT, no symlinks at all, a trailing one included), so the object and
// its clean path are exactly what the walk would return. Anything else (a missing component,
// a symlink, ENOTDIR) is left to the walk, which creates, splices or reports it. This takes
// the ~3 syscalls per component of the walk down to one per path (a default container
// resolves about 70 paths).
// The kernel is given the path as written, so that every component, also one a ".." later
// cancels, is checked; only then is the lexical clean path right. On failure `err` is the
// errno: ENOENT means a component is missing *before* any symlink, so the walk would stop at
// the same place.
std::optional<InRootPath> resolve_without_symlinks(int root_fd, std::string_view path,
                                                   uint64_t extra_flags, int& err) {
    std::string rel(path.substr(std::min(path.find_first_not_of('/'), path.size())));
    int fd = openat2_raw(root_fd, rel.empty() ? "." : rel.c_str(), O_PATH | extra_flags, 0,
                         kStrictResolve);
    if (fd < 0) {
        err = -fd;
        return std::nullopt;
    }
    err = 0;
    return InRootPath{UniqueFd(fd), clean_in_root(path)};
}

// The resolver. Walks `path` one component at a time; `cur` is always the symlink-free, clean
// in-root path of what has been resolved so far.
std::optional<InRootPath> walk(int root_fd, std::string_view path, Missing missing, mode_t mode) {
    reject_nul(path);
    int err = 0;
    if (auto direct = resolve_without_symlinks(root_fd, path, 0, err)) {
        return direct;
    }
    if (err == ENOENT && missing == Missing::Fail) {
        return std::nullopt;
    }
    std::deque<std::string> todo = split_components(path);
    std::vector<std::string> cur;
    UniqueFd cur_fd;
    // The other common case: a mount point to create in an existing, symlink-free directory.
    // The walk then starts there, with only the last component to do.
    if (err == ENOENT && !todo.empty() && todo.back() != "." && todo.back() != "..") {
        std::string parent;
        for (size_t i = 0; i + 1 < todo.size(); ++i) {
            parent += '/' + todo[i];
        }
        if (auto dir = resolve_without_symlinks(root_fd, parent, O_DIRECTORY, err)) {
            for (auto& comp : split_components(dir->path)) {
                cur.push_back(std::move(comp));
            }
            cur_fd = std::move(dir->fd);
            todo = {std::move(todo.back())};
        }
    }
    if (!cur_fd) {
        cur_fd = open_resolved(root_fd, "/", O_DIRECTORY);
    }
    int symlinks = 0;
    while (!todo.empty()) {
        std::string comp = std::move(todo.front());
        todo.pop_front();
        if (comp == ".") {
            continue;
        }
        if (comp == "..") {
            // `cur` has no symlinks, so the lexical parent is the real parent; ".." at the root
            // stays at the root, as in chroot.
            if (!cur.empty()) {
                cur.pop_back();
                cur_fd = open_resolved(root_fd, join_components(cur), O_DIRECTORY);
            }
            continue;
        }
        const bool last = todo.empty();
        cur.push_back(comp);
        const std::string child = join_components(cur);
        int fd = openat2_raw(cur_fd.get(), comp.c_str(), O_PATH | O_NOFOLLOW, 0,
                             RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
        if (fd == -ENOENT) {
            cur.pop_back();
            if (missing == Missing::Fail) {
                return std::nullopt;
            }
            int rc;
            if (last && missing == Missing::MakeFile) {
                // O_PATH dirfds are valid for the *at() calls (open(2), "O_PATH").
                rc = ::openat(cur_fd.get(), comp.c_str(),
                              O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, mode);
                if (rc >= 0) {
                    ::close(rc);
                }
            } else {
                // `mode` is the final object's: a file mountpoint's parents would otherwise get
                // 0644, which a container without CAP_DAC_OVERRIDE cannot even traverse.
                const bool parent_of_file = missing == Missing::MakeFile && !last;
                rc = ::mkdirat(cur_fd.get(), comp.c_str(), parent_of_file ? 0755 : mode);
            }
            if (rc < 0 && errno != EEXIST) {
                throw_errno(
                    std::string(last && missing == Missing::MakeFile ? "create " : "mkdir ") +
                    child + " inside the container root");
            }
            // Created (or raced with another creator): look the component up again.
            todo.push_front(std::move(comp));
            continue;
        }
        if (fd < 0) {
            throw_errno(-fd, "openat2 " + child + " inside the container root");
        }
        UniqueFd child_fd(fd);
        struct stat st {};
        if (::fstat(child_fd.get(), &st) < 0) {
            throw_errno("fstat " + child + " inside the container root");
        }
        if (S_ISLNK(st.st_mode)) {
            if (++symlinks > kMaxSymlinks) {
                throw_errno(ELOOP, "resolve " + std::string(path) + " inside the container root");
            }
            std::string target = read_symlink_fd(child_fd.get(), child);
            cur.pop_back();
            auto target_parts = split_components(target);
            for (auto it = target_parts.rbegin(); it != target_parts.rend(); ++it) {
                todo.push_front(std::move(*it));
            }
            if (!target.empty() && target[0] == '/') {
                cur.clear();  // absolute targets restart at the container's root
                cur_fd = open_resolved(root_fd, "/", O_DIRECTORY);
            }
            continue;
        }
        if (!S_ISDIR(st.st_mode) && !last) {
            throw_errno(ENOTDIR, "resolve " + std::string(path) + ": " + child +
                                     " inside the container root");
        }
        cur_fd = std::move(child_fd);
    }
    return InRootPath{std::move(cur_fd), join_components(cur)};
}

}  // namespace

std::optional<InRootPath> lookup_in_root(int root_fd, std::string_view path) {
    return walk(root_fd, path, Missing::Fail, 0);
}

InRootPath open_in_root(int root_fd, std::string_view path) {
    auto found = walk(root_fd, path, Missing::Fail, 0);
    if (!found) {
        throw Error(Error::Kind::NotFound,
                    "resolve " + std::string(path) + " inside the container root: not found");
    }
    return std::move(*found);
}

InRootPath mkdir_all_in_root(int root_fd, std::string_view path, mode_t mode) {
    auto made = walk(root_fd, path, Missing::MakeDirs, mode);
    struct stat st {};
    if (::fstat(made->fd.get(), &st) < 0) {
        throw_errno("fstat " + made->path + " inside the container root");
    }
    if (!S_ISDIR(st.st_mode)) {
        throw_errno(ENOTDIR, "mkdir " + made->path + " inside the container root");
    }
    return std::move(*made);
}

InRootPath create_file_in_root(int root_fd, std::string_view path, mode_t mode) {
    return std::move(*walk(root_fd, path, Missing::MakeFile, mode));
}

InRootParent open_parent_in_root(int root_fd, std::string_view path, mode_t dir_mode) {
    reject_nul(path);
    auto parts = split_components(path);
    while (!parts.empty() && parts.back() == ".") {
        parts.pop_back();
    }
    if (parts.empty() || parts.back() == "..") {
        throw Error(Error::Kind::Invalid,
                    "path " + std::string(path) + " has no last component to create");
    }
    std::string name = parts.back();
    parts.pop_back();
    std::string parent;
    for (const auto& part : parts) {
        parent += '/' + part;
    }
    return InRootParent{mkdir_all_in_root(root_fd, parent.empty() ? "/" : parent, dir_mode),
                        std::move(name)};
}

}  // namespace plugrt
