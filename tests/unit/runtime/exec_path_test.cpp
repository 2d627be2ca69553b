#include "runtime/exec_path.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "runtime/error.hpp"
#include "unit/shim/temp_dir.hpp"

using namespace plugrt;
using plugrt::test::TempDir;

namespace {

// A small "rootfs": bin1/ and bin2/ with programs, data files and directories in the way.
struct Tree {
    TempDir tmp;
    std::string bin1 = tmp / "bin1";
    std::string bin2 = tmp / "bin2";

    Tree() {
        std::filesystem::create_directories(bin1);
        std::filesystem::create_directories(bin2);
        file(bin1 + "/tool", 0755);
        file(bin2 + "/tool", 0755);          // shadowed by bin1
        file(bin1 + "/data", 0644);          // not executable: skipped
        file(bin2 + "/data", 0755);          // ... so this one is found
        file(bin1 + "/only-x-other", 0701);  // any execute bit counts, like Go's 0111 test
        std::filesystem::create_directories(bin1 + "/subdir");  // a directory is no program
        file(bin1 + "/plain", 0600);
    }
    static void file(const std::string& path, unsigned mode) {
        std::ofstream(path) << "#!/bin/sh\n";
        chmod(path.c_str(), mode);
    }
    std::vector<std::string> env() const { return {"TERM=xterm", "PATH=" + bin1 + ":" + bin2}; }
};

}  // namespace

TEST_SUITE("runtime/exec_path") {
    TEST_CASE("PATH entries are tried in order; the first executable wins") {
        Tree t;
        CHECK(find_executable("tool", t.env()) == t.bin1 + "/tool");
        CHECK(find_executable("only-x-other", t.env()) == t.bin1 + "/only-x-other");
    }

    TEST_CASE("non-executable files and directories are skipped during the search") {
        Tree t;
        CHECK(find_executable("data", t.env()) == t.bin2 + "/data");
        CHECK_THROWS_WITH_AS(find_executable("subdir", t.env()),
                             "exec: \"subdir\": executable file not found in $PATH", Error);
        CHECK_THROWS_WITH_AS(find_executable("plain", t.env()),
                             "exec: \"plain\": executable file not found in $PATH", Error);
        CHECK_THROWS_WITH_AS(find_executable("missing", t.env()),
                             "exec: \"missing\": executable file not found in $PATH", Error);
        try {
            find_executable("missing", t.env());
        } catch (const Error& e) {
            CHECK(e.kind() == Error::Kind::NotFound);  // moby maps this to exit 127
        }
    }

    TEST_CASE("a name with a slash is checked as is, with runc's wording") {
        Tree t;
        CHECK(find_executable(t.bin1 + "/tool", {}) == t.bin1 + "/tool");
        std::string missing = t.bin1 + "/nope";
        CHECK_THROWS_WITH_AS(
            find_executable(missing, t.env()),
            ("exec: \"" + missing + "\": stat " + missing + ": no such file or directory").c_str(),
            Error);
        for (const std::string& denied : {t.bin1 + "/plain", t.bin1 + "/subdir"}) {
            CAPTURE(denied);
            try {
                find_executable(denied, t.env());
                FAIL("no exception");
            } catch (const Error& e) {
                CHECK(std::string(e.what()) ==
                      "exec: \"" + denied + "\": stat " + denied + ": permission denied");
                CHECK(e.kind() == Error::Kind::Invalid);  // moby: 126
            }
        }
    }

    TEST_CASE("the last PATH in the env wins; PATHX is not PATH") {
        Tree t;
        CHECK(find_executable("tool", {"PATH=/nonexistent", "PATH=" + t.bin2}) == t.bin2 + "/tool");
        CHECK(find_executable("tool", {"PATH=" + t.bin2, "PATHX=" + t.bin1}) == t.bin2 + "/tool");
    }

    TEST_CASE("an empty PATH entry means the current directory") {
        Tree t;
        auto cwd = std::filesystem::current_path();
        std::filesystem::current_path(t.bin1);
        std::string found = find_executable("tool", {"PATH=/nonexistent::" + t.bin2});
        std::filesystem::current_path(cwd);
        CHECK(found == "./tool");
    }

    TEST_CASE("without PATH the default one is searched") {
        std::string sh = find_executable("sh", {"HOME=/"});
        CHECK(sh.size() > 3);
        CHECK(sh.substr(sh.size() - 3) == "/sh");
        CHECK(sh[0] == '/');
    }

    TEST_CASE("find_env: exact names, last entry wins") {
        std::vector<std::string> env = {"A=1", "AB=2", "A=3", "B"};
        REQUIRE(find_env(env, "A"));
        CHECK(*find_env(env, "A") == "A=3");
        CHECK(*find_env(env, "AB") == "AB=2");
        CHECK(find_env(env, "B") == nullptr);  // no '=': not a variable
        CHECK(find_env(env, "C") == nullptr);
    }

    TEST_CASE("HOME is added only when missing") {
        std::vector<std::string> with_home = {"HOME=/custom"};
        add_home_if_missing(with_home, 0);
        CHECK(with_home == std::vector<std::string>{"HOME=/custom"});

        std::vector<std::string> without = {"PATH=/bin"};
        add_home_if_missing(without, 4242424);  // no such user: "/"
        REQUIRE(without.size() == 2);
        CHECK(without[1] == "HOME=/");
    }
}
