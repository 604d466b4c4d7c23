// The SQLite state store (see sqlite_store.hpp): schema migrations, prepared statements, and one
// BEGIN IMMEDIATE transaction per read-modify-write of a grant; session rows are single autocommit
// statements. Times are stored as Unix seconds.
#include "proxy/store/sqlite/sqlite_store.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <limits>
#include <random>
#include <system_error>
#include <thread>

namespace jitgate::proxy {
namespace {

using guardrails::Grant;
using guardrails::GrantResult;
using guardrails::GrantStatus;

// Each step moves the schema from version - 1 to version; steps are never edited once released, only added.
struct Migration {
    int version;
    const char* sql;
};

constexpr std::array<Migration, 4> migrations{{
    {1, R"sql(
        CREATE TABLE grants (
            id               TEXT PRIMARY KEY,
            user             TEXT NOT NULL,
            target           TEXT NOT NULL,
            role             TEXT NOT NULL,
            status           TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'revoked')),
            reason           TEXT NOT NULL,
            duration_seconds INTEGER NOT NULL CHECK (duration_seconds > 0),
            requested_at     INTEGER NOT NULL,
            decided_at       INTEGER,
            decided_by       TEXT,
            valid_from       INTEGER,
            valid_until      INTEGER
        ) STRICT;
        CREATE INDEX grants_by_user_target ON grants (user, target);
        CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
        INSERT INTO counters (name, value) VALUES ('changes', 0);
    )sql"},
    {2, R"sql(
        CREATE TABLE sessions (
            id          TEXT PRIMARY KEY,
            user        TEXT NOT NULL,
            target      TEXT NOT NULL,
            protocol    TEXT NOT NULL CHECK (protocol IN ('postgres', 'ssh')),
            client      TEXT NOT NULL,
            started_at  INTEGER NOT NULL,
            ended_at    INTEGER,
            statements  INTEGER NOT NULL DEFAULT 0 CHECK (statements >= 0),
            blocked     INTEGER NOT NULL DEFAULT 0 CHECK (blocked >= 0),
            recording   TEXT,
            end_reason  TEXT
        ) STRICT;
        CREATE INDEX sessions_by_user ON sessions (user, started_at);
        CREATE INDEX sessions_by_target ON sessions (target, started_at);
        CREATE INDEX sessions_by_start ON sessions (started_at);
    )sql"},
    {3, R"sql(
        ALTER TABLE grants ADD COLUMN requested_os TEXT;
        ALTER TABLE grants ADD COLUMN decided_os TEXT;
    )sql"},
    {4, R"sql(
        CREATE TABLE api_tokens (
            sha256      TEXT PRIMARY KEY CHECK (length(sha256) = 64),
            user        TEXT NOT NULL,
            created_at  INTEGER NOT NULL,
            expires_at  INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX api_tokens_by_expiry ON api_tokens (expires_at);
        CREATE TABLE login_failures (
            key  TEXT NOT NULL,
            at   INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX login_failures_by_key ON login_failures (key, at);
    )sql"},
}};
static_assert(migrations.back().version == SqliteStore::schema_version);

constexpr const char* grant_columns =
    "id, user, target, role, status, reason, duration_seconds, requested_at, decided_at, decided_by, "
    "valid_from, valid_until, requested_os, decided_os";

struct Finalize {
    void operator()(sqlite3_stmt* statement) const noexcept { sqlite3_finalize(statement); }
};
using Statement = std::unique_ptr<sqlite3_stmt, Finalize>;

// Resets a statement (and its bindings) when a use of it ends, whatever the path out.
class Use {
public:
    explicit Use(const Statement& statement) noexcept : statement_(statement.get()) {}
    ~Use() {
        sqlite3_reset(statement_);
        sqlite3_clear_bindings(statement_);
    }
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;
    [[nodiscard]] sqlite3_stmt* get() const noexcept { return statement_; }

private:
    sqlite3_stmt* statement_;
};

[[nodiscard]] sqlite3_int64 to_unix(config::TimePoint when) noexcept {
    return std::chrono::duration_cast<std::chrono::seconds>(when.time_since_epoch()).count();
}

[[nodiscard]] config::TimePoint from_unix(sqlite3_int64 seconds) noexcept {
    return config::TimePoint{std::chrono::seconds{seconds}};
}

// Binds text that outlives the statement's step (SQLITE_STATIC, spelled as the null destructor).
int bind_text(sqlite3_stmt* statement, int index, std::string_view text) noexcept {
    return sqlite3_bind_text(statement, index, text.data(), static_cast<int>(text.size()), nullptr);
}

int bind_time(sqlite3_stmt* statement, int index, const std::optional<config::TimePoint>& when) noexcept {
    return when ? sqlite3_bind_int64(statement, index, to_unix(*when)) : sqlite3_bind_null(statement, index);
}

[[nodiscard]] std::string column_text(sqlite3_stmt* statement, int column) {
    const unsigned char* text = sqlite3_column_text(statement, column);
    if (text == nullptr) return {};
    return std::string{reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_column_bytes(statement, column))};
}

[[nodiscard]] std::optional<config::TimePoint> column_time(sqlite3_stmt* statement, int column) {
    if (sqlite3_column_type(statement, column) == SQLITE_NULL) return std::nullopt;
    return from_unix(sqlite3_column_int64(statement, column));
}

constexpr const char* session_columns =
    "id, user, target, protocol, client, started_at, ended_at, statements, blocked, recording, end_reason";

// SQLite integers are signed; counts past INT64_MAX are clamped rather than wrapped negative.
[[nodiscard]] sqlite3_int64 to_count(std::uint64_t count) noexcept {
    constexpr auto most = static_cast<std::uint64_t>(std::numeric_limits<sqlite3_int64>::max());
    return static_cast<sqlite3_int64>(std::min(count, most));
}

// One row in session_columns order, or why it cannot be read.
[[nodiscard]] Result<SessionRow> read_session(sqlite3_stmt* statement) {
    SessionRow session;
    session.id = column_text(statement, 0);
    session.user = column_text(statement, 1);
    session.target = column_text(statement, 2);
    const std::string protocol = column_text(statement, 3);
    const std::optional<SessionProtocol> parsed = parse_session_protocol(protocol);
    if (!parsed) return {std::nullopt, fmt::format("session {} has an unknown protocol `{}`", session.id, protocol)};
    session.protocol = *parsed;
    session.client = column_text(statement, 4);
    session.started_at = from_unix(sqlite3_column_int64(statement, 5));
    session.ended_at = column_time(statement, 6);
    session.statements = static_cast<std::uint64_t>(std::max<sqlite3_int64>(0, sqlite3_column_int64(statement, 7)));
    session.blocked = static_cast<std::uint64_t>(std::max<sqlite3_int64>(0, sqlite3_column_int64(statement, 8)));
    session.recording = column_text(statement, 9);
    session.end_reason = column_text(statement, 10);
    return {std::move(session), {}};
}

// One row in grant_columns order, or why it cannot be read.
[[nodiscard]] Result<Grant> read_grant(sqlite3_stmt* statement) {
    Grant grant;
    grant.id = column_text(statement, 0);
    grant.user = column_text(statement, 1);
    grant.target = column_text(statement, 2);
    grant.role = column_text(statement, 3);
    const std::string status = column_text(statement, 4);
    const std::optional<GrantStatus> parsed = guardrails::parse_grant_status(status);
    if (!parsed || *parsed == GrantStatus::expired) {
        return {std::nullopt, fmt::format("grant {} has an unknown status `{}`", grant.id, status)};
    }
    grant.status = *parsed;
    grant.reason = column_text(statement, 5);
    grant.duration = config::Seconds{sqlite3_column_int64(statement, 6)};
    grant.requested_at = from_unix(sqlite3_column_int64(statement, 7));
    grant.decided_at = column_time(statement, 8);
    grant.decided_by = column_text(statement, 9);
    grant.from = column_time(statement, 10);
    grant.until = column_time(statement, 11);
    grant.requested_os = column_text(statement, 12);
    grant.decided_os = column_text(statement, 13);
    grant.source = guardrails::GrantSource::store;
    return {std::move(grant), {}};
}

// "g-" and six hex digits: short enough to type, 16 million values; collisions are retried.
[[nodiscard]] std::string random_id() {
    static thread_local std::mt19937 engine{std::random_device{}()};
    std::uniform_int_distribution<std::uint32_t> digits{0, 0xFFFFFF};
    return fmt::format("g-{:06x}", digits(engine));
}

}  // namespace

