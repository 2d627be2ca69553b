#include "runtime/error.hpp"

#include <cstring>

namespace plugrt {

Error& Error::with_context(const std::string& frame) {
    full_ = frame + ": " + what();
    return *this;
}

SysError::SysError(int err, const std::string& what)
    : Error(Kind::System, what + ": " + std::strerror(err) + " (" + errno_name(err) + ")", err) {}

void throw_errno(const std::string& what) { throw SysError(errno, what); }

void throw_errno(int err, const std::string& what) { throw SysError(err, what); }

const char* errno_name(int err) noexcept {
    // strerrorname_np exists in glibc >= 2.32 (Debian 12 has 2.36).
    const char* name = strerrordesc_np(err) ? strerrorname_np(err) : nullptr;
    return name ? name : "E?";
}

}  // namespace plugrt
