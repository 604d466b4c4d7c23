// The hash-chained audit log: the writer (callers queue bodies, one thread chains and writes them) and
// the offline verifier. See audit_log.hpp for the format, the failure behaviour and the limits.
#include "proxy/audit_log.hpp"

#include "proxy/audit_json.hpp"
#include "proxy/chain.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>

namespace jitgate::proxy {
namespace {

using namespace std::chrono_literals;

// The writer gathers records this long before writing them, unless a flush or a large batch is waiting.
constexpr auto linger = 2ms;
constexpr std::size_t large_batch = std::size_t{1} << 20;

// The body of one record after its time: "type":"…","config":"…",<fields>. Built in a per-thread buffer
// so a caller escapes its SQL without holding the log's lock and without allocating once warm.
class Body : public JsonFields {
public:
    Body(std::string_view type, std::string_view config) : JsonFields(buffer(), type) { text("config", config); }

private:
    static std::string& buffer() {
        thread_local std::string scratch;
        return scratch;
    }
};

// pread all of [offset, offset + size) or fail.
[[nodiscard]] bool read_at(int fd, off_t offset, std::size_t size, char* out) {
    while (size > 0) {
        const ssize_t n = ::pread(fd, out, size, offset);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        out += n;
        offset += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

// The offset where the line holding byte `end - 1` begins: just after the previous '\n', or 0.
[[nodiscard]] std::optional<off_t> line_start(int fd, off_t end) {
    std::array<char, 65536> chunk{};
    while (end > 0) {
        const off_t from = std::max<off_t>(0, end - static_cast<off_t>(chunk.size()));
        const auto size = static_cast<std::size_t>(end - from);
        if (!read_at(fd, from, size, chunk.data())) return std::nullopt;
        for (std::size_t i = size; i > 0; --i) {
            if (chunk[i - 1] == '\n') return from + static_cast<off_t>(i);
        }
        end = from;
    }
    return 0;
}

}  // namespace

std::string_view to_string(guardrails::CommandKind kind) noexcept {
    switch (kind) {
        case guardrails::CommandKind::query: return "query";
        case guardrails::CommandKind::parse: return "parse";
        case guardrails::CommandKind::execute: return "execute";
        case guardrails::CommandKind::function_call: return "function_call";
        case guardrails::CommandKind::shell_exec: return "shell_exec";
        case guardrails::CommandKind::shell_line: return "shell_line";
    }
    return "unknown";
}

std::string_view to_string(guardrails::Verdict verdict) noexcept {
    switch (verdict) {
        case guardrails::Verdict::allow: return "allow";
        case guardrails::Verdict::block: return "block";
        case guardrails::Verdict::would_block: return "would_block";
    }
    return "unknown";
}

std::string_view to_string(GrantAction action) noexcept {
    switch (action) {
        case GrantAction::request: return "request";
        case GrantAction::approve: return "approve";
        case GrantAction::deny: return "deny";
        case GrantAction::revoke: return "revoke";
        case GrantAction::expire: return "expire";
        case GrantAction::end: return "end";
    }
    return "unknown";
}

AuditResult<std::unique_ptr<AuditLog>> AuditLog::open(const std::filesystem::path& path, Options options) {
    using Result = AuditResult<std::unique_ptr<AuditLog>>;
    const auto failure = [&](std::string_view what) {
        return Result{std::nullopt, fmt::format("audit log {}: {}", path.string(), what)};
    };
    std::error_code ec;
    if (path.has_parent_path()) {
        std::filesystem::create_directories(path.parent_path(), ec);
        if (ec) return failure(fmt::format("cannot create its directory: {}", ec.message()));
    }
    const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return failure(errno_text(errno));
    const auto refuse = [&](std::string_view what) {
        ::close(fd);
        return failure(what);
    };
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) return refuse("another process is writing it (two writers would break the chain)");
        return refuse(fmt::format("cannot lock it: {}", errno_text(errno)));
    }
    struct stat info {};
    if (::fstat(fd, &info) != 0) return refuse(errno_text(errno));