struct SqliteStore::Statements {
    Statement select_all;
    Statement select_one;
    Statement insert;
    Statement update;
    Statement bump;
    Statement counter;
    Statement session_insert;
    Statement session_end;
    Statement session_one;
};

// A write transaction: BEGIN IMMEDIATE takes the write lock up front (waiting up to busy_timeout), so a
// read-modify-write never fails half-way on a lock upgrade. Rolled back unless committed.
class WriteTransaction {
public:
    explicit WriteTransaction(sqlite3* db) noexcept : db_(db) {}
    ~WriteTransaction() {
        if (open_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    WriteTransaction(const WriteTransaction&) = delete;
    WriteTransaction& operator=(const WriteTransaction&) = delete;
    [[nodiscard]] int begin() noexcept {
        const int rc = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
        open_ = rc == SQLITE_OK;
        return rc;
    }
    [[nodiscard]] int commit() noexcept {
        const int rc = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
        if (rc == SQLITE_OK) open_ = false;
        return rc;
    }

private:
    sqlite3* db_;
    bool open_ = false;
};

SqliteStore::SqliteStore(sqlite3* db, std::filesystem::path path)
    : db_(db), path_(std::move(path)), statements_(std::make_unique<Statements>()) {}

SqliteStore::~SqliteStore() {
    statements_.reset();   // statements before the connection
    sqlite3_close(db_);
}

std::string SqliteStore::failure(std::string_view what) const {
    return fmt::format("state store {}: {}: {}", path_.string(), what, sqlite3_errmsg(db_));
}

std::optional<std::string> SqliteStore::exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK) return std::nullopt;
    return failure("cannot run a statement");
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::filesystem::path& path,
                                                            std::chrono::milliseconds busy_timeout) {
    if (path.has_parent_path()) {
        std::error_code error;
        std::filesystem::create_directories(path.parent_path(), error);
        if (error) {
            return {std::nullopt, fmt::format("state store {}: cannot create directory {}: {}", path.string(),
                                              path.parent_path().string(), error.message())};
        }
    }
    // A new store is created 0600 before SQLite opens it: it holds every grant and the session index, and
    // SQLite gives its -wal and -shm files the database file's permissions. An existing file is left as
    // its admin set it.
    if (const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600); fd >= 0) ::close(fd);
    sqlite3* db = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (rc != SQLITE_OK) {
        std::string message = fmt::format("state store {}: cannot open: {}", path.string(),
                                          db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return {std::nullopt, std::move(message)};
    }
    std::unique_ptr<SqliteStore> store{new SqliteStore(db, path)};
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, static_cast<int>(busy_timeout.count()));

    // Switching to WAL needs a moment of exclusive access; a concurrent opener may hold the file briefly.
    const auto deadline = std::chrono::steady_clock::now() + busy_timeout;
    for (;;) {
        const int wal = sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
        if (wal == SQLITE_OK) break;
        if ((wal & 0xFF) != SQLITE_BUSY && (wal & 0xFF) != SQLITE_LOCKED) {
            return {std::nullopt, store->failure("cannot switch to WAL mode")};
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return {std::nullopt, store->failure("cannot switch to WAL mode")};
        }
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
    if (std::optional<std::string> error = store->migrate()) return {std::nullopt, std::move(*error)};
    if (std::optional<std::string> error = store->prepare()) return {std::nullopt, std::move(*error)};
    return {std::move(store), {}};
}

