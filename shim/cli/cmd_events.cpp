// `plugrt events [--stats] [--interval D] ID`: the container's resource usage as runc's event
// objects, one JSON document per line: {"type":"stats","id":ID,"data":{"cpu":…,"memory":…,
// "pids":…}} with runc's field names (types/events.go), so tools written for `runc events`
// read it. --stats prints one and exits; otherwise one every --interval (default 5s, as in
// runc) until the container stops. runc's "oom" events are not produced.
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "runtime/container.hpp"
#include "runtime/error.hpp"
#include "shim/cli/command.hpp"
#include "shim/common/duration.hpp"

namespace plugrt::cli {
namespace {

struct EventsArgs {
    std::string id;
    bool stats = false;
    std::string interval = "5s";
};

// runc's encoding: Go's omitempty drops zero numbers and empty lists, but not nested objects.
nlohmann::ordered_json stats_event(const std::string& id, const CgroupStats& s) {
    using Json = nlohmann::ordered_json;
    auto put = [](Json& object, const char* key, uint64_t value) {
        if (value != 0) object[key] = value;
    };
    Json usage = Json::object();
    put(usage, "total", s.cpu.total_ns);
    if (!s.cpu.percpu_ns.empty()) usage["percpu"] = s.cpu.percpu_ns;
    usage["kernel"] = s.cpu.kernel_ns;
    usage["user"] = s.cpu.user_ns;
    Json throttling = Json::object();
    put(throttling, "periods", s.cpu.periods);
    put(throttling, "throttledPeriods", s.cpu.throttled_periods);
    put(throttling, "throttledTime", s.cpu.throttled_ns);

    Json memory_usage = {{"limit", s.memory.limit}};
    put(memory_usage, "usage", s.memory.usage);
    put(memory_usage, "max", s.memory.max_usage);
    memory_usage["failcnt"] = s.memory.failcnt;
    Json memory = Json::object();
    put(memory, "cache", s.memory.cache);
    memory["usage"] = memory_usage;
    if (!s.memory.raw.empty()) memory["raw"] = s.memory.raw;

    Json pids = Json::object();
    put(pids, "current", s.pids.current);
    put(pids, "limit", s.pids.limit);

    return {{"type", "stats"},
            {"id", id},
            {"data",
             {{"cpu", {{"usage", usage}, {"throttling", throttling}}},
              {"memory", memory},
              {"pids", pids}}}};
}

void print_line(const nlohmann::ordered_json& event) {
    const std::string text = event.dump() + "\n";
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);  // one line at a time for a reader on a pipe
}

void register_events(CLI::App& app, GlobalOptions& globals) {
    auto args = std::make_shared<EventsArgs>();
    auto* sub = app.add_subcommand("events", "Print a container's cpu, memory and pids usage");
    sub->add_flag("--stats", args->stats, "Print the usage once and exit");
    sub->add_option("--interval", args->interval,
                    "Time between two reports without --stats (default 5s)");
    sub->add_option("id", args->id, "Container id")->required();
    sub->callback([args, &globals] {
        const auto interval = shim::parse_duration(args->interval, "--interval");
        if (interval.count() <= 0) {
            throw Error(Error::Kind::Invalid, "--interval must be longer than 0");
        }
        StateStore store(globals.root);
        print_line(stats_event(args->id, container_stats(store, args->id)));
        if (args->stats) {
            return;
        }
        for (;;) {
            std::this_thread::sleep_for(interval);
            CgroupStats stats;
            try {
                stats = container_stats(store, args->id);
            } catch (const Error& e) {
                if (e.kind() == Error::Kind::WrongState || e.kind() == Error::Kind::NotFound) {
                    return;  // the container stopped or was deleted: the stream ends
                }
                throw;
            }
            print_line(stats_event(args->id, stats));
        }
    });
}

}  // namespace

PLUGRT_COMMAND("events", register_events);

}  // namespace plugrt::cli
