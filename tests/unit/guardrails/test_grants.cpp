// Unit tests of the grant model: tables of (who, target, role, duration, reason, clock) → outcome for
// requests and auto-approval (windows in Europe/Berlin across DST), approvers by name and group,
// self-approval, deny, revoke, expiry, and the roles in force from standing rules, the store and config.
#include "guardrails/grants.hpp"

#include "tests/unit/config_builders.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace jitgate;
using guardrails::Grant;
using guardrails::GrantErrorCode;
using guardrails::GrantStatus;
using namespace std::chrono_literals;
using namespace jitgate::testing;

namespace {

config::Target target(std::string name, config::TargetKind kind = config::TargetKind::postgres) {
    config::Target t;
    t.name = std::move(name);
    t.kind = kind;
    return t;
}

// The world of DESIGN §3, plus a rule that names its approver and one that auto-approves with no window.
//   rule 1: group:engineers on orders-db and web-*: standing reader; writer/operator up to 2h, approvers
//           group:dba; writer auto-approved Mon-Fri 09:00-18:00 Europe/Berlin up to 30m.
//   rule 2: dave on billing-db: operator up to 4h, approved by bob (by name) only.
//   rule 3: erin on billing-db: breakglass up to 1h, auto-approved at any time up to 15m, approvers group:dba.
//   config grant 1: carol has operator on orders-db from 2025-06-01 until 2025-12-01T18:00Z.
config::Config world() {
    using config::RiskClass;
    config::Config c;
    c.targets = {target("orders-db"), target("billing-db"), target("web-1", config::TargetKind::ssh)};
    c.users = {user("alice", {"engineers"}), user("bob", {"dba"}), user("carol", {"dba"}), user("dave", {}),
               user("erin", {"oncall"}), user("frank", {"engineers", "dba"})};
    c.roles = {role("reader", {RiskClass::read}), role("writer", {RiskClass::read, RiskClass::write}),
               role("operator", {RiskClass::read, RiskClass::write, RiskClass::ddl}),
               role("breakglass", {RiskClass::read, RiskClass::write, RiskClass::ddl, RiskClass::admin,
                                   RiskClass::destructive})};

    config::AccessRule engineers;
    engineers.users = {"group:engineers"};
    engineers.targets = {"orders-db", "web-*"};
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

    config::AccessRule erin;
    erin.users = {"erin"};
    erin.targets = {"billing-db"};
    erin.requestable = {"breakglass"};
    erin.max_duration = 1h;
    erin.approvers = {"group:dba"};
    erin.auto_approve = {config::AutoApprove{{"breakglass"}, std::nullopt, 15min}};

    c.access = {engineers, dave, erin};

    config::ConfigGrant carol;
    carol.user = "carol";
    carol.target = "orders-db";
    carol.role = "operator";
    carol.from = at("2025-06-01T00:00:00Z");
    carol.until = at("2025-12-01T18:00:00Z");
    carol.approved_by = "bob";
    carol.reason = "CHG-1234 schema migration";
    c.grants = {carol};
    return c;
}

// Wednesdays on either side of the DST change: 09:30 local is 08:30Z in winter and 07:30Z in summer.
constexpr std::string_view winter_inside = "2025-01-15T08:30:00Z";   // Wed 09:30 CET
constexpr std::string_view winter_early = "2025-01-15T07:30:00Z";    // Wed 08:30 CET: outside
constexpr std::string_view summer_inside = "2025-07-16T07:30:00Z";   // Wed 09:30 CEST
constexpr std::string_view summer_late = "2025-07-16T16:30:00Z";     // Wed 18:30 CEST: outside
constexpr std::string_view winter_late = "2025-01-15T16:30:00Z";     // Wed 17:30 CET: inside
constexpr std::string_view saturday = "2025-01-18T10:00:00Z";        // Sat 11:00 CET: outside
constexpr std::string_view after_dst = "2025-03-31T07:30:00Z";       // Mon 09:30 CEST, the day after the change

guardrails::GrantRequest ask(std::string who, std::string where, std::string what, config::Seconds how_long,
                             std::string why = "INC-4711") {
    return guardrails::GrantRequest{"g-000001", std::move(who), std::move(where), std::move(what), how_long,
                                    std::move(why)};
}

Grant pending(std::string who, std::string where, std::string what, config::Seconds how_long) {
    const guardrails::GrantResult r =
        guardrails::request(world(), ask(std::move(who), std::move(where), std::move(what), how_long), at(saturday));
    REQUIRE(r);
    REQUIRE(r.grant->status == GrantStatus::pending);
    return *r.grant;
}

}  // namespace

