#include "shim/plugin/libarchive_loader.hpp"

#include <dlfcn.h>

#include <string>

#include "runtime/error.hpp"

#ifndef PLUGRT_LIBARCHIVE_SONAME
#define PLUGRT_LIBARCHIVE_SONAME "libarchive.so.13"
#endif

namespace plugrt::shim {
namespace {

LibArchive load() {
    // Never unloaded: the handle lives as long as the process.
    void* handle = ::dlopen(PLUGRT_LIBARCHIVE_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
        const char* why = ::dlerror();
        throw Error(Error::Kind::System, std::string("load " PLUGRT_LIBARCHIVE_SONAME
                                                     " (needed to extract plugin archives): ") +
                                             (why ? why : "unknown error"));
    }
    LibArchive api;
#define PLUGRT_LIBARCHIVE_RESOLVE(name)                                                \
    api.name = reinterpret_cast<decltype(api.name)>(::dlsym(handle, #name));           \
    if (api.name == nullptr) {                                                         \
        throw Error(Error::Kind::System,                                               \
                    "load " PLUGRT_LIBARCHIVE_SONAME ": no function " #name " in it"); \
    }
    PLUGRT_LIBARCHIVE_FUNCTIONS(PLUGRT_LIBARCHIVE_RESOLVE)
#undef PLUGRT_LIBARCHIVE_RESOLVE
    return api;
}

}  // namespace

const LibArchive& libarchive() {
    static const LibArchive api = load();
    return api;
}

}  // namespace plugrt::shim
