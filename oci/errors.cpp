#include "oci/errors.hpp"

#include <utility>

namespace plugrt::oci {
namespace {

// One line for logs and engines, which show only the first line of a runtime's error.
std::string join_issues(const std::vector<Issue>& issues) {
    if (issues.empty()) {
        return "invalid spec";
    }
    std::string joined;
    for (const auto& issue : issues) {
        if (!joined.empty()) {
            joined += "; ";
        }
        joined += issue.path.empty() ? issue.message : issue.path + ": " + issue.message;
    }
    return joined;
}

}  // namespace

ValidationError::ValidationError(std::vector<Issue> issues)
    : std::runtime_error(join_issues(issues)), issues_(std::move(issues)) {}

}  // namespace plugrt::oci
