// The SQL class cache (issue 3): which literals a shape strips and where it refuses to guess, the
// literal_sensitive and deallocates flags, the counters of each tier, the cases where sharing a class
// across literals would be wrong, the bound, and two threads at once.
#include "guardrails/sql/sql_cache.hpp"
#include "guardrails/sql/sql_shape.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using jitgate::config::RiskClass;
using jitgate::guardrails::ClassCache;
using jitgate::guardrails::Classification;
using jitgate::guardrails::SqlClassifier;

namespace {

constexpr std::size_t limit = 64 * 1024;

std::optional<std::string> shape(std::string_view sql) {
    std::string out;
    if (!jitgate::guardrails::shape_of(sql, out, limit)) return std::nullopt;
    return out;
}

std::shared_ptr<const SqlClassifier> shared_classifier() {
    static const auto instance = std::make_shared<const SqlClassifier>();
    return instance;
}

struct ShapeCase {
    std::string_view sql;
    std::optional<std::string_view> expected;  // nullopt: no shape, the text is parsed in full
};

// clang-format off
const ShapeCase shape_cases[] = {
    // what is replaced
    {"SELECT abalance FROM pgbench_accounts WHERE aid = 123;", "SELECT abalance FROM pgbench_accounts WHERE aid = \x01I;"},
    {"SELECT 'abc', 'it''s', ''",                   "SELECT \x01S, \x01S, \x01S"},
    {"SELECT 'a\\'",                                "SELECT \x01S"},  // backslash is plain: standard_conforming_strings
    {"SELECT 2147483647, 2147483648",               "SELECT \x01I, \x01N"},
    {"SELECT 00000000000000000001",                 "SELECT \x01I"},
    {"SELECT 1.5, .5, 1., 1e5, 1.5E-3, 2e+10",      "SELECT \x01N, \x01N, \x01N, \x01N, \x01N, \x01N"},
    {"SELECT -1, x-1",                              "SELECT -\x01I, x-\x01I"},
    {"SELECT $1, $12 FROM t WHERE a=$1",            "SELECT $1, $12 FROM t WHERE a=$1"},
    {"SELECT date '2020-01-01', x::numeric(10,2)",  "SELECT date \x01S, x::numeric(\x01I,\x01I)"},
    {"SELECT 1::float(10), 2::FLOAT ( 30 )",        "SELECT \x01I::float(10), \x01I::FLOAT ( 30 )"},
    {"SELECT t1.c2, \"a'b\", \"x\"\"1\" FROM t1",   "SELECT t1.c2, \"a'b\", \"x\"\"1\" FROM t1"},
    {"SELECT 1 -- note 'x' 2\n, 2",                 "SELECT \x01I -- note 'x' 2\n, \x01I"},
    {"SELECT /* a /* nested 'x' */ b */ 1",         "SELECT /* a /* nested 'x' */ b */ \x01I"},
    {"SELECT 1+-- comment\n2",                      "SELECT \x01I+-- comment\n\x01I"},
    {"SELECT 'a' -- 'b'\n",                         "SELECT \x01S -- 'b'\n"},
    {"SELECT 1; SELECT 'x';",                       "SELECT \x01I; SELECT \x01S;"},
    {"",                                            ""},
    // where it refuses to guess
    {"SELECT E'a\\'b'",          std::nullopt},
    {"SELECT U&'d\\0061t'",      std::nullopt},
    {"SELECT U&\"d\"",           std::nullopt},
    {"SELECT B'101', X'1F'",     std::nullopt},
    {"SELECT N'abc'",            std::nullopt},
    {"SELECT date'2020-01-01'",  std::nullopt},
    {"SELECT $$x$$",             std::nullopt},
    {"SELECT $tag$x$tag$",       std::nullopt},
    {"SELECT $1abc",             std::nullopt},
    {"SELECT 1abc",              std::nullopt},
    {"SELECT 0x1F",              std::nullopt},
    {"SELECT 1_000",             std::nullopt},
    {"SELECT 1e",                std::nullopt},
    {"SELECT 1e+",               std::nullopt},
    {"SELECT 1..2",              std::nullopt},
    {"SELECT 1.2.3",             std::nullopt},
    {"SELECT 1'a'",              std::nullopt},
    {"SELECT 'a'\n'b'",          std::nullopt},  // PostgreSQL glues them into 'ab'
    {"SELECT 'a' /* c */ 'b'",   std::nullopt},
    {"SELECT 'unterminated",     std::nullopt},
    {"SELECT \"unterminated",    std::nullopt},
    {"SELECT \"\"",              std::nullopt},
    {"SELECT 1 /* open /* */",   std::nullopt},
    {"SELECT 'caf\xc3\xa9'",     std::nullopt},  // non-ASCII
    {"SELECT 1\f",               std::nullopt},  // control characters, NUL among them
    {std::string_view("SELECT \0 1", 10), std::nullopt},
    {"SELECT '\x01S'",           std::nullopt},  // a placeholder byte in the input
};
// clang-format on

}  // namespace

