// Unit tests of what only the SQLite store has (behaviour every store shares is in tests/contract/): a
// version 1 file (grants only) is upgraded in place and keeps its grants; a newer schema, a foreign
// SQLite file and a file that is not SQLite are refused; the `state:` URL picks or refuses a store.
#include "proxy/store/open_store.hpp"
#include "proxy/store/sqlite/sqlite_store.hpp"

#include "tests/unit/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

using namespace jitgate;
using namespace jitgate::proxy;
using namespace std::chrono_literals;

namespace {

struct TempDir : testing::TempDir {
    TempDir() : testing::TempDir("jitgate-sessions-test") {}
};

const config::TimePoint start = config::TimePoint{} + 1'795'852'800s;  // 2026-11-28T08:00:00Z

std::unique_ptr<Store> open_file(const std::filesystem::path& file) {
    Result<std::unique_ptr<Store>> opened = open_store("sqlite:" + file.string());
    INFO(opened.error);
    REQUIRE(opened);
    return std::move(*opened.value);
}

SessionRow row(std::string id, std::string user, std::string target, config::TimePoint started) {
    SessionRow session;
    session.id = std::move(id);
    session.user = std::move(user);
    session.target = std::move(target);
    session.client = "192.0.2.7:51234";
    session.started_at = started;
    session.recording = "/var/lib/jitgate/recordings/" + session.id + ".jsonl";
    return session;
}

std::vector<std::string> ids(const Result<std::vector<SessionRow>>& listed) {
    INFO(listed.error);
    REQUIRE(listed);
    std::vector<std::string> out;
    for (const SessionRow& session : *listed.value) out.push_back(session.id);
    return out;
}

// The schema exactly as version 1 released it, with one grant in it.
void write_version_1_file(const std::filesystem::path& file) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    const char* sql = R"sql(
        CREATE TABLE grants (
            id TEXT PRIMARY KEY, user TEXT NOT NULL, target TEXT NOT NULL, role TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'revoked')),
            reason TEXT NOT NULL, duration_seconds INTEGER NOT NULL CHECK (duration_seconds > 0),
            requested_at INTEGER NOT NULL, decided_at INTEGER, decided_by TEXT, valid_from INTEGER,
            valid_until INTEGER
        ) STRICT;
        CREATE INDEX grants_by_user_target ON grants (user, target);
        CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
        INSERT INTO counters (name, value) VALUES ('changes', 3);
        INSERT INTO grants VALUES ('g-00000a', 'alice', 'orders-db', 'writer', 'pending', 'INC-1', 1800,
                                   1795852800, NULL, NULL, NULL, NULL);
        PRAGMA user_version = 1;
    )sql";
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
    INFO(sqlite3_errmsg(db));
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
}

int user_version(const std::filesystem::path& file) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* statement = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &statement, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
    const int version = sqlite3_column_int(statement, 0);
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return version;
}

}  // namespace

TEST_CASE("a version 1 store is upgraded to the session index and keeps its grants and counter") {
    TempDir dir;
    const std::filesystem::path file = dir.path / "state.db";
    write_version_1_file(file);
    auto store = open_file(file);
    CHECK(user_version(file) == SqliteStore::schema_version);
    const Result<guardrails::Grant> grant = store->grant("g-00000a");
    REQUIRE(grant);
    CHECK(grant.value->reason == "INC-1");
    CHECK(store->change_counter().value == 3U);
    CHECK(store->session_started(row("s-1", "alice", "orders-db", start)));
    CHECK(ids(store->sessions({})) == std::vector<std::string>{"s-1"});
    // ... and to the API's tables (version 4): tokens and failed logins.
    CHECK(store->add_token(TokenRow{std::string(64, 'a'), "alice", start, start + std::chrono::hours{1}}));
    CHECK(store->add_login_failure("user:alice", start, start - std::chrono::minutes{10}));
    CHECK(store->login_failures("user:alice", start).value->count == 1U);
    store.reset();
    auto again = open_file(file);   // an upgraded file opens without another upgrade
    CHECK(ids(again->sessions({})) == std::vector<std::string>{"s-1"});
}

TEST_CASE("a store newer than this build is refused, not misread") {
    TempDir dir;
    const std::filesystem::path file = dir.path / "state.db";
    { auto store = open_file(file); }
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
    const Result<std::unique_ptr<Store>> opened = open_store("sqlite:" + file.string());
    CHECK_FALSE(opened);
    CHECK_THAT(opened.error, Catch::Contains("schema version 99 is newer"));
}

TEST_CASE("an SQLite file that holds other tables and no jitgate schema is refused, not taken over") {
    TempDir dir;
    const std::filesystem::path file = dir.path / "other.db";
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "CREATE TABLE invoices (id INTEGER)", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
    const Result<std::unique_ptr<Store>> opened = open_store("sqlite:" + file.string());
    CHECK_FALSE(opened);
    CHECK_THAT(opened.error, Catch::Contains("not a jitgate state store"));
}

TEST_CASE("a file that is not SQLite at all is refused with a sentence that names it") {
    TempDir dir;
    const std::filesystem::path file = dir.path / "garbage.db";
    { std::FILE* out = std::fopen(file.c_str(), "wb");
      REQUIRE(out != nullptr);
      const std::string junk(4096, 'x');
      std::fwrite(junk.data(), 1, junk.size(), out);
      std::fclose(out); }
    const Result<std::unique_ptr<Store>> opened = open_store("sqlite:" + file.string());
    CHECK_FALSE(opened);
    CHECK_THAT(opened.error, Catch::Contains(file.string()));
}

TEST_CASE("the state URL picks SQLite, refuses PostgreSQL as not built yet and anything else as not sqlite:PATH") {
    TempDir dir;
    CHECK(open_store("sqlite:" + (dir.path / "state.db").string()));
    const Result<std::unique_ptr<Store>> postgres = open_store("postgres://db.example/jitgate");
    CHECK_FALSE(postgres);
    CHECK(postgres.error == "state: a PostgreSQL state store is not supported yet; use state: sqlite:PATH");
    CHECK_FALSE(open_store("postgresql://db.example/jitgate"));
    const Result<std::unique_ptr<Store>> other = open_store("mysql://db");
    CHECK_FALSE(other);
    CHECK(other.error == "state: `mysql://db` is not sqlite:PATH");
    CHECK_FALSE(open_store("sqlite:"));
}
