// The supervisor's pure parts: restart backoff, durations, its config file, and the one-line
// reports the probe child and the supervisor send.
#include <doctest/doctest.h>

#include "runtime/error.hpp"
#include "shim/common/duration.hpp"
#include "shim/plugin/readiness_probe.hpp"
#include "shim/plugin/restart_policy.hpp"
#include "shim/plugin/supervisor.hpp"
#include "shim/plugin/supervisor_config.hpp"

using namespace plugrt::shim;
using std::chrono::milliseconds;

TEST_SUITE("restart policy") {
    TEST_CASE("delays double from the initial one up to the cap, then the tracker gives up") {
        RestartPolicy policy;
        policy.max_restarts = 5;
        policy.initial_delay = milliseconds(500);
        policy.max_delay = milliseconds(3000);
        RestartTracker tracker(policy);
        const milliseconds short_run(10);
        CHECK(tracker.on_crash(short_run) == milliseconds(500));
        CHECK(tracker.on_crash(short_run) == milliseconds(1000));
        CHECK(tracker.on_crash(short_run) == milliseconds(2000));
        CHECK(tracker.on_crash(short_run) == milliseconds(3000));
        CHECK(tracker.on_crash(short_run) == milliseconds(3000));
        CHECK(tracker.consecutive() == 5);
        CHECK_FALSE(tracker.on_crash(short_run).has_value());
        CHECK(tracker.total() == 5);
    }

    TEST_CASE("a run that lasted healthy_after starts the count again") {
        RestartPolicy policy;
        policy.max_restarts = 2;
        policy.healthy_after = milliseconds(60000);
        RestartTracker tracker(policy);
        CHECK(tracker.on_crash(milliseconds(1)) == milliseconds(500));
        CHECK(tracker.on_crash(milliseconds(1)) == milliseconds(1000));
        CHECK(tracker.on_crash(milliseconds(60000)) == milliseconds(500));
        CHECK(tracker.consecutive() == 1);
        CHECK(tracker.total() == 3);
    }

    TEST_CASE("max_restarts 0 never restarts") {
        RestartPolicy policy;
        policy.max_restarts = 0;
        RestartTracker tracker(policy);
        CHECK_FALSE(tracker.on_crash(milliseconds(999999)).has_value());
    }

    TEST_CASE("a huge delay cap does not overflow the doubling") {
        RestartPolicy policy;
        policy.max_restarts = 200;
        policy.initial_delay = milliseconds(1);
        policy.max_delay = milliseconds(1000000000);
        RestartTracker tracker(policy);
        milliseconds last{0};
        for (int i = 0; i < 200; ++i) last = *tracker.on_crash(milliseconds(0));
        CHECK(last == milliseconds(1000000000));
    }
}

TEST_SUITE("duration") {
    TEST_CASE("Go-style durations parse") {
        CHECK(parse_duration("500ms", "x") == milliseconds(500));
        CHECK(parse_duration("10s", "x") == milliseconds(10000));
        CHECK(parse_duration("1m30s", "x") == milliseconds(90000));
        CHECK(parse_duration("1.5s", "x") == milliseconds(1500));
        CHECK(parse_duration("2h", "x") == milliseconds(7200000));
        CHECK(parse_duration("0", "x") == milliseconds(0));
        CHECK(parse_duration("1500us", "x") == milliseconds(2));
    }

    TEST_CASE("anything else is refused naming the option") {
        for (const char* bad : {"", "10", "s", "1.2.3s", "5 s", "-1s", "1d", "ms"}) {
            CAPTURE(bad);
            try {
                parse_duration(bad, "--stop-timeout");
                FAIL("accepted");
            } catch (const plugrt::Error& e) {
                CHECK(std::string(e.what()).find("--stop-timeout: \"") == 0);
            }
        }
    }

    TEST_CASE("formatting picks the shortest readable unit") {
        CHECK(format_duration(milliseconds(250)) == "250ms");
        CHECK(format_duration(milliseconds(10000)) == "10s");
        CHECK(format_duration(milliseconds(1500)) == "1.5s");
        CHECK(format_duration(milliseconds(90000)) == "1m30s");
        CHECK(format_duration(milliseconds(120000)) == "2m");
    }
}