std::optional<std::string> SqliteStore::migrate() {
    const auto read_version = [this](int& version) -> std::optional<std::string> {
        sqlite3_stmt* raw = nullptr;
        if (sqlite3_prepare_v2(db_, "PRAGMA user_version", -1, &raw, nullptr) != SQLITE_OK) {
            return failure("cannot read the schema version");
        }
        const Statement statement{raw};
        if (sqlite3_step(raw) != SQLITE_ROW) return failure("cannot read the schema version");
        version = sqlite3_column_int(raw, 0);
        return std::nullopt;
    };
    int version = 0;
    if (std::optional<std::string> error = read_version(version)) return error;
    if (version == schema_version) return std::nullopt;   // the common case takes no write lock

    WriteTransaction transaction{db_};
    if (transaction.begin() != SQLITE_OK) return failure("cannot lock the file to upgrade its schema");
    if (std::optional<std::string> error = read_version(version)) return error;   // another process may have won
    if (version > schema_version) {
        return fmt::format("state store {}: schema version {} is newer than this jitgate understands ({}); "
                           "use a newer jitgate",
                           path_.string(), version, schema_version);
    }
    if (version == 0) {
        sqlite3_stmt* raw = nullptr;
        if (sqlite3_prepare_v2(db_, "SELECT count(*) FROM sqlite_schema", -1, &raw, nullptr) != SQLITE_OK) {
            return failure("cannot read the schema");
        }
        const Statement statement{raw};
        if (sqlite3_step(raw) != SQLITE_ROW) return failure("cannot read the schema");
        if (sqlite3_column_int(raw, 0) != 0) {
            return fmt::format("state store {}: not a jitgate state store (it holds tables but no jitgate schema "
                               "version)",
                               path_.string());
        }
    }
    for (const Migration& step : migrations) {
        if (step.version <= version) continue;
        if (std::optional<std::string> error = exec(step.sql)) {
            return fmt::format("{} (while upgrading the schema to version {})", *error, step.version);
        }
        if (std::optional<std::string> error = exec(fmt::format("PRAGMA user_version = {}", step.version).c_str())) {
            return error;
        }
    }
    if (transaction.commit() != SQLITE_OK) return failure("cannot commit the schema upgrade");
    return std::nullopt;
}

