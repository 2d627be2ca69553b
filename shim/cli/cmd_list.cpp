// `plugrt list [--format table|json] [--quiet|-q]` with runc's columns and JSON shape
// (runtime-cli-contract §2.2).
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "runtime/container.hpp"
#include "runtime/error.hpp"
#include "runtime/passwd.hpp"
#include "runtime/runtime_log.hpp"
#include "runtime/text_file.hpp"
#include "shim/cli/command.hpp"

namespace plugrt::cli {
namespace {

struct ListArgs {
    std::string format = "table";
    bool quiet = false;
};

// runc: the user name of the state directory's owner, or "#<uid>".
std::string owner_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        return "";
    }
    try {
        if (auto entry = find_passwd_entry(read_text_file("/etc/passwd"), st.st_uid)) {
            return entry->name;
        }
    } catch (const Error&) {
        // No readable /etc/passwd: the numeric form, as for an unknown uid.
    }
    return "#" + std::to_string(st.st_uid);
}

// Go's tabwriter as runc configures it: minwidth 12, padding 3, last column unpadded.
void print_table(const std::vector<std::vector<std::string>>& rows) {
    std::vector<size_t> width(rows[0].size(), 0);
    for (const auto& row : rows) {
        for (size_t c = 0; c < row.size(); ++c) {
            width[c] = std::max(width[c], row[c].size());
        }
    }
    for (const auto& row : rows) {
        std::string line;
        for (size_t c = 0; c < row.size(); ++c) {
            line += row[c];
            if (c + 1 < row.size()) {
                line.append(std::max<size_t>(12, width[c] + 3) - row[c].size(), ' ');
            }
        }
        std::printf("%s\n", line.c_str());
    }
}

void register_list(CLI::App& app, GlobalOptions& globals) {
    auto args = std::make_shared<ListArgs>();
    auto* sub = app.add_subcommand("list", "List containers");
    sub->add_option("-f,--format", args->format, "table or json")
        ->check(CLI::IsMember({"table", "json"}));
    sub->add_flag("-q,--quiet", args->quiet, "Print only the ids");
    sub->callback([args, &globals] {
        StateStore store(globals.root);
        std::vector<nlohmann::ordered_json> items;
        for (const auto& id : store.list()) {
            try {
                items.push_back(
                    runc_state_json(load_container(store, id), owner_of(store.dir_of(id))));
            } catch (const std::exception& e) {
                log_warning("list: skipping " + id + ": " + e.what());
            }
        }
        if (args->quiet) {
            for (const auto& item : items) {
                std::printf("%s\n", item["id"].get<std::string>().c_str());
            }
        } else if (args->format == "json") {
            // runc prints `null` for no containers (a nil Go slice).
            nlohmann::ordered_json all =
                items.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(items);
            std::printf("%s\n", all.dump().c_str());
        } else {
            std::vector<std::vector<std::string>> rows = {
                {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}};
            for (const auto& item : items) {
                rows.push_back({item["id"], std::to_string(item["pid"].get<int>()), item["status"],
                                item["bundle"], item["created"], item["owner"]});
            }
            print_table(rows);
        }
    });
}

}  // namespace

PLUGRT_COMMAND("list", register_list);

}  // namespace plugrt::cli
