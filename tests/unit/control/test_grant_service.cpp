// Unit tests of the grant service against a real SQLite store: tables of (who, what, when) → outcome for
// requests (access rules, max_duration, reasons, auto-approval windows), decisions (approvers by name and
// group, self-approval refused, twice refused), revocation, config grants that only explain themselves,
// the OS user recorded with each step, and listing with its filters.
#include "proxy/control/grant_service.hpp"

#include "proxy/store/open_store.hpp"
#include "tests/unit/temp_dir.hpp"
#include "tests/unit/config_builders.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

using namespace jitgate;
using namespace jitgate::proxy;
using guardrails::Grant;
using guardrails::GrantStatus;
using namespace std::chrono_literals;
using namespace jitgate::testing;

namespace {

config::Target target(std::string name) {
    config::Target t;
    t.name = std::move(name);
    t.kind = config::TargetKind::postgres;
    return t;
}

// rule 1: group:engineers on orders-db: writer/operator up to 2h, approvers group:dba; writer
//         auto-approved Mon-Fri 09:00-18:00 Europe/Berlin up to 30m.
// rule 2: dave on billing-db: operator up to 4h, approved by bob (by name) only.
// config grant 1: carol has operator on orders-db.
std::shared_ptr<const config::Config> world() {
    using config::RiskClass;
    auto c = std::make_shared<config::Config>();
    c->targets = {target("orders-db"), target("billing-db")};
    c->users = {user("alice", {"engineers"}), user("bob", {"dba"}), user("carol", {"dba"}), user("dave", {}),
                user("frank", {"engineers", "dba"})};
    c->roles = {role("reader", {RiskClass::read}), role("writer", {RiskClass::read, RiskClass::write}),
                role("operator", {RiskClass::read, RiskClass::write, RiskClass::ddl})};
    config::AccessRule engineers;
    engineers.users = {"group:engineers"};
    engineers.targets = {"orders-db"};
    engineers.standing = "reader";
    engineers.requestable = {"writer", "operator"};
    engineers.max_duration = 2h;
    engineers.approvers = {"group:dba"};
    engineers.auto_approve = {config::AutoApprove{{"writer"}, window("Mon-Fri 09:00-18:00 Europe/Berlin"), 30min}};
    config::AccessRule dave;
    dave.users = {"dave"};
    dave.targets = {"billing-db"};
    dave.requestable = {"operator"};
    dave.max_duration = 4h;
    dave.approvers = {"bob"};
    c->access = {engineers, dave};
    config::ConfigGrant carol;
    carol.user = "carol";
    carol.target = "orders-db";
    carol.role = "operator";
    carol.from = at("2025-06-01T00:00:00Z");
    carol.until = at("2025-12-01T18:00:00Z");
    carol.approved_by = "bob";
    carol.reason = "CHG-1234 schema migration";
    c->grants = {carol};
    return c;
}

constexpr std::string_view weekday_inside = "2025-01-15T08:30:00Z";  // Wed 09:30 CET
constexpr std::string_view weekday_early = "2025-01-15T05:55:00Z";   // Wed 06:55 CET: outside
constexpr std::string_view saturday = "2025-01-18T10:00:00Z";        // Sat 11:00 CET: outside

// A service over a fresh SQLite store in a temp dir, with a clock the test sets.
struct Fixture {
    testing::TempDir dir{"jitgate-grant-service"};
    std::unique_ptr<Store> store;
    config::TimePoint clock = at(weekday_inside);
    std::unique_ptr<GrantService> service;
    Fixture() {
        Result<std::unique_ptr<Store>> opened = open_store("sqlite:" + (dir.path / "state.db").string());
        INFO(opened.error);
        REQUIRE(opened);
        store = std::move(*opened.value);
        service = std::make_unique<GrantService>(world(), *store, [this] { return clock; });
    }
    Grant requested(std::string who, std::string target_name, std::string role_name, config::Seconds how_long) {
        const GrantOutcome made = service->request({who, "os-" + who}, {target_name, role_name, how_long, "INC-1"});
        INFO(made.error);
        REQUIRE(made);
        return *made.grant;
    }
};

}  // namespace

