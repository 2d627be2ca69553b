// probe: a statically linked program that integration tests put at /probe in a container's
// rootfs. Each subcommand reports one aspect of the environment it finds itself in as a single
// JSON object on stdout, so tests assert on what the kernel actually did, not on what plugrt
// believes it did (the idea of youki's runtimetest and crun's tests/init.c).
//
// Usage: probe SUBCOMMAND [ARG]. Exit status 0 unless the subcommand itself failed (then 2 and
// a JSON object with "error").
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace {

std::string quote(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    return out + "\"";
}

std::string array(const std::vector<std::string>& quoted_items) {
    std::string out = "[";
    for (size_t i = 0; i < quoted_items.size(); ++i) {
        out += (i ? "," : "") + quoted_items[i];
    }
    return out + "]";
}

int fail(const std::string& what) {
    int err = errno;
    std::printf("{\"error\":%s,\"errno\":%d}\n", quote(what + ": " + std::strerror(err)).c_str(),
                err);
    return 2;
}

bool read_file(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return false;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    return true;
}

// /proc/self/status "CapInh:\t0000..." lines: the five sets as hex masks.
int caps() {
    std::string status;
    if (!read_file("/proc/self/status", status)) {
        return fail("read /proc/self/status");
    }
    std::map<std::string, std::string> sets;
    std::istringstream lines(status);
    for (std::string line; std::getline(lines, line);) {
        for (const char* key :
             {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp"}) {
            std::string prefix = std::string(key) + ":";
            if (line.rfind(prefix, 0) == 0) {
                std::string value = line.substr(prefix.size());
                value.erase(0, value.find_first_not_of(" \t"));
                sets[key] = value;
            }
        }
    }
    std::string out = "{";
    bool first = true;
    for (auto& [k, v] : sets) {
        out += (first ? "" : ",") + quote(k) + ":" + quote(v);
        first = false;
    }
    std::printf("%s}\n", out.c_str());
    return 0;
}

int ids() {
    uid_t r, e, s;
    gid_t rg, eg, sg;
    getresuid(&r, &e, &s);
    getresgid(&rg, &eg, &sg);
    std::vector<gid_t> groups(static_cast<size_t>(getgroups(0, nullptr)));
    getgroups(static_cast<int>(groups.size()), groups.data());
    std::string g = "[";
    for (size_t i = 0; i < groups.size(); ++i) {
        g += (i ? "," : "") + std::to_string(groups[i]);
    }
    mode_t mask = umask(0);
    std::printf(
        "{\"uid\":%u,\"euid\":%u,\"suid\":%u,\"gid\":%u,\"egid\":%u,\"sgid\":%u,\"groups\":%s],"
        "\"pid\":%d,\"ppid\":%d,\"umask\":%u}\n",
        r, e, s, rg, eg, sg, g.c_str(), getpid(), getppid(), mask);
    return 0;
}

// mountinfo(5): id parent major:minor root mountpoint options [optional...] - fstype source super
int mounts() {
    std::string text;
    if (!read_file("/proc/self/mountinfo", text)) {
        return fail("read /proc/self/mountinfo");
    }
    std::vector<std::string> items;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        std::istringstream f(line);
        std::string id, parent, dev, root, point, opts, field, optional, fstype, source, super;
        f >> id >> parent >> dev >> root >> point >> opts;
        while (f >> field && field != "-") {
            optional += (optional.empty() ? "" : " ") + field;
        }
        f >> fstype >> source >> super;
        items.push_back("{\"mountpoint\":" + quote(point) + ",\"root\":" + quote(root) +
                        ",\"fstype\":" + quote(fstype) + ",\"source\":" + quote(source) +
                        ",\"options\":" + quote(opts) + ",\"super_options\":" + quote(super) +
                        ",\"propagation\":" + quote(optional) + "}");
    }
    std::printf("{\"mounts\":%s}\n", array(items).c_str());
    return 0;
}

int fds() {
    DIR* dir = opendir("/proc/self/fd");
    if (!dir) {
        return fail("opendir /proc/self/fd");
    }
    int own = dirfd(dir);
    std::vector<std::string> items;
    while (dirent* e = readdir(dir)) {
        if (e->d_name[0] == '.' || std::atoi(e->d_name) == own) {
            continue;
        }
        char target[4096] = {};
        std::string link = std::string("/proc/self/fd/") + e->d_name;
        ssize_t n = readlink(link.c_str(), target, sizeof target - 1);
        items.push_back("{\"fd\":" + std::string(e->d_name) +
                        ",\"target\":" + quote(n > 0 ? std::string(target, n) : "?") + "}");
    }
    closedir(dir);
    std::printf("{\"fds\":%s}\n", array(items).c_str());
    return 0;
}

int cwd() {
    char buf[4096];
    if (!getcwd(buf, sizeof buf)) {
        return fail("getcwd");
    }
    std::printf("{\"cwd\":%s}\n", quote(buf).c_str());
    return 0;
}

int env() {
    std::vector<std::string> items;
    for (char** e = environ; *e; ++e) {
        items.push_back(quote(*e));
    }
    std::printf("{\"env\":%s}\n", array(items).c_str());
    return 0;
}

int hostname() {
    char host[256] = {}, domain[256] = {};
    gethostname(host, sizeof host - 1);
    getdomainname(domain, sizeof domain - 1);
    std::printf("{\"hostname\":%s,\"domainname\":%s}\n", quote(host).c_str(),
                quote(domain).c_str());
    return 0;
}

// The network namespace as the process sees it: its identity, the interfaces sysfs lists, and
// whether a TCP connection over 127.0.0.1 goes through (it needs `lo` up).
int network() {
    char ns[64] = {};
    if (readlink("/proc/self/ns/net", ns, sizeof ns - 1) < 0) {
        return fail("readlink /proc/self/ns/net");
    }
    std::string interfaces;
    if (DIR* dir = opendir("/sys/class/net")) {
        while (const dirent* e = readdir(dir)) {
            if (e->d_name[0] != '.') {
                interfaces += (interfaces.empty() ? "" : ",") + quote(e->d_name);
            }
        }
        closedir(dir);
    }
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    bool connected = false;
    if (listener >= 0 && bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        listen(listener, 1) == 0 &&
        getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
        int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        connected =
            client >= 0 && connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        if (client >= 0) close(client);
    }
    const int err = errno;
    if (listener >= 0) close(listener);
    std::printf("{\"ns\":%s,\"interfaces\":[%s],\"loopback_tcp\":%s,\"errno\":%d}\n",
                quote(ns).c_str(), interfaces.c_str(), connected ? "true" : "false",
                connected ? 0 : err);
    return 0;
}

int stat_path(const std::string& path) {
    struct stat st {};
    if (lstat(path.c_str(), &st) != 0) {
        return fail("lstat " + path);
    }
    const char* type = S_ISREG(st.st_mode)    ? "file"
                       : S_ISDIR(st.st_mode)  ? "dir"
                       : S_ISCHR(st.st_mode)  ? "char"
                       : S_ISBLK(st.st_mode)  ? "block"
                       : S_ISLNK(st.st_mode)  ? "symlink"
                       : S_ISFIFO(st.st_mode) ? "fifo"
                                              : "socket";
    std::printf(
        "{\"path\":%s,\"type\":\"%s\",\"major\":%u,\"minor\":%u,\"mode\":%u,\"uid\":%u,"
        "\"gid\":%u,\"size\":%lld}\n",
        quote(path).c_str(), type, major(st.st_rdev), minor(st.st_rdev), st.st_mode & 07777,
        st.st_uid, st.st_gid, static_cast<long long>(st.st_size));
    return 0;
}

int read_path(const std::string& path) {
    std::string content;
    errno = 0;
    if (!read_file(path, content)) {
        return fail("read " + path);
    }
    std::printf("{\"path\":%s,\"content\":%s}\n", quote(path).c_str(), quote(content).c_str());
    return 0;
}

int write_path(const std::string& path) {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, "probe\n", 6) != 6) {
        return fail("write " + path);
    }
    close(fd);
    std::printf("{\"path\":%s,\"written\":true}\n", quote(path).c_str());
    return 0;
}

