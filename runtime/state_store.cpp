#include "runtime/state_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "runtime/error.hpp"
#include "runtime/text_file.hpp"

namespace fs = std::filesystem;

namespace plugrt {

namespace {

constexpr const char* kStateFile = "state.json";

UniqueFd lock_dir(const std::string& dir, const std::string& id) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) {
            throw Error(Error::Kind::NotFound, "container " + id + " does not exist");
        }
        throw_errno("open state directory " + dir);
    }
    while (::flock(fd.get(), LOCK_EX) != 0) {
        if (errno != EINTR) {
            throw_errno("flock " + dir);
        }
    }
    return fd;
}

}  // namespace

void validate_container_id(const std::string& id) {
    bool ok = !id.empty() && id != "." && id != ".." &&
              std::all_of(id.begin(), id.end(), [](unsigned char c) {
                  return std::isalnum(c) || c == '_' || c == '+' || c == '.' || c == '-';
              });
    if (!ok) {
        throw Error(Error::Kind::Invalid,
                    "invalid container id " + nlohmann::json(id).dump() +
                        ": only [A-Za-z0-9_+.-] allowed, not empty, not . or ..");
    }
}

StateStore::StateStore(const std::string& root) {
    if (root.empty() || root == "/") {
        throw Error(Error::Kind::Invalid, "invalid --root " + nlohmann::json(root).dump());
    }
    root_ = fs::absolute(root).lexically_normal().string();
    if (root_.size() > 1 && root_.back() == '/') {
        root_.pop_back();
    }
    std::error_code ec;
    if (!fs::exists(root_, ec)) {
        fs::create_directories(root_, ec);
        if (ec) {
            throw_errno(ec.value(), "create state root " + root_);
        }
        ::chmod(root_.c_str(), 0700);
    }
}

ContainerLock StateStore::create_dir(const std::string& id) const {
    validate_container_id(id);
    std::string dir = dir_of(id);
    if (::mkdir(dir.c_str(), 0711) != 0) {
        if (errno == EEXIST) {
            throw Error(Error::Kind::Exists, "container with id " + id + " already exists");
        }
        throw_errno("mkdir " + dir);
    }
    return ContainerLock(lock_dir(dir, id));
}

ContainerLock StateStore::lock(const std::string& id) const {
    validate_container_id(id);
    return ContainerLock(lock_dir(dir_of(id), id));
}

bool StateStore::exists(const std::string& id) const {
    struct stat st {};
    return ::stat((dir_of(id) + "/" + kStateFile).c_str(), &st) == 0;
}

void StateStore::save(const std::string& id, const nlohmann::json& state) const {
    save_text(id, state.dump());
}

void StateStore::save_text(const std::string& id, std::string_view text) const {
    std::string dir = dir_of(id);
    std::string tmp = dir + "/.state.json.tmp";
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd) {
        throw_errno("create " + tmp);
    }
    const char* p = text.data();
    size_t left = text.size();
    while (left > 0) {
        ssize_t n = ::write(fd.get(), p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("write " + tmp);
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
    // No fsync: the rename alone makes the update atomic for readers, which is all the state
    // needs. It describes live processes that do not survive a crash or reboot anyway, and with
    // the state root on a disk filesystem an fsync costs a journal commit (1-60 ms measured on
    // ext4 under load), more than the rest of `create`. runc's saveState does not sync either.
    if (::rename(tmp.c_str(), (dir + "/" + kStateFile).c_str()) != 0) {
        throw_errno("rename " + tmp + " to state.json");
    }
}

nlohmann::json StateStore::load(const std::string& id) const {
    validate_container_id(id);
    std::string path = dir_of(id) + "/" + kStateFile;
    std::string text;
    try {
        text = read_text_file(path);
    } catch (const Error& e) {
        if (e.err() == ENOENT || e.err() == ENOTDIR) {
            throw Error(Error::Kind::NotFound, "container " + id + " does not exist");
        }
        throw;
    }
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw Error(Error::Kind::System, "corrupt state file " + path + ": " + e.what());
    }
}

void StateStore::remove(const std::string& id) const {
    // The usual content is state.json alone (exec.fifo is gone once started): two syscalls.
    // Anything else, e.g. the fifo of a never-started container, takes the general way.
    const std::string dir = dir_of(id);
    ::unlink((dir + "/" + kStateFile).c_str());
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) {
        return;
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (ec) {
        throw_errno(ec.value(), "remove state directory " + dir);
    }
}

std::vector<std::string> StateStore::list() const {
    std::vector<std::string> ids;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root_, ec)) {
        if (entry.is_directory(ec)) {
            ids.push_back(entry.path().filename().string());
        }
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

}  // namespace plugrt
