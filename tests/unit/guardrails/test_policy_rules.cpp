// The guardrail decision by rules (DESIGN §4): deny rules by class, table, effect, window and mode (shadow,
// enforce), and the built-in block on text that could turn standard_conforming_strings off.
#include "policy_world.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace policy_world;

TEST_CASE("deny classes match the statement's class and the class of any effect in it", "[policy][rules]") {
    const auto p = policy(erin_breakglass,
                          "  - { id: no-destructive, deny: { classes: [destructive] } }\n"
                          "  - { id: no-writes, deny: { classes: [write] } }\n");
    // erin holds breakglass (all six classes): only the rules stand in the way.
    const std::vector<Row> rows{
        {"erin", "orders-db", "SELECT * FROM orders", monday, Verdict::allow, ""},
        {"erin", "orders-db", "CREATE TABLE t (id int)", monday, Verdict::allow, ""},
        {"erin", "orders-db", "TRUNCATE orders", monday, Verdict::block, "no-destructive"},
        {"erin", "orders-db", "DELETE FROM orders", monday, Verdict::block, "no-destructive"},
        {"erin", "orders-db", "UPDATE orders SET paid = true WHERE id = 1", monday, Verdict::block, "no-writes"},
        // a data-modifying CTE inside a SELECT
        {"erin", "orders-db", "WITH gone AS (DELETE FROM orders WHERE id = 1 RETURNING *) SELECT * FROM gone", monday,
         Verdict::block, "no-writes"},
        // the overall class is ddl, but one effect is a write
        {"erin", "orders-db", "CREATE TABLE t (id int); INSERT INTO t VALUES (1)", monday, Verdict::block, "no-writes"},
    };
    check_rows(*p, rows);
    const Decision d = sql(*p, "erin", "orders-db", "TRUNCATE orders");
    CHECK_THAT(d.reason, Catch::Contains("denied by guardrail no-destructive"));
    CHECK_THAT(d.hint, Catch::Contains("guardrail no-destructive applies whatever grant you hold"));
    CHECK(d.grant.empty());
    CHECK_FALSE(d.grant_until.has_value());
}

TEST_CASE("deny tables match schema-qualified and bare names without case, filtered by effect", "[policy][rules]") {
    const auto p = policy(erin_breakglass,
                          "  - { id: no-card-data, deny: { tables: [\"payments.cards\"], effects: [read] } }\n"
                          "  - { id: no-tokens, deny: { tables: [tokens] } }\n");
    const std::vector<Row> rows{
        {"erin", "orders-db", "SELECT * FROM payments.cards", monday, Verdict::block, "no-card-data"},
        {"erin", "orders-db", "SELECT * FROM cards", monday, Verdict::block, "no-card-data"},
        {"erin", "orders-db", "SELECT * FROM PAYMENTS.CARDS", monday, Verdict::block, "no-card-data"},
        {"erin", "orders-db", "SELECT * FROM \"Payments\".\"Cards\"", monday, Verdict::block, "no-card-data"},
        {"erin", "orders-db", "SELECT * FROM orders o JOIN payments.cards c ON c.id = o.card", monday, Verdict::block,
         "no-card-data"},
        {"erin", "orders-db", "SELECT * FROM other.cards", monday, Verdict::allow, ""},
        {"erin", "orders-db", "SELECT * FROM cardsx", monday, Verdict::allow, ""},
        // the rule denies reads only: writing into the table is some other rule's business
        {"erin", "orders-db", "INSERT INTO payments.cards VALUES (1)", monday, Verdict::allow, ""},
        // a rule on a bare name matches it in any schema, for every effect when none are listed
        {"erin", "orders-db", "SELECT * FROM vault.tokens", monday, Verdict::block, "no-tokens"},
        {"erin", "orders-db", "INSERT INTO x.tokens VALUES (1)", monday, Verdict::block, "no-tokens"},
        {"erin", "orders-db", "DROP TABLE tokens", monday, Verdict::block, "no-tokens"},
        {"erin", "orders-db", "SELECT * FROM tokens_archive", monday, Verdict::allow, ""},
    };
    check_rows(*p, rows);
}

