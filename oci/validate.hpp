// Semantic checks of a parsed spec: things that are well-formed JSON but that the runtime must not
// try to run (relative paths, unknown names, namespace/mapping mismatches). Every issue is
// collected, so that a user fixes a config.json in one go rather than one error per attempt.
#pragma once

#include <string>
#include <vector>

#include "oci/errors.hpp"
#include "oci/spec.hpp"

namespace plugrt::oci {

std::vector<Issue> validate_spec(const Spec& spec);

// Throws ValidationError with every issue validate_spec finds; returns when there is none.
void validate_spec_or_throw(const Spec& spec);

// The names validation accepts, also reported by `plugrt features`.
std::vector<std::string> known_namespace_types();
std::vector<std::string> known_rlimit_types();
std::vector<std::string> known_seccomp_actions();
std::vector<std::string> known_seccomp_operators();
std::vector<std::string> known_seccomp_architectures();
std::vector<std::string> known_seccomp_flags();
std::vector<std::string> known_rootfs_propagations();  // includes "" (leave as is)

}  // namespace plugrt::oci
