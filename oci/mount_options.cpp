#include "oci/mount_options.hpp"

#include <sys/mount.h>

#include <algorithm>
#include <array>

namespace plugrt::oci {
namespace {

enum class Kind {
    kSetFlag,      // mount(2) flag turned on
    kClearFlag,    // mount(2) flag turned off
    kPropagation,  // MS_SHARED, MS_SLAVE, ... (with MS_REC for the r* forms)
    kAttr,         // mount_setattr(2) attributes: `set` turned on, `clear` turned off
    kExtension,    // handled by the runtime itself (tmpcopyup, idmap, ridmap)
    kNoop,         // "defaults"
};

struct OptionRule {
    std::string_view name;
    Kind kind;
    unsigned long flag = 0;  // MS_* for the flag and propagation kinds
    uint64_t attr_set = 0;
    uint64_t attr_clear = 0;
};

// Names and meanings follow runc (libcontainer/specconv) and crun (mount_flags), so a spec
// means the same thing here as under those runtimes.
constexpr std::array kRules = {
    OptionRule{"async", Kind::kClearFlag, MS_SYNCHRONOUS},
    OptionRule{"atime", Kind::kClearFlag, MS_NOATIME},
    OptionRule{"bind", Kind::kSetFlag, MS_BIND},
    OptionRule{"defaults", Kind::kNoop},
    OptionRule{"dev", Kind::kClearFlag, MS_NODEV},
    OptionRule{"diratime", Kind::kClearFlag, MS_NODIRATIME},
    OptionRule{"dirsync", Kind::kSetFlag, MS_DIRSYNC},
    OptionRule{"exec", Kind::kClearFlag, MS_NOEXEC},
    OptionRule{"idmap", Kind::kExtension},
    OptionRule{"iversion", Kind::kSetFlag, MS_I_VERSION},
    OptionRule{"lazytime", Kind::kSetFlag, MS_LAZYTIME},
    OptionRule{"loud", Kind::kClearFlag, MS_SILENT},
    OptionRule{"mand", Kind::kSetFlag, MS_MANDLOCK},
    OptionRule{"noatime", Kind::kSetFlag, MS_NOATIME},
    OptionRule{"nodev", Kind::kSetFlag, MS_NODEV},
    OptionRule{"nodiratime", Kind::kSetFlag, MS_NODIRATIME},
    OptionRule{"noexec", Kind::kSetFlag, MS_NOEXEC},
    OptionRule{"noiversion", Kind::kClearFlag, MS_I_VERSION},
    OptionRule{"nolazytime", Kind::kClearFlag, MS_LAZYTIME},
    OptionRule{"nomand", Kind::kClearFlag, MS_MANDLOCK},
    OptionRule{"norelatime", Kind::kClearFlag, MS_RELATIME},
    OptionRule{"nostrictatime", Kind::kClearFlag, MS_STRICTATIME},
    OptionRule{"nosuid", Kind::kSetFlag, MS_NOSUID},
    OptionRule{"nosymfollow", Kind::kSetFlag, MS_NOSYMFOLLOW},
    OptionRule{"private", Kind::kPropagation, MS_PRIVATE},
    OptionRule{"ratime", Kind::kAttr, 0, 0, MOUNT_ATTR_NOATIME},
    OptionRule{"rbind", Kind::kSetFlag, MS_BIND | MS_REC},
    OptionRule{"rdev", Kind::kAttr, 0, 0, MOUNT_ATTR_NODEV},
    OptionRule{"rdiratime", Kind::kAttr, 0, 0, MOUNT_ATTR_NODIRATIME},
    OptionRule{"relatime", Kind::kSetFlag, MS_RELATIME},
    OptionRule{"remount", Kind::kSetFlag, MS_REMOUNT},
    OptionRule{"rexec", Kind::kAttr, 0, 0, MOUNT_ATTR_NOEXEC},
    OptionRule{"ridmap", Kind::kExtension},
    // The atime modes are one field of the attribute word: selecting one clears the others.
    OptionRule{"rnoatime", Kind::kAttr, 0, MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME},
    OptionRule{"rnodev", Kind::kAttr, 0, MOUNT_ATTR_NODEV, 0},
    OptionRule{"rnodiratime", Kind::kAttr, 0, MOUNT_ATTR_NODIRATIME, 0},
    OptionRule{"rnoexec", Kind::kAttr, 0, MOUNT_ATTR_NOEXEC, 0},
    OptionRule{"rnorelatime", Kind::kAttr, 0, 0, MOUNT_ATTR_RELATIME},
    OptionRule{"rnostrictatime", Kind::kAttr, 0, 0, MOUNT_ATTR_STRICTATIME},
    OptionRule{"rnosuid", Kind::kAttr, 0, MOUNT_ATTR_NOSUID, 0},
    OptionRule{"rnosymfollow", Kind::kAttr, 0, MOUNT_ATTR_NOSYMFOLLOW, 0},
    OptionRule{"rprivate", Kind::kPropagation, MS_PRIVATE | MS_REC},
    OptionRule{"rrelatime", Kind::kAttr, 0, MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    OptionRule{"rro", Kind::kAttr, 0, MOUNT_ATTR_RDONLY, 0},
    OptionRule{"rrw", Kind::kAttr, 0, 0, MOUNT_ATTR_RDONLY},
    OptionRule{"rshared", Kind::kPropagation, MS_SHARED | MS_REC},
    OptionRule{"rslave", Kind::kPropagation, MS_SLAVE | MS_REC},
    OptionRule{"rstrictatime", Kind::kAttr, 0, MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
    OptionRule{"rsuid", Kind::kAttr, 0, 0, MOUNT_ATTR_NOSUID},
    OptionRule{"rsymfollow", Kind::kAttr, 0, 0, MOUNT_ATTR_NOSYMFOLLOW},
    OptionRule{"runbindable", Kind::kPropagation, MS_UNBINDABLE | MS_REC},
    OptionRule{"ro", Kind::kSetFlag, MS_RDONLY},
    OptionRule{"rw", Kind::kClearFlag, MS_RDONLY},
    OptionRule{"shared", Kind::kPropagation, MS_SHARED},
    OptionRule{"silent", Kind::kSetFlag, MS_SILENT},
    OptionRule{"slave", Kind::kPropagation, MS_SLAVE},
    OptionRule{"strictatime", Kind::kSetFlag, MS_STRICTATIME},
    OptionRule{"suid", Kind::kClearFlag, MS_NOSUID},
    OptionRule{"symfollow", Kind::kClearFlag, MS_NOSYMFOLLOW},
    OptionRule{"sync", Kind::kSetFlag, MS_SYNCHRONOUS},
    OptionRule{"tmpcopyup", Kind::kExtension},
    OptionRule{"unbindable", Kind::kPropagation, MS_UNBINDABLE},
};

const OptionRule* find_rule(std::string_view name) {
    const auto it = std::find_if(kRules.begin(), kRules.end(),
                                 [name](const OptionRule& r) { return r.name == name; });
    return it == kRules.end() ? nullptr : &*it;
}

void apply_extension(std::string_view name, MountOptions& out) {
    if (name == "tmpcopyup") {
        out.tmpcopyup = true;
    } else {
        out.idmap = true;
        out.recursive_idmap = name == "ridmap";
    }
}

}  // namespace

MountOptions parse_mount_options(const std::vector<std::string>& options) {
    MountOptions out;
    for (const auto& option : options) {
        const auto* rule = find_rule(option);
        if (!rule) {
            if (!option.empty()) {
                out.data += out.data.empty() ? option : "," + option;
            }
            continue;
        }
        switch (rule->kind) {
            case Kind::kSetFlag:
                out.flags |= rule->flag;
                out.clear_flags &= ~rule->flag;
                break;
            case Kind::kClearFlag:
                out.flags &= ~rule->flag;
                out.clear_flags |= rule->flag;
                break;
            case Kind::kPropagation:
                out.propagation.push_back(rule->flag);
                break;
            case Kind::kAttr:
                out.attr_clear = (out.attr_clear & ~rule->attr_set) | rule->attr_clear;
                out.attr_set = (out.attr_set & ~rule->attr_clear) | rule->attr_set;
                break;
            case Kind::kExtension:
                apply_extension(rule->name, out);
                break;
            case Kind::kNoop:
                break;
        }
    }
    out.is_bind = (out.flags & MS_BIND) != 0;
    out.is_recursive_bind = out.is_bind && (out.flags & MS_REC) != 0;
    return out;
}

std::vector<std::string> known_mount_options() {
    std::vector<std::string> names;
    names.reserve(kRules.size());
    for (const auto& rule : kRules) {
        names.emplace_back(rule.name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace plugrt::oci