TEST_CASE("a table rule denies renaming, moving or re-exposing its table whatever its effects list",
          "[policy][rules]") {
    // effects: [read] only — yet each of these would let the table be read (or written) under another name.
    const auto p = policy(erin_breakglass,
                          "  - { id: no-card-data, deny: { tables: [\"payments.cards\"], effects: [read] } }\n");
    const std::vector<Row> rows{
        {"erin", "orders-db", "ALTER TABLE payments.cards RENAME TO x", monday, Verdict::block, "no-card-data"},
        {"erin", "orders-db", "ALTER TABLE payments.cards RENAME COLUMN pan TO p", monday, Verdict::block,
         "no-card-data"},
        {"erin", "orders-db", "ALTER TABLE payments.cards SET SCHEMA public", monday, Verdict::block, "no-card-data"},
        {"erin", "orders-db", "ALTER SCHEMA payments RENAME TO p2", monday, Verdict::block, "no-card-data"},
        {"erin", "orders-db", "ALTER SCHEMA payments OWNER TO mallory", monday, Verdict::block, "no-card-data"},
        {"erin", "orders-db", "ALTER TABLE payments.cards OWNER TO mallory", monday, Verdict::block, "no-card-data"},
        {"erin", "orders-db", "ALTER TABLE payments.cards INHERIT public.orders", monday, Verdict::block,
         "no-card-data"},
        {"erin", "orders-db", "ALTER TABLE public.all_cards ATTACH PARTITION payments.cards FOR VALUES IN (1)", monday,
         Verdict::block, "no-card-data"},
        {"erin", "orders-db", "ALTER TABLE payments.cards DISABLE ROW LEVEL SECURITY", monday, Verdict::block,
         "no-card-data"},
        {"erin", "orders-db", "ALTER TABLE payments.cards DISABLE TRIGGER audit_cards", monday, Verdict::block,
         "no-card-data"},
        {"erin", "orders-db", "CREATE TABLE public.more_cards (pan text) INHERITS (payments.cards)", monday,
         Verdict::block, "no-card-data"},
        {"erin", "orders-db", "CREATE TABLE public.p1 PARTITION OF payments.cards FOR VALUES IN (1)", monday,
         Verdict::block, "no-card-data"},
        {"erin", "orders-db", "CREATE VIEW public.v AS SELECT 1 FROM payments.cards", monday, Verdict::block,
         "no-card-data"},
        {"erin", "orders-db", "CREATE MATERIALIZED VIEW public.m AS SELECT pan FROM payments.cards", monday,
         Verdict::block, "no-card-data"},
        {"erin", "orders-db", "CREATE RULE r AS ON INSERT TO public.t DO ALSO INSERT INTO payments.cards VALUES (1)",
         monday, Verdict::block, "no-card-data"},
        {"erin", "orders-db", "CREATE TRIGGER t AFTER INSERT ON payments.cards FOR EACH ROW EXECUTE FUNCTION f()",
         monday, Verdict::block, "no-card-data"},
        {"erin", "orders-db", "CREATE POLICY everyone ON payments.cards USING (true)", monday, Verdict::block,
         "no-card-data"},
        {"erin", "orders-db", "CREATE PUBLICATION leak FOR TABLE payments.cards", monday, Verdict::block,
         "no-card-data"},
        {"erin", "orders-db", "GRANT SELECT ON payments.cards TO PUBLIC", monday, Verdict::block, "no-card-data"},
        {"erin", "orders-db", "GRANT SELECT ON ALL TABLES IN SCHEMA payments TO PUBLIC", monday, Verdict::block,
         "no-card-data"},
        {"erin", "orders-db", "SECURITY LABEL FOR selinux ON TABLE payments.cards IS 'x'", monday, Verdict::block,
         "no-card-data"},
        // what does not re-expose it stays the business of its class and the rule's effects
        {"erin", "orders-db", "INSERT INTO payments.cards VALUES (1)", monday, Verdict::allow, ""},
        {"erin", "orders-db", "CREATE INDEX ON payments.cards (pan)", monday, Verdict::allow, ""},
        {"erin", "orders-db", "ALTER TABLE public.orders RENAME TO orders_old", monday, Verdict::allow, ""},
        {"erin", "orders-db", "ALTER SCHEMA billing RENAME TO billing2", monday, Verdict::allow, ""},
        {"erin", "orders-db", "CREATE VIEW public.v AS SELECT * FROM public.orders", monday, Verdict::allow, ""},
        {"erin", "orders-db", "GRANT SELECT ON public.orders TO PUBLIC", monday, Verdict::allow, ""},
    };
    check_rows(*p, rows);
}

