// Writes test tarballs with libarchive's writer, including entries no sane tar tool would
// produce (../ paths, absolute names, links through symlinks).
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <stdexcept>
#include <string>

namespace plugrt::test {

class TarBuilder {
public:
    explicit TarBuilder(const std::string& path, bool gzip = false)
        : archive_(archive_write_new()) {
        archive_write_set_format_pax_restricted(archive_);
        if (gzip) archive_write_add_filter_gzip(archive_);
        if (archive_write_open_filename(archive_, path.c_str()) != ARCHIVE_OK) {
            throw std::runtime_error("cannot create " + path);
        }
    }
    ~TarBuilder() { close(); }
    TarBuilder(const TarBuilder&) = delete;
    TarBuilder& operator=(const TarBuilder&) = delete;

    TarBuilder& dir(const std::string& name, unsigned mode = 0755) {
        return add(name, AE_IFDIR, mode, "", nullptr, nullptr);
    }
    TarBuilder& file(const std::string& name, const std::string& content, unsigned mode = 0644,
                     long uid = 0, long gid = 0) {
        return add(name, AE_IFREG, mode, content, nullptr, nullptr, uid, gid);
    }
    TarBuilder& symlink(const std::string& name, const std::string& target) {
        return add(name, AE_IFLNK, 0777, "", target.c_str(), nullptr);
    }
    TarBuilder& hardlink(const std::string& name, const std::string& target) {
        return add(name, AE_IFREG, 0644, "", nullptr, target.c_str());
    }
    TarBuilder& char_device(const std::string& name, unsigned major, unsigned minor) {
        archive_entry* e = archive_entry_new();
        archive_entry_set_pathname(e, name.c_str());
        archive_entry_set_filetype(e, AE_IFCHR);
        archive_entry_set_perm(e, 0666);
        archive_entry_set_rdev(e, makedev(major, minor));
        archive_write_header(archive_, e);
        archive_entry_free(e);
        return *this;
    }
    void close() {
        if (archive_) {
            archive_write_close(archive_);
            archive_write_free(archive_);
            archive_ = nullptr;
        }
    }

private:
    TarBuilder& add(const std::string& name, unsigned type, unsigned mode, const std::string& data,
                    const char* symlink_target, const char* hardlink_target, long uid = 0,
                    long gid = 0) {
        archive_entry* e = archive_entry_new();
        archive_entry_set_pathname(e, name.c_str());
        archive_entry_set_filetype(e, type);
        archive_entry_set_perm(e, mode);
        archive_entry_set_uid(e, uid);
        archive_entry_set_gid(e, gid);
        archive_entry_set_mtime(e, 1600000000, 0);
        if (symlink_target) archive_entry_set_symlink(e, symlink_target);
        if (hardlink_target) archive_entry_set_hardlink(e, hardlink_target);
        archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
        archive_write_header(archive_, e);
        if (!data.empty()) archive_write_data(archive_, data.data(), data.size());
        archive_entry_free(e);
        return *this;
    }

    archive* archive_;
};

}  // namespace plugrt::test