TEST_CASE("requests follow the access rules, max_duration, the reason rule and auto-approval windows") {
    struct Case {
        const char* what;
        std::string who;
        std::string target;
        std::string role;
        config::Seconds duration;
        std::string reason;
        std::string_view when;
        GrantRefusal refusal;           // none: accepted
        GrantStatus status;             // when accepted
        std::string error;              // when refused: a part of the sentence
    };
    const std::vector<Case> cases{
        {"inside the window, short enough: approved at once", "alice", "orders-db", "writer", 30min, "INC-1",
         weekday_inside, GrantRefusal::none, GrantStatus::approved, ""},
        {"inside the window, longer than its max: pending", "alice", "orders-db", "writer", 1h, "INC-1",
         weekday_inside, GrantRefusal::none, GrantStatus::pending, ""},
        {"before the window opens (06:55 Berlin): pending", "alice", "orders-db", "writer", 30min, "INC-1",
         weekday_early, GrantRefusal::none, GrantStatus::pending, ""},
        {"on a Saturday: pending", "alice", "orders-db", "writer", 30min, "INC-1", saturday, GrantRefusal::none,
         GrantStatus::pending, ""},
        {"a role without auto-approval: pending", "alice", "orders-db", "operator", 30min, "INC-1", weekday_inside,
         GrantRefusal::none, GrantStatus::pending, ""},
        {"above every rule's max_duration", "alice", "orders-db", "operator", 3h, "INC-1", weekday_inside,
         GrantRefusal::invalid, GrantStatus::pending, ""},
        {"no reason", "alice", "orders-db", "writer", 30min, "", weekday_inside, GrantRefusal::invalid,
         GrantStatus::pending, ""},
        {"a role no rule lets this user request here", "dave", "orders-db", "writer", 30min, "INC-1", weekday_inside,
         GrantRefusal::forbidden, GrantStatus::pending, ""},
        {"an unknown role", "alice", "orders-db", "superuser", 30min, "INC-1", weekday_inside, GrantRefusal::invalid,
         GrantStatus::pending, ""},
        {"an unknown target", "alice", "nowhere", "writer", 30min, "INC-1", weekday_inside, GrantRefusal::invalid,
         GrantStatus::pending, ""},
        {"an unknown user", "mallory", "orders-db", "writer", 30min, "INC-1", weekday_inside, GrantRefusal::forbidden,
         GrantStatus::pending, ""},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        Fixture f;
        f.clock = at(c.when);
        const GrantOutcome made = f.service->request({c.who, "os-" + c.who}, {c.target, c.role, c.duration, c.reason});
        CHECK(made.refusal == c.refusal);
        if (c.refusal == GrantRefusal::none) {
            INFO(made.error);
            REQUIRE(made);
            CHECK(made.grant->status == c.status);
            CHECK(made.grant->requested_os == "os-" + c.who);
            CHECK(made.grant->decided_os == (c.status == GrantStatus::approved ? "os-" + c.who : std::string{}));
            CHECK(f.store->grant(made.grant->id).value->status == c.status);
        } else {
            CHECK_FALSE(made);
            CHECK_FALSE(made.error.empty());
            CHECK(f.store->grants().value->empty());  // a refused request writes nothing
        }
    }
}

TEST_CASE("an auto-approved grant starts now and lasts what was asked") {
    Fixture f;
    const Grant grant = f.requested("alice", "orders-db", "writer", 30min);
    REQUIRE(grant.status == GrantStatus::approved);
    CHECK(grant.from == f.clock);
    CHECK(grant.until == f.clock + 30min);
    CHECK(grant.decided_by.starts_with("auto:"));
}

TEST_CASE("approve and deny: only an approver of the rule, never the requester, only while pending") {
    struct Case {
        const char* what;
        std::string requester;
        std::string target;
        std::string role;
        std::string decider;
        bool approve;
        GrantRefusal refusal;
        GrantStatus status;  // when accepted
    };
    const std::vector<Case> cases{
        {"an approver by group approves", "alice", "orders-db", "operator", "bob", true, GrantRefusal::none,
         GrantStatus::approved},
        {"an approver by group denies", "alice", "orders-db", "operator", "carol", false, GrantRefusal::none,
         GrantStatus::denied},
        {"an approver by name approves", "dave", "billing-db", "operator", "bob", true, GrantRefusal::none,
         GrantStatus::approved},
        {"a dba not named by the rule may not", "dave", "billing-db", "operator", "carol", true,
         GrantRefusal::forbidden, GrantStatus::pending},
        {"an engineer who is no approver may not", "frank", "orders-db", "operator", "alice", true,
         GrantRefusal::forbidden, GrantStatus::pending},
        {"self-approval is refused, even for an approver", "frank", "orders-db", "operator", "frank", true,
         GrantRefusal::forbidden, GrantStatus::pending},
        {"self-denial is refused too", "frank", "orders-db", "operator", "frank", false, GrantRefusal::forbidden,
         GrantStatus::pending},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        Fixture f;
        const Grant grant = f.requested(c.requester, c.target, c.role, 1h);
        REQUIRE(grant.status == GrantStatus::pending);
        f.clock += 5min;
        const GrantActor decider{c.decider, "os-" + c.decider};
        const GrantOutcome decided = c.approve ? f.service->approve(decider, grant.id) : f.service->deny(decider, grant.id);
        CHECK(decided.refusal == c.refusal);
        const Grant stored = *f.store->grant(grant.id).value;
        if (c.refusal == GrantRefusal::none) {
            INFO(decided.error);
            REQUIRE(decided);
            CHECK(stored.status == c.status);
            CHECK(stored.decided_by == c.decider);
            CHECK(stored.decided_os == "os-" + c.decider);
            CHECK(stored.decided_at == f.clock);
            if (c.status == GrantStatus::approved) {
                CHECK(stored.from == f.clock);
                CHECK(stored.until == f.clock + 1h);
            }
        } else {
            CHECK_FALSE(decided);
            CHECK(stored.status == GrantStatus::pending);
            CHECK(stored.decided_os.empty());
        }
    }
}

