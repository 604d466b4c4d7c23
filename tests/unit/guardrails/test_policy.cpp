// The guardrail decision beyond grants and rules (DESIGN §4): the admin list, FunctionCall and Execute, how
// a grant a session relied on ends, the pipeline swapping its Policy, reasons, and shell commands.
#include "policy_world.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace policy_world;

// Issue 11 item 1: DESIGN §4's admin list reaches the decision as admin for a reader and an admin role alike.
TEST_CASE("locks, two-phase commit, lifting read-only and demoting pg_catalog need admin", "[policy]") {
    const auto p = policy(erin_breakglass);
    const std::vector<Row> rows{
        {"alice", "orders-db", "LOCK TABLE orders IN ACCESS SHARE MODE", monday, Verdict::block, "missing grant: admin on orders-db"},
        {"alice", "orders-db", "PREPARE TRANSACTION 'x'", monday, Verdict::block, "missing grant: admin on orders-db"},
        {"alice", "orders-db", "COMMIT PREPARED 'x'", monday, Verdict::block, "missing grant: admin on orders-db"},
        {"alice", "orders-db", "SET default_transaction_read_only = off", monday, Verdict::block, "missing grant: admin on orders-db"},
        {"alice", "orders-db", "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE", monday, Verdict::block, "missing grant: admin on orders-db"},
        {"alice", "orders-db", "SET search_path = public, pg_catalog", monday, Verdict::block, "missing grant: admin on orders-db"},
        {"alice", "orders-db", "SELECT * FROM pg_authid", monday, Verdict::block, "missing grant: admin on orders-db"},
        {"alice", "orders-db", "SET search_path = app, public", monday, Verdict::allow, ""},
        {"alice", "orders-db", "SET default_transaction_read_only = on", monday, Verdict::allow, ""},
        {"erin", "orders-db", "LOCK TABLE orders", monday, Verdict::allow, ""},
        {"erin", "orders-db", "SET search_path = public, pg_catalog", monday, Verdict::allow, ""},
    };
    check_rows(*p, rows);
}

TEST_CASE("a FunctionCall is unknown: blocked unless a role lists unknown or a rule denies it", "[policy]") {
    const auto plain = policy(erin_breakglass);
    const Decision alice = no_text(*plain, "alice", "orders-db", CommandKind::function_call);
    CHECK(alice.blocks());
    CHECK(alice.risk == RiskClass::unknown);
    CHECK(alice.rule == "missing grant: unknown on orders-db");
    CHECK_THAT(alice.reason, Catch::Contains("a FunctionCall message"));
    const Decision erin = no_text(*plain, "erin", "orders-db", CommandKind::function_call);
    CHECK(erin.verdict == Verdict::allow);
    CHECK(erin.risk == RiskClass::unknown);
    CHECK(erin.grant == "config:1");

    // A table rule that denies unknown effects covers a command whose tables nobody can name...
    const auto guarded = policy(erin_breakglass,
                                "  - { id: cards-read, deny: { tables: [\"payments.cards\"], effects: [read, write] } }\n"
                                "  - { id: cards-unknown, deny: { tables: [\"payments.cards\"], effects: [unknown] } }\n");
    const Decision blocked = no_text(*guarded, "erin", "orders-db", CommandKind::function_call);
    CHECK(blocked.blocks());
    CHECK(blocked.rule == "cards-unknown");
    // ...and one without unknown among its effects does not.
    const auto read_only = policy(erin_breakglass,
                                  "  - { id: cards-read, deny: { tables: [\"payments.cards\"], effects: [read, write] } }\n");
    CHECK(no_text(*read_only, "erin", "orders-db", CommandKind::function_call).verdict == Verdict::allow);
}

