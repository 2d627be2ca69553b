// The runtime's own record of its containers: <root>/<id>/state.json plus the exec fifo.
//
// Every command after `create` (start, kill, delete, state, exec, ps) is a new process, often
// started without the flags create had (no --systemd-cgroup, scrubbed environment; contract §0.7),
// so everything they need is stored here at create time: init pid and start time, bundle, the
// spec as it was at create time, the cgroup's own state.
//
// Writes are atomic: a temp file in the same directory, then rename (runc
// container_linux.go:882-905), so a reader never sees half a document. Not durable on purpose
// (no fsync): the state is only meaningful while its processes live. Each container directory
// is locked with flock(2) by the command working on it.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/unique_fd.hpp"

namespace plugrt {

// runc's rule: non-empty, [A-Za-z0-9_+.-] only, not "." or "..". Throws Error(Invalid).
void validate_container_id(const std::string& id);

// Holds flock(LOCK_EX) on a container directory until destroyed. The fd is CLOEXEC; a process
// cloned while holding it must close its copy (the lock belongs to the open file description).
class ContainerLock {
public:
    ContainerLock() = default;
    explicit ContainerLock(UniqueFd dir_fd) : fd_(std::move(dir_fd)) {}
    int fd() const noexcept { return fd_.get(); }

private:
    UniqueFd fd_;
};

class StateStore {
public:
    // Creates `root` (0700, parents too) when missing; a relative root is made absolute.
    explicit StateStore(const std::string& root);

    const std::string& root() const noexcept { return root_; }
    std::string dir_of(const std::string& id) const { return root_ + "/" + id; }

    // mkdir <root>/<id> (0711, like runc) and lock it. Error(Exists) "container with id X
    // already exists" when it is there already.
    ContainerLock create_dir(const std::string& id) const;
    // Locks an existing container. Error(NotFound) "container X does not exist".
    ContainerLock lock(const std::string& id) const;

    bool exists(const std::string& id) const;
    // Atomically replaces state.json.
    void save(const std::string& id, const nlohmann::json& state) const;
    // The same with the document already serialised (it must be one JSON object).
    void save_text(const std::string& id, std::string_view state_json) const;
    // Error(NotFound) "container X does not exist" when there is no state.json.
    nlohmann::json load(const std::string& id) const;
    // Removes <root>/<id> and everything in it; missing is fine.
    void remove(const std::string& id) const;
    // Ids of all container directories, sorted.
    std::vector<std::string> list() const;

private:
    std::string root_;
};

}  // namespace plugrt
