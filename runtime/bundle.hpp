// An OCI bundle on disk: <dir>/config.json plus the root filesystem it names.
#pragma once

#include <string>

#include "oci/spec.hpp"

namespace plugrt {

struct Bundle {
    std::string dir;          // absolute
    std::string config_path;  // <dir>/config.json
    std::string rootfs;       // root.path resolved against dir, absolute
    oci::Spec spec;
    std::string config_text;  // config.json as read, the text `spec` was parsed from
};

// Reads and validates <bundle_dir>/config.json (step R1: fail before touching the system).
// Every error names the file, and the JSON path or field at fault, e.g.
//   "/b/config.json: process.args: must not be empty".
Bundle load_bundle(const std::string& bundle_dir);

}  // namespace plugrt
