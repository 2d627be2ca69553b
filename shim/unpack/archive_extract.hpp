// Safe extraction of plugin archives (tar, tar.gz, ... anything libarchive reads) into a
// directory that will become a plugin rootfs.
//
// The archive is untrusted. Every entry is checked before libarchive sees it, so the refusal
// names the entry:
// - absolute paths ("/etc/passwd") and any ".." component are refused, for entry names and for
//   hard-link targets alike;
// - an entry whose path (or hard-link target) goes through a symlink already extracted is
//   refused: "x -> /etc" followed by "x/passwd" would otherwise write the host's /etc, and a
//   hard link to "x/passwd" would link the host file into the rootfs;
// - libarchive's own ARCHIVE_EXTRACT_SECURE_NODOTDOT | SECURE_SYMLINKS | SECURE_NOABSOLUTEPATHS
//   stay on as a second line of defence.
// Symlink *targets* are not restricted: "/usr/bin/foo -> /bin/busybox" is normal in a rootfs and
// only ever resolved inside the container.
//
// What is preserved: modes, times, xattrs, ACLs, file flags and, when running as root, numeric
// owners (names in the archive are ignored: the host's /etc/passwd says nothing about the
// image's users). Device nodes are created when mknod is permitted and otherwise skipped and
// listed in the report; runtimes create /dev themselves.
//
// libarchive extracts relative to the working directory, so extract_archive() changes it for
// the duration of the call and restores it. It must not run concurrently with other code
// that uses relative paths; the plugrt CLI and the tests are single-threaded at that point.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "shim/plugin/extract_report.hpp"

namespace plugrt::shim {

struct ExtractOptions {
    // Restore numeric owners; by default only when running as root (otherwise chown fails).
    enum class Owners { Auto, Preserve, Ignore };
    Owners owners = Owners::Auto;
};

// Extracts `archive_path` into the existing directory `dest_dir`. Throws plugrt::Error naming
// the archive and the offending entry; what was extracted before the failure stays in
// dest_dir (callers extract into a staging directory they remove on failure).
ExtractReport extract_archive(const std::string& archive_path, const std::string& dest_dir,
                              const ExtractOptions& options = {});

// The entry name with leading "./" removed and repeated slashes collapsed; throws
// Error(Invalid) "<what> \"<name>\" is an absolute path" or "... contains \"..\"".
std::string sanitize_entry_path(std::string_view name, std::string_view what);

}  // namespace plugrt::shim
