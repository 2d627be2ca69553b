#include "runtime/exec_path.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "runtime/error.hpp"
#include "runtime/passwd.hpp"
#include "runtime/text_file.hpp"

namespace plugrt {

namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// 0 when `path` is a regular file with an execute bit, else the errno Go's findExecutable
// would report (ENOENT, or EACCES for directories and non-executables).
int check_executable(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        return errno;
    }
    if (S_ISDIR(st.st_mode) || (st.st_mode & 0111) == 0) {
        return EACCES;
    }
    return 0;
}

std::string lower_strerror(int err) {
    std::string text = std::strerror(err);
    if (!text.empty()) {
        text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    }
    return text;
}

}  // namespace

const std::string* find_env(const std::vector<std::string>& env, const std::string& name) {
    const std::string* found = nullptr;
    for (const auto& entry : env) {
        if (entry.size() > name.size() && entry.compare(0, name.size(), name) == 0 &&
            entry[name.size()] == '=') {
            found = &entry;
        }
    }
    return found;
}

std::string find_executable(const std::string& name, const std::vector<std::string>& env) {
    std::string quoted = "exec: \"" + name + "\"";
    if (name.find('/') != std::string::npos) {
        int err = check_executable(name);
        if (err != 0) {
            throw Error(err == ENOENT ? Error::Kind::NotFound : Error::Kind::Invalid,
                        quoted + ": stat " + name + ": " + lower_strerror(err));
        }
        return name;
    }
    const std::string* path_entry = find_env(env, "PATH");
    std::string search = path_entry ? path_entry->substr(5) : kDefaultPath;
    std::stringstream dirs(search);
    for (std::string dir; std::getline(dirs, dir, ':');) {
        std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
        if (check_executable(candidate) == 0) {
            return candidate;
        }
    }
    throw Error(Error::Kind::NotFound, quoted + ": executable file not found in $PATH");
}

void add_home_if_missing(std::vector<std::string>& env, unsigned uid) {
    if (find_env(env, "HOME")) {
        return;
    }
    // Without a (readable) /etc/passwd in the image, HOME is "/", as in runc.
    std::optional<std::string> passwd;
    try {
        passwd = read_text_file_if_present("/etc/passwd");
    } catch (const Error&) {
    }
    auto entry = find_passwd_entry(passwd.value_or(""), uid);
    env.push_back("HOME=" + (entry && !entry->home.empty() ? entry->home : std::string("/")));
}

}  // namespace plugrt
