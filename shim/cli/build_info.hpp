// What this binary was built from. The commit lives in one generated translation unit so that a
// new commit recompiles that file only, not every file that sees a compile definition.
#pragma once

namespace plugrt::cli {

// The project version from CMakeLists.txt, e.g. "0.1.0".
const char* build_version();
// `git rev-parse HEAD` at configure time, or "unknown" outside a git checkout.
const char* build_commit();

}  // namespace plugrt::cli
