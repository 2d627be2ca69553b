// Move-only owner of a file descriptor. Every fd plugrt opens lives in one of these, opened with
// O_CLOEXEC, so that neither an early return nor an exception can leak it into a container.
#pragma once

#include <unistd.h>

#include <utility>

namespace plugrt {

class UniqueFd {
public:
    UniqueFd() noexcept = default;
    explicit UniqueFd(int fd) noexcept : fd_(fd) {}
    UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        if (this != &other) {
            reset(other.release());
        }
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd() { reset(); }

    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }

    // Gives up ownership, e.g. to hand the fd to a child across exec.
    int release() noexcept { return std::exchange(fd_, -1); }

    // close() errors are deliberately ignored: on Linux the fd is gone either way, and retrying
    // could close an fd another part of the program has just been given.
    void reset(int fd = -1) noexcept {
        if (fd_ >= 0) {
            ::close(fd_);
        }
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

}  // namespace plugrt