TEST_SUITE("supervisor config") {
    TEST_CASE("a config survives the round trip through its file") {
        SupervisorConfig c;
        c.plugin_id = std::string(64, 'a');
        c.plugin_name = "rclone:latest";
        c.runtime = "/usr/bin/plugrt";
        c.runtime_root = "/run/plugrt";
        c.bundle_dir = "/run/plugrt-plugins/x/bundle";
        c.state_dir = "/run/plugrt-plugins/x";
        c.socket_path = "/run/docker/plugins/x/rclone.sock";
        c.socket_dir = "/run/docker/plugins/x";
        c.propagated_mount = "/var/lib/plugrt/plugins/x/propagated-mount";
        c.interface_types = {"docker.volumedriver/1.0"};
        c.log_destination = "syslog";
        c.log_format = LogFormat::Json;
        c.stop_timeout = milliseconds(2500);
        c.ready_timeout = milliseconds(7000);
        c.restart.max_restarts = 3;
        c.restart.initial_delay = milliseconds(100);
        c.restart.max_delay = milliseconds(800);
        c.restart.healthy_after = milliseconds(5000);
        const SupervisorConfig back =
            supervisor_config_from_json(supervisor_config_to_json(c), "supervisor.json");
        CHECK(back.plugin_id == c.plugin_id);
        CHECK(back.plugin_name == c.plugin_name);
        CHECK(back.runtime == c.runtime);
        CHECK(back.socket_path == c.socket_path);
        CHECK(back.propagated_mount == c.propagated_mount);
        CHECK(back.interface_types == c.interface_types);
        CHECK(back.log_destination == "syslog");
        CHECK(back.log_format == LogFormat::Json);
        CHECK(back.stop_timeout == c.stop_timeout);
        CHECK(back.ready_timeout == c.ready_timeout);
        CHECK(back.restart.max_restarts == 3);
        CHECK(back.restart.initial_delay == milliseconds(100));
        CHECK(back.restart.max_delay == milliseconds(800));
        CHECK(back.restart.healthy_after == milliseconds(5000));
        CHECK(back.file("status.json") == "/run/plugrt-plugins/x/status.json");
    }

    TEST_CASE("a damaged file is refused naming the file and the field") {
        auto refused = [](const std::string& text) {
            try {
                supervisor_config_from_json(text, "/s/supervisor.json");
            } catch (const plugrt::Error& e) {
                return std::string(e.what());
            }
            return std::string("accepted");
        };
        CHECK(refused("{").find("/s/supervisor.json: not valid JSON") == 0);
        CHECK(refused("[]") == "/s/supervisor.json: must be a JSON object");
        CHECK(refused("{}") == "/s/supervisor.json: pluginId is missing");
        SupervisorConfig c;
        c.plugin_id = "x";
        c.runtime = "/plugrt";
        std::string text = supervisor_config_to_json(c);
        text.replace(text.find("\"stopTimeoutMs\": 10000"), 22, "\"stopTimeoutMs\": \"10s\"");
        CHECK(refused(text) == "/s/supervisor.json: stopTimeoutMs must be a non-negative integer");
        c.runtime = "plugrt";
        CHECK(refused(supervisor_config_to_json(c)) ==
              "/s/supervisor.json: runtime must be an absolute path");
    }
}

TEST_SUITE("supervisor reports") {
    TEST_CASE("the probe's line carries readiness, time and the reason") {
        ActivationResult ok;
        ok.outcome = ActivationResult::Outcome::Ready;
        ok.elapsed = milliseconds(42);
        ok.implements = {"VolumeDriver", "authz"};
        const ProbeReport ready = parse_probe_line(format_probe_line(ok));
        CHECK(ready.ready);
        CHECK(ready.elapsed_ms == 42);
        CHECK(ready.summary == "VolumeDriver, authz");

        ActivationResult exited;
        exited.outcome = ActivationResult::Outcome::ProcessExited;
        const ProbeReport gone = parse_probe_line(format_probe_line(exited));
        CHECK_FALSE(gone.ready);
        CHECK(gone.plugin_exited);

        ActivationResult wrong;
        wrong.outcome = ActivationResult::Outcome::WrongImplements;
        wrong.expected = {"VolumeDriver"};
        wrong.implements = {"NetworkDriver"};
        wrong.missing = {"VolumeDriver"};
        const ProbeReport refused = parse_probe_line(format_probe_line(wrong));
        CHECK_FALSE(refused.ready);
        CHECK_FALSE(refused.plugin_exited);
        CHECK(refused.summary == wrong.describe());

        CHECK_FALSE(parse_probe_line("").ready);
        CHECK(parse_probe_line("").summary == "the readiness check ended without a result");
    }

    TEST_CASE("the start report keeps one line whatever the detail holds") {
        const std::string line = format_start_report({true, 162, "VolumeDriver"});
        CHECK(line == "enabled\t162\tVolumeDriver\n");
        const StartReport back = parse_start_report(line);
        CHECK(back.enabled);
        CHECK(back.ready_ms == 162);
        CHECK(back.detail == "VolumeDriver");

        const std::string failed = format_start_report({false, 0, "exit status 7\nboom\tbad"});
        CHECK(failed == "failed\texit status 7 boom bad\n");
        CHECK(parse_start_report(failed).detail == "exit status 7 boom bad");
        CHECK_FALSE(parse_start_report("").enabled);
        CHECK(parse_start_report("").detail == "the supervisor ended without a report");
    }
}
