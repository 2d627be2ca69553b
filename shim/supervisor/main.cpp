// plugrt-shim: the long-lived supervisor of one plugin (shim/plugin/supervisor.hpp).
//
//   plugrt-shim STATE_DIR [--ready-fd N]
//
// It is started by `plugrt plugin run` (exec, foreground) and `plugrt plugin start` (detached),
// never by users, and reads everything else from STATE_DIR/supervisor.json. That fixed, tiny
// argv is parsed by hand on purpose: the binary is linked statically to stay within a couple of
// megabytes of RSS per running plugin, and an argument-parsing library would cost more than the
// whole event loop for two arguments nobody types.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "runtime/text_file.hpp"
#include "shim/plugin/supervisor.hpp"
#include "shim/plugin/supervisor_config.hpp"

namespace {

int usage() {
    std::fputs(
        "usage: plugrt-shim STATE_DIR [--ready-fd N]\n"
        "(started by `plugrt plugin run|start`; see `plugrt plugin --help`)\n",
        stderr);
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2 && argc != 4) return usage();
    const std::string state_dir = argv[1];
    int ready_fd = -1;
    if (argc == 4) {
        if (std::string(argv[2]) != "--ready-fd") return usage();
        char* end = nullptr;
        const long fd = std::strtol(argv[3], &end, 10);
        if (*end != '\0' || fd < 3 || fd > 1024) return usage();
        ready_fd = static_cast<int>(fd);
    }
    try {
        const std::string file = state_dir + "/" + plugrt::shim::kSupervisorConfigFile;
        plugrt::shim::Supervisor supervisor(
            plugrt::shim::supervisor_config_from_json(plugrt::read_text_file(file), file),
            ready_fd);
        return supervisor.run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "plugrt-shim: %s: %s\n", state_dir.c_str(), e.what());
        if (ready_fd >= 0) {
            const std::string line = std::string("failed\tsupervisor: ") + e.what() + "\n";
            [[maybe_unused]] const auto n = ::write(ready_fd, line.data(), line.size());
        }
        return 1;
    }
}
