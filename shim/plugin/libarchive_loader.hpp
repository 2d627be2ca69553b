// libarchive, loaded the first time a plugin archive is extracted instead of at every start of
// `plugrt`.
//
// Linking libarchive makes the dynamic loader map it and its dependencies (libxml2, nettle,
// libacl, liblzma, libzstd, liblz4, libbz2, libz: 14 more objects) and relocate them at every
// exec, yet only `plugrt plugin create ARCHIVE` uses it. The runtime commands engines call for
// every container (create, start, state, delete...) paid for it: measured on this machine,
// create+start+delete 26 -> 40 ms and peak RSS 4 -> 8 MiB. The functions are typed from
// <archive.h> itself (decltype), so a mismatch is a compile error, not a crash.
#pragma once

#include <archive.h>
#include <archive_entry.h>

namespace plugrt::shim {

#define PLUGRT_LIBARCHIVE_FUNCTIONS(X) \
    X(archive_read_new)                \
    X(archive_read_free)               \
    X(archive_read_support_filter_all) \
    X(archive_read_support_format_all) \
    X(archive_read_open_filename)      \
    X(archive_read_next_header)        \
    X(archive_read_data_block)         \
    X(archive_write_disk_new)          \
    X(archive_write_free)              \
    X(archive_write_disk_set_options)  \
    X(archive_write_header)            \
    X(archive_write_data_block)        \
    X(archive_write_finish_entry)      \
    X(archive_write_close)             \
    X(archive_error_string)            \
    X(archive_errno)                   \
    X(archive_entry_pathname)          \
    X(archive_entry_set_pathname)      \
    X(archive_entry_hardlink)          \
    X(archive_entry_set_hardlink)      \
    X(archive_entry_filetype)          \
    X(archive_entry_size)

struct LibArchive {
#define PLUGRT_LIBARCHIVE_MEMBER(name) decltype(&::name) name = nullptr;
    PLUGRT_LIBARCHIVE_FUNCTIONS(PLUGRT_LIBARCHIVE_MEMBER)
#undef PLUGRT_LIBARCHIVE_MEMBER
};

// dlopen()s libarchive once (thread-safe) and resolves the functions above. Throws
// Error(System) naming the library and dlerror() when it or a function is missing.
const LibArchive& libarchive();

}  // namespace plugrt::shim