TEST_CASE("a second decision on the same grant is refused as not pending and changes nothing") {
    Fixture f;
    const Grant grant = f.requested("alice", "orders-db", "operator", 1h);
    REQUIRE(f.service->approve({"bob", "os-bob"}, grant.id));
    const GrantOutcome again = f.service->approve({"carol", "os-carol"}, grant.id);
    CHECK_FALSE(again);
    CHECK(again.refusal == GrantRefusal::conflict);
    const GrantOutcome denied = f.service->deny({"carol", "os-carol"}, grant.id);
    CHECK_FALSE(denied);
    CHECK(denied.refusal == GrantRefusal::conflict);
    const Grant stored = *f.store->grant(grant.id).value;
    CHECK(stored.status == GrantStatus::approved);
    CHECK(stored.decided_by == "bob");
}

TEST_CASE("revoke ends a pending or approved grant; a denied or revoked one is refused") {
    Fixture f;
    const Grant approved = f.requested("alice", "orders-db", "writer", 30min);  // auto-approved
    const GrantOutcome revoked = f.service->revoke({"alice", "os-alice"}, approved.id);
    INFO(revoked.error);
    REQUIRE(revoked);
    CHECK(revoked.grant->status == GrantStatus::revoked);
    CHECK(revoked.grant->decided_os == "os-alice");
    CHECK(f.service->revoke({"alice", "os-alice"}, approved.id).refusal == GrantRefusal::conflict);

    const Grant pending = f.requested("alice", "orders-db", "operator", 1h);
    CHECK(f.service->revoke({"bob", "os-bob"}, pending.id));
    const Grant denied = f.requested("alice", "orders-db", "operator", 1h);
    REQUIRE(f.service->deny({"bob", "os-bob"}, denied.id));
    CHECK(f.service->revoke({"bob", "os-bob"}, denied.id).refusal == GrantRefusal::conflict);
}

TEST_CASE("unknown ids are not found; config grants only explain themselves and stay as they are") {
    Fixture f;
    for (const auto& step : {&GrantService::approve, &GrantService::deny, &GrantService::revoke}) {
        const GrantOutcome unknown = (*f.service.*step)({"bob", "os-bob"}, "g-nope");
        CHECK_FALSE(unknown);
        CHECK(unknown.refusal == GrantRefusal::not_found);
        CHECK(unknown.error == "no grant g-nope");
        const GrantOutcome config_grant = (*f.service.*step)({"bob", "os-bob"}, "config:1");
        CHECK_FALSE(config_grant);
        CHECK(config_grant.refusal == GrantRefusal::conflict);
        CHECK_FALSE(config_grant.error.empty());
    }
    CHECK(f.store->grants().value->empty());
}

TEST_CASE("list shows config grants then store grants, filtered by user, target and in force") {
    Fixture f;
    f.clock = at("2025-07-16T07:30:00Z");  // Wed 09:30 CEST, while carol's config grant is in force
    const Grant auto_approved = f.requested("alice", "orders-db", "writer", 30min);
    const Grant pending = f.requested("dave", "billing-db", "operator", 1h);
    const auto ids = [&](const GrantListFilter& filter) {
        const GrantList listed = f.service->list(filter);
        INFO(listed.error);
        REQUIRE(listed);
        std::vector<std::string> out;
        for (const Grant& grant : *listed.grants) out.push_back(grant.id);
        return out;
    };
    CHECK(ids({}) == std::vector<std::string>{"config:1", auto_approved.id, pending.id});
    CHECK(ids({false, "dave", ""}) == std::vector<std::string>{pending.id});
    CHECK(ids({false, "", "orders-db"}) == std::vector<std::string>{"config:1", auto_approved.id});
    CHECK(ids({true, "", ""}) == std::vector<std::string>{"config:1", auto_approved.id});
    f.clock += 1h;  // alice's 30 minutes are over
    CHECK(ids({true, "", ""}) == std::vector<std::string>{"config:1"});
}

TEST_CASE("whom a pending request should ask, and the clock cut to whole seconds") {
    Fixture f;
    const Grant pending = f.requested("dave", "billing-db", "operator", 1h);
    CHECK(f.service->approvers_for(pending) == std::vector<std::string>{"bob"});
    f.clock = at(weekday_inside) + 750ms;
    CHECK(f.service->now() == at(weekday_inside));
}
