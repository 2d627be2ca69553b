// Integration-test harness: black-box tests drive the real `plugrt` binary the way engines do
// and assert on what the static probe (tests/probe/probe.cpp) reports from inside containers.
//
// Typical use:
//   require_root();
//   Runtime rt;                                  // private --root and --log for this test
//   Bundle b{{"/probe", "caps"}};                // temp dir, rootfs = /probe, default spec
//   b.spec().process->capabilities->bounding = {...};
//   b.write_config();
//   auto r = rt.run({"run", "--bundle", b.dir(), rt.new_id()});
//   CHECK_MESSAGE(r.exit_code == 0, r.describe());
//   auto caps = r.json();
//
// The API is shared with the isolation tests; extend it, do not change existing signatures.
#pragma once

#include <sys/types.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace plugrt::test {

// Paths of the binaries under test, from the build (tests/CMakeLists.txt).
const char* plugrt_bin();
const char* probe_bin();

// FAILS the current test (never skips) when not running as root; integration tests need it.
void require_root();

struct RunResult {
    int exit_code = -1;  // exit status, or 128+signal when killed by a signal
    bool timed_out = false;
    std::string out;
    std::string err;
    std::vector<std::string> argv;

    // One paragraph for CHECK_MESSAGE: the command line, status, stdout and stderr.
    std::string describe() const;
    // stdout parsed as JSON; throws with describe() when it is not JSON.
    nlohmann::json json() const;
};

struct RunOptions {
    std::string stdin_data;        // written to the child's stdin, then closed
    int timeout_ms = 30000;        // SIGKILL and timed_out = true after this
    std::vector<int> inherit_fds;  // fds (of this process) that stay open in the child
    std::vector<int> fds_at_3;     // these fds become 3, 4, ... in the child (--preserve-fds)
    std::string cwd;               // empty: current directory
    bool capture = true;           // false: stdout/stderr go to /dev/null (no pipes)
    int stdout_fd = -1;            // >= 0: the child's stdout is this fd (e.g. a file)
};

// Runs any program; argv[0] is the path. Reaps leftover zombie children afterwards (the harness
// is a child subreaper so that container inits are re-parented to it, as to a shim).
RunResult run_program(const std::vector<std::string>& argv, const RunOptions& options = {});

// A private state root (--root) and JSON log (--log) for one test, so tests never see each
// other's containers. The destructor force-deletes every id handed out by new_id() and removes
// the root directory.
class Runtime {
public:
    Runtime();
    ~Runtime();
    Runtime(const Runtime&) = delete;
    Runtime& operator=(const Runtime&) = delete;

    const std::string& root() const { return root_; }
    const std::string& log_path() const { return log_; }

    // A fresh container id, unique on this host ("it-<pid>-<n>").
    std::string new_id();

    // `plugrt --root R --log L --log-format json ARGS...` (containerd's global flags).
    RunResult run(const std::vector<std::string>& args, const RunOptions& options = {});
    // `plugrt ARGS...` with exactly the given arguments.
    RunResult raw(const std::vector<std::string>& args, const RunOptions& options = {});

    // Content of the --log file ("" when absent).
    std::string log_text() const;
    // `state ID` parsed; throws when it fails.
    nlohmann::json state(const std::string& id);

private:
    std::string root_;
    std::string log_;
    std::vector<std::string> ids_;
};

// The default config: runc's `runc spec` defaults adapted to the probe rootfs (pid, net, ipc,
// uts, mount namespaces; proc, /dev tmpfs, devpts, shm, mqueue, sysfs, cgroup mounts; runc's
// default capabilities; masked and read-only paths; readonly root; cgroupsPath under
// /plugrt-test/). `args` become process.args.
oci::Spec default_spec(const std::vector<std::string>& args);

// A bundle in a fresh temp directory: rootfs/ holding only /probe, and config.json written from
// spec() by write_config() (the constructor writes it once). The destructor removes the
// directory (after unmounting anything a failed test left below it).
class Bundle {
public:
    explicit Bundle(const std::vector<std::string>& args = {"/probe", "exit", "0"});
    ~Bundle();
    Bundle(const Bundle&) = delete;
    Bundle& operator=(const Bundle&) = delete;

    const std::string& dir() const { return dir_; }
    std::string rootfs() const { return dir_ + "/rootfs"; }
    std::string config_path() const { return dir_ + "/config.json"; }

    oci::Spec& spec() { return spec_; }
    void write_config();                             // spec() → config.json
    void write_raw_config(const std::string& text);  // anything, e.g. invalid JSON

    // Adds a file below rootfs/ (parents created). `path` is container-absolute.
    void add_file(const std::string& path, const std::string& content, unsigned mode = 0644);
    // Copies /bin/busybox to /bin/busybox and links `applets` (e.g. "true", "sh") next to it.
    void add_busybox(const std::vector<std::string>& applets = {"true", "sh", "sleep"});

private:
    std::string dir_;
    oci::Spec spec_;
};

// What a container may leave on the host. Compared before/after a failing or completed
// lifecycle: new entries are leaks.
struct HostSnapshot {
    std::set<std::string> mounts;      // "<mountpoint> <fstype>" from /proc/self/mountinfo
    std::set<std::string> processes;   // "<pid> <exe>" of processes running plugrt or a probe
    std::set<std::string> state_dirs;  // entries under the runtime's --root
    std::set<std::string> cgroups;     // cgroup directories whose path contains "plugrt"
};

HostSnapshot snapshot_host(const std::string& state_root);
// Human-readable list of what is in `after` but not in `before` ("mount: /x tmpfs", ...).
std::vector<std::string> leaks_between(const HostSnapshot& before, const HostSnapshot& after);

// Helpers for tests.
std::string make_temp_dir(const std::string& prefix);  // /tmp/<prefix>XXXXXX, created
// Unmounts everything at or below `dir`, deepest first (MNT_DETACH).
void unmount_below(const std::string& dir);
std::string read_text_file(const std::string& path);  // "" when missing
bool path_exists(const std::string& path);
// Polls `predicate` every 20 ms for at most `timeout_ms`; returns its last value.
bool wait_until(const std::function<bool()>& predicate, int timeout_ms = 5000);
// Reaps any exited children of this process (container inits re-parented to the harness).
void reap_zombies();

}  // namespace plugrt::test
