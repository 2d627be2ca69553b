#include "oci/mount_options.hpp"

#include <doctest/doctest.h>
#include <sys/mount.h>

#include <algorithm>

using plugrt::oci::MountOptions;
using plugrt::oci::parse_mount_options;

TEST_SUITE("oci/mount_options") {
    TEST_CASE("each flag option sets or clears its mount flag") {
        struct Row {
            const char* option;
            unsigned long flag;
            bool sets;
        };
        const Row rows[] = {
            {"ro", MS_RDONLY, true},
            {"rw", MS_RDONLY, false},
            {"nosuid", MS_NOSUID, true},
            {"suid", MS_NOSUID, false},
            {"nodev", MS_NODEV, true},
            {"dev", MS_NODEV, false},
            {"noexec", MS_NOEXEC, true},
            {"exec", MS_NOEXEC, false},
            {"sync", MS_SYNCHRONOUS, true},
            {"async", MS_SYNCHRONOUS, false},
            {"dirsync", MS_DIRSYNC, true},
            {"remount", MS_REMOUNT, true},
            {"mand", MS_MANDLOCK, true},
            {"nomand", MS_MANDLOCK, false},
            {"noatime", MS_NOATIME, true},
            {"atime", MS_NOATIME, false},
            {"nodiratime", MS_NODIRATIME, true},
            {"diratime", MS_NODIRATIME, false},
            {"relatime", MS_RELATIME, true},
            {"norelatime", MS_RELATIME, false},
            {"strictatime", MS_STRICTATIME, true},
            {"nostrictatime", MS_STRICTATIME, false},
            {"nosymfollow", MS_NOSYMFOLLOW, true},
            {"symfollow", MS_NOSYMFOLLOW, false},
            {"iversion", MS_I_VERSION, true},
            {"noiversion", MS_I_VERSION, false},
            {"lazytime", MS_LAZYTIME, true},
            {"nolazytime", MS_LAZYTIME, false},
            {"silent", MS_SILENT, true},
            {"loud", MS_SILENT, false},
        };
        for (const auto& row : rows) {
            CAPTURE(row.option);
            const auto parsed = parse_mount_options({row.option});
            CHECK(parsed.flags == (row.sets ? row.flag : 0));
            CHECK(parsed.clear_flags == (row.sets ? 0 : row.flag));
            CHECK(parsed.data.empty());
            CHECK(parsed.propagation.empty());
        }
    }

    TEST_CASE("a later option overrides an earlier one") {
        const auto rw = parse_mount_options({"ro", "rw"});
        CHECK((rw.flags & MS_RDONLY) == 0);
        CHECK((rw.clear_flags & MS_RDONLY) != 0);
        const auto ro = parse_mount_options({"rw", "ro"});
        CHECK((ro.flags & MS_RDONLY) != 0);
        CHECK((ro.clear_flags & MS_RDONLY) == 0);
    }

    TEST_CASE("defaults changes nothing") {
        const auto parsed = parse_mount_options({"defaults"});
        CHECK(parsed.flags == 0);
        CHECK(parsed.clear_flags == 0);
        CHECK(parsed.data.empty());
    }

    TEST_CASE("bind and rbind are binds, only rbind is recursive") {
        const auto bind = parse_mount_options({"bind"});
        CHECK(bind.is_bind);
        CHECK_FALSE(bind.is_recursive_bind);
        CHECK(bind.flags == MS_BIND);
        const auto rbind = parse_mount_options({"rbind", "ro"});
        CHECK(rbind.is_bind);
        CHECK(rbind.is_recursive_bind);
        CHECK(rbind.flags == (MS_BIND | MS_REC | MS_RDONLY));
        CHECK_FALSE(parse_mount_options({"nosuid"}).is_bind);
    }

    TEST_CASE("propagation options are collected in order with MS_REC for the r forms") {
        struct Row {
            const char* option;
            unsigned long flags;
        };
        const Row rows[] = {
            {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
            {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
            {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
            {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
        };
        for (const auto& row : rows) {
            CAPTURE(row.option);
            const auto parsed = parse_mount_options({row.option});
            CHECK(parsed.propagation == std::vector<unsigned long>{row.flags});
            CHECK(parsed.flags == 0);
        }
        const auto both = parse_mount_options({"rbind", "rw", "rshared", "private"});
        CHECK(both.propagation == std::vector<unsigned long>{MS_SHARED | MS_REC, MS_PRIVATE});
    }

    TEST_CASE("recursive attribute options become mount_setattr set and clear masks") {
        struct Row {
            const char* option;
            uint64_t set;
            uint64_t clear;
        };
        const Row rows[] = {
            {"rro", MOUNT_ATTR_RDONLY, 0},
            {"rrw", 0, MOUNT_ATTR_RDONLY},
            {"rnosuid", MOUNT_ATTR_NOSUID, 0},
            {"rsuid", 0, MOUNT_ATTR_NOSUID},
            {"rnodev", MOUNT_ATTR_NODEV, 0},
            {"rdev", 0, MOUNT_ATTR_NODEV},
            {"rnoexec", MOUNT_ATTR_NOEXEC, 0},
            {"rexec", 0, MOUNT_ATTR_NOEXEC},
            {"rnodiratime", MOUNT_ATTR_NODIRATIME, 0},
            {"rdiratime", 0, MOUNT_ATTR_NODIRATIME},
            {"rnoatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME},
            {"rstrictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
            {"rrelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
            {"ratime", 0, MOUNT_ATTR_NOATIME},
            {"rnostrictatime", 0, MOUNT_ATTR_STRICTATIME},
            {"rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0},
            {"rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW},
        };
        for (const auto& row : rows) {
            CAPTURE(row.option);
            const auto parsed = parse_mount_options({row.option});
            CHECK(parsed.attr_set == row.set);
            CHECK(parsed.attr_clear == row.clear);
            CHECK(parsed.flags == 0);
        }
    }

    TEST_CASE("a later recursive attribute overrides an earlier one") {
        const auto parsed = parse_mount_options({"rro", "rnosuid", "rrw"});
        CHECK(parsed.attr_set == MOUNT_ATTR_NOSUID);
        CHECK(parsed.attr_clear == MOUNT_ATTR_RDONLY);
        const auto atime = parse_mount_options({"rnoatime", "rstrictatime"});
        CHECK(atime.attr_set == MOUNT_ATTR_STRICTATIME);
        CHECK(atime.attr_clear == MOUNT_ATTR__ATIME);
    }

    TEST_CASE("tmpcopyup, idmap and ridmap are reported as runtime extensions") {
        CHECK(parse_mount_options({"tmpcopyup"}).tmpcopyup);
        const auto idmap = parse_mount_options({"idmap"});
        CHECK(idmap.idmap);
        CHECK_FALSE(idmap.recursive_idmap);
        const auto ridmap = parse_mount_options({"ridmap"});
        CHECK(ridmap.idmap);
        CHECK(ridmap.recursive_idmap);
        CHECK(ridmap.data.empty());
        CHECK_FALSE(parse_mount_options({"ro"}).tmpcopyup);
    }

    TEST_CASE("unknown options are joined with commas into the data string") {
        // The /dev tmpfs and devpts mounts of Docker's default spec.
        const auto dev = parse_mount_options({"nosuid", "strictatime", "mode=755", "size=65536k"});
        CHECK(dev.flags == (MS_NOSUID | MS_STRICTATIME));
        CHECK(dev.data == "mode=755,size=65536k");
        const auto pts = parse_mount_options(
            {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"});
        CHECK(pts.flags == (MS_NOSUID | MS_NOEXEC));
        CHECK(pts.data == "newinstance,ptmxmode=0666,mode=0620,gid=5");
        CHECK(parse_mount_options({"", "size=1m", ""}).data == "size=1m");
    }

    TEST_CASE("option names are case-sensitive, like the kernel's") {
        const auto parsed = parse_mount_options({"RO"});
        CHECK(parsed.flags == 0);
        CHECK(parsed.data == "RO");
    }

    TEST_CASE("the list of known options is sorted and covers the table") {
        const auto names = plugrt::oci::known_mount_options();
        CHECK(std::is_sorted(names.begin(), names.end()));
        for (const char* name : {"rbind", "rro", "tmpcopyup", "idmap", "rshared", "defaults"}) {
            CAPTURE(name);
            CHECK(std::find(names.begin(), names.end(), name) != names.end());
        }
        for (const auto& name : names) {
            const auto parsed = parse_mount_options({name});
            CAPTURE(name);
            CHECK(parsed.data.empty());
        }
    }
}
