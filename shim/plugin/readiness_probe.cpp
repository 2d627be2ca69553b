#include "shim/plugin/readiness_probe.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include "runtime/error.hpp"

namespace plugrt::shim {
namespace {

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return out;
}

std::string one_line(std::string text) {
    for (char& c : text) {
        if (c == '\n' || c == '\t' || c == '\r') c = ' ';
    }
    return text;
}

}  // namespace

std::string format_probe_line(const ActivationResult& result) {
    const std::string ms = std::to_string(result.elapsed.count());
    if (result.ready()) return "ready\t" + ms + "\t" + one_line(join(result.implements)) + "\n";
    return "failed\t" + ms + "\t" + std::string(outcome_name(result.outcome)) + "\t" +
           one_line(result.describe()) + "\n";
}

ProbeReport parse_probe_line(const std::string& line) {
    ProbeReport report;
    const auto tab1 = line.find('\t');
    const auto tab2 = tab1 == std::string::npos ? tab1 : line.find('\t', tab1 + 1);
    if (tab2 == std::string::npos) {
        report.summary = "the readiness check ended without a result";
        return report;
    }
    const std::string kind = line.substr(0, tab1);
    report.elapsed_ms = std::atoll(line.substr(tab1 + 1, tab2 - tab1 - 1).c_str());
    std::string rest = line.substr(tab2 + 1);
    if (!rest.empty() && rest.back() == '\n') rest.pop_back();
    if (kind == "ready") {
        report.ready = true;
        report.summary = rest;
        return report;
    }
    const auto tab3 = rest.find('\t');
    const std::string outcome = rest.substr(0, tab3);
    report.plugin_exited = outcome == outcome_name(ActivationResult::Outcome::ProcessExited);
    report.summary = tab3 == std::string::npos ? rest : rest.substr(tab3 + 1);
    return report;
}

ReadinessProbe ReadinessProbe::start(const ActivationRequest& request) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe for the readiness check");
    UniqueFd read_end(fds[0]), write_end(fds[1]);
    const pid_t pid = ::fork();
    if (pid < 0) throw_errno("fork the readiness check");
    if (pid == 0) {
        // The child: blocking is fine here, the parent's loop goes on without it.
        std::string line;
        try {
            line = format_probe_line(activate_plugin(request));
        } catch (const std::exception& e) {
            line = "failed\t0\tError\t" + one_line(e.what()) + "\n";
        }
        const ssize_t n = ::write(write_end.get(), line.data(), line.size());
        ::_exit(n == static_cast<ssize_t>(line.size()) ? 0 : 1);
    }
    ReadinessProbe probe;
    probe.pipe_ = std::move(read_end);
    probe.pid_ = pid;
    return probe;
}

ProbeReport ReadinessProbe::finish() {
    std::string line;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(pipe_.get(), buffer, sizeof buffer);
        if (n > 0) {
            line.append(buffer, static_cast<std::size_t>(n));
            if (line.back() == '\n') break;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        break;
    }
    pipe_.reset();
    return parse_probe_line(line);
}

void ReadinessProbe::cancel() noexcept {
    if (pid_ > 0 && pipe_) ::kill(pid_, SIGKILL);
    pipe_.reset();
}

}  // namespace plugrt::shim