    Chain chain{1, zero_hash};
    std::string notice;
    off_t end = S_ISREG(info.st_mode) ? info.st_size : 0;
    if (end > 0) {
        char last = 0;
        if (!read_at(fd, end - 1, 1, &last)) return refuse(fmt::format("cannot read it: {}", errno_text(errno)));
        if (last != '\n') {
            // A torn last line: the writer stopped mid-record. It never was a complete record, so it is cut
            // away and the chain continues from the last complete one; notice() reports it.
            const std::optional<off_t> start = line_start(fd, end);
            if (!start) return refuse(fmt::format("cannot read it: {}", errno_text(errno)));
            if (::ftruncate(fd, *start) != 0) {
                return refuse(fmt::format("cannot cut its torn last line: {}", errno_text(errno)));
            }
            notice = fmt::format("audit log {}: dropped a torn last line of {} bytes at byte offset {} (the writer "
                                 "stopped mid-record)",
                                 path.string(), end - *start, *start);
            end = *start;
        }
    }
    if (end > 0) {
        const std::optional<off_t> start = line_start(fd, end - 1);
        if (!start) return refuse(fmt::format("cannot read it: {}", errno_text(errno)));
        std::string line(static_cast<std::size_t>(end - 1 - *start), '\0');
        if (!read_at(fd, *start, line.size(), line.data())) {
            return refuse(fmt::format("cannot read it: {}", errno_text(errno)));
        }
        const JsonRead read = read_json_object(line);
        const std::optional<std::uint64_t> seq = read ? read.object->integer("seq") : std::nullopt;
        if (!seq) {
            return refuse(fmt::format("its last line is not an audit record ({}); check it with `jitgate verify "
                                      "--audit --file {}`, then move the file aside to start a new chain",
                                      read ? std::string{"no seq"} : read.error, path.string()));
        }
        chain.next_seq = *seq + 1;
        chain.prev = Sha256{}.hex(line);
        if (!notice.empty()) notice += fmt::format("; the chain continues after seq {}", *seq);
    }
    return Result{std::unique_ptr<AuditLog>{new AuditLog(path, fd, std::move(options), std::move(chain),
                                                         std::move(notice))},
                  {}};
}

AuditLog::AuditLog(std::filesystem::path path, int fd, Options options, Chain chain, std::string notice)
    : path_(std::move(path)), fd_(fd), options_(std::move(options)), notice_(std::move(notice)),
      chain_(std::move(chain)) {
    writer_ = std::thread([this] { write_loop(); });
}

AuditLog::~AuditLog() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    work_.notify_one();
    space_.notify_all();
    writer_.join();
    ::fdatasync(fd_);
    ::close(fd_);
}

void AuditLog::append_time(config::TimePoint when) {
    const std::int64_t ms = std::chrono::floor<std::chrono::milliseconds>(when.time_since_epoch()).count();
    const std::int64_t second = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    const auto milli = static_cast<unsigned>(ms - second * 1000);
    if (second != cached_second_) {
        const auto seconds = static_cast<std::time_t>(second);
        std::tm utc{};
        ::gmtime_r(&seconds, &utc);
        cached_prefix_size_ = std::strftime(cached_prefix_, sizeof cached_prefix_, "%Y-%m-%dT%H:%M:%S.", &utc);
        cached_second_ = second;
    }
    pending_ += "\"time\":\"";
    pending_.append(cached_prefix_, cached_prefix_size_);
    const char tail[] = {static_cast<char>('0' + milli / 100), static_cast<char>('0' + milli / 10 % 10),
                         static_cast<char>('0' + milli % 10), 'Z', '"', ','};
    pending_.append(tail, sizeof tail);
}

// A batch this large is written at once, without lingering: well before callers would have to wait.
std::size_t AuditLog::hurry_bytes() const noexcept { return std::min(large_batch, options_.max_pending_bytes / 2); }

void AuditLog::enqueue(const std::string& body) {
    std::unique_lock lock(mutex_);
    if (pending_.size() >= options_.max_pending_bytes) {
        work_.notify_one();
        space_.wait(lock, [&] { return pending_.size() < options_.max_pending_bytes || stopping_; });
    }
    const std::size_t before = pending_.size();
    // The time is taken under the lock, so times never go backwards in file order (unless the clock does).
    append_time(options_.clock());
    pending_ += body;
    pending_ += '\n';
    ++queued_;
    const std::size_t hurry = hurry_bytes();
    const bool wake = writer_idle_ || (before < hurry && pending_.size() >= hurry);
    writer_idle_ = false;
    lock.unlock();
    if (wake) work_.notify_one();
}

