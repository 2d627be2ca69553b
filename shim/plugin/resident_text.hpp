// Keeps the supervisor's resident code small between events.
//
// The supervisor is a static binary of ~1.1 MB of code, most of it run once: argument and
// config parsing, spec-free runtime invocation, start-up. The kernel maps code in 64 KB
// "fault-around" blocks, so after start-up nearly all of it stays resident and, with one
// supervisor per plugin, counts fully in each one's Pss. Once a plugin is enabled the loop only
// needs epoll, the line splitter, the log formatter and the sink.
//
// drop_resident_text() tells the kernel to unmap the executable's code pages from this process
// (MADV_DONTNEED; for a read-only file mapping nothing is lost, pages come back from the page
// cache on the next use) and to fault them back one page at a time (MADV_RANDOM disables
// fault-around), so only the code the event loop really runs is resident afterwards.
// Only the r-xp mapping of the executable is touched: data, relocated GOT and heap are private
// state that MADV_DONTNEED would destroy.
#pragma once

#include <cstddef>

namespace plugrt::shim {

// Returns the bytes of mapping it advised (0 when the mapping was not found); never throws.
std::size_t drop_resident_text() noexcept;

}  // namespace plugrt::shim