TEST_CASE("a request is checked against the access rules and auto-approved only inside its window", "[grants]") {
    struct Row {
        std::string who, target, role;
        config::Seconds duration;
        std::string reason;
        std::string_view clock;
        std::optional<GrantStatus> status;     // expected on success
        std::optional<GrantErrorCode> error;   // expected on refusal
        std::string decided_by;
    };
    using S = GrantStatus;
    using E = GrantErrorCode;
    const std::string auto1 = "auto:access[1].auto_approve[1]";
    const std::string auto3 = "auto:access[3].auto_approve[1]";
    const std::vector<Row> rows{
        // requestable through group:engineers, on a name and on a glob
        {"alice", "orders-db", "writer", 1h, "INC-4711", saturday, S::pending, {}, ""},
        {"alice", "web-1", "operator", 2h, "INC-4711", winter_inside, S::pending, {}, ""},
        {"frank", "orders-db", "operator", 30min, "INC-4711", winter_inside, S::pending, {}, ""},
        // not requestable: wrong role, wrong user, wrong target, the standing role, unknowns
        {"alice", "orders-db", "breakglass", 10min, "INC-4711", saturday, {}, E::not_requestable, ""},
        {"bob", "orders-db", "writer", 10min, "INC-4711", saturday, {}, E::not_requestable, ""},
        {"alice", "billing-db", "operator", 10min, "INC-4711", saturday, {}, E::not_requestable, ""},
        {"alice", "orders-db", "reader", 10min, "INC-4711", saturday, {}, E::not_requestable, ""},
        {"mallory", "orders-db", "writer", 10min, "INC-4711", saturday, {}, E::unknown_user, ""},
        {"alice", "web-9", "writer", 10min, "INC-4711", saturday, {}, E::unknown_target, ""},
        {"alice", "orders-db", "superuser", 10min, "INC-4711", saturday, {}, E::unknown_role, ""},
        // max_duration of the rule, zero durations, reasons
        {"alice", "orders-db", "operator", 2h, "INC-4711", saturday, S::pending, {}, ""},
        {"alice", "orders-db", "operator", 2h + 1s, "INC-4711", saturday, {}, E::too_long, ""},
        {"dave", "billing-db", "operator", 4h, "INC-4711", saturday, S::pending, {}, ""},
        {"dave", "billing-db", "operator", 5h, "INC-4711", saturday, {}, E::too_long, ""},
        {"alice", "orders-db", "writer", 0s, "INC-4711", saturday, {}, E::bad_duration, ""},
        {"alice", "orders-db", "writer", 10min, "", saturday, {}, E::no_reason, ""},
        {"alice", "orders-db", "writer", 10min, "  \t", saturday, {}, E::no_reason, ""},
        // auto-approval: inside the window (winter and summer), within its 30m
        {"alice", "orders-db", "writer", 30min, "INC-4711", winter_inside, S::approved, {}, auto1},
        {"alice", "orders-db", "writer", 15min, "INC-4711", summer_inside, S::approved, {}, auto1},
        {"alice", "orders-db", "writer", 30min, "INC-4711", winter_late, S::approved, {}, auto1},
        {"alice", "orders-db", "writer", 30min, "INC-4711", after_dst, S::approved, {}, auto1},
        {"alice", "web-1", "writer", 5min, "INC-4711", winter_inside, S::approved, {}, auto1},
        // ... but not outside it (the same UTC hour falls outside in the other season), nor above 30m,
        // nor for a role it does not list: those stay pending for a human
        {"alice", "orders-db", "writer", 30min, "INC-4711", winter_early, S::pending, {}, ""},
        {"alice", "orders-db", "writer", 30min, "INC-4711", summer_late, S::pending, {}, ""},
        {"alice", "orders-db", "writer", 30min, "INC-4711", saturday, S::pending, {}, ""},
        {"alice", "orders-db", "writer", 31min, "INC-4711", winter_inside, S::pending, {}, ""},
        {"alice", "orders-db", "operator", 10min, "INC-4711", winter_inside, S::pending, {}, ""},
        // an auto-approval entry with no window approves at any time, within its own max_duration
        {"erin", "billing-db", "breakglass", 15min, "INC-4711", saturday, S::approved, {}, auto3},
        {"erin", "billing-db", "breakglass", 16min, "INC-4711", saturday, S::pending, {}, ""},
        {"erin", "billing-db", "breakglass", 61min, "INC-4711", saturday, {}, E::too_long, ""},
    };
    const config::Config config = world();
    for (const Row& row : rows) {
        CAPTURE(row.who, row.target, row.role, row.duration.count(), row.reason, row.clock);
        const config::TimePoint now = at(row.clock);
        const guardrails::GrantResult r =
            guardrails::request(config, ask(row.who, row.target, row.role, row.duration, row.reason), now);
        if (row.error) {
            REQUIRE_FALSE(r);
            CHECK(r.error.code == *row.error);
            CHECK_FALSE(r.error.message.empty());
            continue;
        }
        REQUIRE(r);
        CHECK(r.grant->status == *row.status);
        CHECK(r.grant->decided_by == row.decided_by);
        CHECK(r.grant->requested_at == now);
        CHECK(r.grant->source == guardrails::GrantSource::store);
        if (*row.status == S::approved) {
            CHECK(r.grant->from == now);
            CHECK(r.grant->until == now + row.duration);
        } else {
            CHECK_FALSE(r.grant->until.has_value());
        }
    }
}

