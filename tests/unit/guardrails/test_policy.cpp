// Unit tests of the guardrail decision (DESIGN §4): tables of (who, target, text, moment) → (verdict,
// rule) over configs loaded from YAML, store grants in and out of force, config grants, deny rules by
// class, table, effect, window and mode, the built-in lexer-settings rule, FunctionCall and Execute,
// how a grant a session relied on ends, and the pipeline swapping its Policy.
#include "guardrails/policy.hpp"
#include "guardrails/shell_classifier.hpp"
#include "guardrails/sql_cache.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

using namespace jitgate;
using namespace std::chrono_literals;
using guardrails::Command;
using guardrails::CommandKind;
using guardrails::Decision;
using guardrails::Grant;
using guardrails::GrantStatus;
using guardrails::Policy;
using guardrails::Verdict;
using config::RiskClass;
using config::TimePoint;

namespace {

// A fixed instant; used in namespace-scope constants too, so it does not assert through Catch.
config::TimePoint at(std::string_view rfc3339) { return config::parse_timestamp(rfc3339).value.value(); }

// For CAPTURE: a moment as seconds since the epoch.
long long epoch(TimePoint when) {
    return std::chrono::duration_cast<std::chrono::seconds>(when.time_since_epoch()).count();
}

// Fixed instants: a Monday morning, the same Monday evening, and the Sunday maintenance window before.
const TimePoint monday = at("2025-07-07T10:00:00Z");
const TimePoint monday_evening = at("2025-07-07T19:00:00Z");
const TimePoint sunday_maintenance = at("2025-07-06T03:00:00Z");

// The world every test starts from; `grants` and `rules` are YAML appended under `grants:` and
// `guardrails:`.
//   alice (engineers) on orders-db: standing reader; writer and operator up to 2h.
//   alice on billing-db: standing reader; writer up to 10m.
//   erin on orders-db: nothing standing; breakglass (all six classes) up to 1h.
//   bob (dba): no access rule at all.
std::string world_yaml(std::string_view grants = "", std::string_view rules = "") {
    std::string yaml =
        "listen: { postgres: 127.0.0.1:6432 }\n"
        "targets:\n"
        "  - { name: orders-db, kind: postgres, address: 127.0.0.1:5432, database: orders, user: app,"
        " password_env: JITGATE_POLICY_TEST_PASSWORD }\n"
        "  - { name: billing-db, kind: postgres, address: 127.0.0.1:5433, database: billing, user: app,"
        " password_env: JITGATE_POLICY_TEST_PASSWORD }\n"
        "users:\n"
        "  - name: alice\n"
        "    groups: [engineers]\n"
        "    password: \"SCRAM-SHA-256$4096:UAd01XGJsppBparPXcBeCg==$RNda8iWfQlO1S/q179NsBaCbT8KuZLoxUjtymgMMVo8=:"
        "bSGXO6gaIm8Wn4q+ojD8LaeK5ELrh9eued+LGOwORng=\"\n"
        "  - { name: bob, groups: [dba] }\n"
        "  - { name: carol, groups: [dba] }\n"
        "  - { name: erin, groups: [oncall] }\n"
        "roles:\n"
        "  reader: { allow: [read] }\n"
        "  writer: { allow: [read, write] }\n"
        "  operator: { allow: [read, write, ddl] }\n"
        "  breakglass: { allow: [read, write, ddl, admin, destructive, unknown] }\n"
        "access:\n"
        "  - { users: [group:engineers], targets: [orders-db], standing: reader, requestable: [writer, operator],"
        " max_duration: 2h, approvers: [group:dba] }\n"
        "  - { users: [alice], targets: [billing-db], standing: reader, requestable: [writer], max_duration: 10m,"
        " approvers: [group:dba] }\n"
        "  - { users: [erin], targets: [orders-db], requestable: [breakglass], max_duration: 1h,"
        " approvers: [group:dba] }\n";
    if (!grants.empty()) yaml += "grants:\n" + std::string{grants};
    if (!rules.empty()) yaml += "guardrails:\n" + std::string{rules};
    return yaml;
}

std::shared_ptr<const config::Config> load(const std::string& yaml) {
    ::setenv("JITGATE_POLICY_TEST_PASSWORD", "unused", 1);
    const config::LoadResult result = config::load_text(yaml, "test.yaml");
    std::string errors;
    for (const config::Diagnostic& d : result.errors) errors += d.to_string() + "\n";
    INFO(errors);
    REQUIRE(result.config);
    return result.config;
}

// The proxy's class source: one cache over the real classifier, shared by every policy of the binary.
guardrails::ClassifyText class_source() {
    static const auto cache =
        std::make_shared<guardrails::ClassCache>(std::make_shared<const guardrails::SqlClassifier>());
    return [cache = cache](std::string_view sql) { return cache->classify(sql); };
}

std::shared_ptr<const guardrails::Classification> classify(std::string_view sql) { return class_source()(sql); }

std::shared_ptr<const Policy> policy(std::string_view grants_yaml = "", std::string_view rules_yaml = "",
                                     std::vector<Grant> store = {}, TimePoint now = monday) {
    return Policy::build(load(world_yaml(grants_yaml, rules_yaml)), std::move(store), class_source(), now);
}

Grant store_grant(std::string id, std::string user, std::string target, std::string role, GrantStatus status,
                  TimePoint from, TimePoint until) {
    Grant g;
    g.id = std::move(id);
    g.user = std::move(user);
    g.target = std::move(target);
    g.role = std::move(role);
    g.status = status;
    g.requested_at = from - 5min;
    g.duration = std::chrono::duration_cast<config::Seconds>(until - from);
    if (status != GrantStatus::pending) {
        g.decided_at = from;
        g.decided_by = "bob";
    }
    if (status == GrantStatus::approved || status == GrantStatus::revoked) {
        g.from = from;
        g.until = until;
    }
    g.reason = "INC-4711";
    return g;
}

Decision sql(const Policy& p, std::string_view user, std::string_view target, std::string_view text,
             TimePoint now = monday, CommandKind kind = CommandKind::query) {
    Command command;
    command.user = user;
    command.target = target;
    command.kind = kind;
    command.text = text;
    return guardrails::decide(p, command, now);
}

Decision no_text(const Policy& p, std::string_view user, std::string_view target, CommandKind kind,
                 const guardrails::Classification* classification = nullptr, TimePoint now = monday) {
    Command command;
    command.user = user;
    command.target = target;
    command.kind = kind;
    command.classification = classification;
    return guardrails::decide(p, command, now);
}

std::string_view verdict_name(Verdict verdict) {
    switch (verdict) {
    case Verdict::allow: return "allow";
    case Verdict::block: return "block";
    case Verdict::would_block: return "would_block";
    }
    return "?";
}

// One row of a decision table: who runs what where and when, and what must come out.
struct Row {
    std::string user, target, text;
    TimePoint now;
    Verdict verdict;
    std::string rule;  // "" for a plain allow
};

void check_rows(const Policy& p, const std::vector<Row>& rows) {
    for (const Row& row : rows) {
        CAPTURE(row.user, row.target, row.text, epoch(row.now));
        const Decision d = sql(p, row.user, row.target, row.text, row.now);
        CHECK(verdict_name(d.verdict) == verdict_name(row.verdict));
        CHECK(d.rule == row.rule);
    }
}

constexpr std::string_view carol_config_grant =
    "  - { user: carol, target: orders-db, role: writer, from: \"2025-07-07T09:00:00Z\","
    " until: \"2025-07-07T11:00:00Z\", approved_by: bob, reason: \"CHG-1234\" }\n";

constexpr std::string_view erin_breakglass =
    "  - { user: erin, target: orders-db, role: breakglass, from: \"2025-07-01T00:00:00Z\","
    " until: \"2025-08-01T00:00:00Z\", approved_by: bob, reason: \"INC-1\" }\n";

}  // namespace

