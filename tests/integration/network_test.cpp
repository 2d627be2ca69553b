// The container's network namespace: a new one has only `lo`, up (runc's loopback strategy),
// belongs to the runtime's user namespace, and is what sysfs and exec'd processes see; without
// one the container shares the host's.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "integration/isolation_helpers.hpp"

using namespace plugrt::test;

namespace {

std::string ns_link(const std::string& pid, const char* type) {
    std::error_code ec;
    return std::filesystem::read_symlink("/proc/" + pid + "/ns/" + type, ec).string();
}

// Inode of the user namespace that owns `pid`'s network namespace (NS_GET_USERNS).
ino_t network_namespace_owner(int pid) {
    const std::string path = "/proc/" + std::to_string(pid) + "/ns/net";
    const int net = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE_MESSAGE(net >= 0, "open " << path);
    const int owner = ioctl(net, NS_GET_USERNS);
    close(net);
    REQUIRE_MESSAGE(owner >= 0, "NS_GET_USERNS on " << path);
    struct stat st {};
    fstat(owner, &st);
    close(owner);
    return st.st_ino;
}

ino_t inode_of(const std::string& path) {
    struct stat st {};
    REQUIRE_MESSAGE(stat(path.c_str(), &st) == 0, "stat " << path);
    return st.st_ino;
}

}  // namespace

TEST_SUITE("integration/network") {
    TEST_CASE("a new network namespace has lo up and nothing else, and exec joins it") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        auto started = rt.run({"run", "--detach", "--bundle", b.dir(), id});
        REQUIRE_MESSAGE(started.exit_code == 0, started.describe());
        const int init = rt.state(id)["pid"].get<int>();
        const std::string init_ns = ns_link(std::to_string(init), "net");
        CHECK(init_ns != ns_link("self", "net"));
        // Owned by the runtime's (here the initial) user namespace, as when clone made it.
        CHECK(network_namespace_owner(init) == inode_of("/proc/self/ns/user"));

        auto r = rt.run({"exec", id, "/probe", "network"});
        REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
        const auto net = r.json();
        CHECK(net["ns"] == init_ns);
        // sysfs was mounted from inside the namespace: it lists the container's interfaces.
        CHECK(net["interfaces"] == nlohmann::json::array({"lo"}));
        CHECK_MESSAGE(net["loopback_tcp"] == true, r.describe());
    }

    TEST_CASE("without a network namespace the container uses the host's") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "network"}};
        auto& namespaces = b.spec().linux->namespaces;
        namespaces.erase(std::remove_if(namespaces.begin(), namespaces.end(),
                                        [](const auto& ns) { return ns.type == "network"; }),
                         namespaces.end());
        b.write_config();
        auto r = rt.run({"run", "--bundle", b.dir(), rt.new_id()});
        REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
        CHECK(r.json()["ns"] == ns_link("self", "net"));
        CHECK(r.json()["loopback_tcp"] == true);
    }

    TEST_CASE("with a user namespace too, the network namespace belongs to it") {
        // Its root must administer its own network (lo, sysctls): the namespace has to be
        // made inside the new user namespace, not before it.
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        make_userns_bundle(b);
        std::string id = rt.new_id();
        auto created = rt.run({"create", "--bundle", b.dir(), id});
        REQUIRE_MESSAGE(created.exit_code == 0, created.describe());
        const int init = rt.state(id)["pid"].get<int>();
        CHECK(network_namespace_owner(init) ==
              inode_of("/proc/" + std::to_string(init) + "/ns/user"));
        CHECK(network_namespace_owner(init) != inode_of("/proc/self/ns/user"));
    }
}
