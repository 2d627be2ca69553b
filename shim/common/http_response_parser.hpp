// Incremental parser for one HTTP/1.1 response, fed with whatever recv() returned.
//
// Framing follows RFC 9112 §6.3 as far as a client of plugin sockets needs it: 1xx interim
// responses are skipped; 204 and 304 have no body; "Transfer-Encoding: chunked" wins over
// Content-Length; otherwise Content-Length; otherwise the body runs until the peer closes.
// State is kept between feeds, so a large body is not re-scanned on every read.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace plugrt::shim {

struct HttpHeader {
    std::string name;
    std::string value;
};

struct HttpResponse {
    int status = 0;
    std::string reason;
    std::vector<HttpHeader> headers;
    std::string body;

    // First header with this name, compared case-insensitively; nullptr if absent.
    const std::string* header(std::string_view name) const noexcept;
};

// Thrown for bytes that are not a valid response; the message says what was wrong.
struct HttpParseError {
    std::string message;
};

class HttpResponseParser {
public:
    static constexpr std::size_t kMaxHeaderBytes = 64 * 1024;

    explicit HttpResponseParser(std::size_t max_body_bytes = 16 * 1024 * 1024)
        : max_body_(max_body_bytes) {}

    // Consumes bytes; returns true once the response is complete. Throws HttpParseError.
    bool feed(std::string_view bytes);

    // The peer closed the connection. Returns true if that completes the response (a body
    // delimited by EOF); throws HttpParseError if the response was cut short.
    bool finish();

    bool complete() const noexcept { return state_ == State::Done; }
    HttpResponse& response() noexcept { return response_; }

private:
    enum class State {
        Headers,
        FixedBody,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailers,
        UntilEof,
        Done
    };

    bool parse_headers();
    void start_body();
    bool step();
    void append_body(std::string_view bytes);

    std::size_t max_body_;
    State state_ = State::Headers;
    std::string buffer_;         // received but not yet consumed
    std::size_t remaining_ = 0;  // bytes left in the fixed body or the current chunk
    HttpResponse response_;
};

}  // namespace plugrt::shim