TEST_CASE("refusals say who may not do what and why", "[grants]") {
    const config::Config config = world();
    const auto message = [&](guardrails::GrantRequest a) {
        return guardrails::request(config, a, at(saturday)).error.message;
    };
    CHECK(message(ask("alice", "orders-db", "breakglass", 10min)) ==
          "alice may not request breakglass on orders-db: no access rule lists it as requestable");
    CHECK(message(ask("alice", "orders-db", "writer", 3h)) == "3h is longer than the 2h allowed for writer on orders-db");
    CHECK(message(ask("alice", "orders-db", "writer", 1h, "")).starts_with("a reason is required"));
}

TEST_CASE("approvers come from the rule, by name or group, and never approve themselves", "[grants]") {
    struct Row {
        std::string requester, target, role, approver;
        std::optional<GrantErrorCode> error;
    };
    using E = GrantErrorCode;
    const std::vector<Row> rows{
        {"alice", "orders-db", "writer", "bob", {}},                     // group:dba
        {"alice", "orders-db", "writer", "carol", {}},                   // group:dba
        {"alice", "orders-db", "writer", "dave", E::not_an_approver},    // in no listed group
        {"alice", "orders-db", "writer", "alice", E::self_approval},
        {"alice", "orders-db", "writer", "mallory", E::unknown_user},
        {"frank", "orders-db", "writer", "frank", E::self_approval},     // a dba asking for themself
        {"frank", "orders-db", "writer", "bob", {}},
        {"dave", "billing-db", "operator", "bob", {}},                   // listed by name
        {"dave", "billing-db", "operator", "carol", E::not_an_approver}, // dba, but the rule names only bob
        {"erin", "billing-db", "breakglass", "carol", {}},               // above the auto-approval limit
    };
    const config::Config config = world();
    const config::TimePoint now = at(winter_inside);
    for (const Row& row : rows) {
        CAPTURE(row.requester, row.target, row.role, row.approver);
        const Grant grant = pending(row.requester, row.target, row.role, 45min);
        for (const bool approving : {true, false}) {
            const guardrails::GrantResult r = approving ? guardrails::approve(config, grant, row.approver, now)
                                                        : guardrails::deny(config, grant, row.approver, now);
            if (row.error) {
                REQUIRE_FALSE(r);
                CHECK(r.error.code == *row.error);
                continue;
            }
            REQUIRE(r);
            CHECK(r.grant->decided_by == row.approver);
            CHECK(r.grant->decided_at == now);
            if (approving) {
                CHECK(r.grant->status == GrantStatus::approved);
                CHECK(r.grant->from == now);
                CHECK(r.grant->until == now + 45min);   // the validity starts at approval
            } else {
                CHECK(r.grant->status == GrantStatus::denied);
                CHECK_FALSE(r.grant->until.has_value());
            }
        }
    }
    const Grant grant = pending("alice", "orders-db", "writer", 45min);
    CHECK(guardrails::approve(config, grant, "alice", now).error.message == "self-approval is not allowed");
    CHECK(guardrails::approvers_for(config, grant) == std::vector<std::string>{"group:dba"});
    CHECK(guardrails::approvers_for(config, pending("dave", "billing-db", "operator", 1h)) ==
          std::vector<std::string>{"bob"});
}

