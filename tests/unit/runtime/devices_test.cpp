#include "runtime/devices.hpp"

#include <doctest/doctest.h>
#include <sys/mount.h>

#include "runtime/error.hpp"
#include "runtime/rootfs.hpp"

using namespace plugrt;

namespace {
oci::Device device(std::string path, std::string type, int64_t major, int64_t minor) {
    oci::Device d;
    d.path = std::move(path);
    d.type = std::move(type);
    d.major = major;
    d.minor = minor;
    return d;
}
}  // namespace

TEST_SUITE("runtime/devices") {
    TEST_CASE("runc's six default nodes come first") {
        auto nodes = planned_device_nodes(nullptr);
        REQUIRE(nodes.size() == 6);
        CHECK(nodes[0].path == "/dev/null");
        CHECK(nodes[0].major == 1);
        CHECK(nodes[0].minor == 3);
        CHECK(nodes[0].mode == 0666);
    }

    TEST_CASE("/dev/fuse from a Docker plugin spec keeps only permission bits") {
        oci::Linux linux;
        auto fuse = device("/dev/fuse", "c", 10, 229);
        fuse.file_mode = 8576;  // 020600: Docker 20.10 passes the type bits along
        fuse.uid = 0;
        fuse.gid = 0;
        linux.devices.push_back(fuse);
        auto nodes = planned_device_nodes(&linux);
        REQUIRE(nodes.size() == 7);
        CHECK(nodes.back().path == "/dev/fuse");
        CHECK(nodes.back().mode == 0600);
        CHECK(nodes.back().type == 'c');
    }

    TEST_CASE("a spec device replaces a default with the same path") {
        oci::Linux linux;
        auto null = device("/dev/null", "c", 1, 3);
        null.file_mode = 0600;
        linux.devices.push_back(null);
        auto nodes = planned_device_nodes(&linux);
        CHECK(nodes.size() == 6);
        CHECK(nodes.back().mode == 0600);
    }

    TEST_CASE("devices outside /dev, unknown types and bad numbers are refused") {
        for (const char* path : {"/etc/evil", "/dev/../etc/evil", "dev/x", "/dev", "/dev/"}) {
            CAPTURE(path);
            oci::Linux linux;
            linux.devices.push_back(device(path, "c", 1, 1));
            CHECK_THROWS_WITH_AS(planned_device_nodes(&linux), doctest::Contains("below /dev/"),
                                 Error);
        }
        oci::Linux bad_type;
        bad_type.devices.push_back(device("/dev/x", "s", 1, 1));
        CHECK_THROWS_WITH_AS(planned_device_nodes(&bad_type), doctest::Contains("type"), Error);
        oci::Linux bad_number;
        bad_number.devices.push_back(device("/dev/x", "c", -1, 1));
        CHECK_THROWS_AS(planned_device_nodes(&bad_number), Error);
    }

    TEST_CASE("nested paths and fifos are accepted") {
        oci::Linux linux;
        linux.devices.push_back(device("/dev/net/tun", "c", 10, 200));
        linux.devices.push_back(device("/dev/fifo", "p", 0, 0));
        auto nodes = planned_device_nodes(&linux);
        CHECK(nodes[6].path == "/dev/net/tun");
        CHECK(nodes[7].type == 'p');
    }
}

TEST_SUITE("runtime/rootfs") {
    TEST_CASE("rootfsPropagation maps to mount flags, rslave by default") {
        CHECK(root_propagation_flags("") == (MS_SLAVE | MS_REC));
        CHECK(root_propagation_flags("rshared") == (MS_SHARED | MS_REC));
        CHECK(root_propagation_flags("private") == MS_PRIVATE);
        CHECK_THROWS_WITH_AS(root_propagation_flags("shard"), doctest::Contains("shard"), Error);
    }
}
