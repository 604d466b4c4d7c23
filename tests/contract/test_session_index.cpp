// The SessionIndex contract: sessions start, end, and are listed newest first by user, target, age and
// count; unknown ids, reused ids and double ends are errors; end_open_sessions ends only the open ones;
// session writes leave the grant change counter alone.
#include "tests/contract/store_factory.hpp"

#include <optional>
#include <string>
#include <vector>

using namespace jitgate;
using namespace jitgate::proxy;
using jitgate::contract::for_each_store;
using namespace std::chrono_literals;

namespace {

const config::TimePoint start = config::TimePoint{} + 1'795'852'800s;  // 2026-11-28T08:00:00Z

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

}  // namespace

TEST_CASE("a started session is open until it ends, then holds its counts and reason") {
    for_each_store([](Store& store) {
        SessionRow started = row("s-0123456789abcdef0123", "alice", "orders-db", start);
        started.protocol = SessionProtocol::ssh;
        REQUIRE(store.session_started(started));

        Result<SessionRow> open = store.session(started.id);
        REQUIRE(open);
        CHECK(open.value->user == "alice");
        CHECK(open.value->target == "orders-db");
        CHECK(open.value->protocol == SessionProtocol::ssh);
        CHECK(open.value->client == "192.0.2.7:51234");
        CHECK(open.value->started_at == start);
        CHECK_FALSE(open.value->ended_at);
        CHECK(open.value->recording == started.recording);
        CHECK(open.value->end_reason.empty());

        REQUIRE(store.session_ended(started.id, start + 95s, 12, 2, "client terminated"));
        Result<SessionRow> ended = store.session(started.id);
        REQUIRE(ended);
        CHECK(ended.value->ended_at == start + 95s);
        CHECK(ended.value->statements == 12U);
        CHECK(ended.value->blocked == 2U);
        CHECK(ended.value->end_reason == "client terminated");
    });
}

TEST_CASE("a session without a recording keeps an empty recording path") {
    for_each_store([](Store& store) {
        SessionRow started = row("s-2", "bob", "orders-db", start);
        started.recording.clear();
        REQUIRE(store.session_started(started));
        CHECK(store.session("s-2").value->recording.empty());
    });
}

TEST_CASE("unknown ids, reused ids and a second end are errors that name the session") {
    for_each_store([](Store& store) {
        const Result<SessionRow> unknown = store.session("s-nope");
        CHECK_FALSE(unknown);
        CHECK(unknown.error == "no session s-nope");

        const Status end_unknown = store.session_ended("s-nope", start, 0, 0, "x");
        CHECK_FALSE(end_unknown);
        CHECK(end_unknown.error == "no session s-nope");
        CHECK_FALSE(end_unknown.retry);  // an unknown id is final

        REQUIRE(store.session_started(row("s-1", "alice", "orders-db", start)));
        const Status reused = store.session_started(row("s-1", "bob", "billing-db", start + 1s));
        CHECK_FALSE(reused);
        CHECK_THAT(reused.error, Catch::Contains("session s-1 is already in the index"));

        REQUIRE(store.session_ended("s-1", start + 5s, 1, 0, "client terminated"));
        const Status twice = store.session_ended("s-1", start + 9s, 7, 7, "again");
        CHECK_FALSE(twice);
        CHECK(twice.error == "session s-1 already ended");
        CHECK(store.session("s-1").value->statements == 1U);
    });
}

TEST_CASE("sessions are listed newest first and filtered by user, target, age and count") {
    for_each_store([](Store& store) {
        REQUIRE(store.session_started(row("s-a", "alice", "orders-db", start)));
        REQUIRE(store.session_started(row("s-b", "bob", "orders-db", start + 10min)));
        REQUIRE(store.session_started(row("s-c", "alice", "billing-db", start + 20min)));
        REQUIRE(store.session_started(row("s-d", "alice", "orders-db", start + 30min)));
        REQUIRE(store.session_started(row("s-e", "alice", "orders-db", start + 30min)));  // same second: later insert first

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
            CHECK(ids(store.sessions(SessionFilter{c.user, c.target, c.since, c.limit})) == c.expected);
        }
    });
}

TEST_CASE("session writes do not bump the grant change counter the proxy polls") {
    for_each_store([](Store& store) {
        const std::uint64_t before = *store.change_counter().value;
        REQUIRE(store.session_started(row("s-1", "alice", "orders-db", start)));
        REQUIRE(store.session_ended("s-1", start + 1s, 3, 1, "client terminated"));
        CHECK(*store.change_counter().value == before);
    });
}

TEST_CASE("end_open_sessions ends only the open sessions, as of its time and with its reason") {
    for_each_store([](Store& store) {
        REQUIRE(store.session_started(row("s-open-1", "alice", "orders-db", start)));
        REQUIRE(store.session_started(row("s-open-2", "bob", "orders-db", start + 1s)));
        REQUIRE(store.session_started(row("s-done", "alice", "orders-db", start + 2s)));
        REQUIRE(store.session_ended("s-done", start + 3s, 4, 1, "client terminated"));

        const Result<std::uint64_t> ended = store.end_open_sessions(start + 1h, "proxy restarted");
        INFO(ended.error);
        REQUIRE(ended);
        CHECK(*ended.value == 2U);
        for (const char* id : {"s-open-1", "s-open-2"}) {
            INFO(id);
            const Result<SessionRow> session = store.session(id);
            REQUIRE(session);
            CHECK(session.value->ended_at == start + 1h);
            CHECK(session.value->end_reason == "proxy restarted");
        }
        const Result<SessionRow> done = store.session("s-done");
        REQUIRE(done);
        CHECK(done.value->ended_at == start + 3s);
        CHECK(done.value->end_reason == "client terminated");
        CHECK(done.value->statements == 4U);

        const Result<std::uint64_t> again = store.end_open_sessions(start + 2h, "proxy restarted");
        REQUIRE(again);
        CHECK(*again.value == 0U);
    });
}
