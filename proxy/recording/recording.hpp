// Session recordings of DESIGN §5 for PostgreSQL: one NDJSON file per session, a `header` record, one
// `statement` record per statement with its verdict and outcome, and an `end` record that seals it.
// Every line carries seq and prev, the SHA-256 of the line before (chain.hpp), so an edit is named.
//
// Writing: the header is written when the recording opens (so a session whose recording cannot be
// written is refused before it starts); every later record is formatted on the session's thread and
// handed to the process's RecordingWriter (recording_writer.hpp), whose thread chains and writes it in
// the background. The session keeps the promise of `record_failure: block` by making sure nothing is
// pending() before it forwards its next statement: flush() writes the queue on its own thread (group
// commit) unless the writer is writing, else it waits for notify_when_written. Without a writer (tests,
// tools) each record is written at once.
// A failed write is sticky: the recorder refuses every later record; the session decides whether to go on.
// Limits: a recorder is used by one session at a time (no lock); an audit aid, not a security boundary
// (the chain is not keyed; see chain.hpp).
#pragma once

#include "config/result.hpp"
#include "config/config.hpp"
#include "guardrails/pipeline.hpp"
#include "proxy/audit/chain.hpp"
#include "proxy/recording/recording_writer.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace jitgate::proxy {

// Who and what a recording is about. Views must stay valid for the call that takes them.
struct RecordingHeader {
    std::string_view session;  // the session id
    std::string_view user;
    std::string_view target;
    std::string_view client;  // the client's address, "192.0.2.7:51234"
    std::string_view config;  // the hex hash of the config in force
    config::TimePoint start;
    std::string_view protocol = "postgres";  // or "ssh" (ssh_recording.hpp)
};

// An error the server (or the proxy) answered a statement with.
struct RecordedError {
    std::string_view sqlstate;
    std::string_view message;
};

// One result row; std::nullopt is SQL NULL.
using RecordedRow = std::vector<std::optional<std::string>>;

// One statement and what became of it. Views must stay valid for the call that records it.
struct StatementRecord {
    config::TimePoint at;  // when the statement arrived; recorded as seconds since the header's start
    guardrails::CommandKind kind = guardrails::CommandKind::query;
    std::string_view sql;
    std::span<const std::optional<std::string_view>> params;  // bind parameters, text form; nullopt is NULL
    config::RiskClass risk = config::RiskClass::unknown;
    guardrails::Verdict verdict = guardrails::Verdict::block;
    std::string_view rule;   // the rule that decided, if any
    std::string_view grant;  // the grant that allowed it, if any
    std::string_view tag;    // the command tag, "SELECT 5"
    std::uint64_t rows = 0;
    std::chrono::microseconds duration{0};
    std::optional<RecordedError> error;
    std::span<const std::string> columns;  // result column names
    std::span<const RecordedRow> result;   // the result rows seen; at most record_rows are written
};

// What a session records through; the SSH path will record its exec commands through the same shape.
class Recorder {
public:
    virtual ~Recorder() = default;
    // Hands the record over (or writes it). An error when it cannot be: a write failed before, or the
    // writer's queue stayed full.
    [[nodiscard]] virtual Status statement(const StatementRecord& record) = 0;
    // Writes the seal (the `end` record with the reason) and waits, bounded, until it is written; no
    // record may follow.
    [[nodiscard]] virtual Status close(std::string_view reason) = 0;
    // Whether a record handed over is not written yet.
    [[nodiscard]] virtual bool pending() const noexcept = 0;
    // Writes what is pending on the calling thread, unless the writer is writing right now; true when
    // nothing of this recording is pending afterwards.
    [[nodiscard]] virtual bool flush() = 0;
    // Calls `wake` once, on the writer's thread, when nothing is pending any more (or a write failed);
    // false (no call) when nothing is pending now.
    [[nodiscard]] virtual bool notify_when_written(std::function<void()> wake) = 0;
    // The first failed write, or success.
    [[nodiscard]] virtual Status status() const = 0;
    // Whether a write failed (cheap: for the hot path; status() says why).
    [[nodiscard]] virtual bool failed() const noexcept = 0;
};