std::optional<std::string> SqliteStore::prepare() {
    const auto make = [this](Statement& out, const std::string& sql) -> bool {
        sqlite3_stmt* raw = nullptr;
        const int rc = sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
        out.reset(raw);
        return rc == SQLITE_OK;
    };
    Statements& s = *statements_;
    const bool ok =
        make(s.select_all, fmt::format("SELECT {} FROM grants ORDER BY requested_at, rowid", grant_columns)) &&
        make(s.select_one, fmt::format("SELECT {} FROM grants WHERE id = ?1", grant_columns)) &&
        make(s.insert, fmt::format("INSERT INTO grants ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                                   grant_columns)) &&
        make(s.update, "UPDATE grants SET user = ?2, target = ?3, role = ?4, status = ?5, reason = ?6, "
                       "duration_seconds = ?7, requested_at = ?8, decided_at = ?9, decided_by = ?10, "
                       "valid_from = ?11, valid_until = ?12, requested_os = ?13, decided_os = ?14 WHERE id = ?1") &&
        make(s.bump, "UPDATE counters SET value = value + 1 WHERE name = 'changes'") &&
        make(s.counter, "SELECT value FROM counters WHERE name = 'changes'") &&
        make(s.session_insert, "INSERT INTO sessions (id, user, target, protocol, client, started_at, recording) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)") &&
        make(s.session_end, "UPDATE sessions SET ended_at = ?2, statements = ?3, blocked = ?4, end_reason = ?5 "
                            "WHERE id = ?1 AND ended_at IS NULL") &&
        make(s.session_one, fmt::format("SELECT {} FROM sessions WHERE id = ?1", session_columns));
    if (!ok) return failure("cannot prepare statements");
    return std::nullopt;
}

Result<std::vector<Grant>> SqliteStore::grants() {
    const Use use{statements_->select_all};
    std::vector<Grant> all;
    for (;;) {
        const int rc = sqlite3_step(use.get());
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW) return {std::nullopt, failure("cannot read grants")};
        Result<Grant> grant = read_grant(use.get());
        if (!grant) return {std::nullopt, fmt::format("state store {}: {}", path_.string(), grant.error)};
        all.push_back(std::move(*grant.value));
    }
    return {std::move(all), {}};
}

Result<std::optional<Grant>> SqliteStore::find(std::string_view id) {
    const Use use{statements_->select_one};
    bind_text(use.get(), 1, id);
    const int rc = sqlite3_step(use.get());
    if (rc == SQLITE_DONE) return {std::make_optional(std::optional<Grant>{}), {}};
    if (rc != SQLITE_ROW) return {std::nullopt, failure("cannot read a grant")};
    Result<Grant> grant = read_grant(use.get());
    if (!grant) return {std::nullopt, fmt::format("state store {}: {}", path_.string(), grant.error)};
    return {std::make_optional(std::optional<Grant>{std::move(*grant.value)}), {}};
}

Result<Grant> SqliteStore::grant(std::string_view id) {
    Result<std::optional<Grant>> found = find(id);
    if (!found) return {std::nullopt, std::move(found.error)};
    if (!*found.value) return {std::nullopt, fmt::format("no grant {}", id)};
    return {std::move(**found.value), {}};
}

std::optional<std::string> SqliteStore::write(const Grant& grant, bool is_new) {
    const Use use{is_new ? statements_->insert : statements_->update};
    sqlite3_stmt* s = use.get();
    const std::string status{guardrails::to_string(grant.status)};
    bind_text(s, 1, grant.id);
    bind_text(s, 2, grant.user);
    bind_text(s, 3, grant.target);
    bind_text(s, 4, grant.role);
    bind_text(s, 5, status);
    bind_text(s, 6, grant.reason);
    sqlite3_bind_int64(s, 7, grant.duration.count());
    sqlite3_bind_int64(s, 8, to_unix(grant.requested_at));
    bind_time(s, 9, grant.decided_at);
    if (grant.decided_by.empty()) {
        sqlite3_bind_null(s, 10);
    } else {
        bind_text(s, 10, grant.decided_by);
    }
    bind_time(s, 11, grant.from);
    bind_time(s, 12, grant.until);
    const auto bind_optional = [s](int index, const std::string& text) {
        return text.empty() ? sqlite3_bind_null(s, index) : bind_text(s, index, text);
    };
    bind_optional(13, grant.requested_os);
    bind_optional(14, grant.decided_os);
    if (sqlite3_step(s) != SQLITE_DONE) return failure("cannot write a grant");
    const Use bump{statements_->bump};
    if (sqlite3_step(bump.get()) != SQLITE_DONE) return failure("cannot record a change");
    return std::nullopt;
}

Result<Grant> SqliteStore::insert(const std::function<GrantResult(std::string id)>& make) {
    WriteTransaction transaction{db_};
    if (transaction.begin() != SQLITE_OK) return {std::nullopt, failure("cannot start a write")};
    std::string id;
    for (int attempt = 0; id.empty(); ++attempt) {
        if (attempt == 32) return {std::nullopt, fmt::format("state store {}: no free grant id", path_.string())};
        std::string candidate = random_id();
        Result<std::optional<Grant>> found = find(candidate);
        if (!found) return {std::nullopt, std::move(found.error)};
        if (!*found.value) id = std::move(candidate);
    }
    GrantResult made = make(id);
    if (!made) return {std::nullopt, std::move(made.error.message)};
    if (std::optional<std::string> error = write(*made.grant, true)) return {std::nullopt, std::move(*error)};
    if (transaction.commit() != SQLITE_OK) return {std::nullopt, failure("cannot commit")};
    return {std::move(*made.grant), {}};
}

Result<Grant> SqliteStore::update(std::string_view id,
                                      const std::function<GrantResult(const Grant&)>& step) {
    WriteTransaction transaction{db_};
    if (transaction.begin() != SQLITE_OK) return {std::nullopt, failure("cannot start a write")};
    Result<Grant> current = grant(id);
    if (!current) return current;
    GrantResult next = step(*current.value);
    if (!next) return {std::nullopt, std::move(next.error.message)};
    if (std::optional<std::string> error = write(*next.grant, false)) return {std::nullopt, std::move(*error)};
    if (transaction.commit() != SQLITE_OK) return {std::nullopt, failure("cannot commit")};
    return {std::move(*next.grant), {}};
}

Result<std::uint64_t> SqliteStore::change_counter() {
    const Use use{statements_->counter};
    if (sqlite3_step(use.get()) != SQLITE_ROW) return {std::nullopt, failure("cannot read the change counter")};
    return {static_cast<std::uint64_t>(sqlite3_column_int64(use.get(), 0)), {}};
}

Status SqliteStore::session_started(const SessionRow& session) {
    const Use use{statements_->session_insert};
    sqlite3_stmt* s = use.get();
    const std::string recording = session.recording.string();
    bind_text(s, 1, session.id);
    bind_text(s, 2, session.user);
    bind_text(s, 3, session.target);
    bind_text(s, 4, to_string(session.protocol));
    bind_text(s, 5, session.client);
    sqlite3_bind_int64(s, 6, to_unix(session.started_at));
    if (recording.empty()) {
        sqlite3_bind_null(s, 7);
    } else {
        bind_text(s, 7, recording);
    }
    const int rc = sqlite3_step(s);
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return {fmt::format("state store {}: session {} is already in the index", path_.string(), session.id)};
    }
    if (rc != SQLITE_DONE) return {failure(fmt::format("cannot index session {}", session.id)), true};
    return {};
}