TEST_CASE("an Execute is decided by the class its statement got at Parse; none is unknown", "[policy]") {
    const TimePoint from = monday - 30min;
    const TimePoint until = monday + 30min;
    const auto p = policy("", "", {store_grant("g-1", "alice", "orders-db", "writer", GrantStatus::approved, from, until)},
                          from);
    const auto del = classify("DELETE FROM orders WHERE id = 1");
    REQUIRE(del->risk == RiskClass::write);
    const auto ddl = classify("CREATE TABLE t (id int)");

    const Decision in_force = no_text(*p, "alice", "orders-db", CommandKind::execute, del.get(), monday);
    CHECK(in_force.verdict == Verdict::allow);
    CHECK(in_force.risk == RiskClass::write);
    CHECK(in_force.grant == "g-1");
    CHECK_FALSE(in_force.classification);  // only Query and Parse carry a classification out

    // The grant ended between Parse and Execute.
    const Decision after = no_text(*p, "alice", "orders-db", CommandKind::execute, del.get(), until);
    CHECK(after.blocks());
    CHECK(after.rule == "missing grant: write on orders-db");

    CHECK(no_text(*p, "alice", "orders-db", CommandKind::execute, ddl.get(), monday).rule ==
          "missing grant: ddl on orders-db");
    const Decision unseen = no_text(*p, "alice", "orders-db", CommandKind::execute, nullptr, monday);
    CHECK(unseen.blocks());
    CHECK(unseen.risk == RiskClass::unknown);
    CHECK_THAT(unseen.reason, Catch::Contains("an Execute of a portal jitgate did not see bound"));

    // The Execute's text, if any, is not read: only the classification counts.
    Command command;
    command.user = "alice";
    command.target = "orders-db";
    command.kind = CommandKind::execute;
    command.text = "SELECT 1";
    CHECK(guardrails::decide(*p, command, monday).risk == RiskClass::unknown);
}

TEST_CASE("a grant a session relied on ends by expiry, revocation or removal", "[policy]") {
    const TimePoint from = monday - 30min;
    const TimePoint until = monday + 30min;
    const Grant approved = store_grant("g-1", "alice", "orders-db", "writer", GrantStatus::approved, from, until);
    const auto p = policy(carol_config_grant, "", {approved}, from);

    // In force: nothing has ended.
    CHECK_FALSE(p->ended("alice", "orders-db", "g-1", until, monday).has_value());
    CHECK_FALSE(p->ended("carol", "orders-db", "config:1", at("2025-07-07T11:00:00Z"), monday).has_value());

    // Expired, seen with the policy that still holds it and with one rebuilt after expiry.
    for (const auto& q : {p, policy(carol_config_grant, "", {approved}, until + 1h)}) {
        const auto end = q->ended("alice", "orders-db", "g-1", until, until + 1min);
        REQUIRE(end.has_value());
        CHECK_FALSE(end->revoked);
        CHECK(end->at == until);
    }

    // Revoked: ended at the revocation.
    Grant revoked = approved;
    revoked.status = GrantStatus::revoked;
    revoked.decided_at = monday - 10min;
    const auto after_revoke = policy(carol_config_grant, "", {revoked}, monday);
    const auto end = after_revoke->ended("alice", "orders-db", "g-1", until, monday);
    REQUIRE(end.has_value());
    CHECK(end->revoked);
    CHECK(end->at == monday - 10min);

    // Gone from the store, or from the config: revoked now.
    const auto gone = policy("", "", {}, monday);
    for (const auto& [user, id, relied_until] :
         std::vector<std::tuple<std::string, std::string, TimePoint>>{{"alice", "g-1", until},
                                                                      {"carol", "config:1", at("2025-07-07T11:00:00Z")}}) {
        CAPTURE(id);
        const auto removed = gone->ended(user, "orders-db", id, relied_until, monday);
        REQUIRE(removed.has_value());
        CHECK(removed->revoked);
        CHECK(removed->at == monday);
    }

    // The same id with another `until` is not the grant the session relied on.
    const auto other = p->ended("alice", "orders-db", "g-1", until + 1h, monday);
    REQUIRE(other.has_value());
    CHECK(other->revoked);
    CHECK(other->at == monday);
}

TEST_CASE("the pipeline decides with its clock and update() swaps the policy whole", "[policy]") {
    TimePoint now = monday;
    const TimePoint until = monday + 30min;
    guardrails::GuardrailPipeline pipeline(policy(), [&now] { return now; });
    Command command;
    command.user = "alice";
    command.target = "orders-db";
    command.text = "DELETE FROM orders WHERE id = 1";
    CHECK(pipeline.now() == monday);
    CHECK(pipeline.evaluate(command).blocks());

    const auto with_grant =
        policy("", "", {store_grant("g-1", "alice", "orders-db", "writer", GrantStatus::approved, monday, until)});
    pipeline.update(with_grant);
    CHECK(pipeline.policy() == with_grant);
    const Decision allowed = pipeline.evaluate(command);
    CHECK(allowed.verdict == Verdict::allow);
    CHECK(allowed.grant == "g-1");

    now = until;  // the clock, not the policy, ends the grant
    CHECK(pipeline.evaluate(command).blocks());
    now = monday;
    pipeline.update(policy());
    CHECK(pipeline.evaluate(command).blocks());
}

