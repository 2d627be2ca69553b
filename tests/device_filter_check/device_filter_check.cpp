// The device filter (runtime/device_filter.hpp) on the real kernel, for the integration tests:
// this machine's cgroups are v1 with a cgroup2 hybrid mount, so no container of plugrt's runs
// under the v2 filter here, but a BPF_CGROUP_DEVICE program attached to a cgroup2 directory is
// enforced for the tasks in it all the same.
//
//   device_filter_check DEVICES_JSON PATH:r|w ...
// DEVICES_JSON is an OCI linux.resources.devices array; the program is built from the
// container's full rule list (deny-all, these, runc's defaults) exactly as on a v2 host. A
// child joins a fresh cgroup2 directory carrying the program and opens each PATH for reading
// or writing; stdout gets {"PATH:r": errno or 0, ...}. The directory is removed afterwards.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "oci/spec.hpp"
#include "runtime/cgroup_detect.hpp"
#include "runtime/cgroups_v1.hpp"
#include "runtime/device_filter.hpp"

namespace {

int check(int argc, char** argv) {
    const auto layout = plugrt::detect_host_cgroup_layout();
    if (!layout.unified) {
        std::fprintf(stderr, "device_filter_check: no cgroup2 hierarchy mounted\n");
        return 2;
    }
    plugrt::oci::Linux linux;
    linux.resources =
        plugrt::oci::resources_from_json({{"devices", nlohmann::json::parse(argv[1])}});
    const std::string dir =
        layout.unified->mount_point + "/plugrt-device-filter-" + std::to_string(getpid());
    if (mkdir(dir.c_str(), 0755) != 0) {
        std::perror(("mkdir " + dir).c_str());
        return 2;
    }
    plugrt::attach_device_filter(
        dir, plugrt::compile_device_filter(plugrt::container_device_rules(linux)));
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) return 2;
    const pid_t child = fork();
    if (child == 0) {
        const std::string procs = dir + "/cgroup.procs";
        int fd = open(procs.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, "0", 1) != 1) _exit(3);
        close(fd);
        std::string report = "{";
        for (int i = 2; i < argc; ++i) {
            std::string arg = argv[i];
            const bool for_write = arg.ends_with(":w");
            const std::string path = arg.substr(0, arg.rfind(':'));
            int dev =
                open(path.c_str(), (for_write ? O_WRONLY : O_RDONLY) | O_CLOEXEC | O_NONBLOCK);
            const int err = dev < 0 ? errno : 0;
            if (dev >= 0) close(dev);
            report += (i > 2 ? ",\"" : "\"") + arg + "\":" + std::to_string(err);
        }
        report += "}\n";
        (void)!write(out[1], report.data(), report.size());
        _exit(0);
    }
    close(out[1]);
    char buf[4096];
    ssize_t n = read(out[0], buf, sizeof buf);
    int status = 0;
    waitpid(child, &status, 0);
    rmdir(dir.c_str());
    if (n <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::fprintf(stderr, "device_filter_check: the child failed (status %d)\n", status);
        return 2;
    }
    std::fwrite(buf, 1, static_cast<size_t>(n), stdout);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: device_filter_check DEVICES_JSON PATH:r|w ...\n");
        return 2;
    }
    try {
        return check(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "device_filter_check: %s\n", e.what());
        return 2;
    }
}
