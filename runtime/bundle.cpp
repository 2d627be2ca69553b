#include "runtime/bundle.hpp"

#include <sys/stat.h>

#include <filesystem>

#include "oci/errors.hpp"
#include "oci/validate.hpp"
#include "runtime/error.hpp"
#include "runtime/text_file.hpp"

namespace fs = std::filesystem;

namespace plugrt {

namespace {

// config.json is small; anything huge is a mistake or an attack on the parser (security
// checklist §4 #11), so refuse before reading it into memory.
constexpr std::uintmax_t kMaxConfigBytes = 4 << 20;

std::string read_config(const std::string& path) {
    std::error_code ec;
    auto size = fs::file_size(path, ec);
    if (ec) {
        throw_errno(ec.value(), "open " + path);
    }
    if (size > kMaxConfigBytes) {
        throw Error(Error::Kind::Invalid,
                    path + ": larger than " + std::to_string(kMaxConfigBytes) + " bytes");
    }
    return read_text_file(path);
}

}  // namespace

Bundle load_bundle(const std::string& bundle_dir) {
    Bundle bundle;
    bundle.dir = fs::absolute(bundle_dir.empty() ? "." : bundle_dir).lexically_normal().string();
    if (bundle.dir.size() > 1 && bundle.dir.back() == '/') {
        bundle.dir.pop_back();
    }
    bundle.config_path = bundle.dir + "/config.json";
    bundle.config_text = read_config(bundle.config_path);
    try {
        bundle.spec = oci::parse_spec(bundle.config_text);
        oci::validate_spec_or_throw(bundle.spec);
    } catch (const oci::ParseError& e) {
        throw Error(Error::Kind::Invalid, bundle.config_path + ": " + e.what());
    } catch (const oci::ValidationError& e) {
        throw Error(Error::Kind::Invalid, bundle.config_path + ": " + e.what());
    }
    if (!bundle.spec.process || bundle.spec.process->args.empty()) {
        throw Error(Error::Kind::Invalid, bundle.config_path + ": process.args: must not be empty");
    }
    if (!bundle.spec.root || bundle.spec.root->path.empty()) {
        throw Error(Error::Kind::Invalid, bundle.config_path + ": root.path: must be set");
    }
    fs::path root = bundle.spec.root->path;
    bundle.rootfs = (root.is_absolute() ? root : fs::path(bundle.dir) / root).lexically_normal();
    struct stat st {};
    if (::stat(bundle.rootfs.c_str(), &st) != 0) {
        throw_errno("root.path: rootfs " + bundle.rootfs);
    }
    if (!S_ISDIR(st.st_mode)) {
        throw Error(Error::Kind::Invalid,
                    "root.path: rootfs " + bundle.rootfs + " is not a directory");
    }
    return bundle;
}

}  // namespace plugrt