TEST_CASE("shape_of replaces plain numbers and strings and gives up on anything tricky", "[sql_cache]") {
    for (const ShapeCase& c : shape_cases) {
        INFO(c.sql);
        CHECK(shape(c.sql) == c.expected);
    }
}

TEST_CASE("shape_of lists the literals it replaced, with their kinds", "[sql_cache]") {
    using jitgate::guardrails::LiteralKind;
    const std::string_view sql = "UPDATE t SET a = 'x''y', b = 2.5 WHERE id = 7";
    std::string out;
    std::vector<jitgate::guardrails::ShapeLiteral> literals;
    REQUIRE(jitgate::guardrails::shape_of(sql, out, limit, literals));
    REQUIRE(literals.size() == 3);
    CHECK(sql.substr(literals[0].begin, literals[0].length) == "'x''y'");
    CHECK(literals[0].kind == LiteralKind::string);
    CHECK(sql.substr(literals[1].begin, literals[1].length) == "2.5");
    CHECK(literals[1].kind == LiteralKind::numeric);
    CHECK(sql.substr(literals[2].begin, literals[2].length) == "7");
    CHECK(literals[2].kind == LiteralKind::integer);
}

TEST_CASE("shape_of gives up on a text longer than the limit", "[sql_cache]") {
    std::string out;
    CHECK(jitgate::guardrails::shape_of("SELECT 1", out, 8));
    CHECK_FALSE(jitgate::guardrails::shape_of("SELECT 12", out, 8));
}

TEST_CASE("a classification says whether it read a literal", "[sql_cache]") {
    struct Row {
        std::string_view sql;
        bool literal_sensitive;
    };
    // clang-format off
    const Row rows[] = {
        {"SELECT abalance FROM pgbench_accounts WHERE aid = 123", false},
        {"UPDATE pgbench_accounts SET abalance = abalance + -42 WHERE aid = 7", false},
        {"INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 2, 3, 4, CURRENT_TIMESTAMP)", false},
        {"DELETE FROM t WHERE id IN (1, 2, 3)", false},
        {"SET statement_timeout = 5000", false},
        {"EXPLAIN (ANALYZE) DELETE FROM t WHERE id = 1", false},
        {"DELETE FROM t WHERE 1=2", true},
        {"DELETE FROM t WHERE 1=1", true},
        {"DELETE FROM t WHERE 'a' IS NULL", true},
        {"SELECT set_config('application_name', 'x', false)", true},
        {"SET client_encoding = 'UTF8'", true},
        {"EXPLAIN (ANALYZE 'off') DELETE FROM t", true},
        {"DO 'BEGIN NULL; END'", true},
        {"CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'", true},
        {"COPY t TO '/tmp/x'", true},
        {"SELECT FROM WHERE", true},  // a parse error
        {"SELECT 'caf\xc3", true},     // refused before parsing
    };
    // clang-format on
    for (const Row& row : rows) {
        INFO(row.sql);
        CHECK(shared_classifier()->classify(row.sql).literal_sensitive == row.literal_sensitive);
    }
}

TEST_CASE("DEALLOCATE, DISCARD ALL and DISCARD PLANS deallocate; other statements do not", "[sql_cache]") {
    struct Row {
        std::string_view sql;
        bool deallocates;
    };
    const Row rows[] = {
        {"DEALLOCATE p", true},      {"DEALLOCATE PREPARE ALL", true}, {"SELECT 1; DISCARD ALL", true},
        {"DISCARD PLANS", true},     {"DISCARD TEMP", false},          {"PREPARE p AS SELECT 1", false},
        {"EXECUTE p", false},
    };
    for (const Row& row : rows) {
        INFO(row.sql);
        CHECK(shared_classifier()->classify(row.sql).deallocates == row.deallocates);
    }
}

