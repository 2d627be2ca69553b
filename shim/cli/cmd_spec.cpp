// `plugrt spec [--bundle DIR] [--rootless]`: writes a starting config.json into the bundle, like
// `runc spec`. It never overwrites: a config.json is usually hand-edited, and losing it to a
// stray command would be worse than asking the user to remove it.
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

#include "oci/default_bundle_spec.hpp"
#include "shim/cli/command.hpp"

namespace plugrt::cli {
namespace {

struct SpecArgs {
    std::string bundle;
    bool rootless = false;
};

// runc adds a cgroup namespace only where cgroup v2 is the unified hierarchy.
bool host_has_cgroup2_unified() {
    struct statfs fs {};
    return ::statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

void write_all(int fd, const std::string& text, const std::string& path) {
    std::size_t done = 0;
    while (done < text.size()) {
        const auto n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::runtime_error("write " + path + ": " + std::strerror(errno));
        done += static_cast<std::size_t>(n);
    }
}

void write_new_config(const std::string& bundle, const std::string& text) {
    const std::string path = bundle.empty() ? "config.json" : bundle + "/config.json";
    // O_EXCL both refuses an existing file and closes the window between a check and the
    // write; O_NOFOLLOW keeps a planted symlink from redirecting the write.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0 && errno == EEXIST) {
        throw std::runtime_error("File config.json exists. Remove it first.");
    }
    if (fd < 0) {
        throw std::runtime_error("open " + path + ": " + std::strerror(errno));
    }
    try {
        write_all(fd, text, path);
    } catch (...) {
        ::close(fd);
        throw;
    }
    if (::close(fd) != 0) {
        throw std::runtime_error("close " + path + ": " + std::strerror(errno));
    }
}

void run_spec(const SpecArgs& args) {
    if (!args.bundle.empty()) {
        struct stat st {};
        if (::stat(args.bundle.c_str(), &st) != 0) {
            throw std::runtime_error("bundle " + args.bundle + ": " + std::strerror(errno));
        }
        if (!S_ISDIR(st.st_mode)) {
            throw std::runtime_error("bundle " + args.bundle + ": not a directory");
        }
    }
    oci::DefaultBundleOptions options;
    options.cgroup_namespace = host_has_cgroup2_unified();
    options.rootless = args.rootless;
    options.host_uid = ::geteuid();
    options.host_gid = ::getegid();
    // Like runc: indented, no trailing newline.
    write_new_config(args.bundle, oci::dump_spec(oci::default_bundle_spec(options)));
}

void register_spec(CLI::App& app, GlobalOptions& /*globals*/) {
    auto args = std::make_shared<SpecArgs>();
    auto* sub = app.add_subcommand("spec", "Create a new specification file (config.json)");
    sub->add_option("-b,--bundle", args->bundle, "Directory to write config.json into");
    sub->add_flag("--rootless", args->rootless, "Generate a config for a rootless container");
    sub->callback([args] { run_spec(*args); });
}

}  // namespace

PLUGRT_COMMAND("spec", register_spec);

}  // namespace plugrt::cli
