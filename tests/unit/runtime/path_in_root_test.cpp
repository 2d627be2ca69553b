#include "runtime/path_in_root.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "runtime/error.hpp"
#include "runtime/mount_api.hpp"

using namespace plugrt;
namespace fs = std::filesystem;

namespace {

// A temporary "rootfs" next to a host-side "outside" directory that hostile symlinks aim at.
struct HostileTree {
    fs::path base;
    fs::path root;
    fs::path outside;
    UniqueFd root_fd;

    HostileTree() {
        std::random_device rd;
        base = fs::temp_directory_path() / ("plugrt-pir-" + std::to_string(rd()));
        root = base / "rootfs";
        outside = base / "outside";
        fs::create_directories(root / "etc");
        fs::create_directories(outside);
        std::ofstream(outside / "marker") << "host";
        std::ofstream(root / "file") << "in";
        // Absolute, ".."-laden and relative escapes; chains; a loop; a dangling chain.
        fs::create_symlink("/", root / "mnt1");
        fs::create_symlink("/../../../../" + outside.string(), root / "evil");
        fs::create_symlink("../../outside", root / "rel_evil");
        fs::create_symlink(outside, root / "abs_host");
        fs::create_symlink("/jump/baz/hosts", root / "etc" / "hosts");
        fs::create_symlink("/tmp/foo/bar", root / "jump");
        fs::create_symlink("loop2", root / "loop1");
        fs::create_symlink("loop1", root / "loop2");
        root_fd = UniqueFd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        REQUIRE(root_fd);
    }
    ~HostileTree() {
        std::error_code ec;
        fs::remove_all(base, ec);
    }
    std::vector<std::string> outside_listing() const {
        std::vector<std::string> names;
        for (const auto& e : fs::recursive_directory_iterator(outside)) {
            names.push_back(e.path().lexically_relative(outside).string());
        }
        return names;
    }
};

}  // namespace

