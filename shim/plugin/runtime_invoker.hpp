// Runs plugrt's runtime commands for the supervisor, the way containerd's shim runs runc:
// `plugrt --root R --log <state>/runtime.log --log-format json <command> ...`.
//
// Exec'ing the runtime instead of linking it keeps the long-lived supervisor small (it never
// maps libseccomp, libcap or the spec code) and makes the supervisor drive plugrt through the
// same CLI contract engines use, so both paths are one path.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace plugrt::shim {

struct RuntimeResult {
    int wait_status = 0;
    std::string error;  // the runtime's last logged error, or how it ended

    bool ok() const noexcept;
};

class RuntimeInvoker {
public:
    RuntimeInvoker(std::string runtime, std::string root, std::string log_file);

    // Runs one command to completion. stdin is /dev/null; `out_fd`/`err_fd` become the
    // runtime's stdout/stderr (and thus, for `create`, the container's). The child gets its own
    // process group so a terminal's ^C reaches only the supervisor, which then stops the
    // plugin in order. Throws SysError only when the runtime cannot be started at all.
    RuntimeResult run(const std::vector<std::string>& args, int out_fd = -1, int err_fd = -1) const;

    const std::string& log_file() const noexcept { return log_file_; }

private:
    std::string last_logged_error(off_t from) const;

    std::string runtime_;
    std::string root_;
    std::string log_file_;
};

// "exit status 1" / "killed by signal 9 (KILL)" for a wait(2) status.
std::string describe_wait_status(int wait_status);

}  // namespace plugrt::shim
