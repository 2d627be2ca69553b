#include "integration/harness.hpp"

#include <dirent.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "oci/default_bundle_spec.hpp"

namespace fs = std::filesystem;

namespace plugrt::test {

namespace {

// Container inits outlive `plugrt create`; as a subreaper the test process inherits them, just
// as containerd-shim does, and can check that create left them re-parented to its caller.
const bool kSubreaper = [] {
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    return true;
}();

}  // namespace

std::string make_temp_dir(const std::string& prefix) {
    std::string tmpl = "/tmp/" + prefix + "XXXXXX";
    if (!mkdtemp(tmpl.data())) {
        throw std::runtime_error("mkdtemp " + tmpl + ": " + std::strerror(errno));
    }
    return tmpl;
}

void write_file(const std::string& path, const std::string& content, unsigned mode) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out) {
        throw std::runtime_error("write " + path + " failed");
    }
    fs::permissions(path, static_cast<fs::perms>(mode));
}

// Unmounts everything at or below `dir` (deepest first) so a leaked mount from a failed test
// cannot make remove_all walk into a host directory.
void unmount_below(const std::string& dir) {
    std::vector<std::string> points;
    std::istringstream lines(read_text_file("/proc/self/mountinfo"));
    for (std::string line; std::getline(lines, line);) {
        std::istringstream f(line);
        std::string id, parent, dev, root, point;
        f >> id >> parent >> dev >> root >> point;
        if (point == dir || point.rfind(dir + "/", 0) == 0) {
            points.push_back(point);
        }
    }
    for (auto it = points.rbegin(); it != points.rend(); ++it) {
        umount2(it->c_str(), MNT_DETACH);
    }
}

namespace {

void drain(int fd, std::string& into) {
    char buf[65536];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
        into.append(buf, static_cast<size_t>(n));
    }
}

}  // namespace

const char* plugrt_bin() { return PLUGRT_BIN; }
const char* probe_bin() { return PLUGRT_PROBE; }

void require_root() {
    (void)kSubreaper;
    REQUIRE_MESSAGE(geteuid() == 0,
                    "integration tests must run as root (they create namespaces, mounts and "
                    "cgroups); run them with sudo. This is a failure, not a skip.");
}

std::string RunResult::describe() const {
    std::string cmd;
    for (const auto& a : argv) {
        cmd += (cmd.empty() ? "" : " ") + a;
    }
    return "command: " + cmd + "\nexit: " + std::to_string(exit_code) +
           (timed_out ? " (timed out)" : "") + "\nstdout: " + out + "\nstderr: " + err;
}

nlohmann::json RunResult::json() const {
    try {
        return nlohmann::json::parse(out);
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("stdout is not JSON (") + e.what() + ")\n" +
                                 describe());
    }
}