TEST_SUITE("runtime/path_in_root") {
    TEST_CASE("absolute and dot-dot symlinks are interpreted inside the root") {
        HostileTree t;
        auto r = lookup_in_root(t.root_fd.get(), "/mnt1/etc");
        REQUIRE(r.has_value());
        CHECK(r->path == "/etc");
        CHECK(fd_real_path(r->fd.get()) == (t.root / "etc").string());

        CHECK(lookup_in_root(t.root_fd.get(), "/../../..").value().path == "/");
        CHECK_FALSE(lookup_in_root(t.root_fd.get(), "/evil/marker").has_value());
        CHECK_FALSE(lookup_in_root(t.root_fd.get(), "/rel_evil/marker").has_value());
        CHECK_FALSE(lookup_in_root(t.root_fd.get(), "/abs_host/marker").has_value());
    }

    TEST_CASE("mkdir -p through hostile symlinks creates nothing outside the root") {
        HostileTree t;
        auto made = mkdir_all_in_root(t.root_fd.get(), "/evil/a/b", 0755);
        CHECK(fs::is_directory(t.root / made.path.substr(1)));
        CHECK(fd_real_path(made.fd.get()).rfind(t.root.string() + "/", 0) == 0);
        mkdir_all_in_root(t.root_fd.get(), "/abs_host/c", 0755);
        mkdir_all_in_root(t.root_fd.get(), "/rel_evil/d", 0755);
        mkdir_all_in_root(t.root_fd.get(), "/mnt1/../../e", 0755);
        CHECK(t.outside_listing() == std::vector<std::string>{"marker"});
        CHECK(fs::is_directory(t.root / "e"));
    }

    TEST_CASE("a dangling symlink chain is created at its in-root target") {
        HostileTree t;
        auto file = create_file_in_root(t.root_fd.get(), "/etc/hosts", 0644);
        CHECK(file.path == "/tmp/foo/bar/baz/hosts");
        CHECK(fs::is_regular_file(t.root / "tmp/foo/bar/baz/hosts"));
        CHECK(fs::is_symlink(t.root / "etc/hosts"));
    }

    TEST_CASE("an existing file is returned, not recreated; a file as a directory fails") {
        HostileTree t;
        auto file = create_file_in_root(t.root_fd.get(), "/file", 0644);
        CHECK(file.path == "/file");
        CHECK_THROWS_WITH_AS(mkdir_all_in_root(t.root_fd.get(), "/file/sub", 0755),
                             doctest::Contains("ENOTDIR"), SysError);
        CHECK_THROWS_WITH_AS(mkdir_all_in_root(t.root_fd.get(), "/file", 0755),
                             doctest::Contains("ENOTDIR"), SysError);
    }

    TEST_CASE("symlink loops fail with ELOOP instead of spinning") {
        HostileTree t;
        CHECK_THROWS_WITH_AS(lookup_in_root(t.root_fd.get(), "/loop1"), doctest::Contains("ELOOP"),
                             SysError);
    }

    TEST_CASE("the parent of a path is created and the last component returned") {
        HostileTree t;
        auto parent = open_parent_in_root(t.root_fd.get(), "/evil/net/tun");
        CHECK(parent.name == "tun");
        // "/evil" names the host path of "outside", which is re-read as a path in the root.
        CHECK(parent.dir.path == t.outside.string() + "/net");
        CHECK(fs::is_directory(t.root / t.outside.relative_path() / "net"));
        CHECK(fd_real_path(parent.dir.fd.get()).rfind(t.root.string(), 0) == 0);
        CHECK_THROWS_AS(open_parent_in_root(t.root_fd.get(), "/"), Error);
        CHECK_THROWS_AS(open_parent_in_root(t.root_fd.get(), "/a/.."), Error);
        CHECK(t.outside_listing() == std::vector<std::string>{"marker"});
    }

    TEST_CASE("NUL bytes are rejected") {
        HostileTree t;
        using namespace std::string_view_literals;
        CHECK_THROWS_AS(lookup_in_root(t.root_fd.get(), "/etc\0/x"sv), Error);
    }

    TEST_CASE("a '..' after a symlink climbs from the symlink's target, not lexically") {
        HostileTree t;
        fs::create_directories(t.root / "a/b");
        fs::create_directories(t.root / "a/x");
        fs::create_directories(t.root / "x");
        fs::create_symlink("/a/b", t.root / "link");
        auto r = lookup_in_root(t.root_fd.get(), "/link/../x");
        REQUIRE(r.has_value());
        CHECK(r->path == "/a/x");
        CHECK(fd_real_path(r->fd.get()) == (t.root / "a/x").string());
        auto made = mkdir_all_in_root(t.root_fd.get(), "/link/../new", 0755);
        CHECK(made.path == "/a/new");
        CHECK(fs::is_directory(t.root / "a/new"));
        CHECK_FALSE(fs::exists(t.root / "new"));
    }

    TEST_CASE("symlink-free paths come back clean; a missing component stays missing") {
        HostileTree t;
        auto r = lookup_in_root(t.root_fd.get(), "//etc/./../etc/");
        REQUIRE(r.has_value());
        CHECK(r->path == "/etc");
        CHECK(fd_real_path(r->fd.get()) == (t.root / "etc").string());
        CHECK_FALSE(lookup_in_root(t.root_fd.get(), "/nope/../etc").has_value());
        auto made = mkdir_all_in_root(t.root_fd.get(), "/etc/./new", 0700);
        CHECK(made.path == "/etc/new");
        CHECK(fd_real_path(made.fd.get()) == (t.root / "etc/new").string());
        CHECK((fs::status(t.root / "etc/new").permissions() & fs::perms::group_all) ==
              fs::perms::none);
    }

    TEST_CASE("missing paths are reported as not found") {
        HostileTree t;
        CHECK_FALSE(lookup_in_root(t.root_fd.get(), "/nope/x").has_value());
        CHECK_THROWS_AS(open_in_root(t.root_fd.get(), "/nope"), Error);
    }
}