struct RecorderOptions {
    bool record_params = true;    // false leaves `params` out of every statement record
    std::size_t record_rows = 0;  // result rows kept per statement
    RecordingWriter* writer = nullptr;  // null: every record is written by the calling thread
    std::chrono::milliseconds close_wait{2000};  // close(): how long to wait for the seal to be written
    std::function<config::TimePoint()> clock = [] { return std::chrono::system_clock::now(); };
};

// Where a session's recording lives: <dir>/<YYYY-MM-DD of start, UTC>/<session>-<user>-<target>.jsonl,
// each name part reduced to [A-Za-z0-9._-] (anything else becomes `_`, a leading dot too).
[[nodiscard]] std::filesystem::path recording_path(const std::filesystem::path& dir, const RecordingHeader& header);

// Writes one PostgreSQL session's recording file.
class SessionRecorder final : public Recorder {
public:
    // A recorder, or why none could be opened.
    using Opened = Result<std::unique_ptr<SessionRecorder>>;
    // Creates recording_path(dir, header) (parents created, O_APPEND|O_CREAT, mode 0600) and writes the
    // header record. An existing non-empty file is refused: a session id is never reused.
    [[nodiscard]] static Opened open(const std::filesystem::path& dir, const RecordingHeader& header,
                                     RecorderOptions options = {});
    // The same at an exact path.
    [[nodiscard]] static Opened open_file(const std::filesystem::path& path, const RecordingHeader& header,
                                          RecorderOptions options = {});
    // Without close() the recording stays unsealed; the file closes once the writer is done with it.
    ~SessionRecorder() override = default;
    SessionRecorder(const SessionRecorder&) = delete;
    SessionRecorder& operator=(const SessionRecorder&) = delete;

    [[nodiscard]] Status statement(const StatementRecord& record) override;
    [[nodiscard]] Status close(std::string_view reason) override;
    // Records of other shapes (the SSH path): begin one (its type and "t", the offset of `at`), add
    // fields, then commit it. `statement` counts it in the seal's statements (and blocked) figures.
    [[nodiscard]] JsonFields begin_record(std::string_view type, config::TimePoint at);
    [[nodiscard]] Status commit_record(bool statement, bool blocked);
    [[nodiscard]] bool pending() const noexcept override { return file_->pending(); }
    [[nodiscard]] bool flush() override;
    [[nodiscard]] bool notify_when_written(std::function<void()> wake) override {
        return file_->notify_when_written(std::move(wake));
    }
    [[nodiscard]] Status status() const override { return {file_->failure()}; }
    [[nodiscard]] bool failed() const noexcept override { return file_->failed(); }
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return file_->path(); }

private:
    SessionRecorder(std::shared_ptr<RecordingFile> file, RecorderOptions options, config::TimePoint start);
    // Writes body_ now (the header, or every record without a writer) or hands it to the writer.
    [[nodiscard]] Status write_record(bool now);
    [[nodiscard]] std::chrono::microseconds offset(config::TimePoint at) const;

    const std::shared_ptr<RecordingFile> file_;  // shared with the writer until its records are written
    const RecorderOptions options_;
    const config::TimePoint start_;
    Sha256 sha_;  // the header's hash, and every record's without a writer
    std::string body_;  // reused for every record (the writer hands back a recycled buffer)
    std::uint64_t statements_ = 0;
    std::uint64_t blocked_ = 0;
    bool closed_ = false;
};

// What verify_recording found.
struct RecordingVerification {
    enum class State : std::uint8_t { sealed, unsealed, broken };
    State state = State::broken;
    std::uint64_t records = 0;  // sound records (when broken: before the first bad one)
    std::string last_hash;      // the SHA-256 of the last sound line
    std::uint64_t bad_record = 0;  // when broken: the first bad record's line (= seq); 0 when unreadable
    std::string why;               // when broken: what is wrong; when unsealed: why ("no end record", "torn …")
};
// Checks the chain and the record types: a header first, statements, at most one end and only last.
// A torn last line or a missing end record is `unsealed` (a crashed writer), not broken.
[[nodiscard]] RecordingVerification verify_recording(const std::filesystem::path& path);

}  // namespace jitgate::proxy
