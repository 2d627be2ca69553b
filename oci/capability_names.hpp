// Linux capability names as they appear in a spec ("CAP_SYS_ADMIN") and their numbers.
//
// Only the exact upper-case `CAP_` form is accepted, as runc does: a spec saying "sys_admin"
// is a mistake the user should hear about, not something to guess at.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace plugrt::oci {

// The highest capability plugrt knows (CAP_CHECKPOINT_RESTORE, Linux 5.9).
inline constexpr int kLastKnownCapability = 40;

// "CAP_SYS_ADMIN" -> 21; nullopt for anything else, including "sys_admin" and "SYS_ADMIN".
std::optional<int> capability_number(std::string_view name);

// 21 -> "CAP_SYS_ADMIN"; nullopt for numbers outside 0..kLastKnownCapability.
std::optional<std::string_view> capability_name(int number);

// Every known name, in capability-number order.
std::vector<std::string> all_capability_names();

}  // namespace plugrt::oci