TEST_CASE("only a pending grant is decided, and a rule removed since the request blocks approval", "[grants]") {
    const config::Config config = world();
    const config::TimePoint now = at(saturday);
    const Grant grant = pending("alice", "orders-db", "writer", 1h);
    const guardrails::GrantResult approved = guardrails::approve(config, grant, "bob", now);
    REQUIRE(approved);
    CHECK(guardrails::approve(config, *approved.grant, "carol", now).error.code == GrantErrorCode::not_pending);
    CHECK(guardrails::deny(config, *approved.grant, "carol", now).error.code == GrantErrorCode::not_pending);
    const guardrails::GrantResult denied = guardrails::deny(config, grant, "bob", now);
    REQUIRE(denied);
    CHECK(guardrails::approve(config, *denied.grant, "carol", now).error.code == GrantErrorCode::not_pending);

    config::Config tightened = world();
    tightened.access[0].requestable = {"operator"};
    CHECK(guardrails::approve(tightened, grant, "bob", now).error.code == GrantErrorCode::not_requestable);
    tightened.access[0].requestable = {"writer"};
    tightened.access[0].max_duration = 30min;
    CHECK(guardrails::approve(tightened, grant, "bob", now).error.code == GrantErrorCode::not_requestable);
}

TEST_CASE("revoke ends a pending or approved grant; expiry is computed from the clock", "[grants]") {
    const config::Config config = world();
    const config::TimePoint t0 = at(saturday);
    const Grant request = pending("alice", "orders-db", "writer", 1h);
    const Grant approved = *guardrails::approve(config, request, "bob", t0).grant;

    CHECK(guardrails::status_at(approved, t0 + 59min) == GrantStatus::approved);
    CHECK(guardrails::in_force(approved, t0 + 59min));
    CHECK(guardrails::status_at(approved, t0 + 1h) == GrantStatus::expired);
    CHECK_FALSE(guardrails::in_force(approved, t0 + 1h));
    CHECK(guardrails::status_at(request, t0 + 10h) == GrantStatus::pending);

    const guardrails::GrantResult revoked_pending = guardrails::revoke(request, "alice", t0);
    REQUIRE(revoked_pending);
    CHECK(revoked_pending.grant->status == GrantStatus::revoked);

    const guardrails::GrantResult revoked = guardrails::revoke(approved, "carol", t0 + 10min);
    REQUIRE(revoked);
    CHECK(revoked.grant->status == GrantStatus::revoked);
    CHECK(revoked.grant->decided_by == "carol");
    CHECK(revoked.grant->until == t0 + 10min);
    CHECK_FALSE(guardrails::in_force(*revoked.grant, t0 + 10min));

    CHECK(guardrails::revoke(*revoked.grant, "carol", t0).error.code == GrantErrorCode::not_revocable);
    CHECK(guardrails::revoke(approved, "carol", t0 + 2h).error.code == GrantErrorCode::not_revocable);   // expired
    const Grant denied = *guardrails::deny(config, request, "bob", t0).grant;
    CHECK(guardrails::revoke(denied, "bob", t0).error.code == GrantErrorCode::not_revocable);
    const Grant from_config = guardrails::config_grants(config).at(0);
    CHECK(from_config.id == "config:1");
    CHECK(guardrails::revoke(from_config, "bob", t0).error.code == GrantErrorCode::not_revocable);
    CHECK(guardrails::approve(config, from_config, "bob", t0).error.code == GrantErrorCode::not_pending);
}

