// `plugrt update [--resources FILE|-] [--memory N] [--cpu-share N] [--cpu-period N]
// [--cpu-quota N] [--pids-limit N] ID`: new limits for a live container, as `docker update`
// asks for them through containerd (go-runc: `update --resources -` with a LinuxResources
// object on stdin). Flags override the object's values, as in runc. Limits plugrt does not
// apply (blockIO, hugepages, ...) are named in a warning rather than silently dropped.
#include <unistd.h>

#include <memory>
#include <optional>

#include "oci/errors.hpp"
#include "oci/spec.hpp"
#include "runtime/container.hpp"
#include "runtime/error.hpp"
#include "runtime/runtime_log.hpp"
#include "runtime/text_file.hpp"
#include "shim/cli/command.hpp"
#include "shim/common/byte_size.hpp"

namespace plugrt::cli {
namespace {

struct UpdateArgs {
    std::string id;
    std::string resources_file;
    std::string memory;
    std::optional<uint64_t> cpu_shares;
    std::optional<uint64_t> cpu_period;
    std::optional<int64_t> cpu_quota;
    std::optional<int64_t> pids_limit;
};

// A runtime-spec LinuxResources object, read like a config.json (size and depth limits; a bad
// field named by its path, linux.resources.memory.limit).
oci::Resources read_resources(const std::string& file) {
    const std::string text =
        file == "-" ? read_to_end(STDIN_FILENO, "--resources from stdin") : read_text_file(file);
    try {
        return oci::resources_from_json(oci::parse_json_text(text));
    } catch (const oci::ParseError& e) {
        throw Error(Error::Kind::Invalid, "--resources " + file + ": " + e.what());
    }
}

void warn_unapplied(const oci::Resources& res) {
    std::string keys;
    for (const auto& [key, value] : res.extra.items()) {
        keys += (keys.empty() ? "" : ", ") + key;
    }
    if (!keys.empty()) {
        log_warning(
            "update: not applied (plugrt sets memory.limit, cpu shares/quota/period and "
            "pids.limit): " +
            keys);
    }
}

void register_update(CLI::App& app, GlobalOptions& globals) {
    auto a = std::make_shared<UpdateArgs>();
    auto* sub = app.add_subcommand("update", "Change the resource limits of a container");
    sub->add_option("-r,--resources", a->resources_file,
                    "File with a runtime-spec LinuxResources object (- for stdin)");
    sub->add_option("--memory", a->memory, "Memory limit: bytes, or 512m, 1g ... (-1: no limit)");
    sub->add_option("--cpu-share", a->cpu_shares, "CPU shares (relative weight)");
    sub->add_option("--cpu-period", a->cpu_period, "CPU CFS period in microseconds");
    sub->add_option("--cpu-quota", a->cpu_quota, "CPU CFS quota in microseconds (-1: no limit)");
    sub->add_option("--pids-limit", a->pids_limit, "Maximum number of tasks (-1: no limit)");
    sub->add_option("id", a->id, "Container id")->required();
    sub->callback([a, &globals] {
        try {
            oci::Resources res;
            if (!a->resources_file.empty()) {
                res = read_resources(a->resources_file);
                warn_unapplied(res);
            }
            if (!a->memory.empty()) res.memory_limit = shim::parse_byte_size(a->memory, "--memory");
            if (a->cpu_shares) res.cpu_shares = a->cpu_shares;
            if (a->cpu_period) res.cpu_period = a->cpu_period;
            if (a->cpu_quota) res.cpu_quota = a->cpu_quota;
            if (a->pids_limit) res.pids_limit = a->pids_limit;
            StateStore store(globals.root);
            update_container(store, a->id, res);
        } catch (Error& e) {
            e.with_context("container " + a->id + ": update");
            throw;
        }
    });
}

}  // namespace

PLUGRT_COMMAND("update", register_update);

}  // namespace plugrt::cli