TEST_CASE("window and except_window are judged at the moment of the decision", "[policy][rules]") {
    const auto p = policy(erin_breakglass,
                          "  - id: destructive-only-in-maintenance\n"
                          "    deny: { classes: [destructive] }\n"
                          "    except_window: \"Sun 02:00-04:00 UTC\"\n"
                          "  - id: no-ddl-in-office-hours\n"
                          "    deny: { classes: [ddl] }\n"
                          "    window: \"Mon-Fri 09:00-18:00 UTC\"\n");
    const TimePoint sunday_after = at("2025-07-06T04:00:00Z");  // the window's end is exclusive
    const std::vector<Row> rows{
        {"erin", "orders-db", "TRUNCATE orders", sunday_maintenance, Verdict::allow, ""},
        {"erin", "orders-db", "TRUNCATE orders", sunday_after, Verdict::block, "destructive-only-in-maintenance"},
        {"erin", "orders-db", "TRUNCATE orders", monday, Verdict::block, "destructive-only-in-maintenance"},
        {"erin", "orders-db", "CREATE TABLE t (id int)", monday, Verdict::block, "no-ddl-in-office-hours"},
        {"erin", "orders-db", "CREATE TABLE t (id int)", monday_evening, Verdict::allow, ""},
        {"erin", "orders-db", "CREATE TABLE t (id int)", sunday_maintenance, Verdict::allow, ""},
    };
    check_rows(*p, rows);
    CHECK_THAT(sql(*p, "erin", "orders-db", "TRUNCATE orders", monday).hint,
               Catch::Contains("allows it only during Sun 02:00-04:00 UTC"));
    CHECK_THAT(sql(*p, "erin", "orders-db", "CREATE TABLE t (id int)", monday).hint,
               Catch::Contains("applies during Mon-Fri 09:00-18:00 UTC"));
}

TEST_CASE("a shadow rule turns an allow into a would-block that still goes through", "[policy][rules]") {
    const auto p = policy(erin_breakglass, "  - { id: watch-writes, deny: { classes: [write] }, mode: shadow }\n");
    const Decision d = sql(*p, "erin", "orders-db", "UPDATE orders SET paid = true WHERE id = 1");
    CHECK(d.verdict == Verdict::would_block);
    CHECK_FALSE(d.blocks());
    CHECK(d.rule == "watch-writes");
    CHECK_THAT(d.reason, Catch::Contains("(shadow mode) would deny it"));
    CHECK(d.grant == "config:1");
    // A statement the grants refuse stays blocked, for the missing grant.
    const Decision alice = sql(*p, "alice", "orders-db", "UPDATE orders SET paid = true WHERE id = 1");
    CHECK(alice.blocks());
    CHECK(alice.rule == "missing grant: write on orders-db");
    // Untouched statements are plain allows.
    CHECK(sql(*p, "erin", "orders-db", "SELECT 1").verdict == Verdict::allow);
}