TEST_CASE("a standing reader reads, and a write is blocked with the grant that would allow it", "[policy]") {
    const auto p = policy();
    const Decision read = sql(*p, "alice", "orders-db", "SELECT * FROM orders WHERE id = 1");
    CHECK(read.verdict == Verdict::allow);
    CHECK(read.risk == RiskClass::read);
    CHECK(read.rule.empty());
    CHECK(read.grant.empty());
    CHECK_FALSE(read.grant_until.has_value());
    CHECK(read.config_hash == p->config().hash);
    REQUIRE(read.classification);
    CHECK(read.classification->risk == RiskClass::read);

    const Decision write = sql(*p, "alice", "orders-db", "DELETE FROM orders WHERE id = 1");
    CHECK(write.blocks());
    CHECK(write.risk == RiskClass::write);
    CHECK(write.rule == "missing grant: write on orders-db");
    CHECK_THAT(write.reason, Catch::Contains("your roles (reader) on orders-db do not allow write"));
    CHECK_THAT(write.hint,
               Catch::Contains("jitgate grant request orders-db --role writer --for 30m --reason"));
    CHECK(write.grant.empty());
}

TEST_CASE("the hint offers the smallest requestable role, capped to its rule's max_duration", "[policy]") {
    const auto p = policy();
    struct HintRow {
        std::string user, target, text;
        std::string hint;  // a substring of the hint
    };
    const std::vector<HintRow> rows{
        {"alice", "orders-db", "DELETE FROM orders WHERE id = 1",
         "jitgate grant request orders-db --role writer --for 30m --reason \"...\""},
        {"alice", "orders-db", "CREATE TABLE t (id int)",
         "jitgate grant request orders-db --role operator --for 30m --reason \"...\""},
        {"alice", "billing-db", "INSERT INTO invoices VALUES (1)",
         "jitgate grant request billing-db --role writer --for 10m --reason \"...\""},
        {"erin", "orders-db", "SELECT 1", "jitgate grant request orders-db --role breakglass --for 30m --reason"},
        {"alice", "orders-db", "DELETE FROM orders", "no role you may request on orders-db allows destructive; ask an administrator"},
        {"alice", "billing-db", "CREATE TABLE t (id int)", "no role you may request on billing-db allows ddl; ask an administrator"},
        {"bob", "orders-db", "SELECT 1", "no role you may request on orders-db allows read; ask an administrator"},
    };
    for (const HintRow& row : rows) {
        CAPTURE(row.user, row.target, row.text);
        const Decision d = sql(*p, row.user, row.target, row.text);
        CHECK(d.blocks());
        CHECK_THAT(d.hint, Catch::Contains(row.hint));
    }
}

