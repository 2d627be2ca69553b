// The container's cgroups, cgroupfs driver (runc libcontainer/cgroups/fs and fs2).
//
// Where the cgroup goes, for each hierarchy (v1 controllers, plus the unified hierarchy of a
// hybrid host for membership), matching runc's cgroupfs driver:
//   linux.cgroupsPath absolute "/a/b"  -> <hierarchy mount>/a/b
//   linux.cgroupsPath relative "a/b"   -> <plugrt's own cgroup in that hierarchy>/a/b
//   linux.cgroupsPath empty            -> <plugrt's own cgroup>/<container id> on v1/hybrid
//                                         (runc: Name=id, relative to its own cgroup; that is
//                                         what Docker plugins get, moby-plugin-spec §b), and
//                                         <parent of plugrt's own cgroup>/<id> on a unified
//                                         host (v2's "no internal processes" rule).
// Paths are cleaned lexically so ".." cannot climb out of the hierarchy.
//
// Lifecycle: create() makes the directories (rolled back if any step fails), apply_resources()
// sets the limits, the init and `exec`'s processes enter them by themselves (cgroup_join.hpp),
// to_state()/from_state() let later invocations (kill --all, ps, delete) find them, destroy()
// removes every directory create() made.
#pragma once

#include <sys/types.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "oci/spec.hpp"
#include "runtime/cgroup_detect.hpp"
#include "runtime/cgroup_stats.hpp"

namespace plugrt {

struct CgroupDir {
    std::string key;          // "memory", "cpu,cpuacct", "name=systemd"; "" = unified
    std::string path;         // absolute directory of the container's cgroup
    std::string created_top;  // the highest directory create() made ("" if it existed)
};

// Pure: the container's directory in each hierarchy, from the host layout and the text of
// /proc/self/cgroup. Hierarchies plugrt's own cgroup is not reachable in are skipped.
std::vector<CgroupDir> plan_cgroup_dirs(const CgroupLayout& layout,
                                        const std::string& proc_self_cgroup,
                                        const std::string& cgroups_path,
                                        const std::string& container_id);

// The host facts Cgroup::create() works from, read once per `create`: the layout (from
// /proc/self/mountinfo) and the text of /proc/self/cgroup.
struct HostCgroups {
    CgroupLayout layout;
    std::string proc_self_cgroup;
};
HostCgroups read_host_cgroups();

class Cgroup {
public:
    Cgroup() = default;

    // Throws Error(Invalid) "systemd cgroup driver requested but systemd is not running" when
    // `systemd` and /run/systemd/system is missing; plugrt has no systemd driver otherwise
    // either, so `systemd` with systemd running is refused too (clear error, no surprise).
    static Cgroup create(const std::string& container_id, const oci::Spec& spec, bool systemd);
    static Cgroup create(const std::string& container_id, const oci::Spec& spec, bool systemd,
                         const HostCgroups& host);
    // create() in two steps, for `create` to make the v1 directories while the init is already
    // building its rootfs (container_create.cpp): plan() decides every directory and makes
    // none, create_dirs() makes those of one kind. After a failure of create_dirs() the caller
    // calls destroy() (create() does so itself).
    static Cgroup plan(const std::string& container_id, const oci::Spec& spec, bool systemd,
                       const HostCgroups& host);
    enum class Part { Unified, V1 };
    void create_dirs(Part part);
    bool has_v1_dirs() const;
    static Cgroup from_state(const nlohmann::json& state);
    nlohmann::json to_state() const;

    // Writes the pid to cgroup.procs of the unified hierarchy only (none: nothing to do); for a
    // kernel that refused clone3(CLONE_INTO_CGROUP).
    void add_process_to_unified(pid_t pid);
    // linux.resources: v1 devices (deny all, the spec's rules in order, then runc's default
    // allow list), memory limit, cpu shares/quota/period, pids limit; v2 equivalents.
    void apply_resources(const oci::Linux& linux);
    // `update` of a live container: the memory, cpu and pids limits `res` sets, leaving the
    // device rules and every limit it does not mention as they are.
    void update_limits(const oci::Resources& res);
    // CPU, memory and pids usage as the cgroup files report it now (cgroup_stats.cpp).
    CgroupStats stats() const;
    // Every pid in the container's cgroups (union over the hierarchies), sorted.
    std::vector<pid_t> pids() const;
    // Signals every pid. A running cgroup is frozen around the signalling so nothing forks away
    // (runc signalAllProcesses) and thawed again; a paused one stays frozen, except that SIGKILL
    // thaws it (a task frozen by the v1 freezer does not die before it is thawed).
    void signal_all(int sig);

    // `pause`/`resume`: v1 freezer.state FROZEN/THAWED (waiting until the kernel reports FROZEN),
    // v2 cgroup.freeze (waiting for "frozen 1" in cgroup.events). Error(Invalid) when this
    // container has no freezer (v1 freezer controller not mounted).
    void freeze();
    void thaw();
    // Whether the container's cgroup is frozen by itself (runc isPaused: FROZEN and
    // freezer.self_freezing 1 on v1, cgroup.freeze 1 on v2). False without a freezer or when the
    // directory is gone.
    bool frozen() const;
    // rmdir of every directory create() made, leaf first, retrying EBUSY briefly (a just-killed
    // task can linger). Missing directories are fine. Throws if something stays busy.
    void destroy();

    CgroupMode mode() const { return mode_; }
    const std::vector<CgroupDir>& dirs() const { return dirs_; }

private:
    // The container's directory in the v1 hierarchy of `controller`, if mounted.
    std::optional<std::string> v1_dir(const std::string& controller) const;
    // The directory whose freezer pause/resume use: the v1 freezer hierarchy, or the unified
    // one on a v2-only host. nullptr when there is none.
    const CgroupDir* freezer_dir() const;

    CgroupMode mode_ = CgroupMode::Legacy;
    std::string unified_mount_;  // where v2 controllers are enabled from (unified hosts)
    std::vector<CgroupDir> dirs_;
};

}  // namespace plugrt