void AuditLog::write_loop() {
    Sha256 sha;
    std::string batch;
    std::string lines;
    std::unique_lock lock(mutex_);
    while (true) {
        const auto urgent = [&] { return stopping_ || flush_wanted_ > done_ || pending_.size() >= hurry_bytes(); };
        if (pending_.empty() && !stopping_) {
            writer_idle_ = true;
            work_.wait(lock, [&] { return !pending_.empty() || stopping_; });
        }
        if (!urgent()) work_.wait_for(lock, linger, urgent);
        if (pending_.empty() && stopping_) break;
        batch.swap(pending_);
        const std::uint64_t upto = queued_;
        space_.notify_all();
        lock.unlock();

        std::string error;
        if (healthy()) {
            lines.clear();
            std::string_view bodies = batch;
            while (!bodies.empty()) {
                const std::size_t end = bodies.find('\n');
                const std::string_view body = bodies.substr(0, end);
                bodies.remove_prefix(end + 1);
                chain_.append(lines, body, sha);
            }
            error = write_batch(lines);
        }
        batch.clear();

        lock.lock();
        if (!error.empty()) {
            last_error_ = error;
            healthy_.store(false, std::memory_order_release);
            if (options_.on_failure) {
                lock.unlock();
                options_.on_failure(error);
                lock.lock();
            }
        }
        done_ = upto;
        written_.notify_all();
    }
}

// write()s all of `lines`; an error sentence on failure.
std::string AuditLog::write_batch(std::string_view lines) {
    const char* data = lines.data();
    std::size_t left = lines.size();
    while (left > 0) {
        const ssize_t n = ::write(fd_, data, left);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fmt::format("audit log {}: cannot write: {}", path_.string(), errno_text(errno));
        data += n;
        left -= static_cast<std::size_t>(n);
    }
    return {};
}

bool AuditLog::flush() {
    std::unique_lock lock(mutex_);
    const std::uint64_t target = queued_;
    if (done_ < target) {
        flush_wanted_ = std::max(flush_wanted_, target);
        work_.notify_one();
        written_.wait(lock, [&] { return done_ >= target; });
    }
    return healthy();
}

std::string AuditLog::last_error() const {
    const std::lock_guard lock(mutex_);
    return last_error_;
}

void AuditLog::auth(const AuthRecord& r) {
    Body body{"auth", r.config};
    body.text("user", r.user)
        .text("target", r.target)
        .text("client", r.client)
        .word("result", r.result == AuthResult::ok ? "ok" : "failed")
        .text("reason", r.reason);
    enqueue(body.str());
}

void AuditLog::session_start(const SessionStartRecord& r) {
    Body body{"session_start", r.config};
    body.number("session", r.session).text("user", r.user).text("target", r.target).text("client", r.client);
    enqueue(body.str());
}

void AuditLog::session_end(const SessionEndRecord& r) {
    Body body{"session_end", r.config};
    body.number("session", r.session)
        .text("user", r.user)
        .text("target", r.target)
        .number("statements", r.statements)
        .number("blocked", r.blocked)
        .text("reason", r.reason);
    enqueue(body.str());
}

void AuditLog::decision(const DecisionRecord& r) {
    Body body{"decision", r.config};
    body.number("session", r.session)
        .text("user", r.user)
        .text("target", r.target)
        .word("kind", to_string(r.kind))
        .text("text", r.text)
        .text("statement", r.statement)
        .word("class", config::to_string(r.risk))
        .word("verdict", to_string(r.verdict))
        .text("rule", r.rule)
        .text("grant", r.grant)
        .text("reason", r.reason);
    enqueue(body.str());
}

void AuditLog::grant(const GrantRecord& r) {
    Body body{"grant", r.config};
    body.word("action", to_string(r.action))
        .text("id", r.id)
        .text("user", r.user)
        .text("target", r.target)
        .text("role", r.role)
        .text("by", r.by)
        .word("status", guardrails::to_string(r.status))
        .text("reason", r.reason);
    enqueue(body.str());
}

void AuditLog::config_reload(const ConfigReloadRecord& r) {
    Body body{"config_reload", r.config};
    body.word("result", r.result == ReloadResult::ok ? "ok" : "refused").text("path", r.path).text("error", r.error);
    enqueue(body.str());
}

// The audit records' own fields: time, type and config present, the time an RFC 3339 timestamp.
AuditVerification verify_audit(const std::filesystem::path& path) {
    return verify_chain(path, [](const JsonObject& record) -> std::string {
        for (const char* field : {"time", "type", "config"}) {
            if (!record.string(field)) return fmt::format("no {}", field);
        }
        if (!config::parse_timestamp(*record.string("time"))) return "time is not an RFC 3339 timestamp";
        return {};
    });
}

}  // namespace jitgate::proxy