TEST_CASE("an unknown user or target holds no role and is blocked", "[policy]") {
    const auto p = policy();
    for (const auto& [user, target] : std::vector<std::pair<std::string, std::string>>{
             {"mallory", "orders-db"}, {"alice", "nowhere-db"}, {"bob", "orders-db"}, {"erin", "billing-db"}}) {
        CAPTURE(user, target);
        const Decision d = sql(*p, user, target, "SELECT 1");
        CHECK(d.blocks());
        CHECK(d.rule == "missing grant: read on " + target);
        CHECK_THAT(d.reason, Catch::Contains("you hold no role"));
        CHECK_THAT(d.hint, Catch::Contains("ask an administrator"));
    }
    CHECK(p->subject("mallory", "orders-db") == nullptr);
    CHECK(p->subject("bob", "orders-db") == nullptr);
}

TEST_CASE("an approved store grant allows its role within [from, until) and not at until", "[policy]") {
    const TimePoint from = monday - 30min;
    const TimePoint until = monday + 30min;
    const Grant writer = store_grant("g-7f3a9c", "alice", "orders-db", "writer", GrantStatus::approved, from, until);
    const auto p = policy("", "", {writer}, from - 1h);
    const std::string_view del = "DELETE FROM orders WHERE id = 1";
    struct When {
        TimePoint now;
        bool allowed;
    };
    for (const When& w : std::vector<When>{{from - 1s, false}, {from, true}, {monday, true}, {until - 1s, true},
                                           {until, false}, {until + 1h, false}}) {
        CAPTURE(epoch(w.now));
        const Decision d = sql(*p, "alice", "orders-db", del, w.now);
        CHECK(d.blocks() == !w.allowed);
        if (w.allowed) {
            CHECK(d.verdict == Verdict::allow);
            CHECK(d.grant == "g-7f3a9c");
            CHECK(d.grant_until == until);
        } else {
            CHECK(d.rule == "missing grant: write on orders-db");
            CHECK(d.grant.empty());
            CHECK_FALSE(d.grant_until.has_value());
        }
    }
    // A read is still the standing role's: no grant is relied on.
    const Decision read = sql(*p, "alice", "orders-db", "SELECT 1", monday);
    CHECK(read.verdict == Verdict::allow);
    CHECK(read.grant.empty());
    // Built once the grant has expired, the policy does not hold it at all.
    CHECK(sql(*policy("", "", {writer}, until), "alice", "orders-db", del, until).blocks());
}