Status SqliteStore::session_ended(std::string_view id, config::TimePoint ended_at, std::uint64_t statements,
                                      std::uint64_t blocked, std::string_view reason) {
    {
        const Use use{statements_->session_end};
        sqlite3_stmt* s = use.get();
        bind_text(s, 1, id);
        sqlite3_bind_int64(s, 2, to_unix(ended_at));
        sqlite3_bind_int64(s, 3, to_count(statements));
        sqlite3_bind_int64(s, 4, to_count(blocked));
        bind_text(s, 5, reason);
        if (sqlite3_step(s) != SQLITE_DONE) return {failure(fmt::format("cannot end session {}", id)), true};
        if (sqlite3_changes(db_) == 1) return {};
    }
    // Nothing changed: say whether the id is unknown or the session had already ended.
    Result<SessionRow> found = session(id);
    if (!found) {  // an unknown id is final; a store that did not answer may answer later
        const bool unknown = found.error == fmt::format("no session {}", id);
        return {std::move(found.error), !unknown};
    }
    return {fmt::format("session {} already ended", id)};
}

Result<std::uint64_t> SqliteStore::end_open_sessions(config::TimePoint at, std::string_view reason) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_, "UPDATE sessions SET ended_at = ?1, end_reason = ?2 WHERE ended_at IS NULL", -1, &raw,
                           nullptr) != SQLITE_OK) {
        return {std::nullopt, failure("cannot prepare ending the open sessions")};
    }
    const Statement statement{raw};
    sqlite3_bind_int64(raw, 1, to_unix(at));
    bind_text(raw, 2, reason);
    if (sqlite3_step(raw) != SQLITE_DONE) return {std::nullopt, failure("cannot end the open sessions")};
    return {static_cast<std::uint64_t>(sqlite3_changes(db_)), {}};
}

