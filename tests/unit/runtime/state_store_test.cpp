#include "runtime/state_store.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "runtime/error.hpp"
#include "unit/shim/temp_dir.hpp"

using namespace plugrt;
using plugrt::test::TempDir;

namespace {

Error::Kind kind_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.kind();
    }
    FAIL("no Error thrown");
    return Error::Kind::System;
}

}  // namespace

TEST_SUITE("runtime/state_store") {
    TEST_CASE("container ids: runc's alphabet, not empty, not . or ..") {
        for (const char* ok : {"a", "abc", "A_b-c.d+e", "0123", "..."}) {
            CAPTURE(ok);
            CHECK_NOTHROW(validate_container_id(ok));
        }
        for (const char* bad : {"", ".", "..", "a/b", "../x", "a b", "a\nb", "\xc3\xa4", "a:b"}) {
            CAPTURE(bad);
            CHECK(kind_of([&] { validate_container_id(bad); }) == Error::Kind::Invalid);
        }
    }

    TEST_CASE("the root is created 0700 and made absolute; / and empty are refused") {
        TempDir tmp;
        std::string root = tmp / "state/nested";
        StateStore store(root);
        CHECK(store.root() == root);
        struct stat st {};
        REQUIRE(stat(root.c_str(), &st) == 0);
        CHECK((st.st_mode & 07777) == 0700);
        CHECK(store.dir_of("x") == root + "/x");

        StateStore trailing(root + "/");
        CHECK(trailing.root() == root);
        CHECK(kind_of([] { StateStore s(""); }) == Error::Kind::Invalid);
        CHECK(kind_of([] { StateStore s("/"); }) == Error::Kind::Invalid);
    }

    TEST_CASE("save and load round-trip; no temp file stays; load of nothing is NotFound") {
        TempDir tmp;
        StateStore store(tmp / "root");
        {
            ContainerLock lock = store.create_dir("c1");
            CHECK(lock.fd() >= 0);
        }
        CHECK_FALSE(store.exists("c1"));  // a directory without state.json is not a container
        CHECK_THROWS_WITH_AS(store.load("c1"), "container c1 does not exist", Error);

        nlohmann::json record = {{"id", "c1"}, {"init_pid", 42}, {"nested", {{"a", {1, 2}}}}};
        store.save("c1", record);
        CHECK(store.exists("c1"));
        CHECK(store.load("c1") == record);
        record["init_pid"] = 43;
        store.save("c1", record);
        CHECK(store.load("c1")["init_pid"] == 43);
        CHECK_FALSE(std::filesystem::exists(store.dir_of("c1") + "/.state.json.tmp"));
        struct stat st {};
        REQUIRE(stat(store.dir_of("c1").c_str(), &st) == 0);
        CHECK((st.st_mode & 07777) == 0711);
    }

    TEST_CASE("a corrupt state.json is a System error naming the file") {
        TempDir tmp;
        StateStore store(tmp / "root");
        store.create_dir("c1");
        std::ofstream(store.dir_of("c1") + "/state.json") << "{not json";
        CHECK_THROWS_WITH_AS(
            store.load("c1"),
            doctest::Contains(("corrupt state file " + store.dir_of("c1")).c_str()), Error);
    }

    TEST_CASE("create_dir twice is Exists with runc's wording; bad ids never touch the disk") {
        TempDir tmp;
        StateStore store(tmp / "root");
        store.create_dir("dup");
        CHECK_THROWS_WITH_AS(store.create_dir("dup"), "container with id dup already exists",
                             Error);
        CHECK(kind_of([&] { store.create_dir("../escape"); }) == Error::Kind::Invalid);
        CHECK_FALSE(std::filesystem::exists(tmp / "escape"));
    }

    TEST_CASE("the lock is exclusive while held and released with the ContainerLock") {
        TempDir tmp;
        StateStore store(tmp / "root");
        store.create_dir("c1");
        auto try_lock = [&] {
            int fd = open(store.dir_of("c1").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            REQUIRE(fd >= 0);
            bool got = flock(fd, LOCK_EX | LOCK_NB) == 0;
            close(fd);
            return got;
        };
        {
            ContainerLock lock = store.lock("c1");
            CHECK_FALSE(try_lock());  // flock conflicts across open file descriptions
        }
        CHECK(try_lock());
        CHECK_THROWS_WITH_AS(store.lock("missing"), "container missing does not exist", Error);
    }

    TEST_CASE("list: container directories only, sorted; remove is idempotent") {
        TempDir tmp;
        StateStore store(tmp / "root");
        for (const char* id : {"zeta", "alpha", "mid"}) {
            store.create_dir(id);
        }
        std::ofstream(store.root() + "/stray-file") << "x";
        CHECK(store.list() == std::vector<std::string>{"alpha", "mid", "zeta"});
        store.save("mid", {{"id", "mid"}});
        store.remove("mid");
        CHECK_FALSE(std::filesystem::exists(store.dir_of("mid")));
        CHECK_NOTHROW(store.remove("mid"));
        CHECK(store.list() == std::vector<std::string>{"alpha", "zeta"});
    }
}
