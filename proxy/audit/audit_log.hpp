// The audit log of DESIGN §5: one hash-chained NDJSON file of authentication results, session start and
// end, every guardrail decision, the grant lifecycle and config reloads, each with the config hash.
//
// One line per record: {"seq":N,"time":"…Z","type":"…","config":"…",<fields>,"prev":"<sha256 hex>"},
// where prev is the SHA-256 of the previous line's exact bytes (without its newline) and 64 zeros for
// the first record. Callers format a record's body on their own thread (no lock held while escaping
// SQL) and append it to a shared pending buffer; one writer thread numbers, chains, hashes and write()s
// whole batches, within about 2 ms.
//
// Durability before forwarding: every record call returns its ticket, and commit(ticket) makes sure the
// record is in the file before the caller goes on: if the writer has not got to it yet, the caller
// writes the whole pending batch itself, on its own thread (group commit, as the recordings do). The
// proxy commits a decision before it forwards the statement, so no statement reaches a server before
// its record is written.
//
// Failure: when a write fails (disk full, EIO, a file-size limit) the bytes of that batch that did reach
// the file are cut away again (no torn line is left for verify to trip on), the chain continues from the
// last written record, and the batch's records are dropped and counted: commit() returns false for them
// and healthy() turns false, so the proxy blocks what it cannot audit (fail closed); last_error() says
// why and Options::on_failure is called once per outage. Every later batch is a retry: the first one
// that is written turns the log healthy again, starts with an "audit_gap" record saying how many
// records were lost and why, and calls Options::on_recovery. Only a failure to cut a torn batch away
// leaves the log unhealthy for good (a new AuditLog must be opened; open() cuts the torn line).
//
// Limits: a hash chain shows edits, insertions and removals *inside* the file; it cannot show that the
// last record's body was changed or that the file was cut short, since nothing after them holds their
// hash. Keep the last hash that verify_audit prints somewhere else to check those. The chain is not
// keyed: someone who can rewrite the whole file can recompute it. Records reach the page cache, not the
// disk, until the log is closed (fdatasync); a power loss can cost the last records. One process
// writes a file at a time (an exclusive flock).
#pragma once