TEST_CASE("active roles: standing roles, store grants in force and config grants in their interval", "[grants]") {
    const config::Config config = world();
    const config::TimePoint t0 = at("2025-07-05T10:00:00Z");   // a Saturday inside carol's config grant
    const auto approved = [&](std::string who, std::string where, std::string what, config::Seconds how_long) {
        return *guardrails::approve(config, pending(std::move(who), std::move(where), std::move(what), how_long),
                                    "bob", t0)
                    .grant;
    };
    const Grant alice_writer = approved("alice", "orders-db", "writer", 1h);
    const Grant alice_operator_web = approved("alice", "web-1", "operator", 2h);
    const Grant dave_operator = approved("dave", "billing-db", "operator", 4h);
    const Grant alice_revoked = *guardrails::revoke(approved("alice", "orders-db", "operator", 2h), "bob", t0).grant;
    const Grant alice_pending = pending("alice", "orders-db", "operator", 1h);
    const std::vector<Grant> store{alice_writer, alice_operator_web, dave_operator, alice_revoked, alice_pending};

    using Roles = std::vector<std::string>;
    struct Row {
        std::string user, target;
        config::TimePoint now;
        Roles roles;
    };
    const std::vector<Row> rows{
        {"alice", "orders-db", t0, {"reader", "writer"}},           // standing + store; revoked/pending ignored
        {"alice", "orders-db", t0 + 59min, {"reader", "writer"}},
        {"alice", "orders-db", t0 + 1h, {"reader"}},                 // writer expired
        {"alice", "web-1", t0 + 90min, {"reader", "operator"}},      // standing through the web-* glob
        {"alice", "billing-db", t0, {}},
        {"dave", "billing-db", t0 + 3h, {"operator"}},               // no standing role, a grant
        {"dave", "billing-db", t0 + 4h, {}},
        {"bob", "orders-db", t0, {}},
        {"carol", "orders-db", t0, {"operator"}},                    // config grant
        {"carol", "orders-db", at("2025-05-31T23:59:59Z"), {}},      // before its `from`
        {"carol", "orders-db", at("2025-12-01T18:00:00Z"), {}},      // at its `until`
        {"carol", "billing-db", t0, {}},
        {"mallory", "orders-db", t0, {}},                            // unknown users hold nothing
    };
    for (const Row& row : rows) {
        CAPTURE(row.user, row.target);
        CHECK(guardrails::active_roles(config, store, row.user, row.target, row.now) == row.roles);
    }

    // A store grant ends when the allowlist stops offering its role (fail closed); config grants are the
    // allowlist and stand on their own.
    config::Config narrowed = world();
    narrowed.access[0].requestable = {"operator"};
    CHECK(guardrails::active_roles(narrowed, store, "alice", "orders-db", t0) == Roles{"reader"});
    narrowed.access.clear();
    CHECK(guardrails::active_roles(narrowed, store, "carol", "orders-db", t0) == Roles{"operator"});
}

TEST_CASE("grant statuses round-trip through their names", "[grants]") {
    for (const GrantStatus s : {GrantStatus::pending, GrantStatus::approved, GrantStatus::denied, GrantStatus::revoked,
                                GrantStatus::expired}) {
        CHECK(guardrails::parse_grant_status(guardrails::to_string(s)) == s);
    }
    CHECK_FALSE(guardrails::parse_grant_status("granted").has_value());
}