void SqliteStore::set_busy_timeout(std::chrono::milliseconds timeout) {
    sqlite3_busy_timeout(db_, static_cast<int>(timeout.count()));
}

Result<std::vector<SessionRow>> SqliteStore::sessions(const SessionFilter& filter) {
    // Built per filter, so SQLite picks the user, target or started_at index for what is asked.
    std::string sql = fmt::format("SELECT {} FROM sessions WHERE 1", session_columns);
    if (!filter.user.empty()) sql += " AND user = ?1";
    if (!filter.target.empty()) sql += " AND target = ?2";
    if (filter.since) sql += " AND started_at >= ?3";
    sql += " ORDER BY started_at DESC, rowid DESC LIMIT ?4";
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
        return {std::nullopt, failure("cannot prepare the session search")};
    }
    const Statement statement{raw};
    if (!filter.user.empty()) bind_text(raw, 1, filter.user);
    if (!filter.target.empty()) bind_text(raw, 2, filter.target);
    if (filter.since) sqlite3_bind_int64(raw, 3, to_unix(*filter.since));
    sqlite3_bind_int64(raw, 4, filter.limit == 0 ? -1 : to_count(filter.limit));
    std::vector<SessionRow> found;
    for (;;) {
        const int rc = sqlite3_step(raw);
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW) return {std::nullopt, failure("cannot read sessions")};
        Result<SessionRow> row = read_session(raw);
        if (!row) return {std::nullopt, fmt::format("state store {}: {}", path_.string(), row.error)};
        found.push_back(std::move(*row.value));
    }
    return {std::move(found), {}};
}

Result<SessionRow> SqliteStore::session(std::string_view id) {
    const Use use{statements_->session_one};
    bind_text(use.get(), 1, id);
    const int rc = sqlite3_step(use.get());
    if (rc == SQLITE_DONE) return {std::nullopt, fmt::format("no session {}", id)};
    if (rc != SQLITE_ROW) return {std::nullopt, failure("cannot read a session")};
    Result<SessionRow> row = read_session(use.get());
    if (!row) return {std::nullopt, fmt::format("state store {}: {}", path_.string(), row.error)};
    return row;
}

std::optional<std::string> SqliteStore::run(const char* sql, std::string_view what,
                                            const std::function<void(sqlite3_stmt*)>& bind) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &raw, nullptr) != SQLITE_OK) return failure(fmt::format("cannot prepare {}", what));
    const Statement statement{raw};
    bind(raw);
    if (sqlite3_step(raw) != SQLITE_DONE) return failure(fmt::format("cannot {}", what));
    return std::nullopt;
}

