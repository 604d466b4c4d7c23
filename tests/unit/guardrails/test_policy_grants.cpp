// The guardrail decision by grants (DESIGN §4): standing roles, the hint to the smallest requestable role,
// unknown users and targets, store grants in and out of force, and config grants.
#include "policy_world.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace policy_world;

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
