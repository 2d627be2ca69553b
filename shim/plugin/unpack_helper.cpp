#include "shim/plugin/unpack_helper.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>

#include "runtime/error.hpp"
#include "runtime/unique_fd.hpp"

extern char** environ;

namespace plugrt::shim {
namespace {

struct SpawnActions {
    posix_spawn_file_actions_t actions;
    SpawnActions() { posix_spawn_file_actions_init(&actions); }
    ~SpawnActions() { posix_spawn_file_actions_destroy(&actions); }
    SpawnActions(const SpawnActions&) = delete;
    SpawnActions& operator=(const SpawnActions&) = delete;
};

std::string read_all(int fd) {
    std::string out;
    char buf[4096];
    while (true) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

ExtractReport run_helper(const std::string& helper, const std::string& archive,
                         const std::string& dest) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe for " + helper);
    UniqueFd read_end(fds[0]), write_end(fds[1]);
    SpawnActions spawn;
    posix_spawn_file_actions_addopen(&spawn.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&spawn.actions, write_end.get(), STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&spawn.actions, write_end.get(), STDERR_FILENO);
    std::string arg0 = helper, arg1 = archive, arg2 = dest;
    char* argv[] = {arg0.data(), arg1.data(), arg2.data(), nullptr};
    pid_t pid = -1;
    if (int err = ::posix_spawn(&pid, helper.c_str(), &spawn.actions, nullptr, argv, environ);
        err != 0) {
        throw_errno(err, "run " + helper + " (it is installed next to plugrt and built with it)");
    }
    write_end.reset();
    const std::string output = read_all(read_end.get());
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        return report_from_json(output);
    }
    std::string message = output;
    while (!message.empty() && message.back() == '\n') message.pop_back();
    if (message.empty()) {
        message = helper + " failed (wait status " + std::to_string(status) + ")";
    }
    throw Error(Error::Kind::Invalid, message);
}

}  // namespace

ArchiveExtractor unpack_helper(std::string helper_path) {
    return [helper = std::move(helper_path)](const std::string& archive, const std::string& dest) {
        return run_helper(helper, archive, dest);
    };
}

std::string report_to_json(const ExtractReport& report) {
    return nlohmann::json{
        {"entries", report.entries}, {"skipped", report.skipped}, {"warnings", report.warnings}}
        .dump();
}

ExtractReport report_from_json(const std::string& text) {
    try {
        const auto json = nlohmann::json::parse(text);
        ExtractReport report;
        report.entries = json.at("entries").get<std::size_t>();
        report.skipped = json.at("skipped").get<std::vector<std::string>>();
        report.warnings = json.at("warnings").get<std::vector<std::string>>();
        return report;
    } catch (const nlohmann::json::exception& e) {
        throw Error(Error::Kind::System,
                    std::string("plugrt-unpack: unreadable report: ") + e.what() + ": " + text);
    }
}

}  // namespace plugrt::shim
