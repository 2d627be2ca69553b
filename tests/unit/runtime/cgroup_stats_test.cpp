#include "runtime/cgroup_stats.hpp"

#include <doctest/doctest.h>

#include <limits>

using namespace plugrt;

TEST_SUITE("runtime/cgroup_stats") {
    TEST_CASE("flat keyed files: every name with an unsigned number, nothing else") {
        const auto stat = parse_flat_keyed(
            "cache 540672\nrss 372736\nhierarchical_memory_limit 67108864\n"
            "bogus\n 12\nnegative -3\nwords two words\nlast 7");
        CHECK(stat.size() == 4);
        CHECK(stat.at("cache") == 540672);
        CHECK(stat.at("rss") == 372736);
        CHECK(stat.at("hierarchical_memory_limit") == 67108864);
        CHECK(stat.at("last") == 7);  // no trailing newline
        CHECK(stat.count("negative") == 0);
        CHECK(stat.count("words") == 0);
        CHECK(parse_flat_keyed("").empty());
    }

    TEST_CASE("cpu.stat of cgroup v2 (usec) parses like any flat keyed file") {
        const auto cpu = parse_flat_keyed(
            "usage_usec 94759\nuser_usec 90000\nsystem_usec 4759\nnr_periods 3\n"
            "nr_throttled 1\nthrottled_usec 250\n");
        CHECK(cpu.at("usage_usec") == 94759);
        CHECK(cpu.at("throttled_usec") == 250);
    }

    TEST_CASE("number lists (cpuacct.usage_percpu) keep their order") {
        CHECK(parse_number_list("94759172 0 \n") == std::vector<uint64_t>{94759172, 0});
        CHECK(parse_number_list("  5\t6\n7") == std::vector<uint64_t>{5, 6, 7});
        CHECK(parse_number_list("").empty());
    }

    TEST_CASE("limits: a number, or \"max\" as the caller's value for no limit") {
        CHECK(parse_limit_value("50", 0) == 50);
        CHECK(parse_limit_value("max", 0) == 0);
        CHECK(parse_limit_value("max", std::numeric_limits<uint64_t>::max()) ==
              std::numeric_limits<uint64_t>::max());
        CHECK(parse_limit_value("", 0) == 0);
        CHECK(parse_limit_value("12k", 0) == 0);
    }
}
