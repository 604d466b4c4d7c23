// `jitgate audit`: searches the audit log (DESIGN §2, §5) the config's `audit_log:` names, or `--file`,
// by user, target, age, verdict and type; prints a table, or the matching lines as they are with --json.
// It reads; it does not check the chain (that is `jitgate verify --audit`), and lines that are not
// records are skipped with a warning. JITGATE_TEST_NOW (RFC 3339) replaces the clock for --since.
#include "config/config.hpp"
#include "proxy/audit/audit_json.hpp"
#include "proxy/app/commands.hpp"
#include "proxy/app/hooks.hpp"
#include "proxy/app/text_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace jitgate::proxy {
namespace {

constexpr std::size_t text_width = 60;

struct AuditOptions {
    std::string config_path = default_config_path();
    std::string file;
    std::string user;
    std::string target;
    std::string since;
    std::string decision;
    std::string type;
    bool json = false;
};

// What a record must match; empty fields match anything.
struct Filter {
    std::string user;
    std::string target;
    std::optional<config::TimePoint> since;
    std::string verdict;
    std::string type;

    [[nodiscard]] bool matches(const nlohmann::json& record) const {
        const auto equals = [&](const char* key, const std::string& wanted) {
            return wanted.empty() || json_string(record, key) == std::string_view{wanted};
        };
        if (!equals("user", user) || !equals("target", target) || !equals("type", type)) return false;
        if (!verdict.empty() && (json_string(record, "type") != "decision" || !equals("verdict", verdict))) return false;
        if (since) {
            const std::optional<std::string_view> time = json_string(record, "time");
            if (!time) return false;
            const Result<config::TimePoint> when = config::parse_timestamp(*time);
            if (!when || *when.value < *since) return false;
        }
        return true;
    }
};

// One line of text for a table cell: control characters become spaces; at most `width` characters,
// cut on a UTF-8 boundary with "…".
[[nodiscard]] std::string cell(std::string_view text, std::size_t width = std::string::npos) {
    std::string out;
    std::size_t chars = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        const bool starts_char = (c & 0xC0) != 0x80;
        if (starts_char && ++chars > width) {
            out += "…";
            break;
        }
        out += c < 0x20 || c == 0x7F ? ' ' : static_cast<char>(c);
    }
    return out;
}

[[nodiscard]] std::string field(const nlohmann::json& record, const char* key) {
    return cell(json_string(record, key).value_or(""));
}

[[nodiscard]] std::string number(const nlohmann::json& record, const char* key) {
    const std::optional<std::uint64_t> value = json_integer(record, key);
    return value ? std::to_string(*value) : std::string{"?"};
}

using Row = std::array<std::string, 7>;

// TIME TYPE USER TARGET WHAT RULE TEXT: WHAT is the outcome (class/verdict, result, action/status).
[[nodiscard]] Row to_row(const nlohmann::json& record) {
    const std::string type = field(record, "type");
    Row row{field(record, "time"), type, field(record, "user"), field(record, "target"), "", "", ""};
    if (type == "decision") {
        row[4] = field(record, "class") + "/" + field(record, "verdict");
        row[5] = field(record, "rule");
        if (const std::string grant = field(record, "grant"); !grant.empty()) row[5] += " (grant " + grant + ")";
        row[6] = cell(json_string(record, "text").value_or(""), text_width);
        if (row[6].empty()) row[6] = fmt::format("({} {})", field(record, "kind"), field(record, "statement"));
    } else if (type == "auth") {
        row[4] = field(record, "result");
        row[6] = cell(fmt::format("from {}: {}", field(record, "client"), field(record, "reason")), text_width);
    } else if (type == "session_start") {
        row[4] = "session " + number(record, "session");
        row[6] = "from " + field(record, "client");
    } else if (type == "session_end") {
        row[4] = "session " + number(record, "session");
        row[6] = cell(fmt::format("{} statements, {} blocked: {}", number(record, "statements"),
                                  number(record, "blocked"), field(record, "reason")),
                      text_width);
    } else if (type == "grant") {
        row[4] = field(record, "action") + "/" + field(record, "status");
        row[5] = field(record, "id");
        row[6] = cell(fmt::format("{} by {}: {}", field(record, "role"), field(record, "by"), field(record, "reason")),
                      text_width);
    } else if (type == "refusal") {
        row[4] = "ssh/refused";
        row[6] = cell(field(record, "what"), text_width);
    } else if (type == "config_reload") {
        row[4] = field(record, "result");
        const std::string error = field(record, "error");
        row[6] = cell(error.empty() ? field(record, "path") : field(record, "path") + ": " + error, text_width);
    }
    for (std::string& text : row) {
        if (text.empty()) text = "-";
    }
    return row;
}

