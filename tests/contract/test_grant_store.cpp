// The GrantStore contract: grants round-trip every field; ids are fresh and unique; a step applies to
// the stored grant as it is now, so approving a pending grant twice fails the second time; refusals
// write nothing; unknown ids are errors that name them; the change counter moves on every grant write
// and on nothing else.
#include "tests/contract/store_factory.hpp"

#include <set>
#include <string>
#include <vector>

using namespace jitgate;
using namespace jitgate::proxy;
using jitgate::contract::for_each_store;
using guardrails::Grant;
using guardrails::GrantErrorCode;
using guardrails::GrantResult;
using guardrails::GrantStatus;
using namespace std::chrono_literals;

namespace {

const config::TimePoint start = config::TimePoint{} + 1'795'852'800s;  // 2026-11-28T08:00:00Z

Grant pending(std::string id, std::string user = "alice") {
    Grant grant;
    grant.id = std::move(id);
    grant.user = std::move(user);
    grant.target = "orders-db";
    grant.role = "writer";
    grant.status = GrantStatus::pending;
    grant.requested_at = start;
    grant.duration = config::Seconds{1800};
    grant.reason = "INC-1";
    grant.requested_os = "alice";
    return grant;
}

// Inserts a pending grant and returns it as stored.
Grant insert_pending(Store& store, std::string user = "alice") {
    Result<Grant> stored = store.insert([&](std::string id) { return GrantResult{pending(std::move(id), user), {}}; });
    INFO(stored.error);
    REQUIRE(stored);
    return *stored.value;
}

// Approves a grant only while it is pending, as guardrails::approve does.
GrantResult approve_if_pending(const Grant& grant, std::string_view by) {
    if (grant.status != GrantStatus::pending) {
        return {std::nullopt, {GrantErrorCode::not_pending, "grant " + grant.id + " is not pending"}};
    }
    Grant next = grant;
    next.status = GrantStatus::approved;
    next.decided_by = std::string{by};
    next.decided_at = start + 60s;
    next.from = start + 60s;
    next.until = start + 60s + grant.duration;
    next.decided_os = std::string{by};
    return {std::move(next), {}};
}

std::uint64_t counter(Store& store) {
    const Result<std::uint64_t> value = store.change_counter();
    INFO(value.error);
    REQUIRE(value);
    return *value.value;
}

}  // namespace

TEST_CASE("an inserted grant reads back with every field, from grants() and grant(id)") {
    for_each_store([](Store& store) {
        const Grant inserted = insert_pending(store);
        CHECK(inserted.id.starts_with("g-"));
        const Result<Grant> one = store.grant(inserted.id);
        INFO(one.error);
        REQUIRE(one);
        const Grant& read = *one.value;
        CHECK(read.id == inserted.id);
        CHECK(read.user == "alice");
        CHECK(read.target == "orders-db");
        CHECK(read.role == "writer");
        CHECK(read.status == GrantStatus::pending);
        CHECK(read.requested_at == start);
        CHECK(read.duration == config::Seconds{1800});
        CHECK_FALSE(read.decided_at);
        CHECK(read.decided_by.empty());
        CHECK_FALSE(read.from);
        CHECK_FALSE(read.until);
        CHECK(read.reason == "INC-1");
        CHECK(read.source == guardrails::GrantSource::store);
        CHECK(read.requested_os == "alice");
        CHECK(read.decided_os.empty());

        const Result<std::vector<Grant>> all = store.grants();
        REQUIRE(all);
        REQUIRE(all.value->size() == 1);
        CHECK(all.value->front().id == inserted.id);
    });
}

TEST_CASE("a store starts empty and lists grants oldest request first") {
    for_each_store([](Store& store) {
        REQUIRE(store.grants());
        CHECK(store.grants().value->empty());
        std::vector<std::string> inserted;
        for (int i = 0; i < 3; ++i) {
            Result<Grant> stored = store.insert([&](std::string id) {
                Grant grant = pending(std::move(id));
                grant.requested_at = start + std::chrono::seconds{10 - i};  // later inserts asked earlier
                return GrantResult{std::move(grant), {}};
            });
            REQUIRE(stored);
            inserted.push_back(stored.value->id);
        }
        const Result<std::vector<Grant>> all = store.grants();
        REQUIRE(all);
        std::vector<std::string> listed;
        for (const Grant& grant : *all.value) listed.push_back(grant.id);
        CHECK(listed == std::vector<std::string>{inserted[2], inserted[1], inserted[0]});
    });
}