TEST_CASE("enforce rules win over any grant and the first matching rule decides", "[policy][rules]") {
    // The shadow rule comes first in the file but enforce rules are checked before grants and shadows.
    const auto p = policy(erin_breakglass,
                          "  - { id: shadow-ddl, deny: { classes: [ddl] }, mode: shadow }\n"
                          "  - { id: first-ddl, deny: { classes: [ddl] } }\n"
                          "  - { id: second-ddl, deny: { classes: [ddl, admin] } }\n"
                          "  - { id: no-unknown, deny: { classes: [unknown] } }\n");
    const std::vector<Row> rows{
        {"erin", "orders-db", "CREATE TABLE t (id int)", monday, Verdict::block, "first-ddl"},
        {"erin", "orders-db", "VACUUM orders", monday, Verdict::block, "second-ddl"},
        {"erin", "orders-db", "SELEC 1", monday, Verdict::block, "no-unknown"},
        {"erin", "orders-db", "DROP TABLE orders", monday, Verdict::allow, ""},
        // a rule blocks before the grant check: alice is told about the rule, not the grant
        {"alice", "orders-db", "CREATE TABLE t (id int)", monday, Verdict::block, "first-ddl"},
    };
    check_rows(*p, rows);
}

TEST_CASE("text that could turn standard_conforming_strings off is blocked whatever the grant", "[policy][rules]") {
    const auto p = policy(erin_breakglass);
    for (const std::string_view text :
         {"SET standard_conforming_strings = off", "SET client_encoding = 'SJIS'",
          "SET LOCAL standard_conforming_strings TO false", "SET SESSION standard_conforming_strings = 0",
          "SELECT set_config('standard_conforming_strings', 'off', false)",
          "SELECT pg_catalog.set_config('standard_conforming_strings', 'of' || 'f', true)"}) {
        CAPTURE(text);
        const Decision d = sql(*p, "erin", "orders-db", text);
        CHECK(d.blocks());
        CHECK(d.rule == guardrails::lexer_settings_rule);
        CHECK_THAT(d.hint, Catch::Contains("no grant lifts this rule"));
        CHECK(d.grant.empty());
    }
    // The built-in rule comes before the grant check, and a Parse is decided like a Query.
    const Decision parse = sql(*p, "alice", "orders-db", "SET standard_conforming_strings = off", monday,
                               CommandKind::parse);
    CHECK(parse.rule == guardrails::lexer_settings_rule);
}

// Issue 11 item 8: RESET, DEFAULT, RESET ALL and DISCARD ALL go back to the start value jitgate pins to on,
// SET … on keeps it, and a function's own settings never change how the session is lexed.
TEST_CASE("what cannot turn standard_conforming_strings off takes its ordinary class, not the built-in block",
          "[policy][rules]") {
    const auto p = policy(erin_breakglass);
    const std::vector<Row> rows{
        {"erin", "orders-db", "RESET ALL", monday, Verdict::allow, ""},
        {"erin", "orders-db", "DISCARD ALL", monday, Verdict::allow, ""},
        {"erin", "orders-db", "RESET standard_conforming_strings", monday, Verdict::allow, ""},
        {"erin", "orders-db", "SET standard_conforming_strings = on", monday, Verdict::allow, ""},
        {"erin", "orders-db", "ALTER FUNCTION f() RESET ALL", monday, Verdict::allow, ""},
        {"erin", "orders-db", "ALTER FUNCTION f() SET standard_conforming_strings = off", monday, Verdict::allow, ""},
        {"alice", "orders-db", "RESET standard_conforming_strings", monday, Verdict::allow, ""},
        {"alice", "orders-db", "SET standard_conforming_strings = on", monday, Verdict::allow, ""},
        {"alice", "orders-db", "DISCARD ALL", monday, Verdict::block, "missing grant: admin on orders-db"},
        {"alice", "orders-db", "RESET ALL", monday, Verdict::block, "missing grant: admin on orders-db"},
        {"alice", "orders-db", "ALTER FUNCTION f() RESET ALL", monday, Verdict::block, "missing grant: ddl on orders-db"},
    };
    check_rows(*p, rows);
}