[[nodiscard]] int refuse(std::string_view message) {
    fmt::print(stderr, "jitgate: {}\n", message);
    return 1;
}

[[nodiscard]] int run_audit(const AuditOptions& options) {
    Filter filter{options.user, options.target, std::nullopt, options.decision, options.type};
    if (!options.since.empty()) {
        const Result<config::Seconds> age = config::parse_duration(options.since);
        if (!age) return refuse(fmt::format("--since `{}`: {}", options.since, age.error));
        filter.since = cli_now() - *age.value;
    }
    const std::optional<std::filesystem::path> found = audit_log_path(options.file, options.config_path);
    if (!found) return 1;
    const std::filesystem::path& path = *found;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        return refuse(fmt::format("audit log {} does not exist (nothing logged yet, or `audit_log:` names another file)",
                                  path.string()));
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return refuse(fmt::format("cannot read audit log {}", path.string()));

    std::vector<Row> rows{{"TIME", "TYPE", "USER", "TARGET", "WHAT", "RULE", "TEXT"}};
    std::string line;
    for (std::uint64_t number = 1; std::getline(in, line); ++number) {
        const JsonRead read = read_json_object(line);
        if (!read) {
            fmt::print(stderr, "jitgate: {} line {} skipped: {} (check the file with `jitgate verify --audit`)\n",
                       path.string(), number, line.empty() ? "an empty line" : read.error);
            continue;
        }
        if (!filter.matches(*read.object)) continue;
        if (options.json) {
            fmt::print("{}\n", line);
        } else {
            rows.push_back(to_row(*read.object));
        }
    }
    if (options.json) return 0;
    if (rows.size() == 1) {
        fmt::print("no matching records\n");
        return 0;
    }
    print_table(rows);
    return 0;
}

}  // namespace

std::optional<std::filesystem::path> audit_log_path(const std::string& file, const std::string& config_path) {
    if (!file.empty()) return std::filesystem::path(file);
    const config::LoadResult loaded = config::load_file(config_path, config::Secrets::skip);
    if (!loaded.config) {
        for (const config::Diagnostic& error : loaded.errors) fmt::print(stderr, "{}\n", error.to_string());
        return std::nullopt;
    }
    return loaded.config->audit_log;
}

void add_audit(CLI::App& app, Run& run) {
    CLI::App* audit = app.add_subcommand("audit", "Search the audit log: decisions, sessions, grants, reloads");
    auto options = std::make_shared<AuditOptions>();
    audit->add_option("-c,--config", options->config_path,
                      "Config file naming the audit log (default: $JITGATE_CONFIG, then ./jitgate.yaml)")
        ->capture_default_str();
    audit->add_option("--file", options->file, "Read this audit log file instead; needs no config");
    audit->add_option("--user", options->user, "Only records of this user");
    audit->add_option("--target", options->target, "Only records on this target");
    audit->add_option("--since", options->since, "Only records of the last DUR, e.g. 30m, 1h, 7d");
    audit->add_option("--decision", options->decision, "Only decisions with this verdict")
        ->check(CLI::IsMember({"allow", "block", "would_block"}));
    audit->add_option("--type", options->type, "Only records of this type")
        ->check(CLI::IsMember({"auth", "session_start", "session_end", "decision", "grant", "refusal", "config_reload"}));
    audit->add_flag("--json", options->json, "Print the matching records as they are, one JSON object per line");
    audit->callback([&run, options] { run = [options] { return run_audit(*options); }; });
}

}  // namespace jitgate::proxy
