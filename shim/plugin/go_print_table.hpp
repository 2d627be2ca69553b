// The table behind go_is_print(): sorted, disjoint, inclusive code-point ranges.
#pragma once

#include <cstddef>

namespace plugrt::shim {

struct PrintRange {
    char32_t first;
    char32_t last;
};

extern const PrintRange kGoPrintRanges[];
extern const std::size_t kGoPrintRangeCount;

}  // namespace plugrt::shim
