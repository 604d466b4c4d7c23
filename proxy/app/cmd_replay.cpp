// `jitgate replay FILE|ID`: plays a PostgreSQL session recording back as a psql-like transcript (DESIGN §2):
// per statement its time offset and prompt, the SQL, then the result rows (when recorded) and the
// command tag, `BLOCKED (class, rule): reason` or `ERROR: sqlstate message`. Paced like the session
// (--speed, --idle-limit, --no-wait). Works on a copied file with no config or server: the chain is
// checked first and a broken or unsealed one is a warning on stderr, not a failure. A session id is
// looked up in the config's state store (find_recording).
// SSH recordings (ssh_recording.hpp): each command with its verdict, and a terminal channel's cast played
// inline with its own pacing (output as the engineer saw it); each channel's exit status.
#include "proxy/audit/audit_json.hpp"
#include "proxy/app/commands.hpp"
#include "proxy/recording/recording.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace jitgate::proxy {
namespace {

struct ReplayOptions {
    std::string recording;
    std::string config_path = default_config_path();
    double speed = 1.0;
    double idle_limit = 2.0;
    bool no_wait = false;
};

// A decimal field (t, duration_ms) as written by the recorder; 0 when absent or not a number.
[[nodiscard]] double decimal(const nlohmann::json& record, std::string_view key) {
    const auto value = record.find(key);
    return value != record.end() && value->is_number() ? value->get<double>() : 0;
}

// A field that is a JSON object (the statement's error, its result), or nullptr.
[[nodiscard]] const nlohmann::json* object_field(const nlohmann::json& record, std::string_view key) {
    const auto value = record.find(key);
    return value != record.end() && value->is_object() ? &*value : nullptr;
}

// The cells of a JSON array of strings and nulls (NULL shows as empty, as psql does).
[[nodiscard]] std::vector<std::string> cells(const nlohmann::json& array) {
    std::vector<std::string> out;
    if (!array.is_array()) return out;
    for (const nlohmann::json& item : array) {
        out.push_back(item.is_null() ? std::string{} : item.is_string() ? item.get<std::string>() : item.dump());
    }
    return out;
}

// The width psql would give a cell: UTF-8 code points (not bytes).
[[nodiscard]] std::size_t width(std::string_view text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

void append_padded(std::string& out, std::string_view text, std::size_t to) {
    out += text;
    out.append(to - std::min(to, width(text)), ' ');
}

// psql's default aligned format: centred headers, a dashed rule, cells left-aligned, `(N rows)`.
[[nodiscard]] std::string table(const nlohmann::json& result) {
    const auto columns_value = result.find("columns");
    const auto rows_value = result.find("rows");
    if (columns_value == result.end() || rows_value == result.end()) return {};
    const std::vector<std::string> columns = cells(*columns_value);
    std::vector<std::vector<std::string>> rows;
    if (rows_value->is_array()) {
        for (const nlohmann::json& row : *rows_value) rows.push_back(cells(row));
    }
    std::vector<std::size_t> widths(columns.size());
    for (std::size_t c = 0; c < columns.size(); ++c) {
        widths[c] = width(columns[c]);
        for (const auto& row : rows) {
            if (c < row.size()) widths[c] = std::max(widths[c], width(row[c]));
        }
    }
    std::string out;
    for (std::size_t c = 0; c < columns.size(); ++c) {
        const std::size_t pad = widths[c] - width(columns[c]);
        out += c == 0 ? " " : " | ";
        out.append(pad / 2, ' ');
        out += columns[c];
        out.append(c + 1 == columns.size() ? 0 : pad - pad / 2, ' ');
    }
    out += '\n';
    for (std::size_t c = 0; c < columns.size(); ++c) {
        if (c > 0) out += '+';
        out.append(widths[c] + 2, '-');
    }
    out += '\n';
    for (const auto& row : rows) {
        for (std::size_t c = 0; c < columns.size(); ++c) {
            out += c == 0 ? " " : " | ";
            const std::string_view cell = c < row.size() ? std::string_view{row[c]} : std::string_view{};
            if (c + 1 == columns.size()) out += cell;
            else append_padded(out, cell, widths[c]);
        }
        out += '\n';
    }
    out += fmt::format("({} row{})\n", rows.size(), rows.size() == 1 ? "" : "s");
    return out;
}

// "[+12.345s] alice@orders-db=> "
[[nodiscard]] std::string prompt(double t, std::string_view user, std::string_view target) {
    return fmt::format("[+{:.3f}s] {}@{}=> ", t, user, target);
}

void pause(const ReplayOptions& options, double gap) {
    if (options.no_wait || options.speed <= 0) return;
    std::this_thread::sleep_for(std::chrono::duration<double>(std::min(std::max(0.0, gap), options.idle_limit) / options.speed));
}

// Plays an asciicast's output events to stdout with their pacing (DESIGN §5: what the engineer saw).
void play_cast(const std::filesystem::path& path, const ReplayOptions& options) {
    std::ifstream in{path, std::ios::binary};
    if (!in) {
        fmt::print("(the terminal recording {} cannot be read)\n", path.filename().string());
        return;
    }
    std::string line;
    std::getline(in, line);  // the header
    double last = 0;
    while (std::getline(in, line)) {
        // [t, "o", data]; other events ("r" resizes) and lines that do not parse are skipped.
        const nlohmann::json event = nlohmann::json::parse(line, nullptr, false);
        if (!event.is_array() || event.size() != 3 || event[1] != "o" || !event[0].is_number() || !event[2].is_string())
            continue;
        const double t = event[0].get<double>();
        pause(options, t - last);
        last = std::max(last, t);
        const std::string& data = event[2].get_ref<const std::string&>();
        std::fwrite(data.data(), 1, data.size(), stdout);
        std::fflush(stdout);
    }
    fmt::print("\n");
}

// One SSH record: a command with its verdict (and its terminal played), or a channel's exit.
void print_ssh_record(const nlohmann::json& record, std::string_view type, double t, std::string_view user,
                      std::string_view target, const std::filesystem::path& recording, const ReplayOptions& options,
                      bool colour) {
    if (type == "exit") {
        const std::optional<std::uint64_t> status = json_integer(record, "status");
        const std::string_view signal = json_string(record, "signal").value_or("");
        fmt::print("[+{:.3f}s] channel {} ended{}\n\n", t, json_integer(record, "channel").value_or(0),
                   !signal.empty()                                        ? fmt::format(" by signal {}", signal)
                   : status                                                 ? fmt::format(" with exit status {}", *status)
                                                                            : std::string{});
        return;
    }
    const std::string_view kind = json_string(record, "kind").value_or("?");
    const std::string_view command = json_string(record, "command").value_or("");
    std::string out = fmt::format("[+{:.3f}s] {}@{}$ ", t, user, target);
    out += kind == "shell" ? std::string_view{"(interactive shell)"} : command;
    if (kind == "subsystem") out += " (subsystem)";
    out += '\n';
    const std::string_view verdict = json_string(record, "verdict").value_or("");
    if (verdict == "block") {
        const std::string reason = fmt::format("BLOCKED ({}, {})", json_string(record, "class").value_or("?"),
                                               json_string(record, "rule").value_or(""));
        out += colour ? fmt::format("\x1b[31m{}\x1b[0m\n", reason) : reason + '\n';
    } else if (verdict == "would_block") {
        out += fmt::format("WOULD BLOCK ({}, {}): shadow mode, forwarded\n", json_string(record, "class").value_or("?"),
                           json_string(record, "rule").value_or(""));
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
    if (const auto cast = json_string(record, "cast"); cast && cast->find('/') == std::string_view::npos)
        play_cast(recording.parent_path() / std::string(*cast), options);
}

[[nodiscard]] int run_replay(const ReplayOptions& options) {
    const std::optional<std::filesystem::path> recording = find_recording(options.recording, options.config_path);
    if (!recording) return 1;
    const RecordingVerification verified = verify_recording(*recording);
    if (verified.state == RecordingVerification::State::broken) {
        fmt::print(stderr, "jitgate: warning: the recording does not verify ({}{}); showing it anyway\n",
                   verified.bad_record != 0 ? fmt::format("record {}: ", verified.bad_record) : std::string{},
                   verified.why);
    } else if (verified.state == RecordingVerification::State::unsealed) {
        fmt::print(stderr, "jitgate: warning: the recording is unsealed ({}), {} intact records\n", verified.why,
                   verified.records);
    }
    std::ifstream in{*recording, std::ios::binary};
    const bool colour = ::isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
    std::string user = "?";
    std::string target = "?";
    double last_t = 0;
    std::string line;
    while (std::getline(in, line)) {
        const JsonRead read = read_json_object(line);
        if (!read) continue;  // a torn or garbled line: the warning above named it
        const nlohmann::json& record = *read.object;
        const std::string_view type = json_string(record, "type").value_or("");
        if (type == "header") {
            user = json_string(record, "user").value_or("?");
            target = json_string(record, "target").value_or("?");
            fmt::print("-- session {} of {} on {} from {}, started {}\n", json_string(record, "session").value_or("?"),
                       user, target, json_string(record, "client").value_or("?"), json_string(record, "start").value_or("?"));
            continue;
        }
        const double t = decimal(record, "t");
        pause(options, t - last_t);
        last_t = std::max(last_t, t);
        if (type == "end") {
            fmt::print("-- session ended at +{:.3f}s: {} ({} statements, {} blocked)\n", t,
                       json_string(record, "reason").value_or("?"), json_integer(record, "statements").value_or(0),
                       json_integer(record, "blocked").value_or(0));
            continue;
        }
        if (type == "command" || type == "exit") {
            print_ssh_record(record, type, t, user, target, *recording, options, colour);
            continue;
        }
        if (type != "statement") continue;
        std::string out = prompt(t, user, target);
        out += json_string(record, "sql").value_or("");
        out += '\n';
        const std::string_view verdict = json_string(record, "verdict").value_or("");
        // The error the client saw: for a blocked statement, the proxy's own 42501 with the reason.
        const nlohmann::json* error = object_field(record, "error");
        if (verdict == "block") {
            const std::string reason =
                fmt::format("BLOCKED ({}, {}): {}", json_string(record, "class").value_or("?"),
                            json_string(record, "rule").value_or(""),
                            error ? json_string(*error, "message").value_or("") : std::string_view{"blocked"});
            out += colour ? fmt::format("\x1b[31m{}\x1b[0m\n", reason) : reason + '\n';
        } else {
            if (verdict == "would_block") {
                out += fmt::format("WOULD BLOCK ({}, {}): shadow mode, forwarded\n",
                                   json_string(record, "class").value_or("?"), json_string(record, "rule").value_or(""));
            }
            const nlohmann::json* result = object_field(record, "result");
            if (error) {
                out += fmt::format("ERROR: {} {}\n", json_string(*error, "sqlstate").value_or("?"),
                                   json_string(*error, "message").value_or(""));
            } else {
                if (result != nullptr) out += table(*result);
                if (const auto tag = json_string(record, "tag"); tag && !tag->empty()) out += fmt::format("{}\n", *tag);
            }
        }
        out += '\n';
        std::fwrite(out.data(), 1, out.size(), stdout);
        std::fflush(stdout);
    }
    return 0;
}

}  // namespace

void add_replay(CLI::App& app, Run& run) {
    CLI::App* replay = app.add_subcommand(
        "replay", "Play a session recording back like a psql transcript, paced as it happened; needs no server");
    auto options = std::make_shared<ReplayOptions>();
    replay->add_option("recording", options->recording, "A recording file, or a session id from `jitgate sessions`")
        ->required();
    replay->add_option("-c,--config", options->config_path,
                       "Config file naming the state store that indexes session ids (default: $JITGATE_CONFIG, "
                       "then ./jitgate.yaml); a file needs none")
        ->capture_default_str();
    replay->add_option("--speed", options->speed, "Play this many times faster")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    replay->add_option("--idle-limit", options->idle_limit, "Wait at most this many seconds between statements")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    replay->add_flag("--no-wait", options->no_wait, "Do not wait between statements");
    replay->callback([&run, options] { run = [options] { return run_replay(*options); }; });
}

}  // namespace jitgate::proxy
