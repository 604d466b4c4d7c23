// Session recordings: formatting the records (written here or by the RecordingWriter) and the offline
// verifier. See recording.hpp for the format, the durability choice and the limits.
#include "proxy/recording/recording.hpp"

#include "proxy/audit/audit_json.hpp"
#include "proxy/audit/audit_log.hpp"

#include <fcntl.h>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <iterator>

namespace jitgate::proxy {
namespace {

// "2026-11-28T08:00:00.123Z"
[[nodiscard]] std::string rfc3339_ms(config::TimePoint when) {
    const auto ms = std::chrono::floor<std::chrono::milliseconds>(when);
    const auto seconds = std::chrono::floor<std::chrono::seconds>(ms);
    return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", seconds, (ms - seconds).count());
}

// A file name part: [A-Za-z0-9._-] kept, anything else `_`, a leading dot `_`, never empty, at most 64.
[[nodiscard]] std::string safe_name(std::string_view part) {
    std::string out;
    for (const char c : part.substr(0, 64)) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                           c == '_' || c == '-';
        out += plain ? c : '_';
    }
    if (out.empty() || out.front() == '.') out.insert(out.begin(), '_');
    return out;
}

// A decimal with three places, rounded: seconds since the start, milliseconds of a duration. Integer
// arithmetic (a float format costs more than the rest of a statement record).
void append_milli(std::string& out, std::chrono::microseconds value) {
    const std::int64_t thousandths = std::max<std::int64_t>(0, (value.count() + 500) / 1000);
    fmt::format_to(std::back_inserter(out), "{}.{:03}", thousandths / 1000, thousandths % 1000);
}
// The same for a duration in microseconds shown as milliseconds.
void append_milli_of_micros(std::string& out, std::chrono::microseconds value) {
    const std::int64_t micros = std::max<std::int64_t>(0, value.count());
    fmt::format_to(std::back_inserter(out), "{}.{:03}", micros / 1000, micros % 1000);
}

// A JSON array of strings and nulls: bind parameters (string_view) or a result row (string).
template <class Cells>
void append_cells(std::string& out, const Cells& cells) {
    out += '[';
    bool first = true;
    for (const auto& cell : cells) {
        if (!first) out += ',';
        first = false;
        if (cell) append_json_string(out, *cell);
        else out += "null";
    }
    out += ']';
}

}  // namespace

std::filesystem::path recording_path(const std::filesystem::path& dir, const RecordingHeader& header) {
    const std::string day = fmt::format("{:%Y-%m-%d}", std::chrono::floor<std::chrono::seconds>(header.start));
    return dir / day /
           fmt::format("{}-{}-{}.jsonl", safe_name(header.session), safe_name(header.user), safe_name(header.target));
}

SessionRecorder::Opened SessionRecorder::open(const std::filesystem::path& dir, const RecordingHeader& header,
                                              RecorderOptions options) {
    return open_file(recording_path(dir, header), header, std::move(options));
}

SessionRecorder::Opened SessionRecorder::open_file(const std::filesystem::path& path, const RecordingHeader& header,
                                                   RecorderOptions options) {
    const auto failure = [&](std::string_view what) {
        return Opened{std::nullopt, fmt::format("recording {}: {}", path.string(), what)};
    };
    std::error_code ec;
    if (path.has_parent_path()) {
        std::filesystem::create_directories(path.parent_path(), ec);
        if (ec) return failure(fmt::format("cannot create its directory: {}", ec.message()));
    }
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    const bool created = fd >= 0;
    if (!created && errno == EEXIST) fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) return failure(errno_text(errno));
    struct stat info {};
    if (::fstat(fd, &info) != 0 || (S_ISREG(info.st_mode) && info.st_size > 0)) {
        ::close(fd);
        return failure("it exists already (a session id is never reused)");
    }
    std::unique_ptr<SessionRecorder> recorder{
        new SessionRecorder(std::make_shared<RecordingFile>(path, fd), std::move(options), header.start)};
    JsonFields body{recorder->body_, "header"};
    body.text("session", header.session)
        .text("user", header.user)
        .text("target", header.target)
        .word("protocol", header.protocol)
        .text("client", header.client)
        .text("config", header.config)
        .word("start", rfc3339_ms(header.start));
    if (Status written = recorder->write_record(true); !written) {
        // The session is refused: leave no recording of a session that never started, which verify could
        // only call broken (only a file this call created; an existing empty file or a device stays).
        if (created) ::unlink(path.c_str());
        return Opened{std::nullopt, std::move(written.error)};
    }
    return Opened{std::move(recorder), {}};
}

SessionRecorder::SessionRecorder(std::shared_ptr<RecordingFile> file, RecorderOptions options, config::TimePoint start)
    : file_(std::move(file)), options_(std::move(options)), start_(start) {}

std::chrono::microseconds SessionRecorder::offset(config::TimePoint at) const {
    return std::chrono::duration_cast<std::chrono::microseconds>(at - start_);
}

Status SessionRecorder::write_record(bool now) {
    if (closed_) return {fmt::format("recording {}: closed", path().string())};
    if (now || options_.writer == nullptr) return {file_->write_now(body_, sha_)};
    return {options_.writer->submit(file_, body_)};
}

