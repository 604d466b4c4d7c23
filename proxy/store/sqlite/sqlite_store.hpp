// The SQLite state store (DESIGN §6 store/sqlite/): one class serving both GrantStore and SessionIndex,
// so several `jitgate` processes and a running `serve` can share one file. WAL mode, a busy timeout, a
// versioned schema, and BEGIN IMMEDIATE around every read-modify-write. Expected failures (busy, I/O
// error, a corrupt or foreign file) come back as values with a sentence; nothing on this path throws.
// Limits: one SqliteStore per thread (a connection is not shared). Opened through open_store (store.hpp).
#pragma once

#include "proxy/store/store.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace jitgate::proxy {

class SqliteStore final : public Store {
public:
    // The schema version this build writes; a newer file is refused rather than misread.
    static constexpr int schema_version = 4;

    // Opens (and creates, with its parent directories) the SQLite file at `path`.
    [[nodiscard]] static Result<std::unique_ptr<SqliteStore>> open(const std::filesystem::path& path,
                                                                        std::chrono::milliseconds busy_timeout =
                                                                            std::chrono::milliseconds{5000});
    ~SqliteStore() override;
    SqliteStore(const SqliteStore&) = delete;
    SqliteStore& operator=(const SqliteStore&) = delete;

    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
    // GrantStore (see grant_store.hpp).
    void set_busy_timeout(std::chrono::milliseconds timeout) override;
    [[nodiscard]] Result<std::vector<guardrails::Grant>> grants() override;
    [[nodiscard]] Result<guardrails::Grant> grant(std::string_view id) override;
    [[nodiscard]] Result<guardrails::Grant> insert(
        const std::function<guardrails::GrantResult(std::string id)>& make) override;
    [[nodiscard]] Result<guardrails::Grant> update(
        std::string_view id, const std::function<guardrails::GrantResult(const guardrails::Grant&)>& step) override;
    // One indexed row read; bumped inside each grant write's transaction.
    [[nodiscard]] Result<std::uint64_t> change_counter() override;

    // SessionIndex (see session_index.hpp): single autocommit statements.
    [[nodiscard]] Status session_started(const SessionRow& session) override;
    [[nodiscard]] Status session_ended(std::string_view id, config::TimePoint ended_at, std::uint64_t statements,
                                            std::uint64_t blocked, std::string_view reason) override;
    [[nodiscard]] Result<std::uint64_t> end_open_sessions(config::TimePoint at, std::string_view reason) override;
    [[nodiscard]] Result<std::vector<SessionRow>> sessions(const SessionFilter& filter) override;
    [[nodiscard]] Result<SessionRow> session(std::string_view id) override;

    // LoginStore (see login_store.hpp): single autocommit statements.
    [[nodiscard]] Status add_token(const TokenRow& row) override;
    [[nodiscard]] Result<std::optional<TokenRow>> find_token(std::string_view sha256, config::TimePoint now) override;
    [[nodiscard]] Result<bool> remove_token(std::string_view sha256) override;
    [[nodiscard]] Status add_login_failure(std::string_view key, config::TimePoint at,
                                           config::TimePoint forget_before) override;
    [[nodiscard]] Result<LoginFailures> login_failures(std::string_view key, config::TimePoint since) override;
    [[nodiscard]] Status clear_login_failures(std::string_view key) override;

private:
    struct Statements;
    SqliteStore(sqlite3* db, std::filesystem::path path);
    [[nodiscard]] std::string failure(std::string_view what) const;
    [[nodiscard]] std::optional<std::string> exec(const char* sql);
    [[nodiscard]] std::optional<std::string> migrate();
    [[nodiscard]] std::optional<std::string> prepare();
    [[nodiscard]] Result<std::optional<guardrails::Grant>> find(std::string_view id);
    [[nodiscard]] std::optional<std::string> write(const guardrails::Grant& grant, bool is_new);
    // Runs one prepared-on-the-spot statement with `bind` applied; SQLITE_DONE or the failure message.
    [[nodiscard]] std::optional<std::string> run(const char* sql, std::string_view what,
                                                 const std::function<void(sqlite3_stmt*)>& bind);

    sqlite3* db_;
    std::filesystem::path path_;
    std::unique_ptr<Statements> statements_;
};

}  // namespace jitgate::proxy
