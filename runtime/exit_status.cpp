#include "runtime/exit_status.hpp"

#include <sys/wait.h>

#include <cerrno>
#include <string>

#include "runtime/error.hpp"

namespace plugrt {

int exit_status_of(int wait_status) {
    return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
}

int wait_exit_status(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            throw_errno("waitpid " + std::to_string(pid));
        }
    }
    return exit_status_of(status);
}

}  // namespace plugrt
