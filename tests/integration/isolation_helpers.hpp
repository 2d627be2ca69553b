// Small helpers shared by the isolation integration tests (mounts, devices, capabilities,
// seccomp, cgroups, ...). Header-only on top of harness.hpp.
#pragma once

#include <doctest/doctest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "integration/harness.hpp"

namespace plugrt::test {

inline oci::IdMapping id_map(uint32_t container, uint32_t host, uint32_t size) {
    oci::IdMapping m;
    m.container_id = container;
    m.host_id = host;
    m.size = size;
    return m;
}

// A bundle whose container runs in a new user namespace mapping 0..65535 to 100000..165535.
// The bundle directory must be traversable by the mapped root, which is not host root, and the
// rootfs belongs to it (as an engine's chowned or idmapped image would): the init creates the
// mountpoints (/proc, /dev, ...) as that root.
inline void make_userns_bundle(Bundle& b) {
    chmod(b.dir().c_str(), 0755);
    namespace fs = std::filesystem;
    REQUIRE(lchown(b.rootfs().c_str(), 100000, 100000) == 0);
    for (const auto& entry : fs::recursive_directory_iterator(b.rootfs())) {
        REQUIRE(lchown(entry.path().c_str(), 100000, 100000) == 0);
    }
    auto& linux = *b.spec().linux;
    linux.namespaces.push_back({"user", "", oci::Json::object()});
    linux.uid_mappings = {id_map(0, 100000, 65536)};
    linux.gid_mappings = {id_map(0, 100000, 65536)};
    b.write_config();
}

// `plugrt run` of the bundle; the probe's JSON on success. Fails the test otherwise.
inline nlohmann::json run_probe(Runtime& rt, Bundle& bundle) {
    bundle.write_config();
    auto r = rt.run({"run", "--bundle", bundle.dir(), rt.new_id()});
    REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
    return r.json();
}

// `plugrt run` expected to fail; returns the result for message checks.
inline RunResult run_expecting_failure(Runtime& rt, Bundle& bundle) {
    bundle.write_config();
    auto r = rt.run({"run", "--bundle", bundle.dir(), rt.new_id()});
    CHECK_MESSAGE(r.exit_code != 0, r.describe());
    return r;
}

// The last probe "mounts" entry at `mountpoint` (the visible one), or null.
inline nlohmann::json find_mount(const nlohmann::json& probe_mounts, const std::string& point) {
    nlohmann::json found;
    for (const auto& m : probe_mounts["mounts"]) {
        if (m["mountpoint"] == point) {
            found = m;
        }
    }
    return found;
}

inline bool has_option(const nlohmann::json& mount, const std::string& option) {
    std::string options = "," + mount.value("options", std::string()) + ",";
    return options.find("," + option + ",") != std::string::npos;
}

inline oci::Mount spec_mount(std::string destination, std::string type, std::string source,
                             std::vector<std::string> options) {
    oci::Mount m;
    m.destination = std::move(destination);
    m.type = std::move(type);
    m.source = std::move(source);
    m.options = std::move(options);
    return m;
}

// A host directory outside every bundle (a "marker" in the security checklist's sense), removed
// at scope exit.
class HostDir {
public:
    explicit HostDir(const std::string& prefix = "plugrt-it-host-") {
        std::random_device rd;
        path_ = "/var/tmp/" + prefix + std::to_string(rd());
        std::filesystem::create_directories(path_);
    }
    ~HostDir() {
        ::umount2(path_.c_str(), MNT_DETACH);
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    HostDir(const HostDir&) = delete;
    HostDir& operator=(const HostDir&) = delete;
    const std::string& path() const { return path_; }
    std::vector<std::string> listing() const {
        std::vector<std::string> names;
        for (const auto& e : std::filesystem::recursive_directory_iterator(path_)) {
            names.push_back(e.path().lexically_relative(path_).string());
        }
        std::sort(names.begin(), names.end());
        return names;
    }

private:
    std::string path_;
};

}  // namespace plugrt::test
