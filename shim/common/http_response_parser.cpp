#include "shim/common/http_response_parser.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace plugrt::shim {
namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::string_view trim(std::string_view text) noexcept {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

[[noreturn]] void fail(std::string message) { throw HttpParseError{std::move(message)}; }

std::string printable_excerpt(std::string_view text) {
    std::string out;
    for (const char c : text.substr(0, 80)) {
        out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
    }
    return out;
}

// "HTTP/1.1 200 OK" → status and reason.
void parse_status_line(std::string_view line, HttpResponse& response) {
    if (!line.starts_with("HTTP/1.") || line.size() < 12 || line[8] != ' ') {
        fail("malformed status line \"" + printable_excerpt(line) + "\"");
    }
    const std::string_view code = line.substr(9, 3);
    int status = 0;
    const auto [end, ec] = std::from_chars(code.data(), code.data() + code.size(), status);
    if (ec != std::errc() || end != code.data() + 3 || status < 100 || status > 999 ||
        (line.size() > 12 && line[12] != ' ')) {
        fail("malformed status code in \"" + printable_excerpt(line) + "\"");
    }
    response.status = status;
    response.reason = line.size() > 13 ? std::string(line.substr(13)) : std::string();
}

}  // namespace

const std::string* HttpResponse::header(std::string_view name) const noexcept {
    for (const HttpHeader& h : headers) {
        if (iequals(h.name, name)) {
            return &h.value;
        }
    }
    return nullptr;
}

bool HttpResponseParser::feed(std::string_view bytes) {
    if (state_ == State::Done) {
        return true;  // bytes after the response (a pipelined or bogus extra) are ignored
    }
    buffer_.append(bytes);
    while (state_ != State::Done && step()) {
    }
    return state_ == State::Done;
}

bool HttpResponseParser::finish() {
    if (state_ == State::UntilEof) {
        state_ = State::Done;
    }
    if (state_ == State::Done) {
        return true;
    }
    if (state_ == State::Headers) {
        fail(buffer_.empty() && response_.status == 0
                 ? "connection closed before any response"
                 : "connection closed inside the response headers");
    }
    fail("connection closed after " + std::to_string(response_.body.size()) +
         " body bytes, before the end of the body");
}

// One state transition; false when more input is needed.
bool HttpResponseParser::step() {
    switch (state_) {
        case State::Headers:
            return parse_headers();
        case State::FixedBody:
        case State::ChunkData: {
            const std::size_t take = std::min(remaining_, buffer_.size());
            append_body(std::string_view(buffer_).substr(0, take));
            buffer_.erase(0, take);
            remaining_ -= take;
            if (remaining_ > 0) {
                return false;
            }
            state_ = state_ == State::FixedBody ? State::Done : State::ChunkDataEnd;
            return true;
        }
        case State::ChunkDataEnd:
            if (buffer_.size() < 2) {
                return false;
            }
            if (buffer_.compare(0, 2, "\r\n") != 0) {
                fail("chunk data not followed by CRLF");
            }
            buffer_.erase(0, 2);
            state_ = State::ChunkSize;
            return true;
        case State::ChunkSize: {
            const std::size_t eol = buffer_.find("\r\n");
            if (eol == std::string::npos) {
                if (buffer_.size() > 1024) fail("chunk size line too long");
                return false;
            }
            std::string_view line = std::string_view(buffer_).substr(0, eol);
            line = trim(line.substr(0, line.find(';')));  // chunk extensions are ignored
            std::size_t size = 0;
            const auto [end, ec] =
                std::from_chars(line.data(), line.data() + line.size(), size, 16);
            if (line.empty() || ec != std::errc() || end != line.data() + line.size()) {
                fail("malformed chunk size \"" + printable_excerpt(line) + "\"");
            }
            buffer_.erase(0, eol + 2);
            remaining_ = size;
            state_ = size == 0 ? State::Trailers : State::ChunkData;
            return true;
        }
        case State::Trailers: {
            const std::size_t eol = buffer_.find("\r\n");
            if (eol == std::string::npos) {
                return false;
            }
            buffer_.erase(0, eol + 2);
            if (eol == 0) {
                state_ = State::Done;
            }
            return true;
        }
        case State::UntilEof:
            append_body(buffer_);
            buffer_.clear();
            return false;
        case State::Done:
            return false;
    }
    return false;
}

bool HttpResponseParser::parse_headers() {
    const std::size_t end = buffer_.find("\r\n\r\n");
    if (end == std::string::npos) {
        if (buffer_.size() > kMaxHeaderBytes) {
            fail("response headers larger than " + std::to_string(kMaxHeaderBytes) + " bytes");
        }
        return false;
    }
    const std::string_view head = std::string_view(buffer_).substr(0, end);
    HttpResponse response;
    std::size_t line_start = 0;
    bool first = true;
    while (line_start <= head.size()) {
        std::size_t line_end = head.find("\r\n", line_start);
        if (line_end == std::string_view::npos) line_end = head.size();
        const std::string_view line = head.substr(line_start, line_end - line_start);
        line_start = line_end + 2;
        if (first) {
            parse_status_line(line, response);
            first = false;
            continue;
        }
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) {
            fail("malformed header line \"" + printable_excerpt(line) + "\"");
        }
        response.headers.push_back(
            {std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1)))});
    }
    buffer_.erase(0, end + 4);
    if (response.status < 200) {
        return true;  // interim response (100 Continue, 103 Early Hints): parse the next one
    }
    response_ = std::move(response);
    start_body();
    return true;
}

void HttpResponseParser::start_body() {
    if (response_.status == 204 || response_.status == 304) {
        state_ = State::Done;
        return;
    }
    if (const std::string* te = response_.header("Transfer-Encoding")) {
        const std::string_view codings = *te;
        const std::string_view last = trim(codings.substr(codings.rfind(',') + 1));
        if (!iequals(last, "chunked")) {
            fail("unsupported Transfer-Encoding \"" + *te + "\"");
        }
        state_ = State::ChunkSize;
        return;
    }
    if (const std::string* length = response_.header("Content-Length")) {
        std::size_t size = 0;
        const auto [end, ec] =
            std::from_chars(length->data(), length->data() + length->size(), size);
        if (length->empty() || ec != std::errc() || end != length->data() + length->size()) {
            fail("malformed Content-Length \"" + printable_excerpt(*length) + "\"");
        }
        if (size > max_body_) {
            fail("response body of " + std::to_string(size) + " bytes exceeds the limit of " +
                 std::to_string(max_body_));
        }
        remaining_ = size;
        state_ = size == 0 ? State::Done : State::FixedBody;
        return;
    }
    state_ = State::UntilEof;
}

void HttpResponseParser::append_body(std::string_view bytes) {
    if (response_.body.size() + bytes.size() > max_body_) {
        fail("response body exceeds the limit of " + std::to_string(max_body_) + " bytes");
    }
    response_.body.append(bytes);
}

}  // namespace plugrt::shim