TEST_CASE("COPY to an empty file name names a file, not STDOUT", "[sql_cache]") {
    CHECK(shared_classifier()->classify("COPY t TO ''").risk == RiskClass::admin);
}

TEST_CASE("pgbench -M simple: the first statement is parsed, the next ones with other numbers are shape hits",
          "[sql_cache]") {
    ClassCache cache(shared_classifier());
    for (int aid = 1; aid <= 50; ++aid) {
        const std::string sql = "SELECT abalance FROM pgbench_accounts WHERE aid = " + std::to_string(aid) + ";";
        CHECK(cache.classify(sql)->risk == RiskClass::read);
    }
    CHECK(cache.classify("SELECT abalance FROM pgbench_accounts WHERE aid = 1;")->risk == RiskClass::read);
    const auto counters = cache.counters();
    CHECK(counters.misses == 1);
    CHECK(counters.shape_hits == 49);
    CHECK(counters.exact_hits == 1);
    CHECK(counters.exact_entries == 1);
    CHECK(counters.shape_entries == 1);
}

TEST_CASE("texts that differ only in a literal the class depends on are each classified in full", "[sql_cache]") {
    struct Row {
        std::string_view first;   // classified (and cached) first
        std::string_view second;  // same shape, another class
        RiskClass second_risk;
    };
    // clang-format off
    const Row rows[] = {
        {"DELETE FROM t WHERE 1=2",                               "DELETE FROM t WHERE 1=1",                   RiskClass::destructive},
        {"UPDATE t SET a = 1 WHERE 'x' = 'y'",                    "UPDATE t SET a = 1 WHERE 'x' = 'x'",        RiskClass::destructive},
        {"SELECT set_config('application_name', 'x', false)",     "SELECT set_config('role', 'x', false)",     RiskClass::admin},
        {"SELECT set_config('application_name', 'x', false)",
         "SELECT set_config('standard_conforming_strings', 'off', false)",                                     RiskClass::admin},
        {"EXPLAIN (ANALYZE 'off') DELETE FROM t",                 "EXPLAIN (ANALYZE 'on') DELETE FROM t",      RiskClass::destructive},
        {"EXPLAIN (ANALYZE 0) DELETE FROM t",                     "EXPLAIN (ANALYZE 1) DELETE FROM t",         RiskClass::destructive},
        {"SET client_encoding = 'UTF8'",                          "SET client_encoding = 'LATIN1'",            RiskClass::admin},
        {"DO 'BEGIN NULL; END'",                                  "DO 'BEGIN DROP TABLE t; END'",              RiskClass::destructive},
        {"COPY t TO ''",                                          "COPY t TO '/etc/passwd'",                   RiskClass::admin},
        {"SELECT 1::float(10)",                                   "SELECT 1::float(0)",                        RiskClass::unknown},
        // issue 11: classes that now depend on a literal's value
        {"SET standard_conforming_strings = on",                  "SET standard_conforming_strings = off",     RiskClass::admin},
        {"SET default_transaction_read_only = on",                "SET default_transaction_read_only = off",   RiskClass::admin},
        {"SET search_path = a, b",                                "SET search_path = a, pg_catalog",           RiskClass::admin},
        {"SELECT set_config('search_path', 'a', false)",          "SELECT set_config('search_path', 'a, pg_catalog', false)", RiskClass::admin},
        {"COPY t TO PROGRAM 'cat'",                               "COPY t TO PROGRAM 'rm -rf /srv'",           RiskClass::destructive},
        {"SELECT dblink_exec('c', 'SELECT 1')",                   "SELECT dblink_exec('c', 'DROP TABLE t')",   RiskClass::destructive},
    };
    // clang-format on
    for (const Row& row : rows) {
        INFO(row.first << " then " << row.second);
        ClassCache cache(shared_classifier());
        CHECK(cache.classify(row.first)->risk == shared_classifier()->classify(row.first).risk);
        const auto second = cache.classify(row.second);
        CHECK(second->risk == row.second_risk);
        CHECK(second->risk == shared_classifier()->classify(row.second).risk);
        CHECK(cache.counters().shape_hits == 0);
    }
}

