// Turns the byte stream read from a plugin's stdout or stderr pipe into log lines.
//
// Decisions, compared with dockerd (logrus Entry.Writer):
// - A line ends at '\n'. Trailing '\r's are stripped from complete lines, as logrus >= 1.9.3
//   does with TrimRight(line, "\r\n"); a lone '\r' inside a line is kept (Go's ScanLines
//   behaves the same way).
// - There is no limit that can stop the reader. logrus 1.7 (dockerd 20.10) stopped reading
//   for good on the first line over 64 KiB, which leaves the pipe undrained and can block
//   the plugin; logrus 1.9.3 cuts such a line into 64 KiB chunks. plugrt does the latter,
//   but never cuts inside a UTF-8 sequence (the chunk ends up to 3 bytes earlier) so each
//   chunk stays readable, and only cuts lines that really are over-long (logrus also cut a
//   buffer full of short lines).
// - Chunks are emitted as they are, without stripping '\r'.
// - At EOF the unterminated last line is flushed; an empty remainder emits nothing.
// - Memory is bounded: after feed() returns, at most max_line - 1 bytes stay buffered.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace plugrt::shim {

class LineSplitter {
public:
    using LineHandler = std::function<void(std::string_view line)>;

    static constexpr std::size_t kDefaultMaxLine = 64 * 1024;

    // max_line must be at least 4 so a chunk can always hold a whole UTF-8 sequence.
    explicit LineSplitter(std::size_t max_line = kDefaultMaxLine);

    // Appends bytes and calls on_line for every complete line and every full chunk.
    void feed(std::string_view bytes, const LineHandler& on_line);

    // End of stream: emits the buffered partial line, if any, and resets.
    void finish(const LineHandler& on_line);

    std::size_t buffered() const noexcept { return pending_.size(); }
    std::size_t max_line() const noexcept { return max_line_; }

private:
    std::size_t max_line_;
    std::string pending_;
    std::size_t scanned_ = 0;  // bytes of pending_ already known to hold no '\n'
};

// Where to cut `text` (longer than `limit`) so the chunk has at most `limit` bytes and does
// not end inside a UTF-8 sequence. Falls back to `limit` when the bytes are not UTF-8.
std::size_t utf8_safe_cut(std::string_view text, std::size_t limit) noexcept;

}  // namespace plugrt::shim
