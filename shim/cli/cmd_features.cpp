// `plugrt features`: what this build of plugrt understands, in the runtime-spec features format
// (features.md). Fixed at build time from the same tables the parser and validator use, so the
// report cannot drift from the behaviour; nothing here probes the host.
#include <iostream>

#include "oci/capability_names.hpp"
#include "oci/mount_options.hpp"
#include "oci/spec.hpp"
#include "oci/validate.hpp"
#include "shim/cli/build_info.hpp"
#include "shim/cli/command.hpp"

namespace plugrt::cli {
namespace {

using oci::Json;

// The seccomp filter flags libseccomp 2.5 (Debian 12) can apply; WAIT_KILLABLE_RECV needs 2.6.
// Keep in step with the seccomp loader in runtime/.
const std::vector<std::string> kSupportedSeccompFlags = {
    "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"};

Json features_document() {
    Json linux = Json::object();
    linux["namespaces"] = oci::known_namespace_types();
    linux["capabilities"] = oci::all_capability_names();
    linux["cgroup"] = {{"v1", true}, {"v2", true}, {"systemd", false}};
    linux["seccomp"] = {{"enabled", true},
                        {"actions", oci::known_seccomp_actions()},
                        {"operators", oci::known_seccomp_operators()},
                        {"archs", oci::known_seccomp_architectures()},
                        {"knownFlags", oci::known_seccomp_flags()},
                        {"supportedFlags", kSupportedSeccompFlags}};
    linux["apparmor"] = {{"enabled", false}};
    linux["selinux"] = {{"enabled", false}};

    Json doc = Json::object();
    doc["ociVersionMin"] = "1.0.0";
    doc["ociVersionMax"] = oci::kRuntimeSpecVersion;
    doc["hooks"] = {"prestart",       "createRuntime", "createContainer",
                    "startContainer", "poststart",     "poststop"};
    doc["mountOptions"] = oci::known_mount_options();
    doc["linux"] = std::move(linux);
    doc["annotations"] = {{"dev.plugrt.version", build_version()},
                          {"dev.plugrt.commit", build_commit()}};
    return doc;
}

void register_features(CLI::App& app, GlobalOptions& /*globals*/) {
    auto* sub = app.add_subcommand("features", "Show the enabled features as JSON");
    // runc indents with four spaces and ends with a newline (json.Encoder).
    sub->callback([] { std::cout << features_document().dump(4) << "\n"; });
}

}  // namespace

PLUGRT_COMMAND("features", register_features);

}  // namespace plugrt::cli