TEST_CASE("a shape hit gives the classifier's whole answer: class, reason, effects and flags", "[sql_cache]") {
    ClassCache cache(shared_classifier());
    (void)cache.classify("UPDATE pgbench_tellers SET tbalance = tbalance + 10 WHERE tid = 3");
    const std::string_view sql = "UPDATE pgbench_tellers SET tbalance = tbalance + 4711 WHERE tid = 99";
    const auto cached = cache.classify(sql);
    REQUIRE(cache.counters().shape_hits == 1);
    const Classification full = shared_classifier()->classify(sql);
    CHECK(cached->risk == full.risk);
    CHECK(cached->reason == full.reason);
    CHECK(cached->touches_lexer_settings == full.touches_lexer_settings);
    CHECK(cached->literal_sensitive == full.literal_sensitive);
    CHECK(cached->deallocates == full.deallocates);
    REQUIRE(cached->effects.size() == full.effects.size());
    for (std::size_t i = 0; i < full.effects.size(); ++i) {
        CHECK(cached->effects[i].risk == full.effects[i].risk);
        CHECK(cached->effects[i].reason == full.effects[i].reason);
        CHECK(cached->effects[i].relation == full.effects[i].relation);
    }
}

TEST_CASE("unparseable and over-long texts are never shared with a shape", "[sql_cache]") {
    ClassCache cache(shared_classifier());
    CHECK(cache.classify("SELECT 1 FROM WHERE 2")->risk == RiskClass::unknown);
    CHECK(cache.classify("SELECT 3 FROM WHERE 4")->risk == RiskClass::unknown);
    CHECK(cache.counters().shape_entries == 0);
    const std::string long_text = "SELECT " + std::string(64 * 1024, '1');
    CHECK(cache.classify(long_text)->risk == RiskClass::unknown);
    CHECK(cache.classify(long_text)->risk == RiskClass::unknown);
    CHECK(cache.counters().misses == 4);
}

TEST_CASE("each tier stays within its capacity and keeps recently used entries", "[sql_cache]") {
    ClassCache cache(shared_classifier(), 32);
    for (int i = 0; i < 200; ++i) {
        (void)cache.classify("SELECT c" + std::to_string(i) + " FROM t WHERE 1 = 1");
        CHECK(cache.counters().exact_entries <= 32);
        CHECK(cache.counters().shape_entries <= 32);
    }
    CHECK(cache.counters().exact_entries == 32);
}

TEST_CASE("each tier stays within its byte budget; a text larger than a shard's share is not kept", "[sql_cache]") {
    ClassCache cache(shared_classifier(), 4096, 16 * 1024);  // 1 KiB per shard
    const std::string big = "SELECT " + std::string(2000, 'a');  // no literal: its shape is as long
    (void)cache.classify(big);
    (void)cache.classify(big);
    CHECK(cache.counters().misses == 2);
    CHECK(cache.counters().exact_entries == 0);
    for (int i = 0; i < 300; ++i) (void)cache.classify("SELECT c" + std::to_string(i) + std::string(90, ' '));
    CHECK(cache.counters().exact_entries <= 16 * 1024 / 100);
}

TEST_CASE("a cache of capacity 0 classifies every time", "[sql_cache]") {
    ClassCache cache(shared_classifier(), 0);
    CHECK(cache.classify("SELECT 1")->risk == RiskClass::read);
    CHECK(cache.classify("SELECT 1")->risk == RiskClass::read);
    CHECK(cache.counters().misses == 2);
}

TEST_CASE("two threads share the cache and get the classifier's answers", "[sql_cache]") {
    ClassCache cache(shared_classifier(), 64);
    const std::string_view texts[] = {
        "SELECT abalance FROM pgbench_accounts WHERE aid = ",
        "DELETE FROM t WHERE 1 = ",
        "UPDATE pgbench_branches SET bbalance = bbalance + 1 WHERE bid = ",
    };
    std::vector<int> wrong(2, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 300; ++i) {
                const std::string sql = std::string(texts[static_cast<std::size_t>(i) % 3]) + std::to_string(i % 7);
                if (cache.classify(sql)->risk != shared_classifier()->classify(sql).risk) ++wrong[static_cast<std::size_t>(t)];
            }
        });
    }
    for (std::thread& thread : threads) thread.join();
    CHECK(wrong[0] == 0);
    CHECK(wrong[1] == 0);
    const auto counters = cache.counters();
    CHECK(counters.exact_hits + counters.shape_hits + counters.misses == 600);
}