#include "config/result.hpp"
#include "config/config.hpp"
#include "guardrails/grants.hpp"
#include "guardrails/pipeline.hpp"
#include "proxy/audit/chain.hpp"

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <sys/types.h>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace jitgate::proxy {

// The records. Views must stay valid only for the duration of the call that logs them; every record
// carries `config`, the hex hash of the config in force (config::Config::hash).
enum class AuthResult : std::uint8_t { ok, failed };
struct AuthRecord {
    std::string_view config;
    std::string_view user;
    std::string_view target;
    std::string_view client;  // the client's address, e.g. "192.0.2.7:51234"
    AuthResult result = AuthResult::failed;
    std::string_view reason;
};

struct SessionStartRecord {
    std::string_view config;
    std::uint64_t session = 0;
    std::string_view user;
    std::string_view target;
    std::string_view client;
};

struct SessionEndRecord {
    std::string_view config;
    std::uint64_t session = 0;
    std::string_view user;
    std::string_view target;
    std::uint64_t statements = 0;  // statements evaluated in the session
    std::uint64_t blocked = 0;     // of which blocked
    std::string_view reason;       // why it ended: "client terminated", "idle timeout", …
};

struct DecisionRecord {
    std::string_view config;
    std::uint64_t session = 0;
    std::string_view user;
    std::string_view target;
    guardrails::CommandKind kind = guardrails::CommandKind::query;
    std::string_view text;       // the SQL (may be empty, e.g. a FunctionCall); any bytes
    std::string_view statement;  // the prepared statement's name (may be empty)
    config::RiskClass risk = config::RiskClass::unknown;
    guardrails::Verdict verdict = guardrails::Verdict::block;
    std::string_view rule;
    std::string_view grant;  // the grant id that allowed it, if any
    std::string_view reason;
};

enum class GrantAction : std::uint8_t { request, approve, deny, revoke, expire, end };
struct GrantRecord {
    std::string_view config;
    GrantAction action = GrantAction::request;
    std::string_view id;
    std::string_view user;
    std::string_view target;
    std::string_view role;
    std::string_view by;  // who acted; "rule:NAME" for auto-approval, empty for expiry
    guardrails::GrantStatus status = guardrails::GrantStatus::pending;  // the status after the action
    std::string_view reason;
    std::string_view os_user;  // the OS account that ran the CLI for this action; empty when none did
};

// Something an SSH engineer asked for that the role's ssh switches do not give (a terminal, sftp, a
// forward, agent or X11 forwarding): refused before it reached the target, audited like a block.
struct RefusalRecord {
    std::string_view config;
    std::uint64_t session = 0;
    std::string_view user;
    std::string_view target;
    std::string_view what;  // "a terminal (no role with ssh.pty)"
};

enum class ReloadResult : std::uint8_t { ok, refused };
struct ConfigReloadRecord {
    std::string_view config;  // the hash in force after the reload (the old one when refused)
    ReloadResult result = ReloadResult::ok;
    std::string_view path;
    std::string_view error;  // empty when ok
};

[[nodiscard]] std::string_view to_string(guardrails::CommandKind kind) noexcept;
[[nodiscard]] std::string_view to_string(guardrails::Verdict verdict) noexcept;
[[nodiscard]] std::string_view to_string(GrantAction action) noexcept;

using AuditClock = std::function<config::TimePoint()>;

class AuditLog {
public:
    struct Options {
        AuditClock clock = [] { return std::chrono::system_clock::now(); };
        // Callers wait (backpressure) while this many bytes are queued and not yet written.
        std::size_t max_pending_bytes = std::size_t{64} << 20;
        // Called once per outage, from the thread that found the failure, when the log turns unhealthy;
        // must not log to the audit log.
        std::function<void(const std::string& error)> on_failure;
        // Called when a write works again after an outage, with the number of records lost meanwhile.
        std::function<void(std::uint64_t dropped)> on_recovery;
    };

    // Opens `path` for appending (O_APPEND, mode 0600, parent directories created) and continues its
    // chain from the last line. A torn last line (no newline: the writer stopped mid-record) is cut
    // away and notice() says so; a last line that is not an audit record is refused.
    [[nodiscard]] static Result<std::unique_ptr<AuditLog>> open(const std::filesystem::path& path,
                                                                     Options options);
    [[nodiscard]] static Result<std::unique_ptr<AuditLog>> open(const std::filesystem::path& path) {
        return open(path, Options{});
    }
    // Writes everything queued, syncs and closes. No record may be logged concurrently with or after it.
    ~AuditLog();
    AuditLog(const AuditLog&) = delete;
    AuditLog& operator=(const AuditLog&) = delete;

    // Each queues one record and returns its ticket (for commit); safe from any thread. Cheap: no system
    // call unless the writer is idle.
    using Ticket = std::uint64_t;
    Ticket auth(const AuthRecord& record);
    Ticket session_start(const SessionStartRecord& record);
    Ticket session_end(const SessionEndRecord& record);
    Ticket decision(const DecisionRecord& record);
    Ticket grant(const GrantRecord& record);
    Ticket refusal(const RefusalRecord& record);
    Ticket config_reload(const ConfigReloadRecord& record);

    // Returns once the record is in the file (true) or was dropped by a failed write (false). Writes the
    // pending batch on the calling thread when the writer has not written it yet.
    [[nodiscard]] bool commit(Ticket ticket);

    // Waits until every record queued before the call is written (or dropped after a failure);
    // returns healthy().
    [[nodiscard]] bool flush();
    [[nodiscard]] bool healthy() const noexcept { return healthy_.load(std::memory_order_acquire); }
    // Why the log is unhealthy; empty while it is healthy.
    [[nodiscard]] std::string last_error() const;
    // What open() repaired, e.g. "dropped a torn last line of 37 bytes …"; empty when nothing.
    [[nodiscard]] const std::string& notice() const noexcept { return notice_; }
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

private:
    AuditLog(std::filesystem::path path, int fd, off_t end, Options options, Chain chain, std::string notice);
    Ticket enqueue(const std::string& body);
    [[nodiscard]] std::size_t hurry_bytes() const noexcept;
    void append_time(std::string& out, config::TimePoint when);
    void write_loop();
    void write_pending();
    [[nodiscard]] std::string write_batch(std::string_view lines, std::size_t& written);
    [[nodiscard]] bool written(Ticket ticket) const noexcept;

    const std::filesystem::path path_;
    const int fd_;
    const Options options_;
    const std::string notice_;
    // Guarded by write_mutex_, held by whoever writes a batch (the writer thread or a committing caller).
    std::mutex write_mutex_;
    Chain chain_;
    Chain saved_;  // chain_ before the batch being written
    Sha256 sha_;
    std::string batch_;  // the bodies being written
    std::string lines_;  // their chained lines
    off_t good_end_ = 0;          // the file's size after the last batch that was written whole
    std::uint64_t dropped_ = 0;   // records lost in the current outage
    std::string outage_error_;    // the first error of the current outage
    bool broken_ = false;         // a torn batch could not be cut away: no more writes

    mutable std::mutex mutex_;
    std::condition_variable work_;     // the writer waits for records, a flush or the end
    std::condition_variable space_;    // callers wait while the pending buffer is full
    std::condition_variable written_;  // flush() waits for the writer
    std::string pending_;              // record bodies "\"time\":…" each ending in '\n'
    std::uint64_t queued_ = 0;         // records ever queued (the last ticket handed out)
    std::atomic<std::uint64_t> done_{0};     // records written or dropped
    std::atomic<std::uint64_t> good_from_{1};  // tickets from here on that are done were written
    std::uint64_t flush_wanted_ = 0;   // the writer should not linger below this many done
    std::int64_t cached_second_ = -1;  // the second whose "YYYY-MM-DDTHH:MM:SS." is in cached_prefix_
    char cached_prefix_[32] = {};
    std::size_t cached_prefix_size_ = 0;
    bool writer_idle_ = false;  // the writer sleeps until notified (else it polls every few ms)
    bool stopping_ = false;
    std::string last_error_;
    std::atomic<bool> healthy_{true};
    std::thread writer_;  // last: started once everything above exists
};

// What verify_audit found: ok with the number of records, or the first broken line and why.
using AuditVerification = ChainVerification;
// Reads the file once and checks every line: valid JSON, seq consecutive from 1, prev the hash of the
// line before, time/type/config present. Names the edited line when the evidence allows it (chain.cpp).
[[nodiscard]] AuditVerification verify_audit(const std::filesystem::path& path);

}  // namespace jitgate::proxy