TEST_CASE("every insert gets a fresh id, never one already in the store") {
    for_each_store([](Store& store) {
        std::set<std::string> ids;
        for (int i = 0; i < 64; ++i) ids.insert(insert_pending(store).id);
        CHECK(ids.size() == 64);
        for (const std::string& id : ids) {
            CHECK(id.size() == 8);  // "g-" and six hex digits
            CHECK(id.starts_with("g-"));
        }
        CHECK(store.grants().value->size() == 64);
    });
}

TEST_CASE("approving a pending grant twice: the first step wins, the second is refused and writes nothing") {
    for_each_store([](Store& store) {
        const Grant inserted = insert_pending(store);
        const Result<Grant> first = store.update(inserted.id, [](const Grant& g) { return approve_if_pending(g, "bob"); });
        INFO(first.error);
        REQUIRE(first);
        CHECK(first.value->status == GrantStatus::approved);
        CHECK(first.value->decided_by == "bob");

        const Result<Grant> second = store.update(inserted.id, [](const Grant& g) { return approve_if_pending(g, "carol"); });
        CHECK_FALSE(second);
        CHECK(second.error == "grant " + inserted.id + " is not pending");

        const Result<Grant> read = store.grant(inserted.id);
        REQUIRE(read);
        CHECK(read.value->status == GrantStatus::approved);
        CHECK(read.value->decided_by == "bob");
        CHECK(read.value->decided_at == start + 60s);
        CHECK(read.value->from == start + 60s);
        CHECK(read.value->until == start + 60s + 1800s);
        CHECK(read.value->decided_os == "bob");
    });
}

TEST_CASE("a step sees the grant as stored now and can move it on: approved, then revoked") {
    for_each_store([](Store& store) {
        const Grant inserted = insert_pending(store);
        REQUIRE(store.update(inserted.id, [](const Grant& g) { return approve_if_pending(g, "bob"); }));
        const Result<Grant> revoked = store.update(inserted.id, [](const Grant& g) {
            CHECK(g.status == GrantStatus::approved);
            return guardrails::revoke(g, "alice", start + 120s);
        });
        INFO(revoked.error);
        REQUIRE(revoked);
        CHECK(store.grant(inserted.id).value->status == GrantStatus::revoked);
    });
}

TEST_CASE("a refused insert writes nothing and returns the refusal") {
    for_each_store([](Store& store) {
        const std::uint64_t before = counter(store);
        const Result<Grant> refused = store.insert([](std::string) {
            return GrantResult{std::nullopt, {GrantErrorCode::no_reason, "a reason is required"}};
        });
        CHECK_FALSE(refused);
        CHECK(refused.error == "a reason is required");
        CHECK(store.grants().value->empty());
        CHECK(counter(store) == before);
    });
}

TEST_CASE("unknown grant ids are errors that name them, for reads and steps") {
    for_each_store([](Store& store) {
        const Result<Grant> read = store.grant("g-nope");
        CHECK_FALSE(read);
        CHECK(read.error == "no grant g-nope");
        bool stepped = false;
        const Result<Grant> updated = store.update("g-nope", [&](const Grant& g) {
            stepped = true;
            return approve_if_pending(g, "bob");
        });
        CHECK_FALSE(updated);
        CHECK(updated.error == "no grant g-nope");
        CHECK_FALSE(stepped);
    });
}

TEST_CASE("the change counter moves on every grant write and on nothing else") {
    for_each_store([](Store& store) {
        std::uint64_t seen = counter(store);
        const auto moved = [&] {
            const std::uint64_t now = counter(store);
            const bool changed = now != seen;
            seen = now;
            return changed;
        };
        const Grant inserted = insert_pending(store);
        CHECK(moved());
        REQUIRE(store.grants());
        REQUIRE(store.grant(inserted.id));
        CHECK_FALSE(moved());  // reads
        REQUIRE(store.update(inserted.id, [](const Grant& g) { return approve_if_pending(g, "bob"); }));
        CHECK(moved());
        CHECK_FALSE(store.update(inserted.id, [](const Grant& g) { return approve_if_pending(g, "bob"); }));
        CHECK_FALSE(moved());  // a refused step
        CHECK_FALSE(store.update("g-nope", [](const Grant& g) { return approve_if_pending(g, "bob"); }));
        CHECK_FALSE(moved());  // an unknown id
        REQUIRE(store.update(inserted.id, [](const Grant& g) { return guardrails::revoke(g, "alice", start + 120s); }));
        CHECK(moved());
        SessionRow session;
        session.id = "s-1";
        session.user = "alice";
        session.target = "orders-db";
        session.started_at = start;
        REQUIRE(store.session_started(session));
        REQUIRE(store.session_ended("s-1", start + 1s, 0, 0, "client terminated"));
        REQUIRE(store.end_open_sessions(start + 2s, "proxy restarted"));
        CHECK_FALSE(moved());  // session writes
    });
}