TEST_CASE("the reason names every role held once, even when one role's name contains another's", "[policy]") {
    const std::string yaml =
        "listen: { postgres: 127.0.0.1:6432 }\n"
        "targets:\n"
        "  - { name: orders-db, kind: postgres, address: 127.0.0.1:5432, database: orders, user: app,"
        " password_env: JITGATE_POLICY_TEST_PASSWORD }\n"
        "users:\n"
        "  - { name: alice, groups: [engineers] }\n"
        "roles:\n"
        "  team-reader: { allow: [read] }\n"
        "  reader: { allow: [read] }\n"
        "  writer: { allow: [read, write] }\n"
        "access:\n"
        "  - { users: [alice], targets: [orders-db], standing: team-reader, requestable: [reader, writer],"
        " max_duration: 2h, approvers: [bob] }\n"
        "  - { users: [alice], targets: [orders-db], standing: team-reader }\n";
    std::string with_bob = yaml;
    with_bob.insert(with_bob.find("roles:"), "  - { name: bob, groups: [dba] }\n");
    const std::vector<Grant> store{
        store_grant("g-1", "alice", "orders-db", "reader", GrantStatus::approved, monday - 1h, monday + 1h)};
    const auto p = Policy::build(load(with_bob), store, class_source(), monday);
    const Decision d = sql(*p, "alice", "orders-db", "DELETE FROM orders WHERE id = 1");
    CHECK(d.blocks());
    // team-reader is standing through two rules, and reader is a grant: each is named, once.
    CHECK_THAT(d.reason, Catch::Contains("your roles (team-reader, reader) on orders-db do not allow write"));
}

TEST_CASE("a shell command is decided by its shell class; table rules do not cover it", "[policy]") {
    const auto shell_source = [](std::string_view text) {
        static const guardrails::ShellClassifier classifier;
        return std::make_shared<const guardrails::Classification>(guardrails::as_classification(classifier.classify(text)));
    };
    const auto p = Policy::build(load(world_yaml(erin_breakglass,
                                                 "  - { id: cards, deny: { tables: [\"payments.cards\"] } }\n")),
                                 {}, class_source(), monday, shell_source);
    const auto shell = [&](std::string_view user, std::string_view text) {
        Command command;
        command.user = user;
        command.target = "orders-db";
        command.protocol = guardrails::Protocol::ssh;
        command.kind = CommandKind::shell_exec;
        command.text = text;
        return guardrails::decide(*p, command, monday);
    };
    const Decision ls = shell("alice", "ls -l /srv");
    CHECK(ls.verdict == Verdict::allow);
    CHECK(ls.risk == RiskClass::read);
    const Decision rm = shell("alice", "rm -rf /tmp/x");
    CHECK(rm.blocks());
    CHECK(rm.risk == RiskClass::destructive);
    CHECK(rm.rule == "missing grant: destructive on orders-db");
    CHECK_THAT(rm.reason, Catch::Contains("rm -rf"));
    const Decision unknown = shell("alice", "eval \"$X\"");  // unknown; the table rule (no effects) stays out
    CHECK(unknown.blocks());
    CHECK(unknown.rule == "missing grant: unknown on orders-db");
    CHECK(shell("erin", "rm -rf /tmp/x").verdict == Verdict::allow);  // breakglass holds destructive

    // Without a shell class source every shell command is unknown (fail closed).
    const auto no_shell = policy(erin_breakglass);
    Command command;
    command.user = "alice";
    command.target = "orders-db";
    command.protocol = guardrails::Protocol::ssh;
    command.kind = CommandKind::shell_exec;
    command.text = "ls";
    CHECK(guardrails::decide(*no_shell, command, monday).risk == RiskClass::unknown);
}
