#include "shim/plugin/runtime_invoker.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "runtime/error.hpp"
#include "runtime/text_file.hpp"
#include "runtime/unique_fd.hpp"

namespace plugrt::shim {
namespace {

// posix_spawn attributes and file actions with RAII, so an early throw frees them.
struct SpawnSetup {
    posix_spawn_file_actions_t actions{};
    posix_spawnattr_t attributes{};
    SpawnSetup() {
        posix_spawn_file_actions_init(&actions);
        posix_spawnattr_init(&attributes);
    }
    ~SpawnSetup() {
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attributes);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;
};

}  // namespace

bool RuntimeResult::ok() const noexcept {
    return WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0;
}

std::string describe_wait_status(int wait_status) {
    if (WIFEXITED(wait_status)) return "exit status " + std::to_string(WEXITSTATUS(wait_status));
    if (WIFSIGNALED(wait_status)) {
        const int sig = WTERMSIG(wait_status);
        const char* abbrev = sigabbrev_np(sig);
        return "killed by signal " + std::to_string(sig) + " (" + (abbrev ? abbrev : "?") + ")";
    }
    return "wait status " + std::to_string(wait_status);
}

RuntimeInvoker::RuntimeInvoker(std::string runtime, std::string root, std::string log_file)
    : runtime_(std::move(runtime)), root_(std::move(root)), log_file_(std::move(log_file)) {}

RuntimeResult RuntimeInvoker::run(const std::vector<std::string>& args, int out_fd,
                                  int err_fd) const {
    std::vector<std::string> argv = {runtime_,  "--root",       root_, "--log",
                                     log_file_, "--log-format", "json"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);

    SpawnSetup setup;
    posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0);
    // Without a destination the runtime's own stdio goes nowhere; its errors are in the log.
    if (out_fd >= 0) {
        posix_spawn_file_actions_adddup2(&setup.actions, out_fd, 1);
    } else {
        posix_spawn_file_actions_addopen(&setup.actions, 1, "/dev/null", O_WRONLY, 0);
    }
    if (err_fd >= 0) {
        posix_spawn_file_actions_adddup2(&setup.actions, err_fd, 2);
    } else {
        posix_spawn_file_actions_addopen(&setup.actions, 2, "/dev/null", O_WRONLY, 0);
    }
    // Every other fd of the supervisor is O_CLOEXEC; close the rest anyway so nothing the
    // supervisor inherited reaches the container.
    posix_spawn_file_actions_addclosefrom_np(&setup.actions, 3);
    posix_spawnattr_setpgroup(&setup.attributes, 0);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&setup.attributes, &none);
    sigset_t defaults;
    sigfillset(&defaults);
    posix_spawnattr_setsigdefault(&setup.attributes, &defaults);
    posix_spawnattr_setflags(
        &setup.attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    // Only errors logged by this call count, not those of an earlier run.
    struct stat before {};
    const off_t log_offset = ::stat(log_file_.c_str(), &before) == 0 ? before.st_size : 0;
    pid_t pid = 0;
    const int err = posix_spawn(&pid, runtime_.c_str(), &setup.actions, &setup.attributes,
                                cargv.data(), environ);
    if (err != 0) throw_errno(err, "start the runtime " + runtime_ + " for `" + args.front() + "`");

    RuntimeResult result;
    while (::waitpid(pid, &result.wait_status, 0) < 0) {
        if (errno != EINTR) throw_errno("waitpid for the runtime's `" + args.front() + "`");
    }
    if (!result.ok()) {
        result.error = last_logged_error(log_offset);
        if (result.error.empty()) {
            result.error =
                runtime_ + " " + args.front() + ": " + describe_wait_status(result.wait_status);
        }
    }
    return result;
}

// The runtime appends {"level":"error","msg":...} lines to the log, as runc does for
// containerd; the newest one explains the failure just seen.
std::string RuntimeInvoker::last_logged_error(off_t from) const {
    std::string text;
    try {
        text = read_text_file(log_file_);
    } catch (const SysError&) {
        return "";
    }
    std::string last;
    std::size_t start = std::min<std::size_t>(static_cast<std::size_t>(from), text.size());
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        const auto doc = nlohmann::json::parse(text.substr(start, end - start), nullptr, false);
        if (doc.is_object() && doc.value("level", "") == "error") last = doc.value("msg", "");
        start = end + 1;
    }
    return last;
}

}  // namespace plugrt::shim