Status SessionRecorder::statement(const StatementRecord& r) {
    if (Status failed = status(); !failed) return failed;
    JsonFields body{body_, "statement"};
    append_milli(body.key("t").out(), offset(r.at));
    body.word("kind", to_string(r.kind)).text("sql", r.sql);
    if (options_.record_params && !r.params.empty()) append_cells(body.key("params").out(), r.params);
    body.word("class", config::to_string(r.risk))
        .word("verdict", to_string(r.verdict))
        .text("rule", r.rule)
        .text("grant", r.grant)
        .text("tag", r.tag)
        .number("rows", r.rows);
    append_milli_of_micros(body.key("duration_ms").out(), r.duration);
    if (r.error) {
        body.key("error").out() += '{';
        body_ += "\"sqlstate\":";
        append_json_string(body_, r.error->sqlstate);
        body_ += ",\"message\":";
        append_json_string(body_, r.error->message);
        body_ += '}';
    }
    const std::size_t kept = std::min(options_.record_rows, r.result.size());
    if (kept > 0) {
        body.key("result").out() += "{\"columns\":[";
        for (std::size_t i = 0; i < r.columns.size(); ++i) {
            if (i > 0) body_ += ',';
            append_json_string(body_, r.columns[i]);
        }
        body_ += "],\"rows\":[";
        for (std::size_t i = 0; i < kept; ++i) {
            if (i > 0) body_ += ',';
            append_cells(body_, r.result[i]);
        }
        body_ += "]}";
    }
    ++statements_;
    if (r.verdict == guardrails::Verdict::block) ++blocked_;
    return write_record(false);
}

JsonFields SessionRecorder::begin_record(std::string_view type, config::TimePoint at) {
    JsonFields body{body_, type};
    append_milli(body.key("t").out(), offset(at));
    return body;
}

Status SessionRecorder::commit_record(bool statement, bool blocked) {
    if (Status failed = status(); !failed) return failed;
    if (statement) ++statements_;
    if (statement && blocked) ++blocked_;
    return write_record(false);
}

bool SessionRecorder::flush() {
    if (options_.writer != nullptr && file_->pending()) (void)options_.writer->flush();
    return !file_->pending();
}

Status SessionRecorder::close(std::string_view reason) {
    if (Status failed = status(); !failed) return failed;
    JsonFields body{body_, "end"};
    append_milli(body.key("t").out(), offset(options_.clock()));
    body.text("reason", reason).number("statements", statements_).number("blocked", blocked_);
    Status written = write_record(false);
    closed_ = true;
    if (!written) return written;
    if (!flush() && !file_->wait_written(options_.close_wait)) {
        return {fmt::format("recording {}: the seal was not written within {} ms", path().string(),
                            options_.close_wait.count())};
    }
    return status();
}

namespace {

// The fields each record type must carry, beyond seq and prev.
[[nodiscard]] std::string check_fields(const nlohmann::json& record, std::string_view type) {
    const auto need_strings = [&](std::initializer_list<const char*> keys) -> std::string {
        for (const char* key : keys) {
            if (!json_string(record, key)) return fmt::format("the {} record has no {}", type, key);
        }
        return {};
    };
    const auto need_present = [&](std::initializer_list<const char*> keys) -> std::string {
        for (const char* key : keys) {
            if (!record.contains(key)) return fmt::format("the {} record has no {}", type, key);
        }
        return {};
    };
    if (type == "header") {
        std::string why = need_strings({"session", "user", "target", "protocol", "client", "config", "start"});
        if (why.empty() && !config::parse_timestamp(*json_string(record, "start"))) why = "start is not an RFC 3339 timestamp";
        return why;
    }
    if (type == "statement") {
        std::string why = need_strings({"kind", "sql", "class", "verdict"});
        return why.empty() ? need_present({"t", "rows", "duration_ms"}) : why;
    }
    if (type == "command") {  // SSH (ssh_recording.hpp)
        std::string why = need_strings({"kind", "command", "class", "verdict"});
        return why.empty() ? need_present({"t", "channel"}) : why;
    }
    if (type == "exit") return need_present({"t", "channel", "status"});
    std::string why = need_strings({"reason"});
    return why.empty() ? need_present({"t", "statements", "blocked"}) : why;
}

}  // namespace

RecordingVerification verify_recording(const std::filesystem::path& path) {
    RecordingVerification result;
    bool sealed = false;
    const ChainVerification chain = verify_chain(path, [&](const nlohmann::json& record) -> std::string {
        const std::optional<std::string_view> type = json_string(record, "type");
        if (!type) return "no type";
        const bool first = json_integer(record, "seq") == 1u;
        if (sealed) return "a record after the end record (the seal)";
        if (first != (*type == "header")) return first ? "the first record is not a header" : "a second header";
        if (*type != "header" && *type != "statement" && *type != "command" && *type != "exit" && *type != "end")
            return fmt::format("unknown type {}", *type);
        if (*type == "end") sealed = true;
        return check_fields(record, *type);
    });
    result.records = chain.records;
    result.last_hash = chain.last_hash;
    if (chain.ok || chain.torn) {
        if (chain.records == 0) {
            result.why = chain.torn ? "no complete record (only a torn line)"
                                    : "an empty file (no header: it was emptied, or an older jitgate refused "
                                      "the session before recording it)";
            result.state = chain.torn ? RecordingVerification::State::unsealed : RecordingVerification::State::broken;
            if (!chain.torn) result.bad_record = 1;
            return result;
        }
        if (sealed && chain.torn) {  // a torn line after the seal: something wrote after the end
            result.state = RecordingVerification::State::broken;
            result.bad_record = chain.line;
            result.why = "a torn line after the end record (the seal)";
            return result;
        }
        result.state = sealed ? RecordingVerification::State::sealed : RecordingVerification::State::unsealed;
        if (!sealed) result.why = chain.torn ? "no end record; a torn last line after it" : "no end record";
        return result;
    }
    result.bad_record = chain.line;
    result.why = chain.why;
    return result;
}

}  // namespace jitgate::proxy
