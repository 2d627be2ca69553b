#include "shim/plugin/resident_text.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstring>

namespace plugrt::shim {

std::size_t drop_resident_text() noexcept {
    char exe[PATH_MAX];
    const ssize_t exe_len = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (exe_len <= 0) return 0;
    exe[exe_len] = '\0';
    std::FILE* maps = std::fopen("/proc/self/maps", "re");
    if (maps == nullptr) return 0;
    std::size_t advised = 0;
    char line[PATH_MAX + 128];
    while (std::fgets(line, sizeof line, maps) != nullptr) {
        unsigned long start = 0, end = 0;
        char perms[8] = {};
        int path_at = 0;
        if (std::sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &start, &end, perms, &path_at) < 3) {
            continue;
        }
        char* path = line + path_at;
        path[std::strcspn(path, "\n")] = '\0';
        if (std::strcmp(perms, "r-xp") != 0 || std::strcmp(path, exe) != 0) continue;
        void* address = reinterpret_cast<void*>(start);
        const std::size_t length = end - start;
        if (::madvise(address, length, MADV_RANDOM) == 0 &&
            ::madvise(address, length, MADV_DONTNEED) == 0) {
            advised += length;
        }
    }
    std::fclose(maps);
    return advised;
}

}  // namespace plugrt::shim