// Calls a syscall with all-zero arguments and reports errno. Zero arguments make every listed
// call harmless (EFAULT/EINVAL when allowed), so the errno tells a seccomp denial (EPERM or the
// profile's errnoRet) from the kernel's own answer.
int try_syscall(const std::string& name) {
    static const std::map<std::string, long> kCalls = {
        {"getpid", SYS_getpid},
        {"getuid", SYS_getuid},
        {"uname", SYS_uname},
        {"mkdir", SYS_mkdir},
        {"chmod", SYS_chmod},
        {"mount", SYS_mount},
        {"umount2", SYS_umount2},
        {"chroot", SYS_chroot},
        {"unshare", SYS_unshare},
        {"setns", SYS_setns},
        {"keyctl", SYS_keyctl},
        {"syslog", SYS_syslog},
        {"reboot", SYS_reboot},
        {"clone3", SYS_clone3},
        {"socket", SYS_socket},
        {"bpf", SYS_bpf},
        {"io_uring_setup", 425},
        {"personality", -1},
        {"sethostname", SYS_sethostname},
        {"perf_event_open", SYS_perf_event_open},
        {"kill", SYS_kill},
        {"getcwd", SYS_getcwd},
    };
    auto it = kCalls.find(name);
    if (it == kCalls.end()) {
        errno = EINVAL;
        return fail("unknown syscall name " + name);
    }
    errno = 0;
    // personality(0xffffffff) only queries; a zero argument would change the persona.
    long ret = it->second < 0 ? personality(0xffffffff) : syscall(it->second, 0, 0, 0, 0, 0, 0);
    int err = ret < 0 ? errno : 0;
    std::printf("{\"syscall\":%s,\"ret\":%ld,\"errno\":%d,\"errno_name\":%s}\n",
                quote(name).c_str(), ret, err, quote(err ? strerrorname_np(err) : "").c_str());
    return 0;
}

