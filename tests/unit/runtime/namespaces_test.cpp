#include "runtime/namespaces.hpp"

#include <doctest/doctest.h>
#include <sched.h>

#include "runtime/error.hpp"

using namespace plugrt;

namespace {
// Built member by member: the spec structs grow fields (e.g. `extra`), and aggregate
// initialisers would then trip -Wmissing-field-initializers.
oci::Linux with_namespaces(std::vector<std::pair<std::string, std::string>> namespaces) {
    oci::Linux linux;
    for (auto& [type, path] : namespaces) {
        oci::Namespace ns;
        ns.type = type;
        ns.path = path;
        linux.namespaces.push_back(ns);
    }
    return linux;
}

oci::IdMapping mapping(uint32_t container_id, uint32_t host_id, uint32_t size) {
    oci::IdMapping m;
    m.container_id = container_id;
    m.host_id = host_id;
    m.size = size;
    return m;
}
}  // namespace

TEST_SUITE("runtime/namespaces") {
    TEST_CASE("namespaces without a path become clone flags, cgroup is deferred") {
        auto linux = with_namespaces({{"pid", ""},
                                      {"network", ""},
                                      {"mount", ""},
                                      {"ipc", ""},
                                      {"uts", ""},
                                      {"cgroup", ""}});
        CHECK(clone_flags_for(linux) ==
              (CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS));
    }

    TEST_CASE("namespaces with a path are joined, not created") {
        auto linux = with_namespaces({{"pid", ""}, {"network", "/proc/1/ns/net"}});
        CHECK(clone_flags_for(linux) == CLONE_NEWPID);
    }

    TEST_CASE("unknown and duplicate types are rejected") {
        CHECK_THROWS_WITH_AS(clone_flags_for(with_namespaces({{"net", ""}})),
                             doctest::Contains("unknown namespace type 'net'"), Error);
        CHECK_THROWS_WITH_AS(clone_flags_for(with_namespaces({{"pid", ""}, {"pid", ""}})),
                             doctest::Contains("listed twice"), Error);
    }

    TEST_CASE("time offsets need a new time namespace; a joined one is refused") {
        auto created = with_namespaces({{"time", ""}});
        created.time_offsets["monotonic"] = oci::TimeOffset{};
        CHECK(clone_flags_for(created) == CLONE_NEWTIME);

        auto none = with_namespaces({{"pid", ""}});
        none.time_offsets["monotonic"] = oci::TimeOffset{};
        CHECK_THROWS_WITH_AS(clone_flags_for(none),
                             doctest::Contains("linux.timeOffsets: needs a new time namespace"),
                             Error);

        auto joined = with_namespaces({{"time", "/proc/1/ns/time"}});
        joined.time_offsets["boottime"] = oci::TimeOffset{};
        CHECK_THROWS_WITH_AS(clone_flags_for(joined), doctest::Contains("joined time namespace"),
                             Error);
    }

    TEST_CASE("time offsets are written one clock per line, seconds then nanoseconds") {
        std::map<std::string, oci::TimeOffset> offsets;
        offsets["monotonic"].secs = 86400;
        offsets["boottime"].secs = -5;
        offsets["boottime"].nanosecs = 250;
        // std::map order: boottime first; the kernel takes the lines in any order.
        CHECK(format_time_offsets(offsets) == "boottime -5 250\nmonotonic 86400 0\n");
        CHECK(format_time_offsets({}).empty());
    }

    TEST_CASE("spec names map to /proc/<pid>/ns names") {
        CHECK(std::string(proc_ns_name("network")) == "net");
        CHECK(std::string(proc_ns_name("mount")) == "mnt");
        CHECK(clone_flag_for_type("time") == CLONE_NEWTIME);
    }

    TEST_CASE("id maps are formatted one mapping per line") {
        CHECK(format_id_map({mapping(0, 100000, 65536), mapping(65536, 1000, 1)}) ==
              "0 100000 65536\n65536 1000 1\n");
        CHECK(format_id_map({}).empty());
    }

    TEST_CASE("a hostname without a UTS namespace is refused") {
        oci::Spec spec;
        spec.hostname = "plugin";
        spec.linux = with_namespaces({{"mount", ""}});
        CHECK_THROWS_WITH_AS(set_hostname(spec), doctest::Contains("UTS namespace"), Error);
        spec.hostname.clear();
        CHECK_NOTHROW(set_hostname(spec));  // nothing to set, nothing checked
    }
}