TEST_CASE("a pending, denied or revoked grant, or one its access rule no longer offers, allows nothing", "[policy]") {
    const TimePoint from = monday - 30min;
    const TimePoint until = monday + 30min;
    using S = GrantStatus;
    struct GrantRow {
        std::string says;
        Grant grant;
    };
    const std::vector<GrantRow> rows{
        {"pending", store_grant("g-1", "alice", "orders-db", "writer", S::pending, from, until)},
        {"denied", store_grant("g-2", "alice", "orders-db", "writer", S::denied, from, until)},
        {"revoked", store_grant("g-3", "alice", "orders-db", "writer", S::revoked, from, until)},
        // approved, but no access rule offers breakglass to alice on orders-db (any more)
        {"not offered", store_grant("g-4", "alice", "orders-db", "breakglass", S::approved, from, until)},
        // approved, but the rule for alice on billing-db offers only writer
        {"other target's rule", store_grant("g-5", "alice", "billing-db", "operator", S::approved, from, until)},
        // approved for a user the config does not know
        {"unknown user", store_grant("g-6", "mallory", "orders-db", "writer", S::approved, from, until)},
    };
    for (const GrantRow& row : rows) {
        CAPTURE(row.says);
        const auto p = policy("", "", {row.grant}, from);
        for (const std::string_view text : {"DELETE FROM orders WHERE id = 1", "CREATE TABLE t (id int)"}) {
            CAPTURE(text);
            const Decision d = sql(*p, row.grant.user, row.grant.target, text, monday);
            CHECK(d.blocks());
            CHECK(d.grant.empty());
        }
    }
}

TEST_CASE("a config grant allows its role within [from, until) like a store grant", "[policy]") {
    const auto p = policy(carol_config_grant);
    const TimePoint from = at("2025-07-07T09:00:00Z");
    const TimePoint until = at("2025-07-07T11:00:00Z");
    const std::vector<Row> rows{
        {"carol", "orders-db", "UPDATE orders SET paid = true WHERE id = 1", from - 1s, Verdict::block, "missing grant: write on orders-db"},
        {"carol", "orders-db", "UPDATE orders SET paid = true WHERE id = 1", from, Verdict::allow, ""},
        {"carol", "orders-db", "UPDATE orders SET paid = true WHERE id = 1", until - 1s, Verdict::allow, ""},
        {"carol", "orders-db", "UPDATE orders SET paid = true WHERE id = 1", until, Verdict::block, "missing grant: write on orders-db"},
        {"carol", "orders-db", "CREATE TABLE t (id int)", monday, Verdict::block, "missing grant: ddl on orders-db"},
        {"carol", "billing-db", "SELECT 1", monday, Verdict::block, "missing grant: read on billing-db"},
    };
    check_rows(*p, rows);
    const Decision d = sql(*p, "carol", "orders-db", "SELECT 1", monday);
    CHECK(d.verdict == Verdict::allow);
    CHECK(d.grant == "config:1");
    CHECK(d.grant_until == until);
    CHECK_THAT(sql(*p, "carol", "orders-db", "CREATE TABLE t (id int)", monday).reason,
               Catch::Contains("your roles (writer)"));
}

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
