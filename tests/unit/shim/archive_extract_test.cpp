#include "shim/unpack/archive_extract.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "runtime/error.hpp"
#include "tar_builder.hpp"
#include "temp_dir.hpp"

using namespace plugrt::shim;
using plugrt::test::TarBuilder;
using plugrt::test::TempDir;
namespace fs = std::filesystem;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// Extracts and returns the error text ("" if it succeeded).
std::string extract_error(const std::string& tar, const std::string& dest) {
    try {
        extract_archive(tar, dest);
    } catch (const plugrt::Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_SUITE("shim/archive_extract") {
    TEST_CASE("a plugin tarball is extracted with modes, times, symlinks and hard links") {
        TempDir dir;
        const std::string tar = dir / "plugin.tar.gz";
        TarBuilder(tar, true)
            .file("./config.json", "{}")
            .dir("./rootfs/")
            .dir("./rootfs/bin", 0750)
            .file("./rootfs/bin/hello", "#!/bin/sh\necho hi\n", 0755)
            .symlink("./rootfs/bin/sh", "/bin/hello")
            .hardlink("./rootfs/bin/hello2", "./rootfs/bin/hello")
            .close();
        fs::create_directory(dir / "out");
        const ExtractReport report = extract_archive(tar, dir / "out");
        CHECK(report.entries == 6);
        CHECK(slurp(dir / "out/config.json") == "{}");
        struct stat hello {};
        struct stat hello2 {};
        REQUIRE(::stat((dir / "out/rootfs/bin/hello").c_str(), &hello) == 0);
        REQUIRE(::stat((dir / "out/rootfs/bin/hello2").c_str(), &hello2) == 0);
        CHECK((hello.st_mode & 07777) == 0755);
        CHECK(hello.st_mtime == 1600000000);
        CHECK(hello.st_ino == hello2.st_ino);
        CHECK(hello.st_nlink == 2);
        struct stat bin {};
        REQUIRE(::stat((dir / "out/rootfs/bin").c_str(), &bin) == 0);
        CHECK((bin.st_mode & 07777) == 0750);
        // Absolute symlink targets are normal inside a rootfs and kept as they are.
        CHECK(fs::read_symlink(dir / "out/rootfs/bin/sh") == "/bin/hello");
    }

    TEST_CASE("the working directory is restored after extraction, even on failure") {
        TempDir dir;
        const std::string before = fs::current_path();
        const std::string tar = dir / "bad.tar";
        TarBuilder(tar).file("ok", "x").file("../evil", "x").close();
        fs::create_directory(dir / "out");
        CHECK_FALSE(extract_error(tar, dir / "out").empty());
        CHECK(fs::current_path() == before);
    }

    TEST_CASE("a ../ entry is refused with its name and nothing escapes") {
        TempDir dir;
        const std::string tar = dir / "dotdot.tar";
        TarBuilder(tar).file("rootfs/../../evil", "pwned").close();
        fs::create_directory(dir / "out");
        CHECK(extract_error(tar, dir / "out") ==
              "extract " + tar + ": entry \"rootfs/../../evil\" contains \"..\"");
        CHECK_FALSE(fs::exists(dir / "evil"));
    }

    TEST_CASE("an absolute entry is refused with its name") {
        TempDir dir;
        const std::string tar = dir / "abs.tar";
        const std::string target = dir / "abs-target";
        TarBuilder(tar).file(target, "pwned").close();
        fs::create_directory(dir / "out");
        CHECK(extract_error(tar, dir / "out") ==
              "extract " + tar + ": entry \"" + target + "\" is an absolute path");
        CHECK_FALSE(fs::exists(target));
    }

    TEST_CASE("writing through a symlink that points outside is refused") {
        TempDir dir;
        fs::create_directory(dir / "outside");
        const std::string tar = dir / "symlink.tar";
        TarBuilder(tar)
            .symlink("x", dir / "outside")
            .file("x/passwd", "root::0:0::/:/bin/sh\n")
            .close();
        fs::create_directory(dir / "out");
        CHECK(extract_error(tar, dir / "out") ==
              "extract " + tar + ": entry \"x/passwd\" goes through a symlink");
        CHECK_FALSE(fs::exists(dir / "outside/passwd"));
    }

    TEST_CASE("a hard link to a host file through a symlink is refused") {
        TempDir dir;
        fs::create_directory(dir / "outside");
        std::ofstream(dir / "outside/secret") << "secret";
        const std::string tar = dir / "hardlink.tar";
        TarBuilder(tar).symlink("x", dir / "outside").hardlink("leak", "x/secret").close();
        fs::create_directory(dir / "out");
        CHECK(extract_error(tar, dir / "out") == "extract " + tar +
                                                     ": entry \"leak\": hard link to \"x/secret\" "
                                                     "goes through a symlink");
        CHECK_FALSE(fs::exists(dir / "out/leak"));
    }

    TEST_CASE("hard links must stay inside the destination") {
        TempDir dir;
        const std::string tar = dir / "hardlink-out.tar";
        TarBuilder(tar).hardlink("leak", "../secret").close();
        fs::create_directory(dir / "out");
        CHECK(extract_error(tar, dir / "out").find("hard link to \"../secret\" contains \"..\"") !=
              std::string::npos);
        const std::string tar2 = dir / "hardlink-abs.tar";
        TarBuilder(tar2).hardlink("leak", "/etc/passwd").close();
        CHECK(extract_error(tar2, dir / "out").find("\"/etc/passwd\" is an absolute path") !=
              std::string::npos);
    }

    TEST_CASE("device nodes are created when permitted and otherwise skipped and listed") {
        TempDir dir;
        const std::string tar = dir / "dev.tar";
        TarBuilder(tar).dir("dev").char_device("dev/null", 1, 3).file("after", "x").close();
        fs::create_directory(dir / "out");
        const ExtractReport report = extract_archive(tar, dir / "out");
        struct stat st {};
        const bool created = ::lstat((dir / "out/dev/null").c_str(), &st) == 0;
        if (created) {
            CHECK(S_ISCHR(st.st_mode));
            CHECK(st.st_rdev == makedev(1, 3));
            CHECK(report.skipped.empty());
        } else {
            CHECK(report.skipped == std::vector<std::string>{"dev/null"});
        }
        CHECK(fs::exists(dir / "out/after"));
    }

    TEST_CASE("numeric owners are restored when running as root") {
        TempDir dir;
        const std::string tar = dir / "owners.tar";
        TarBuilder(tar).file("owned", "x", 0600, 1234, 5678).close();
        fs::create_directory(dir / "out");
        extract_archive(tar, dir / "out");
        struct stat st {};
        REQUIRE(::stat((dir / "out/owned").c_str(), &st) == 0);
        if (::geteuid() == 0) {
            CHECK(st.st_uid == 1234);
            CHECK(st.st_gid == 5678);
        } else {
            CHECK(st.st_uid == ::geteuid());
        }
    }

    TEST_CASE("a file that is not an archive is reported as such") {
        TempDir dir;
        std::ofstream(dir / "junk.tar") << "this is not a tarball";
        fs::create_directory(dir / "out");
        CHECK(extract_error(dir / "junk.tar", dir / "out")
                  .starts_with("extract " + (dir / "junk.tar")));
    }

    TEST_CASE("entry names are normalised") {
        CHECK(sanitize_entry_path("./rootfs//bin/./sh", "entry") == "rootfs/bin/sh");
        CHECK(sanitize_entry_path("./", "entry").empty());
        CHECK_THROWS_WITH(sanitize_entry_path("a/..", "entry"), "entry \"a/..\" contains \"..\"");
    }
}
