#!/usr/bin/env python3
"""Writes go_print_table.cpp: the code points Go's unicode.IsPrint accepts.

Go defines "printable" as the general categories L, M, N, P and S plus the ASCII space; this
script derives the same set from Python's unicodedata so plugrt can quote log lines the way
Go's strconv.Quote does without shipping an ICU dependency.
Usage: shim/plugin/gen_go_print_table.py > shim/plugin/go_print_table.cpp
"""
import sys
import unicodedata


def printable(cp):
    if cp == 0x20:
        return True
    if 0xD800 <= cp <= 0xDFFF:  # surrogates never decode in Go
        return False
    return unicodedata.category(chr(cp))[0] in "LMNPS"


def ranges():
    start = None
    for cp in range(0x110000):
        if printable(cp):
            if start is None:
                start = cp
        elif start is not None:
            yield start, cp - 1
            start = None
    if start is not None:
        yield start, 0x10FFFF


def main():
    out = [
        "// GENERATED from Python's unicodedata (Unicode %s), do not edit by hand."
        % unicodedata.unidata_version,
        "//",
        "// The code points Go's unicode.IsPrint accepts: general categories L, M, N, P, S plus U+0020.",
        "// Regenerate with shim/plugin/gen_go_print_table.py. Go 1.19 (Debian's dockerd) uses Unicode",
        "// 13.0 and Go 1.21+ uses 15.0; the differences are code points assigned in between, which one",
        "// side prints and the other escapes as \\u....",
        '#include "shim/plugin/go_print_table.hpp"',
        "",
        "namespace plugrt::shim {",
        "",
        "const PrintRange kGoPrintRanges[] = {",
    ]
    line = "   "
    for lo, hi in ranges():
        item = " {0x%X, 0x%X}," % (lo, hi)
        if len(line) + len(item) > 100:
            out.append(line)
            line = "   "
        line += item
    out += [line, "};", "",
            "const std::size_t kGoPrintRangeCount = sizeof(kGoPrintRanges) / sizeof(kGoPrintRanges[0]);",
            "", "}  // namespace plugrt::shim"]
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
