// Unit tests of the session index in the state store: a version 1 file (grants only) is upgraded in place
// and keeps its grants; sessions start, end, and are listed newest first by user, target, age and count;
// unknown ids and double ends are errors; session writes leave the grant change counter alone.
#include "proxy/store/state_store.hpp"

#include "tests/unit/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
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

std::unique_ptr<StateStore> open_store(const std::filesystem::path& file) {
    StoreResult<std::unique_ptr<StateStore>> opened = StateStore::open("sqlite:" + file.string());
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

std::vector<std::string> ids(const StoreResult<std::vector<SessionRow>>& listed) {
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
    auto store = open_store(file);
    CHECK(user_version(file) == StateStore::schema_version);
    const StoreResult<guardrails::Grant> grant = store->grant("g-00000a");
    REQUIRE(grant);
    CHECK(grant.value->reason == "INC-1");
    CHECK(store->change_counter().value == 3U);
    CHECK(store->session_started(row("s-1", "alice", "orders-db", start)));
    CHECK(ids(store->sessions({})) == std::vector<std::string>{"s-1"});
    store.reset();
    auto again = open_store(file);   // an upgraded file opens without another upgrade
    CHECK(ids(again->sessions({})) == std::vector<std::string>{"s-1"});
}

TEST_CASE("a started session is open until it ends, then holds its counts and reason") {
    TempDir dir;
    auto store = open_store(dir.path / "state.db");
    SessionRow started = row("s-0123456789abcdef0123", "alice", "orders-db", start);
    started.protocol = SessionProtocol::ssh;
    REQUIRE(store->session_started(started));

    StoreResult<SessionRow> open = store->session(started.id);
    REQUIRE(open);
    CHECK(open.value->user == "alice");
    CHECK(open.value->target == "orders-db");
    CHECK(open.value->protocol == SessionProtocol::ssh);
    CHECK(open.value->client == "192.0.2.7:51234");
    CHECK(open.value->started_at == start);
    CHECK_FALSE(open.value->ended_at);
    CHECK(open.value->recording == started.recording);
    CHECK(open.value->end_reason.empty());

    REQUIRE(store->session_ended(started.id, start + 95s, 12, 2, "client terminated"));
    StoreResult<SessionRow> ended = store->session(started.id);
    REQUIRE(ended);
    CHECK(ended.value->ended_at == start + 95s);
    CHECK(ended.value->statements == 12U);
    CHECK(ended.value->blocked == 2U);
    CHECK(ended.value->end_reason == "client terminated");
}

TEST_CASE("a session without a recording keeps an empty recording path") {
    TempDir dir;
    auto store = open_store(dir.path / "state.db");
    SessionRow started = row("s-2", "bob", "orders-db", start);
    started.recording.clear();
    REQUIRE(store->session_started(started));
    CHECK(store->session("s-2").value->recording.empty());
}

TEST_CASE("unknown ids, reused ids and a second end are errors that name the session") {
    TempDir dir;
    auto store = open_store(dir.path / "state.db");
    const StoreResult<SessionRow> unknown = store->session("s-nope");
    CHECK_FALSE(unknown);
    CHECK(unknown.error == "no session s-nope");

    const StoreStatus end_unknown = store->session_ended("s-nope", start, 0, 0, "x");
    CHECK_FALSE(end_unknown);
    CHECK(end_unknown.error == "no session s-nope");

    REQUIRE(store->session_started(row("s-1", "alice", "orders-db", start)));
    const StoreStatus reused = store->session_started(row("s-1", "bob", "billing-db", start + 1s));
    CHECK_FALSE(reused);
    CHECK_THAT(reused.error, Catch::Contains("session s-1 is already in the index"));

    REQUIRE(store->session_ended("s-1", start + 5s, 1, 0, "client terminated"));
    const StoreStatus twice = store->session_ended("s-1", start + 9s, 7, 7, "again");
    CHECK_FALSE(twice);
    CHECK(twice.error == "session s-1 already ended");
    CHECK(store->session("s-1").value->statements == 1U);
}

TEST_CASE("sessions are listed newest first and filtered by user, target, age and count") {
    TempDir dir;
    auto store = open_store(dir.path / "state.db");
    REQUIRE(store->session_started(row("s-a", "alice", "orders-db", start)));
    REQUIRE(store->session_started(row("s-b", "bob", "orders-db", start + 10min)));
    REQUIRE(store->session_started(row("s-c", "alice", "billing-db", start + 20min)));
    REQUIRE(store->session_started(row("s-d", "alice", "orders-db", start + 30min)));
    REQUIRE(store->session_started(row("s-e", "alice", "orders-db", start + 30min)));   // same second: later insert first

    struct Case {
        const char* what;
        std::string user;
        std::string target;
        std::optional<config::TimePoint> since;
        std::size_t limit;
        std::vector<std::string> expected;
    };
    const std::vector<Case> cases{
        {"everything", "", "", {}, 0, {"s-e", "s-d", "s-c", "s-b", "s-a"}},
        {"one user", "alice", "", {}, 0, {"s-e", "s-d", "s-c", "s-a"}},
        {"one target", "", "orders-db", {}, 0, {"s-e", "s-d", "s-b", "s-a"}},
        {"user and target", "alice", "billing-db", {}, 0, {"s-c"}},
        {"started since, inclusive", "", "", start + 20min, 0, {"s-e", "s-d", "s-c"}},
        {"the newest two", "", "", {}, 2, {"s-e", "s-d"}},
        {"every filter at once", "alice", "orders-db", start + 1s, 1, {"s-e"}},
        {"nobody", "mallory", "", {}, 0, {}},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        CHECK(ids(store->sessions(SessionFilter{c.user, c.target, c.since, c.limit})) == c.expected);
    }
}

TEST_CASE("session writes do not bump the grant change counter the proxy polls") {
    TempDir dir;
    auto store = open_store(dir.path / "state.db");
    const std::uint64_t before = *store->change_counter().value;
    REQUIRE(store->session_started(row("s-1", "alice", "orders-db", start)));
    REQUIRE(store->session_ended("s-1", start + 1s, 3, 1, "client terminated"));
    CHECK(*store->change_counter().value == before);
}

TEST_CASE("a store newer than this build is refused, not misread") {
    TempDir dir;
    const std::filesystem::path file = dir.path / "state.db";
    { auto store = open_store(file); }
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
    const StoreResult<std::unique_ptr<StateStore>> opened = StateStore::open("sqlite:" + file.string());
    CHECK_FALSE(opened);
    CHECK_THAT(opened.error, Catch::Contains("schema version 99 is newer"));
}