Status SqliteStore::add_token(const TokenRow& row) {
    if (auto error = run("DELETE FROM api_tokens WHERE expires_at <= ?1", "delete expired tokens",
                         [&](sqlite3_stmt* s) { sqlite3_bind_int64(s, 1, to_unix(row.created_at)); })) {
        return {std::move(*error), true};
    }
    if (auto error = run("INSERT INTO api_tokens (sha256, user, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
                         "store a token", [&](sqlite3_stmt* s) {
                             bind_text(s, 1, row.sha256);
                             bind_text(s, 2, row.user);
                             sqlite3_bind_int64(s, 3, to_unix(row.created_at));
                             sqlite3_bind_int64(s, 4, to_unix(row.expires_at));
                         })) {
        return {std::move(*error), false};
    }
    return {};
}

Result<std::optional<TokenRow>> SqliteStore::find_token(std::string_view sha256, config::TimePoint now) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT user, created_at, expires_at FROM api_tokens WHERE sha256 = ?1 AND expires_at > ?2",
                           -1, &raw, nullptr) != SQLITE_OK) {
        return {std::nullopt, failure("cannot prepare reading a token")};
    }
    const Statement statement{raw};
    bind_text(raw, 1, sha256);
    sqlite3_bind_int64(raw, 2, to_unix(now));
    const int rc = sqlite3_step(raw);
    if (rc == SQLITE_DONE) return {std::optional<TokenRow>{}, {}};
    if (rc != SQLITE_ROW) return {std::nullopt, failure("cannot read a token")};
    const auto* user = reinterpret_cast<const char*>(sqlite3_column_text(raw, 0));
    TokenRow row{std::string{sha256}, user == nullptr ? std::string{} : std::string{user},
                 from_unix(sqlite3_column_int64(raw, 1)), from_unix(sqlite3_column_int64(raw, 2))};
    return {std::optional<TokenRow>{std::move(row)}, {}};
}

Result<bool> SqliteStore::remove_token(std::string_view sha256) {
    if (auto error = run("DELETE FROM api_tokens WHERE sha256 = ?1", "delete a token",
                         [&](sqlite3_stmt* s) { bind_text(s, 1, sha256); })) {
        return {std::nullopt, std::move(*error)};
    }
    return {sqlite3_changes(db_) > 0, {}};
}

Status SqliteStore::add_login_failure(std::string_view key, config::TimePoint at, config::TimePoint forget_before) {
    WriteTransaction transaction{db_};
    if (transaction.begin() != SQLITE_OK) return {failure("cannot lock the store to count a failed login"), true};
    if (auto error = run("DELETE FROM login_failures WHERE key = ?1 AND at < ?2", "forget old failed logins",
                         [&](sqlite3_stmt* s) {
                             bind_text(s, 1, key);
                             sqlite3_bind_int64(s, 2, to_unix(forget_before));
                         })) {
        return {std::move(*error), true};
    }
    if (auto error = run("INSERT INTO login_failures (key, at) VALUES (?1, ?2)", "count a failed login",
                         [&](sqlite3_stmt* s) {
                             bind_text(s, 1, key);
                             sqlite3_bind_int64(s, 2, to_unix(at));
                         })) {
        return {std::move(*error), true};
    }
    if (transaction.commit() != SQLITE_OK) return {failure("cannot commit a failed login"), true};
    return {};
}

Result<LoginFailures> SqliteStore::login_failures(std::string_view key, config::TimePoint since) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT count(*), max(at) FROM login_failures WHERE key = ?1 AND at >= ?2", -1, &raw,
                           nullptr) != SQLITE_OK) {
        return {std::nullopt, failure("cannot prepare counting failed logins")};
    }
    const Statement statement{raw};
    bind_text(raw, 1, key);
    sqlite3_bind_int64(raw, 2, to_unix(since));
    if (sqlite3_step(raw) != SQLITE_ROW) return {std::nullopt, failure("cannot count failed logins")};
    LoginFailures failures;
    failures.count = static_cast<std::uint32_t>(sqlite3_column_int64(raw, 0));
    if (failures.count > 0) failures.newest = from_unix(sqlite3_column_int64(raw, 1));
    return {failures, {}};
}

Status SqliteStore::clear_login_failures(std::string_view key) {
    if (auto error = run("DELETE FROM login_failures WHERE key = ?1", "clear failed logins",
                         [&](sqlite3_stmt* s) { bind_text(s, 1, key); })) {
        return {std::move(*error), true};
    }
    return {};
}

}  // namespace jitgate::proxy
