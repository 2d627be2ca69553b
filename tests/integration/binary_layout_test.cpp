// How the plugrt binary is linked matters for every runtime command (shim/CMakeLists.txt):
// statically, so no dynamic loader runs at each exec, and as a static PIE with an
// .eh_frame_hdr index, so the first exception does not sort every FDE of the binary. A build
// change that loses either shows up here rather than as a slower `run`.
#include <doctest/doctest.h>
#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <vector>

#include "integration/harness.hpp"

namespace {

struct ElfLayout {
    uint16_t type = 0;
    std::vector<uint32_t> segments;  // p_type of every program header
};

ElfLayout read_layout(const char* path) {
    ElfLayout layout;
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    Elf64_Ehdr header{};
    REQUIRE(::pread(fd, &header, sizeof header, 0) == static_cast<ssize_t>(sizeof header));
    REQUIRE(header.e_ident[EI_CLASS] == ELFCLASS64);
    layout.type = header.e_type;
    for (unsigned i = 0; i < header.e_phnum; ++i) {
        Elf64_Phdr segment{};
        const off_t at = static_cast<off_t>(header.e_phoff + i * header.e_phentsize);
        REQUIRE(::pread(fd, &segment, sizeof segment, at) == static_cast<ssize_t>(sizeof segment));
        layout.segments.push_back(segment.p_type);
    }
    ::close(fd);
    return layout;
}

bool has_segment(const ElfLayout& layout, uint32_t type) {
    for (uint32_t t : layout.segments) {
        if (t == type) {
            return true;
        }
    }
    return false;
}

}  // namespace

TEST_SUITE("integration/binary") {
    TEST_CASE("plugrt is a static PIE with an exception frame index") {
        const ElfLayout layout = read_layout(PLUGRT_BIN);
        CHECK_MESSAGE(!has_segment(layout, PT_INTERP), "plugrt asks for a dynamic loader");
        CHECK_MESSAGE(layout.type == ET_DYN, "plugrt is not position independent");
        CHECK_MESSAGE(has_segment(layout, PT_GNU_EH_FRAME), "plugrt has no PT_GNU_EH_FRAME");
    }
}
