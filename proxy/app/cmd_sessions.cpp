// `jitgate sessions`: lists the sessions the proxy indexed in the state store the config names (DESIGN
// §2), newest first, by user, target, age and count; a table, or one JSON object per line with --json.
// Also the lookup `verify ID` and `replay ID` share: a session id to its recording's path.
// It only reads: a store that does not exist yet is an error, not created. JITGATE_TEST_NOW (RFC 3339)
// replaces the clock for --since and for the duration of open sessions.
#include "config/config.hpp"
#include "proxy/audit/audit_json.hpp"
#include "proxy/app/commands.hpp"
#include "proxy/app/hooks.hpp"
#include "proxy/store/open_store.hpp"
#include "proxy/app/text_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace jitgate::proxy {
namespace {

struct SessionsOptions {
    std::string config_path = default_config_path();
    std::string user;
    std::string target;
    std::string since;
    std::size_t limit = 0;
    bool json = false;
};

[[nodiscard]] int refuse(std::string_view message) {
    fmt::print(stderr, "jitgate: {}\n", message);
    return 1;
}

// The store the config's `state:` names, opened only when it exists; nullptr after printing why not.
[[nodiscard]] std::unique_ptr<Store> open_existing_store(const std::string& config_path) {
    const config::LoadResult loaded = config::load_file(config_path, config::Secrets::skip);
    if (!loaded.config) {
        for (const config::Diagnostic& error : loaded.errors) fmt::print(stderr, "{}\n", error.to_string());
        return nullptr;
    }
    const std::string& state = loaded.config->state;
    constexpr std::string_view sqlite_prefix = "sqlite:";
    if (state.starts_with(sqlite_prefix)) {
        const std::filesystem::path file{state.substr(sqlite_prefix.size())};
        std::error_code ec;
        if (!std::filesystem::exists(file, ec)) {
            fmt::print(stderr, "jitgate: state store {} does not exist (no proxy has run with it yet, or `state:` "
                               "names another file)\n",
                       file.string());
            return nullptr;
        }
    }
    Result<std::unique_ptr<Store>> store = open_store(state);
    if (!store) {
        fmt::print(stderr, "jitgate: {}\n", store.error);
        return nullptr;
    }
    return std::move(*store.value);
}

[[nodiscard]] std::string format_time(config::TimePoint when) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
    std::tm utc{};
    ::gmtime_r(&seconds, &utc);
    char text[32];
    const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return std::string{text, n};
}

// "1h2m3s", "45s", "0s": how long a session lasted, to the second.
[[nodiscard]] std::string format_span(config::Seconds span) {
    const auto total = std::max<std::int64_t>(0, span.count());
    const std::int64_t hours = total / 3600;
    const std::int64_t minutes = total / 60 % 60;
    const std::int64_t seconds = total % 60;
    std::string out;
    if (hours > 0) out += fmt::format("{}h", hours);
    if (minutes > 0) out += fmt::format("{}m", minutes);
    if (seconds > 0 || out.empty()) out += fmt::format("{}s", seconds);
    return out;
}

[[nodiscard]] std::string duration_of(const SessionRow& session) {
    if (!session.ended_at) return "open";
    return format_span(std::chrono::duration_cast<config::Seconds>(*session.ended_at - session.started_at));
}

// One line of text for a table cell: control characters become spaces, so a hostile name cannot move
// the terminal's cursor.
[[nodiscard]] std::string cell(std::string_view text) {
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        out += byte < 0x20 || byte == 0x7F ? ' ' : c;
    }
    return out.empty() ? std::string{"-"} : out;
}

void print_sessions(const std::vector<SessionRow>& sessions) {
    using Row = std::array<std::string, 9>;
    std::vector<Row> rows{{"ID", "USER", "TARGET", "CLIENT", "STARTED", "DURATION", "STATEMENTS", "BLOCKED",
                           "RECORDING"}};
    for (const SessionRow& session : sessions) {
        rows.push_back({cell(session.id), cell(session.user), cell(session.target), cell(session.client),
                        format_time(session.started_at), duration_of(session), std::to_string(session.statements),
                        std::to_string(session.blocked), cell(session.recording.string())});
    }
    proxy::print_table(rows);
}

void append_field(std::string& out, std::string_view key, std::string_view value) {
    out += out.size() == 1 ? "" : ",";
    append_json_string(out, key);
    out += ':';
    append_json_string(out, value);
}

void append_raw(std::string& out, std::string_view key, std::string_view json) {
    out += out.size() == 1 ? "" : ",";
    append_json_string(out, key);
    out += ':';
    out += json;
}