RunResult run_program(const std::vector<std::string>& argv, const RunOptions& options) {
    RunResult result;
    result.argv = argv;
    int in_pipe[2], out_pipe[2], err_pipe[2];
    if (pipe2(in_pipe, O_CLOEXEC) || pipe2(out_pipe, O_CLOEXEC) || pipe2(err_pipe, O_CLOEXEC)) {
        throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
    }
    std::vector<char*> cargv;
    for (const auto& a : argv) {
        cargv.push_back(const_cast<char*>(a.c_str()));
    }
    cargv.push_back(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in_pipe[0], 0);
        int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
        dup2(options.capture ? out_pipe[1] : devnull, 1);
        dup2(options.capture ? err_pipe[1] : devnull, 2);
        if (options.stdout_fd >= 0) {
            dup2(options.stdout_fd, 1);
        }
        for (int fd : options.inherit_fds) {
            fcntl(fd, F_SETFD, 0);
        }
        // Move them out of the way first: a source may itself sit at 3, 4, ...
        std::vector<int> high;
        for (int fd : options.fds_at_3) {
            high.push_back(fcntl(fd, F_DUPFD_CLOEXEC, 100));
        }
        for (size_t i = 0; i < high.size(); ++i) {
            dup2(high[i], 3 + static_cast<int>(i));
        }
        if (!options.cwd.empty() && chdir(options.cwd.c_str()) != 0) {
            _exit(126);
        }
        execv(cargv[0], cargv.data());
        _exit(127);
    }
    close(in_pipe[0]);
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (!options.stdin_data.empty()) {
        [[maybe_unused]] ssize_t n =
            write(in_pipe[1], options.stdin_data.data(), options.stdin_data.size());
    }
    close(in_pipe[1]);

    // Read until both pipes hit EOF. A container init keeps copies of the pipes, so EOF can come
    // long after the runtime exited: stop reading once the runtime is gone and nothing is ready.
    auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(options.timeout_ms);
    bool out_open = true, err_open = true, exited = false;
    int status = 0;
    while (true) {
        if (!exited && waitpid(pid, &status, WNOHANG) == pid) {
            exited = true;
        }
        pollfd pfds[2] = {{out_open ? out_pipe[0] : -1, POLLIN, 0},
                          {err_open ? err_pipe[0] : -1, POLLIN, 0}};
        int ready = poll(pfds, 2, exited ? 50 : 20);
        for (int i = 0; i < 2; ++i) {
            if (pfds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
                std::string& into = i == 0 ? result.out : result.err;
                size_t before = into.size();
                drain(pfds[i].fd, into);
                if (into.size() == before) {
                    (i == 0 ? out_open : err_open) = false;
                }
            }
        }
        if (exited && (ready == 0 || (!out_open && !err_open))) {
            break;
        }
        if (!exited && std::chrono::steady_clock::now() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            exited = true;
            result.timed_out = true;
        }
    }
    close(out_pipe[0]);
    close(err_pipe[0]);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    reap_zombies();
    return result;
}

void reap_zombies() {
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
}

Runtime::Runtime() : root_(make_temp_dir("plugrt-it-root-")) { log_ = root_ + ".log.json"; }

Runtime::~Runtime() {
    RunOptions quick;
    quick.timeout_ms = 10000;
    for (const auto& id : ids_) {
        // A container that cannot be deleted leaves its cgroup and mounts on the host once
        // root_ is gone, so a failure here fails the test that made it.
        auto r = raw({"--root", root_, "delete", "--force", id}, quick);
        if (r.exit_code != 0 || r.timed_out) {
            FAIL_CHECK("cleanup: delete --force " << id << " failed: " << r.describe());
        }
    }
    reap_zombies();
    std::error_code ec;
    fs::remove_all(root_, ec);
    fs::remove(log_, ec);
}

std::string Runtime::new_id() {
    static std::atomic<int> counter{0};
    ids_.push_back("it-" + std::to_string(getpid()) + "-" + std::to_string(++counter));
    return ids_.back();
}

RunResult Runtime::run(const std::vector<std::string>& args, const RunOptions& options) {
    std::vector<std::string> full = {"--root", root_, "--log", log_, "--log-format", "json"};
    full.insert(full.end(), args.begin(), args.end());
    return raw(full, options);
}

