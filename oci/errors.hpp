// Errors of the pure layer. Both name the place in the input that is wrong, because the user
// has to find it in a config.json they did not necessarily write.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace plugrt::oci {

// A document that cannot be read as the expected shape: not JSON, wrong type, too deep.
// what() is one line: "<json path>: <what was expected>".
class ParseError : public std::runtime_error {
public:
    ParseError(std::string path, const std::string& message)
        : std::runtime_error(path.empty() ? message : path + ": " + message),
          path_(std::move(path)) {}
    const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
};

struct Issue {
    std::string path;     // JSON path, e.g. "mounts[3].destination"
    std::string message;  // e.g. "must be an absolute path"
};

// A well-formed document whose content is not acceptable. Validation collects every issue
// before throwing, so the user fixes a config once, not once per run. what() joins the issues
// with "; " so that it stays one line.
class ValidationError : public std::runtime_error {
public:
    explicit ValidationError(std::vector<Issue> issues);
    const std::vector<Issue>& issues() const noexcept { return issues_; }

private:
    std::vector<Issue> issues_;
};

}  // namespace plugrt::oci
