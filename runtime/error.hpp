// Error model of the runtime (see README "Errors"): exceptions carrying a kind, an errno where a
// syscall failed, and context frames added on the way out, printed outermost first:
//   container abc: create: mount /proc onto /run/x/rootfs/proc: Operation not permitted (EPERM)
// They are caught only at boundaries: the CLI's main(), the container init's top frame (which
// ships them to the parent over the sync socket), and the supervisor's event loop.
#pragma once

#include <cerrno>
#include <stdexcept>
#include <string>
#include <vector>

namespace plugrt {

class Error : public std::runtime_error {
public:
    enum class Kind { Invalid, NotFound, Exists, WrongState, System, Child };

    Error(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}

    Kind kind() const noexcept { return kind_; }
    int err() const noexcept { return err_; }  // errno, 0 if none

    // Adds an outer frame ("create", "container abc") to the message.
    Error& with_context(const std::string& frame);
    const char* what() const noexcept override {
        return full_.empty() ? std::runtime_error::what() : full_.c_str();
    }

protected:
    Error(Kind kind, const std::string& message, int err)
        : std::runtime_error(message), kind_(kind), err_(err) {}

private:
    Kind kind_;
    int err_ = 0;
    std::string full_;  // message with context frames, once any were added
};

// A failed syscall: "<what>: <strerror> (<ENAME>)".
class SysError : public Error {
public:
    SysError(int err, const std::string& what);
};

// Throws SysError for the current errno. `what` says which syscall on which object, e.g.
// "mount /proc onto /x/rootfs/proc".
[[noreturn]] void throw_errno(const std::string& what);
[[noreturn]] void throw_errno(int err, const std::string& what);

// "EPERM", "ENOENT", ... (the symbolic name makes logs greppable across locales).
const char* errno_name(int err) noexcept;

}  // namespace plugrt
