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
#include <charconv>
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
[[nodiscard]] double decimal(const JsonObject& record, std::string_view key) {
    const JsonValue* value = record.value(key);
    if (value == nullptr || (value->kind != JsonKind::integer && value->kind != JsonKind::other)) return 0;
    double out = 0;
    const auto [ptr, ec] = std::from_chars(value->text.data(), value->text.data() + value->text.size(), out);
    return ec == std::errc{} ? out : 0;
}

// The cells of a JSON array of strings and nulls (NULL shows as empty, as psql does).
[[nodiscard]] std::vector<std::string> cells(const JsonValue& array) {
    std::vector<std::string> out;
    if (const auto items = read_json_array(array.text)) {
        for (const JsonValue& item : *items) out.push_back(item.kind == JsonKind::null ? std::string{} : item.text);
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
[[nodiscard]] std::string table(const JsonObject& result) {
    const JsonValue* columns_value = result.value("columns");
    const JsonValue* rows_value = result.value("rows");
    if (columns_value == nullptr || rows_value == nullptr) return {};
    const std::vector<std::string> columns = cells(*columns_value);
    std::vector<std::vector<std::string>> rows;
    if (const auto items = read_json_array(rows_value->text)) {
        for (const JsonValue& row : *items) rows.push_back(cells(row));
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
        const std::optional<std::vector<JsonValue>> event = read_json_array(line);
        if (!event || event->size() != 3 || (*event)[1].text != "o") continue;
        double t = 0;
        const std::string& at = (*event)[0].text;
        std::from_chars(at.data(), at.data() + at.size(), t);
        pause(options, t - last);
        last = std::max(last, t);
        std::fwrite((*event)[2].text.data(), 1, (*event)[2].text.size(), stdout);
        std::fflush(stdout);
    }
    fmt::print("\n");
}

// One SSH record: a command with its verdict (and its terminal played), or a channel's exit.
void print_ssh_record(const JsonObject& record, std::string_view type, double t, std::string_view user,
                      std::string_view target, const std::filesystem::path& recording, const ReplayOptions& options,
                      bool colour) {
    if (type == "exit") {
        const JsonValue* status = record.value("status");
        const std::string_view signal = record.string("signal").value_or("");
        fmt::print("[+{:.3f}s] channel {} ended{}\n\n", t, record.integer("channel").value_or(0),
                   !signal.empty()                                        ? fmt::format(" by signal {}", signal)
                   : status != nullptr && status->kind == JsonKind::integer ? fmt::format(" with exit status {}", status->text)
                                                                            : std::string{});
        return;
    }
    const std::string_view kind = record.string("kind").value_or("?");
    const std::string_view command = record.string("command").value_or("");
    std::string out = fmt::format("[+{:.3f}s] {}@{}$ ", t, user, target);
    out += kind == "shell" ? std::string_view{"(interactive shell)"} : command;
    if (kind == "subsystem") out += " (subsystem)";
    out += '\n';
    const std::string_view verdict = record.string("verdict").value_or("");
    if (verdict == "block") {
        const std::string reason = fmt::format("BLOCKED ({}, {})", record.string("class").value_or("?"),
                                               record.string("rule").value_or(""));
        out += colour ? fmt::format("\x1b[31m{}\x1b[0m\n", reason) : reason + '\n';
    } else if (verdict == "would_block") {
        out += fmt::format("WOULD BLOCK ({}, {}): shadow mode, forwarded\n", record.string("class").value_or("?"),
                           record.string("rule").value_or(""));
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
    if (const auto cast = record.string("cast"); cast && cast->find('/') == std::string_view::npos)
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
        const JsonObject& record = *read.object;
        const std::string_view type = record.string("type").value_or("");
        if (type == "header") {
            user = record.string("user").value_or("?");
            target = record.string("target").value_or("?");
            fmt::print("-- session {} of {} on {} from {}, started {}\n", record.string("session").value_or("?"),
                       user, target, record.string("client").value_or("?"), record.string("start").value_or("?"));
            continue;
        }
        const double t = decimal(record, "t");
        pause(options, t - last_t);
        last_t = std::max(last_t, t);
        if (type == "end") {
            fmt::print("-- session ended at +{:.3f}s: {} ({} statements, {} blocked)\n", t,
                       record.string("reason").value_or("?"), record.integer("statements").value_or(0),
                       record.integer("blocked").value_or(0));
            continue;
        }
        if (type == "command" || type == "exit") {
            print_ssh_record(record, type, t, user, target, *recording, options, colour);
            continue;
        }
        if (type != "statement") continue;
        std::string out = prompt(t, user, target);
        out += record.string("sql").value_or("");
        out += '\n';
        const std::string_view verdict = record.string("verdict").value_or("");
        // The error the client saw: for a blocked statement, the proxy's own 42501 with the reason.
        std::optional<JsonObject> error;
        if (const JsonValue* value = record.value("error"); value != nullptr && value->kind == JsonKind::other) {
            if (JsonRead fields = read_json_object(value->text)) error = std::move(fields.object);
        }
        if (verdict == "block") {
            const std::string reason =
                fmt::format("BLOCKED ({}, {}): {}", record.string("class").value_or("?"),
                            record.string("rule").value_or(""),
                            error ? error->string("message").value_or("") : std::string_view{"blocked"});
            out += colour ? fmt::format("\x1b[31m{}\x1b[0m\n", reason) : reason + '\n';
        } else {
            if (verdict == "would_block") {
                out += fmt::format("WOULD BLOCK ({}, {}): shadow mode, forwarded\n",
                                   record.string("class").value_or("?"), record.string("rule").value_or(""));
            }
            const JsonValue* result = record.value("result");
            if (error) {
                out += fmt::format("ERROR: {} {}\n", error->string("sqlstate").value_or("?"),
                                   error->string("message").value_or(""));
            } else {
                if (result != nullptr && result->kind == JsonKind::other) {
                    if (const JsonRead fields = read_json_object(result->text)) out += table(*fields.object);
                }
                if (const auto tag = record.string("tag"); tag && !tag->empty()) out += fmt::format("{}\n", *tag);
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
