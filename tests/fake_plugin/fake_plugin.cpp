// A managed plugin whose behaviour the supervisor tests choose on its command line (the
// config's entrypoint), statically linked so a rootfs needs nothing else:
//
//   /fake-plugin [--socket PATH] [--implements NAME[,NAME...]] [--no-listen]
//                [--say TEXT] [--err TEXT] [--exit-now CODE]
//                [--crash-runs N --crash-after-ms MS] [--ignore-term]
//
// --socket        where to listen (default /run/docker/plugins/fake.sock)
// --implements    the Plugin.Activate answer (default VolumeDriver)
// --no-listen     never create the socket (a plugin that hangs on start)
// --say / --err   print a line on stdout / stderr at start
// --exit-now      exit with CODE right after printing
// --crash-runs    the first N runs (counted in /run-count inside the rootfs) serve, then exit
//                 with status 3 after --crash-after-ms; later runs serve until stopped
// --ignore-term   ignore SIGTERM (only SIGKILL stops it)
//
// Every request other than /Plugin.Activate gets {"Err":""} (VolumeDriver.List gets an empty
// volume list), which is all `plugrt plugin call` tests need.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

struct Options {
    std::string socket = "/run/docker/plugins/fake.sock";
    std::string implements = "VolumeDriver";
    bool listen = true;
    std::string say, err;
    int exit_now = -1;
    int crash_runs = 0;
    int crash_after_ms = 0;
    bool ignore_term = false;
};

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "fake-plugin: %s needs a value\n", a.c_str());
                std::exit(64);
            }
            return argv[++i];
        };
        if (a == "--socket")
            o.socket = next();
        else if (a == "--implements")
            o.implements = next();
        else if (a == "--no-listen")
            o.listen = false;
        else if (a == "--say")
            o.say = next();
        else if (a == "--err")
            o.err = next();
        else if (a == "--exit-now")
            o.exit_now = std::atoi(next().c_str());
        else if (a == "--crash-runs")
            o.crash_runs = std::atoi(next().c_str());
        else if (a == "--crash-after-ms")
            o.crash_after_ms = std::atoi(next().c_str());
        else if (a == "--ignore-term")
            o.ignore_term = true;
        else {
            std::fprintf(stderr, "fake-plugin: unknown argument %s\n", a.c_str());
            std::exit(64);
        }
    }
    return o;
}

// This run's number, 1-based, kept in the rootfs so it survives restarts.
int count_run() {
    int n = 0;
    if (std::FILE* f = std::fopen("/run-count", "r")) {
        if (std::fscanf(f, "%d", &n) != 1) n = 0;
        std::fclose(f);
    }
    ++n;
    if (std::FILE* f = std::fopen("/run-count", "w")) {
        std::fprintf(f, "%d\n", n);
        std::fclose(f);
    }
    return n;
}

std::string activate_body(const std::string& implements) {
    std::string body = "{\"Implements\":[";
    std::size_t start = 0;
    bool first = true;
    while (start <= implements.size()) {
        std::size_t end = implements.find(',', start);
        if (end == std::string::npos) end = implements.size();
        if (end > start) {
            body += (first ? "\"" : ",\"") + implements.substr(start, end - start) + "\"";
            first = false;
        }
        start = end + 1;
    }
    return body + "]}";
}

void serve_one(int client, const Options& o) {
    std::string request;
    char buffer[4096];
    std::size_t header_end = std::string::npos;
    std::size_t need = 0;
    for (;;) {
        const ssize_t n = ::read(client, buffer, sizeof buffer);
        if (n <= 0) return;
        request.append(buffer, static_cast<std::size_t>(n));
        if (header_end == std::string::npos) {
            header_end = request.find("\r\n\r\n");
            if (header_end == std::string::npos) continue;
            const auto cl = request.find("Content-Length: ");
            const std::size_t length =
                cl == std::string::npos ? 0 : std::strtoul(request.c_str() + cl + 16, nullptr, 10);
            need = header_end + 4 + length;
        }
        if (request.size() >= need) break;
    }
    const auto path_start = request.find(' ') + 1;
    const std::string path = request.substr(path_start, request.find(' ', path_start) - path_start);
    std::string body = "{\"Err\":\"\"}";
    if (path == "/Plugin.Activate") body = activate_body(o.implements);
    if (path == "/VolumeDriver.List") body = "{\"Volumes\":[],\"Err\":\"\"}";
    std::printf("fake-plugin: %s\n", path.c_str());
    std::fflush(stdout);
    const std::string response =
        "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.plugins.v1+json\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    [[maybe_unused]] const ssize_t w = ::write(client, response.data(), response.size());
}

}  // namespace

int main(int argc, char** argv) {
    const Options o = parse(argc, argv);
    if (o.ignore_term) ::signal(SIGTERM, SIG_IGN);
    const int run = count_run();
    if (!o.say.empty()) std::printf("%s\n", o.say.c_str());
    if (!o.err.empty()) std::fprintf(stderr, "%s\n", o.err.c_str());
    std::fflush(stdout);
    if (o.exit_now >= 0) return o.exit_now;
    if (!o.listen) {
        for (;;) ::pause();
    }
    const int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", o.socket.c_str());
    ::unlink(o.socket.c_str());
    if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener, 16) != 0) {
        std::perror("fake-plugin: listen");
        return 70;
    }
    std::printf("fake-plugin: run %d listening on %s\n", run, o.socket.c_str());
    std::fflush(stdout);
    const bool crash = run <= o.crash_runs;
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(o.crash_after_ms);
    for (;;) {
        int timeout = -1;
        if (crash) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) {
                std::fprintf(stderr, "fake-plugin: run %d crashing as asked\n", run);
                return 3;
            }
            timeout = static_cast<int>(left.count());
        }
        pollfd p{listener, POLLIN, 0};
        if (::poll(&p, 1, timeout) <= 0) continue;
        const int client = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) continue;
        serve_one(client, o);
        ::close(client);
    }
}
