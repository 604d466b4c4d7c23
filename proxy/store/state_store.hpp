// The state store: grants requested with the CLI and the index of sessions the proxy served (who, where,
// when, how it ended, where its recording is), kept in SQLite (DESIGN §6) so several `jitgate` processes
// and a running `serve` can share one file. WAL mode, a busy timeout, a versioned schema, and
// BEGIN IMMEDIATE around every read-modify-write. Expected failures (busy, I/O error, a corrupt or
// foreign file) come back as values with a sentence; nothing on this path throws.
// Limits: one StateStore per thread (a connection is not shared); `postgres://` stores are not built yet.
#pragma once

#include "config/config.hpp"
#include "guardrails/grants.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;

namespace jitgate::proxy {

// A value, or what went wrong ("state store /var/lib/jitgate/jitgate.db: database is locked").
template <class T>
struct StoreResult {
    std::optional<T> value;
    std::string error;   // set exactly when value is empty
    [[nodiscard]] explicit operator bool() const noexcept { return value.has_value(); }
};

// Success, or what went wrong, for a write that returns nothing.
struct StoreStatus {
    std::string error;
    bool retry = false;  // the store did not answer (busy, locked, I/O): the same write may work later
    [[nodiscard]] explicit operator bool() const noexcept { return error.empty(); }
};

enum class SessionProtocol : std::uint8_t { postgres, ssh };
[[nodiscard]] std::string_view to_string(SessionProtocol protocol) noexcept;
[[nodiscard]] std::optional<SessionProtocol> parse_session_protocol(std::string_view text) noexcept;

// One session in the index: written when it starts, completed when it ends. Times are whole seconds.
struct SessionRow {
    std::string id;  // the proxy's session id, "s-…"; the same id names it in its recording and the audit log
    std::string user;
    std::string target;
    SessionProtocol protocol = SessionProtocol::postgres;
    std::string client;  // the client's address, "192.0.2.7:51234"
    config::TimePoint started_at;
    std::optional<config::TimePoint> ended_at;  // empty while the session is open (or its proxy died)
    std::uint64_t statements = 0;
    std::uint64_t blocked = 0;
    std::filesystem::path recording;  // empty when nothing was recorded
    std::string end_reason;           // empty while open
};

// Which sessions to list; empty fields match everything.
struct SessionFilter {
    std::string user;
    std::string target;
    std::optional<config::TimePoint> since;  // only sessions started at or after this
    std::size_t limit = 0;                   // at most this many, newest first; 0 means all
};

class StateStore {
public:
    // The schema version this build writes; a newer file is refused rather than misread.
    static constexpr int schema_version = 3;

    // Opens (and creates, with its parent directories) the store that config's `state:` names:
    // "sqlite:/absolute/path". A postgres:// URL is refused as not supported yet.
    [[nodiscard]] static StoreResult<std::unique_ptr<StateStore>> open(std::string_view state,
                                                                       std::chrono::milliseconds busy_timeout =
                                                                           std::chrono::milliseconds{5000});
    ~StateStore();
    StateStore(const StateStore&) = delete;
    StateStore& operator=(const StateStore&) = delete;

    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
    // How long a statement waits for another process's lock before it fails as busy.
    void set_busy_timeout(std::chrono::milliseconds timeout);

    // Every stored grant, oldest request first.
    [[nodiscard]] StoreResult<std::vector<guardrails::Grant>> grants();
    // One grant by id; an unknown id is an error that names it.
    [[nodiscard]] StoreResult<guardrails::Grant> grant(std::string_view id);

    // Inserts the grant `make` builds for a fresh unused id ("g-7f3a9c"), in one write transaction.
    // A refusal from `make` is returned as the error and nothing is written.
    [[nodiscard]] StoreResult<guardrails::Grant> insert(
        const std::function<guardrails::GrantResult(std::string id)>& make);
    // Reads grant `id`, applies `step` (approve, deny, revoke …) and writes the result, all inside one
    // BEGIN IMMEDIATE transaction so two deciders cannot both act on the same pending grant.
    [[nodiscard]] StoreResult<guardrails::Grant> update(
        std::string_view id, const std::function<guardrails::GrantResult(const guardrails::Grant&)>& step);

    // A counter bumped by every committed grant write, from any process: a running proxy compares it with
    // the value it last saw to know when to reload its in-memory view of grants (one indexed row read).
    // Session writes leave it alone, or every connection would make the proxy rebuild its policy.
    [[nodiscard]] StoreResult<std::uint64_t> change_counter();

    // Indexes a session that has just started (its ended_at, counts and end reason are ignored). An id
    // already in the index is an error: ids are never reused. One autocommit INSERT, no grant counter bump.
    [[nodiscard]] StoreStatus session_started(const SessionRow& session);
    // Completes an open session's row. An unknown id, or a session that already ended, is an error.
    [[nodiscard]] StoreStatus session_ended(std::string_view id, config::TimePoint ended_at, std::uint64_t statements,
                                            std::uint64_t blocked, std::string_view reason);
    // Ends every session still open in the index, as of `at`, with `reason`: the sessions a proxy that
    // died (kill -9, power loss) could not end. Returns how many it ended.
    [[nodiscard]] StoreResult<std::uint64_t> end_open_sessions(config::TimePoint at, std::string_view reason);
    // The sessions `filter` matches, newest start first.
    [[nodiscard]] StoreResult<std::vector<SessionRow>> sessions(const SessionFilter& filter);
    // One session by id; an unknown id is an error that names it.
    [[nodiscard]] StoreResult<SessionRow> session(std::string_view id);

private:
    struct Statements;
    StateStore(sqlite3* db, std::filesystem::path path);
    [[nodiscard]] std::string failure(std::string_view what) const;
    [[nodiscard]] std::optional<std::string> exec(const char* sql);
    [[nodiscard]] std::optional<std::string> migrate();
    [[nodiscard]] std::optional<std::string> prepare();
    [[nodiscard]] StoreResult<std::optional<guardrails::Grant>> find(std::string_view id);
    [[nodiscard]] std::optional<std::string> write(const guardrails::Grant& grant, bool is_new);

    sqlite3* db_;
    std::filesystem::path path_;
    std::unique_ptr<Statements> statements_;
};

}  // namespace jitgate::proxy