// {"id":…,"user":…,"target":…,"protocol":…,"client":…,"started_at":…,"ended_at":…|null,
//  "duration_seconds":N|null,"statements":N,"blocked":N,"recording":…|null,"end_reason":…|null}
[[nodiscard]] std::string to_json(const SessionRow& session) {
    std::string out = "{";
    append_field(out, "id", session.id);
    append_field(out, "user", session.user);
    append_field(out, "target", session.target);
    append_field(out, "protocol", to_string(session.protocol));
    append_field(out, "client", session.client);
    append_field(out, "started_at", format_time(session.started_at));
    if (session.ended_at) {
        append_field(out, "ended_at", format_time(*session.ended_at));
        const auto lasted = std::chrono::duration_cast<config::Seconds>(*session.ended_at - session.started_at);
        append_raw(out, "duration_seconds", std::to_string(std::max<std::int64_t>(0, lasted.count())));
    } else {
        append_raw(out, "ended_at", "null");
        append_raw(out, "duration_seconds", "null");
    }
    append_raw(out, "statements", std::to_string(session.statements));
    append_raw(out, "blocked", std::to_string(session.blocked));
    if (session.recording.empty()) {
        append_raw(out, "recording", "null");
    } else {
        append_field(out, "recording", session.recording.string());
    }
    if (session.ended_at) {
        append_field(out, "end_reason", session.end_reason);
    } else {
        append_raw(out, "end_reason", "null");
    }
    return out + "}";
}

[[nodiscard]] int run_sessions(const SessionsOptions& options) {
    SessionFilter filter{options.user, options.target, std::nullopt, options.limit};
    if (!options.since.empty()) {
        const Result<config::Seconds> age = config::parse_duration(options.since);
        if (!age) return refuse(fmt::format("--since `{}`: {}", options.since, age.error));
        filter.since = std::chrono::floor<std::chrono::seconds>(cli_now()) - *age.value;
    }
    const std::unique_ptr<Store> store = open_existing_store(options.config_path);
    if (!store) return 1;
    const Result<std::vector<SessionRow>> found = store->sessions(filter);
    if (!found) return refuse(found.error);
    if (options.json) {
        for (const SessionRow& session : *found.value) fmt::print("{}\n", to_json(session));
        return 0;
    }
    if (found.value->empty()) {
        fmt::print("no matching sessions\n");
        return 0;
    }
    print_sessions(*found.value);
    return 0;
}

}  // namespace

std::optional<std::filesystem::path> find_recording(const std::string& argument, const std::string& config_path) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(argument, ec)) return std::filesystem::path{argument};
    if (std::filesystem::exists(argument, ec)) {
        fmt::print(stderr, "jitgate: {} is not a recording file\n", argument);
        return std::nullopt;
    }
    const std::unique_ptr<Store> store = open_existing_store(config_path);
    if (!store) return std::nullopt;
    const Result<SessionRow> session = store->session(argument);
    if (!session) {
        fmt::print(stderr, "jitgate: {} is neither a recording file nor a session in the index ({})\n", argument,
                   session.error);
        return std::nullopt;
    }
    const std::filesystem::path& recording = session.value->recording;
    if (recording.empty()) {
        fmt::print(stderr, "jitgate: session {} has no recording\n", argument);
        return std::nullopt;
    }
    if (!std::filesystem::is_regular_file(recording, ec)) {
        fmt::print(stderr, "jitgate: session {}'s recording {} is missing (moved, deleted, or on another host)\n",
                   argument, recording.string());
        return std::nullopt;
    }
    return recording;
}

void add_sessions(CLI::App& app, Run& run) {
    CLI::App* sessions = app.add_subcommand("sessions", "List the sessions the proxy served, newest first");
    auto options = std::make_shared<SessionsOptions>();
    sessions->add_option("-c,--config", options->config_path,
                         "Config file naming the state store (default: $JITGATE_CONFIG, then ./jitgate.yaml)")
        ->capture_default_str();
    sessions->add_option("--user", options->user, "Only this user's sessions");
    sessions->add_option("--target", options->target, "Only sessions on this target");
    sessions->add_option("--since", options->since, "Only sessions started in the last DUR, e.g. 30m, 1h, 7d");
    sessions->add_option("--limit", options->limit, "At most N sessions, the newest (default: all)")
        ->check(CLI::PositiveNumber);
    sessions->add_flag("--json", options->json, "Print one JSON object per session and line");
    sessions->callback([&run, options] { run = [options] { return run_sessions(*options); }; });
}

}  // namespace jitgate::proxy