RunResult Runtime::raw(const std::vector<std::string>& args, const RunOptions& options) {
    std::vector<std::string> argv = {plugrt_bin()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_program(argv, options);
}

std::string Runtime::log_text() const { return read_text_file(log_); }

nlohmann::json Runtime::state(const std::string& id) {
    auto r = run({"state", id});
    if (r.exit_code != 0) {
        throw std::runtime_error("state failed\n" + r.describe());
    }
    return r.json();
}

oci::Spec default_spec(const std::vector<std::string>& args) {
    // `plugrt spec`'s config (runc's defaults, no cgroup namespace as on this v1 host), adapted.
    oci::Spec spec = oci::default_bundle_spec({.cgroup_namespace = false});
    spec.process->terminal = false;
    spec.process->args = args;
    // Ambient too: the probe reports what a program started without file capabilities keeps.
    spec.process->capabilities->ambient = spec.process->capabilities->bounding;
    spec.hostname = "plugrt-test";
    // No /sys/fs/cgroup mount: tests that need it add it themselves.
    std::erase_if(spec.mounts,
                  [](const oci::Mount& m) { return m.destination == "/sys/fs/cgroup"; });
    static std::atomic<int> counter{0};
    spec.linux->cgroups_path =
        "/plugrt-test/c" + std::to_string(getpid()) + "-" + std::to_string(++counter);
    return spec;
}

Bundle::Bundle(const std::vector<std::string>& args)
    : dir_(make_temp_dir("plugrt-it-bundle-")), spec_(default_spec(args)) {
    fs::create_directories(rootfs());
    fs::copy_file(probe_bin(), rootfs() + "/probe");
    fs::permissions(rootfs() + "/probe", static_cast<fs::perms>(0755));
    write_config();
}

Bundle::~Bundle() {
    unmount_below(dir_);
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

void Bundle::write_config() { write_raw_config(oci::dump_spec(spec_)); }

void Bundle::write_raw_config(const std::string& text) { write_file(config_path(), text, 0644); }

void Bundle::add_file(const std::string& path, const std::string& content, unsigned mode) {
    write_file(rootfs() + path, content, mode);
}

void Bundle::add_busybox(const std::vector<std::string>& applets) {
    fs::create_directories(rootfs() + "/bin");
    fs::copy_file("/bin/busybox", rootfs() + "/bin/busybox", fs::copy_options::overwrite_existing);
    for (const auto& applet : applets) {
        fs::create_symlink("busybox", rootfs() + "/bin/" + applet);
    }
}

HostSnapshot snapshot_host(const std::string& state_root) {
    HostSnapshot snap;
    std::istringstream lines(read_text_file("/proc/self/mountinfo"));
    for (std::string line; std::getline(lines, line);) {
        std::istringstream f(line);
        std::string id, parent, dev, root, point, opts, field, fstype;
        f >> id >> parent >> dev >> root >> point >> opts;
        while (f >> field && field != "-") {
        }
        f >> fstype;
        snap.mounts.insert(point + " " + fstype);
    }
    for (const auto& entry : fs::directory_iterator("/proc")) {
        std::string name = entry.path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos) {
            continue;
        }
        std::error_code ec;
        std::string exe = fs::read_symlink(entry.path() / "exe", ec).string();
        if (!ec && (exe == plugrt_bin() || exe.ends_with("/probe") ||
                    exe.find("plugrt-it-bundle-") != std::string::npos)) {
            snap.processes.insert(name + " " + exe);
        }
    }
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(state_root, ec)) {
        snap.state_dirs.insert(entry.path().filename().string());
    }
    for (const auto& hierarchy : fs::directory_iterator("/sys/fs/cgroup", ec)) {
        auto options = fs::directory_options::skip_permission_denied;
        for (auto it = fs::recursive_directory_iterator(hierarchy.path(), options, ec);
             it != fs::recursive_directory_iterator(); it.increment(ec)) {
            if (ec) {
                break;
            }
            if (it->is_directory(ec) && it->path().string().find("plugrt") != std::string::npos) {
                snap.cgroups.insert(it->path().string());
            }
        }
    }
    return snap;
}

std::vector<std::string> leaks_between(const HostSnapshot& before, const HostSnapshot& after) {
    std::vector<std::string> leaks;
    auto added = [&](const std::set<std::string>& b, const std::set<std::string>& a,
                     const char* what) {
        for (const auto& item : a) {
            if (!b.contains(item)) {
                leaks.push_back(std::string(what) + ": " + item);
            }
        }
    };
    added(before.mounts, after.mounts, "mount");
    added(before.processes, after.processes, "process");
    added(before.state_dirs, after.state_dirs, "state dir");
    added(before.cgroups, after.cgroups, "cgroup");
    return leaks;
}

std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool path_exists(const std::string& path) {
    struct stat st {};
    return lstat(path.c_str(), &st) == 0;
}

bool wait_until(const std::function<bool()>& predicate, int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (true) {
        if (predicate()) {
            return true;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        reap_zombies();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

}  // namespace plugrt::test
