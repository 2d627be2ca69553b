#include "runtime/host_lookup_linux.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace plugrt;

TEST_SUITE("runtime/host_lookup_linux") {
    TEST_CASE("/dev/null is char device 1:3 with permission bits only") {
        LinuxHostLookup host;
        const auto devices = host.devices_from_path("/dev/null");
        REQUIRE(devices.size() == 1);
        CHECK(devices[0].path == "/dev/null");
        CHECK(devices[0].type == "c");
        CHECK(devices[0].major == 1);
        CHECK(devices[0].minor == 3);
        REQUIRE(devices[0].file_mode.has_value());
        CHECK((*devices[0].file_mode & ~07777u) == 0);
    }

    TEST_CASE("/dev/fuse, where present, is char device 10:229") {
        struct stat st {};
        if (::lstat("/dev/fuse", &st) != 0) return;  // not every test host has fuse
        LinuxHostLookup host;
        const auto devices = host.devices_from_path("/dev/fuse");
        REQUIRE(devices.size() == 1);
        CHECK(devices[0].major == 10);
        CHECK(devices[0].minor == 229);
    }

    TEST_CASE("a symlink is resolved but reported under its own path") {
        const auto dir =
            std::filesystem::temp_directory_path() / ("plugrt-hl-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir);
        std::filesystem::create_symlink("/dev/null", dir / "null-link");
        LinuxHostLookup host;
        const auto devices = host.devices_from_path((dir / "null-link").string());
        std::filesystem::remove_all(dir);
        REQUIRE(devices.size() == 1);
        CHECK(devices[0].path == (dir / "null-link").string());
        CHECK(devices[0].minor == 3);
    }

    TEST_CASE("a missing path fails with Docker's message, the path and the errno") {
        LinuxHostLookup host;
        CHECK_THROWS_WITH_AS(host.devices_from_path("/dev/plugrt-does-not-exist"),
                             "error gathering device information while adding custom device "
                             "\"/dev/plugrt-does-not-exist\": lstat /dev/plugrt-does-not-exist: "
                             "no such file or directory (ENOENT)",
                             plugrt::oci::HostLookupError);
    }

    TEST_CASE("a regular file is not a device node") {
        LinuxHostLookup host;
        CHECK_THROWS_WITH_AS(host.devices_from_path("/etc/hostname"),
                             doctest::Contains("not a device node"), plugrt::oci::HostLookupError);
    }

    TEST_CASE("thermal_throttle CPUs come from the possible list and existing dirs") {
        const auto dir =
            std::filesystem::temp_directory_path() / ("plugrt-cpu-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir / "cpu0" / "thermal_throttle");
        std::filesystem::create_directories(dir / "cpu1");
        std::filesystem::create_directories(dir / "cpu3" / "thermal_throttle");
        std::filesystem::create_directories(dir / "cpu9" / "thermal_throttle");  // not possible
        std::ofstream(dir / "possible") << "0-1,3\n";
        LinuxHostLookup host(dir.string());
        const auto cpus = host.cpus_with_thermal_throttle();
        std::filesystem::remove_all(dir);
        CHECK(cpus == std::vector<int>{0, 3});
        CHECK(parse_cpu_list("0-2,5") == std::vector<int>{0, 1, 2, 5});
        CHECK(parse_cpu_list("garbage").empty());
    }
}
