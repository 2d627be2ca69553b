#include "shim/unpack/archive_extract.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "runtime/error.hpp"
#include "runtime/unique_fd.hpp"

namespace plugrt::shim {
namespace {

struct ReadDeleter {
    void operator()(archive* a) const noexcept { ::archive_read_free(a); }
};
struct WriteDeleter {
    void operator()(archive* a) const noexcept { ::archive_write_free(a); }
};
using ArchiveReader = std::unique_ptr<archive, ReadDeleter>;
using ArchiveWriter = std::unique_ptr<archive, WriteDeleter>;

// Enters a directory and returns to the previous working directory on scope exit.
class WorkingDirectory {
public:
    explicit WorkingDirectory(const std::string& dir)
        : previous_(::open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
        if (!previous_) throw_errno("open current directory");
        if (::chdir(dir.c_str()) != 0) throw_errno("chdir " + dir);
    }
    ~WorkingDirectory() { (void)!::fchdir(previous_.get()); }
    WorkingDirectory(const WorkingDirectory&) = delete;
    WorkingDirectory& operator=(const WorkingDirectory&) = delete;

private:
    UniqueFd previous_;
};

// True if some directory component of `relative` (not the last one) is a symlink on disk.
bool crosses_symlink(const std::string& relative) {
    struct stat st {};
    for (std::size_t slash = relative.find('/'); slash != std::string::npos;
         slash = relative.find('/', slash + 1)) {
        const std::string prefix = relative.substr(0, slash);
        if (::lstat(prefix.c_str(), &st) != 0) {
            return false;  // does not exist yet: libarchive will create a real directory
        }
        if (S_ISLNK(st.st_mode)) return true;
    }
    return false;
}

bool is_device(archive_entry* entry) {
    const auto type = ::archive_entry_filetype(entry);
    return type == AE_IFCHR || type == AE_IFBLK;
}

}  // namespace

std::string sanitize_entry_path(std::string_view name, std::string_view what) {
    const std::string quoted = std::string(what) + " \"" + std::string(name) + "\"";
    if (name.starts_with('/')) {
        throw Error(Error::Kind::Invalid, quoted + " is an absolute path");
    }
    std::string clean;
    std::size_t pos = 0;
    while (pos <= name.size()) {
        std::size_t end = name.find('/', pos);
        if (end == std::string_view::npos) end = name.size();
        const std::string_view part = name.substr(pos, end - pos);
        pos = end + 1;
        if (part.empty() || part == ".") continue;
        if (part == "..") {
            throw Error(Error::Kind::Invalid, quoted + " contains \"..\"");
        }
        if (!clean.empty()) clean += '/';
        clean += part;
    }
    return clean;
}

ExtractReport extract_archive(const std::string& archive_path, const std::string& dest_dir,
                              const ExtractOptions& options) {
    const std::string context = "extract " + archive_path;
    ArchiveReader reader(::archive_read_new());
    ArchiveWriter writer(::archive_write_disk_new());
    if (!reader || !writer) throw Error(Error::Kind::System, context + ": out of memory");
    ::archive_read_support_filter_all(reader.get());
    ::archive_read_support_format_all(reader.get());
    if (::archive_read_open_filename(reader.get(), archive_path.c_str(), 64 * 1024) != ARCHIVE_OK) {
        throw Error(Error::Kind::Invalid, context + ": " + ::archive_error_string(reader.get()));
    }

    int flags = ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS | ARCHIVE_EXTRACT_PERM |
                ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_ACL |
                ARCHIVE_EXTRACT_FFLAGS;
    const bool owners = options.owners == ExtractOptions::Owners::Preserve ||
                        (options.owners == ExtractOptions::Owners::Auto && ::geteuid() == 0);
    if (owners) flags |= ARCHIVE_EXTRACT_OWNER;
    // No archive_write_disk_set_standard_lookup(): owners are restored by number.
    ::archive_write_disk_set_options(writer.get(), flags);

    WorkingDirectory in_dest(dest_dir);
    ExtractReport report;
    archive_entry* entry = nullptr;
    for (;;) {
        const int next = ::archive_read_next_header(reader.get(), &entry);
        if (next == ARCHIVE_EOF) break;
        if (next < ARCHIVE_WARN) {
            throw Error(Error::Kind::Invalid, context + ": reading entry " +
                                                  std::to_string(report.entries + 1) + ": " +
                                                  ::archive_error_string(reader.get()));
        }
        const std::string original =
            ::archive_entry_pathname(entry) ? ::archive_entry_pathname(entry) : "";
        const std::string name = sanitize_entry_path(original, context + ": entry");
        if (name.empty()) continue;  // "./": the destination itself
        const std::string entry_context = context + ": entry \"" + original + "\"";
        if (crosses_symlink(name)) {
            throw Error(Error::Kind::Invalid, entry_context + " goes through a symlink");
        }
        ::archive_entry_set_pathname(entry, name.c_str());
        if (const char* link = ::archive_entry_hardlink(entry)) {
            const std::string target = sanitize_entry_path(link, entry_context + ": hard link to");
            if (target.empty() || crosses_symlink(target)) {
                throw Error(Error::Kind::Invalid, entry_context + ": hard link to \"" + link +
                                                      "\" goes through a symlink");
            }
            ::archive_entry_set_hardlink(entry, target.c_str());
        }

        const int header = ::archive_write_header(writer.get(), entry);
        if (header < ARCHIVE_WARN) {
            const int err = ::archive_errno(writer.get());
            if (is_device(entry) && (err == EPERM || err == EACCES)) {
                report.skipped.push_back(name);
                continue;
            }
            throw Error(Error::Kind::Invalid,
                        entry_context + ": " + ::archive_error_string(writer.get()));
        }
        if (header == ARCHIVE_WARN) {
            report.warnings.push_back(name + ": " + ::archive_error_string(writer.get()));
        }
        if (::archive_entry_size(entry) > 0) {
            const void* block = nullptr;
            size_t size = 0;
            la_int64_t offset = 0;
            int r;
            while ((r = ::archive_read_data_block(reader.get(), &block, &size, &offset)) ==
                   ARCHIVE_OK) {
                if (::archive_write_data_block(writer.get(), block, size, offset) < ARCHIVE_WARN) {
                    throw Error(Error::Kind::System,
                                entry_context + ": write: " + ::archive_error_string(writer.get()));
                }
            }
            if (r != ARCHIVE_EOF) {
                throw Error(Error::Kind::Invalid,
                            entry_context + ": read: " + ::archive_error_string(reader.get()));
            }
        }
        const int finish = ::archive_write_finish_entry(writer.get());
        if (finish < ARCHIVE_WARN) {
            throw Error(Error::Kind::System,
                        entry_context + ": finish: " + ::archive_error_string(writer.get()));
        }
        if (finish == ARCHIVE_WARN) {
            report.warnings.push_back(name + ": " + ::archive_error_string(writer.get()));
        }
        ++report.entries;
    }
    // Directory modes and times are applied last (so read-only dirs could be filled).
    if (::archive_write_close(writer.get()) < ARCHIVE_WARN) {
        throw Error(Error::Kind::System, context + ": " + ::archive_error_string(writer.get()));
    }
    return report;
}

}  // namespace plugrt::shim
