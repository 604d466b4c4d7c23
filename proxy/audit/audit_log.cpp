// The hash-chained audit log: the writer (callers queue bodies, one thread chains and writes them) and
// the offline verifier. See audit_log.hpp for the format, the failure behaviour and the limits.
#include "proxy/audit/audit_log.hpp"

#include "proxy/audit/audit_json.hpp"
#include "proxy/audit/chain.hpp"

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

Result<std::unique_ptr<AuditLog>> AuditLog::open(const std::filesystem::path& path, Options options) {
    using Result = Result<std::unique_ptr<AuditLog>>;
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
        const std::optional<std::uint64_t> seq = read ? json_integer(*read.object, "seq") : std::nullopt;
        if (!seq) {
            return refuse(fmt::format("its last line is not an audit record ({}); check it with `jitgate verify "
                                      "--audit --file {}`, then move the file aside to start a new chain",
                                      read ? std::string{"no seq"} : read.error, path.string()));
        }
        chain.next_seq = *seq + 1;
        chain.prev = Sha256{}.hex(line);
        if (!notice.empty()) notice += fmt::format("; the chain continues after seq {}", *seq);
    }
    return Result{std::unique_ptr<AuditLog>{new AuditLog(path, fd, end, std::move(options), std::move(chain),
                                                         std::move(notice))},
                  {}};
}