int rlimits() {
    static const std::pair<const char*, int> kLimits[] = {
        {"RLIMIT_NOFILE", RLIMIT_NOFILE},   {"RLIMIT_NPROC", RLIMIT_NPROC},
        {"RLIMIT_CORE", RLIMIT_CORE},       {"RLIMIT_STACK", RLIMIT_STACK},
        {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_AS", RLIMIT_AS},
    };
    std::string out = "{";
    bool first = true;
    for (auto [name, res] : kLimits) {
        rlimit rl{};
        getrlimit(res, &rl);
        out += std::string(first ? "" : ",") + quote(name) +
               ":{\"soft\":" + std::to_string(rl.rlim_cur) +
               ",\"hard\":" + std::to_string(rl.rlim_max) + "}";
        first = false;
    }
    std::printf("%s}\n", out.c_str());
    return 0;
}

int sysctl(const std::string& name) {
    std::string path = "/proc/sys/" + name;
    for (size_t i = 10; i < path.size(); ++i) {
        if (path[i] == '.') {
            path[i] = '/';
        }
    }
    std::string value;
    if (!read_file(path, value)) {
        return fail("read " + path);
    }
    while (!value.empty() && value.back() == '\n') {
        value.pop_back();
    }
    std::printf("{\"name\":%s,\"value\":%s}\n", quote(name).c_str(), quote(value).c_str());
    return 0;
}

// Whether 0-2 are terminals, the pty's name, and whether the process has a controlling
// terminal (opening /dev/tty fails with ENXIO without one).
int tty() {
    std::string out = "{";
    for (int fd = 0; fd <= 2; ++fd) {
        out += "\"isatty" + std::to_string(fd) + "\":" + (isatty(fd) ? "true" : "false") + ",";
    }
    char name[256] = {};
    if (ttyname_r(0, name, sizeof name) != 0) {
        name[0] = '\0';
    }
    int ctty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    int ctty_errno = ctty < 0 ? errno : 0;
    if (ctty >= 0) {
        close(ctty);
    }
    // runc binds the pty slave onto /dev/console: the same character device as stdin.
    struct stat console {
    }, in{};
    const bool console_is_pty = stat("/dev/console", &console) == 0 && fstat(0, &in) == 0 &&
                                S_ISCHR(console.st_mode) && console.st_rdev == in.st_rdev;
    winsize ws{};
    ioctl(0, TIOCGWINSZ, &ws);  // stays 0x0 on a non-terminal
    std::printf(
        "%s\"ttyname\":%s,\"controlling_tty\":%s,\"ctty_errno\":%d,\"sid\":%d,"
        "\"pid\":%d,\"console_is_pty\":%s,\"rows\":%u,\"cols\":%u}\n",
        out.c_str(), quote(name).c_str(), ctty >= 0 ? "true" : "false", ctty_errno, getsid(0),
        getpid(), console_is_pty ? "true" : "false", ws.ws_row, ws.ws_col);
    return 0;
}

// Reopens each of 0-2 through /proc/self/fd (what a shell does for /dev/stdout): 0 for
// success, else the errno. A non-root process needs the runtime to have chowned them.
int reopen_stdio() {
    std::string out = "{";
    for (int fd = 0; fd <= 2; ++fd) {
        std::string path = "/proc/self/fd/" + std::to_string(fd);
        // O_NONBLOCK: opening a pipe's read end whose writer is gone would otherwise block.
        int reopened = open(path.c_str(), (fd == 0 ? O_RDONLY : O_WRONLY) | O_NONBLOCK | O_CLOEXEC);
        int err = reopened < 0 ? errno : 0;
        if (reopened >= 0) {
            close(reopened);
        }
        out += std::string(fd ? "," : "") + "\"" + std::to_string(fd) + "\":" + std::to_string(err);
    }
    std::printf("%s,\"uid\":%u}\n", out.c_str(), getuid());
    return 0;
}

// CLOCK_MONOTONIC and CLOCK_BOOTTIME in seconds, as this process's time namespace shows them.
int clocks() {
    timespec mono{}, boot{};
    clock_gettime(CLOCK_MONOTONIC, &mono);
    clock_gettime(CLOCK_BOOTTIME, &boot);
    std::printf("{\"monotonic\":%lld,\"boottime\":%lld}\n", static_cast<long long>(mono.tv_sec),
                static_cast<long long>(boot.tv_sec));
    return 0;
}

// As PID 1 of its namespace the probe would ignore SIGTERM (the kernel drops signals pid 1 has no
// handler for), so `sleep` installs handlers: tests can then stop it the way engines do.
void exit_on_signal(int sig) { _exit(128 + sig); }

int sleep_for(const std::string& seconds) {
    signal(SIGTERM, exit_on_signal);
    signal(SIGINT, exit_on_signal);
    signal(SIGHUP, exit_on_signal);
    std::printf("{\"sleeping\":%s}\n", seconds.c_str());
    std::fflush(stdout);
    unsigned left = static_cast<unsigned>(std::atoi(seconds.c_str()));
    while (left > 0) {
        left = sleep(left);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::string cmd = argc > 1 ? argv[1] : "";
    std::string arg = argc > 2 ? argv[2] : "";
    if (cmd == "caps") return caps();
    if (cmd == "ids") return ids();
    if (cmd == "mounts") return mounts();
    if (cmd == "fds") return fds();
    if (cmd == "cwd") return cwd();
    if (cmd == "env") return env();
    if (cmd == "hostname") return hostname();
    if (cmd == "network") return network();
    if (cmd == "stat") return stat_path(arg);
    if (cmd == "read") return read_path(arg);
    if (cmd == "write") return write_path(arg);
    if (cmd == "syscall") return try_syscall(arg);
    if (cmd == "rlimits") return rlimits();
    if (cmd == "sysctl") return sysctl(arg);
    if (cmd == "sleep") return sleep_for(arg.empty() ? "3600" : arg);
    if (cmd == "exit") return std::atoi(arg.c_str());
    if (cmd == "tty") return tty();
    if (cmd == "reopen-stdio") return reopen_stdio();
    if (cmd == "clocks") return clocks();
    std::fprintf(stderr,
                 "usage: probe caps|ids|mounts|fds|cwd|env|hostname|rlimits|"
                 "stat P|read P|write P|syscall NAME|sysctl NAME|sleep N|exit N|tty|"
                 "reopen-stdio|clocks\n");
    return 64;
}