AuditLog::AuditLog(std::filesystem::path path, int fd, off_t end, Options options, Chain chain, std::string notice)
    : path_(std::move(path)), fd_(fd), options_(std::move(options)), notice_(std::move(notice)),
      chain_(std::move(chain)), good_end_(end) {
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

void AuditLog::append_time(std::string& out, config::TimePoint when) {
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
    out += "\"time\":\"";
    out.append(cached_prefix_, cached_prefix_size_);
    const char tail[] = {static_cast<char>('0' + milli / 100), static_cast<char>('0' + milli / 10 % 10),
                         static_cast<char>('0' + milli % 10), 'Z', '"', ','};
    out.append(tail, sizeof tail);
}

// A batch this large is written at once, without lingering: well before callers would have to wait.
std::size_t AuditLog::hurry_bytes() const noexcept { return std::min(large_batch, options_.max_pending_bytes / 2); }

AuditLog::Ticket AuditLog::enqueue(const std::string& body) {
    std::unique_lock lock(mutex_);
    if (pending_.size() >= options_.max_pending_bytes) {
        work_.notify_one();
        space_.wait(lock, [&] { return pending_.size() < options_.max_pending_bytes || stopping_; });
    }
    const std::size_t before = pending_.size();
    // The time is taken under the lock, so times never go backwards in file order (unless the clock does).
    append_time(pending_, options_.clock());
    pending_ += body;
    pending_ += '\n';
    const Ticket ticket = ++queued_;
    const std::size_t hurry = hurry_bytes();
    const bool wake = writer_idle_ || (before < hurry && pending_.size() >= hurry);
    writer_idle_ = false;
    lock.unlock();
    if (wake) work_.notify_one();
    return ticket;
}

void AuditLog::write_loop() {
    std::unique_lock lock(mutex_);
    while (true) {
        const auto urgent = [&] {
            return stopping_ || flush_wanted_ > done_.load(std::memory_order_relaxed) || pending_.size() >= hurry_bytes();
        };
        // Idle until a record comes. A committing caller may drain the records that woke this thread
        // before it runs; it then sleeps again and must say so, or the next record would not wake it.
        while (pending_.empty() && !stopping_) {
            writer_idle_ = true;
            work_.wait(lock);
        }
        if (!urgent()) work_.wait_for(lock, linger, urgent);
        if (pending_.empty() && stopping_) break;
        lock.unlock();
        write_pending();
        lock.lock();
    }
}

bool AuditLog::written(Ticket ticket) const noexcept {
    return done_.load(std::memory_order_acquire) >= ticket && ticket >= good_from_.load(std::memory_order_acquire);
}

bool AuditLog::commit(Ticket ticket) {
    if (done_.load(std::memory_order_acquire) < ticket) write_pending();
    return written(ticket);
}

// Chains and writes every record queued so far, on the calling thread; one writer at a time. A failed
// batch is cut away again and its records are dropped; the next batch that is written starts with an
// audit_gap record for them.
void AuditLog::write_pending() {
    const std::lock_guard writing(write_mutex_);
    std::unique_lock lock(mutex_);
    if (pending_.empty()) return;
    batch_.clear();
    if (dropped_ > 0 && !broken_) {  // the first batch after an outage says what the outage cost
        append_time(batch_, options_.clock());
        Body gap{"audit_gap", ""};
        gap.number("dropped", dropped_).text("error", outage_error_);
        batch_ += gap.str();
        batch_ += '\n';
        batch_ += pending_;
        pending_.clear();
    } else {
        batch_.swap(pending_);
    }
    const std::uint64_t from = done_.load(std::memory_order_relaxed) + 1;
    const std::uint64_t upto = queued_;
    space_.notify_all();
    lock.unlock();

    std::string error = broken_ ? std::string("the log is broken") : std::string{};
    if (!broken_) {
        saved_.next_seq = chain_.next_seq;
        saved_.prev.assign(chain_.prev);  // no allocation once warm
        lines_.clear();
        std::string_view bodies = batch_;
        while (!bodies.empty()) {
            const std::size_t end = bodies.find('\n');
            chain_.append(lines_, bodies.substr(0, end), sha_);
            bodies.remove_prefix(end + 1);
        }
        std::size_t written = 0;
        error = write_batch(lines_, written);
        if (error.empty()) {
            good_end_ += static_cast<off_t>(lines_.size());
        } else {
            chain_.next_seq = saved_.next_seq;  // the chain goes on from the last record in the file
            chain_.prev.assign(saved_.prev);
            if (written > 0 && ::ftruncate(fd_, good_end_) != 0) {
                broken_ = true;
                error += fmt::format("; cannot cut the torn batch away ({}), so nothing more is written until "
                                     "jitgate is restarted",
                                     errno_text(errno));
            }
        }
    }
    batch_.clear();

    const bool failed = !error.empty();
    const bool failure_is_new = failed && healthy();
    const bool recovered = !failed && !healthy();
    const std::uint64_t lost = dropped_;
    if (failed) {
        if (dropped_ == 0) outage_error_ = error;
        dropped_ += upto - from + 1;
    } else {
        dropped_ = 0;
        outage_error_.clear();
    }
    lock.lock();
    if (failed) {
        last_error_ = error;
        good_from_.store(upto + 1, std::memory_order_release);
        healthy_.store(false, std::memory_order_release);
    } else if (recovered) {
        last_error_.clear();
        healthy_.store(true, std::memory_order_release);
    }
    done_.store(upto, std::memory_order_release);
    written_.notify_all();
    lock.unlock();
    if (failure_is_new && options_.on_failure) options_.on_failure(error);
    if (recovered && options_.on_recovery) options_.on_recovery(lost);
}

// write()s all of `lines`, counting in `written` what reached the file; an error sentence on failure.
std::string AuditLog::write_batch(std::string_view lines, std::size_t& written) {
    const char* data = lines.data();
    std::size_t left = lines.size();
    while (left > 0) {
        const ssize_t n = ::write(fd_, data, left);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fmt::format("audit log {}: cannot write: {}", path_.string(), errno_text(errno));
        data += n;
        left -= static_cast<std::size_t>(n);
        written += static_cast<std::size_t>(n);
    }
    return {};
}

bool AuditLog::flush() {
    std::unique_lock lock(mutex_);
    const std::uint64_t target = queued_;
    if (done_.load(std::memory_order_relaxed) < target) {
        flush_wanted_ = std::max(flush_wanted_, target);
        work_.notify_one();
        written_.wait(lock, [&] { return done_.load(std::memory_order_relaxed) >= target; });
    }
    return healthy();
}

std::string AuditLog::last_error() const {
    const std::lock_guard lock(mutex_);
    return last_error_;
}

AuditLog::Ticket AuditLog::auth(const AuthRecord& r) {
    Body body{"auth", r.config};
    body.text("user", r.user)
        .text("target", r.target)
        .text("client", r.client)
        .word("result", r.result == AuthResult::ok ? "ok" : "failed")
        .text("reason", r.reason);
    return enqueue(body.str());
}

AuditLog::Ticket AuditLog::session_start(const SessionStartRecord& r) {
    Body body{"session_start", r.config};
    body.number("session", r.session).text("user", r.user).text("target", r.target).text("client", r.client);
    return enqueue(body.str());
}

AuditLog::Ticket AuditLog::session_end(const SessionEndRecord& r) {
    Body body{"session_end", r.config};
    body.number("session", r.session)
        .text("user", r.user)
        .text("target", r.target)
        .number("statements", r.statements)
        .number("blocked", r.blocked)
        .text("reason", r.reason);
    return enqueue(body.str());
}

AuditLog::Ticket AuditLog::decision(const DecisionRecord& r) {
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
    return enqueue(body.str());
}

AuditLog::Ticket AuditLog::grant(const GrantRecord& r) {
    Body body{"grant", r.config};
    body.word("action", to_string(r.action))
        .text("id", r.id)
        .text("user", r.user)
        .text("target", r.target)
        .text("role", r.role)
        .text("by", r.by)
        .word("status", guardrails::to_string(r.status))
        .text("reason", r.reason)
        .text("os_user", r.os_user);
    return enqueue(body.str());
}

AuditLog::Ticket AuditLog::refusal(const RefusalRecord& r) {
    Body body{"refusal", r.config};
    body.number("session", r.session).text("user", r.user).text("target", r.target).text("what", r.what);
    return enqueue(body.str());
}

AuditLog::Ticket AuditLog::config_reload(const ConfigReloadRecord& r) {
    Body body{"config_reload", r.config};
    body.word("result", r.result == ReloadResult::ok ? "ok" : "refused").text("path", r.path).text("error", r.error);
    return enqueue(body.str());
}

// The audit records' own fields: time, type and config present, the time an RFC 3339 timestamp.
AuditVerification verify_audit(const std::filesystem::path& path) {
    return verify_chain(path, [](const nlohmann::json& record) -> std::string {
        for (const char* field : {"time", "type", "config"}) {
            if (!json_string(record, field)) return fmt::format("no {}", field);
        }
        if (!config::parse_timestamp(*json_string(record, "time"))) return "time is not an RFC 3339 timestamp";
        return {};
    });
}

}  // namespace jitgate::proxy
