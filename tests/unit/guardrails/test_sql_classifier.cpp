// The SQL classifier's properties that are not one statement's class: effects and relations, lexer-setting
// flags, DISCARD and commits, valid UTF-8 answers, config tables, and the inputs that must never crash
// (deep nesting, invalid UTF-8, over-length) or race.
#include "sql_cases.hpp"

#include "guardrails/sql/sql_classifier.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

using jitgate::config::RiskClass;
using jitgate::guardrails::Classification;
using jitgate::guardrails::SqlClassifier;
using namespace sql_cases;

namespace {
bool has_effect(const Classification& c, RiskClass risk, std::string_view relation) {
    for (const auto& e : c.effects) {
        if (e.risk == risk && e.relation == relation) return true;
    }
    return false;
}
}  // namespace

TEST_CASE("effects name the relations they touch, with the effect on each", "[sql]") {
    const Classification c = classifier().classify(
        "WITH d AS (DELETE FROM s.old WHERE id = 1 RETURNING *) INSERT INTO public.orders SELECT * FROM d "
        "JOIN payments.cards ON true");
    CHECK(c.risk == W);
    CHECK(has_effect(c, W, "s.old"));
    CHECK(has_effect(c, W, "public.orders"));
    CHECK(has_effect(c, R, "payments.cards"));
    CHECK(has_effect(classifier().classify("TRUNCATE a.b"), X, "a.b"));
    CHECK(has_effect(classifier().classify("DROP TABLE a.b, c"), X, "c"));
    CHECK(has_effect(classifier().classify("ALTER TABLE a.b ADD COLUMN c int"), D, "a.b"));
    CHECK(has_effect(classifier().classify("COPY a.b FROM STDIN"), W, "a.b"));
    CHECK(has_effect(classifier().classify("UPDATE a.b SET x = 1"), X, "a.b"));
}

TEST_CASE("the reason names the highest effect and says where it is nested", "[sql]") {
    CHECK(classifier().classify("INSERT INTO public.orders VALUES (1)").reason == "INSERT into public.orders");
    const Classification c = classifier().classify("SELECT 1; WITH d AS (DELETE FROM t RETURNING 1) SELECT 1");
    CHECK(c.reason == "DELETE from t without a WHERE clause in WITH query d");
    CHECK(c.effects.size() >= 3);
}

TEST_CASE("anything that could turn standard_conforming_strings off is flagged for the built-in block", "[sql]") {
    for (std::string_view sql :
         {"SET standard_conforming_strings = off", "set STANDARD_CONFORMING_STRINGS to 'off'",
          "SET SESSION standard_conforming_strings = false", "SET LOCAL standard_conforming_strings TO 0",
          "SET standard_conforming_strings = 'of'", "SET standard_conforming_strings = nonsense",
          "SELECT set_config('standard_conforming_strings', 'off', false)",
          "SELECT pg_catalog.set_config('STANDARD_CONFORMING_STRINGS', 'false', true)",
          "SELECT set_config('standard_conforming_strings', 'of' || 'f', false)",
          "SELECT set_config('standard_conforming_strings', v, false) FROM t",
          "SELECT set_config('standard_conforming_strings', NULL, false)",
          "SELECT set_config(current_user, 'off', false)", "SET client_encoding = 'SJIS'",
          "SELECT 1; SET LOCAL standard_conforming_strings = off",
          "DO $$ BEGIN PERFORM set_config('standard_conforming_strings', 'off', false); END $$"}) {
        INFO(sql);
        const Classification c = classifier().classify(sql);
        CHECK(c.touches_lexer_settings);
        CHECK(jitgate::guardrails::rank(c.risk) >= jitgate::guardrails::rank(A));
    }
    // RESET, DEFAULT, RESET ALL and DISCARD ALL go back to the session's start value, which jitgate pins
    // to on; a function's own settings never change how the session is lexed (issue 11 item 8).
    for (std::string_view sql :
         {"SET search_path = x", "SET client_encoding = 'UTF8'", "SELECT 1", "RESET work_mem",
          "RESET standard_conforming_strings", "RESET ALL", "DISCARD ALL", "SET standard_conforming_strings = on",
          "SET standard_conforming_strings TO DEFAULT", "SET LOCAL standard_conforming_strings = true",
          "SELECT set_config('standard_conforming_strings', 'on', false)", "ALTER FUNCTION f() RESET ALL",
          "ALTER FUNCTION f() SET standard_conforming_strings = off", "ALTER FUNCTION f() RESET standard_conforming_strings",
          "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET standard_conforming_strings = off AS 'SELECT 1'"}) {
        INFO(sql);
        CHECK_FALSE(classifier().classify(sql).touches_lexer_settings);
    }
}

TEST_CASE("DISCARD ALL makes the session forget prepared statements and portals, and is no lexer change", "[sql]") {
    const Classification c = classifier().classify("DISCARD ALL");
    CHECK(c.risk == A);
    CHECK(c.deallocates);
    CHECK(c.drops_portals);
    CHECK_FALSE(c.touches_lexer_settings);
    const Classification reset = classifier().classify("RESET ALL");
    CHECK(reset.risk == A);
    CHECK_FALSE(reset.touches_lexer_settings);
    CHECK_FALSE(reset.deallocates);
}

TEST_CASE("two-phase commit still counts as a commit for the session", "[sql]") {
    CHECK(classifier().classify("PREPARE TRANSACTION 'x'").commits);
    CHECK(classifier().classify("PREPARE TRANSACTION 'x'").drops_portals);
    CHECK(classifier().classify("COMMIT PREPARED 'x'").commits);
}

namespace {
// Strict UTF-8 (a second implementation, so the classifier's own is not checked against itself).
bool is_utf8(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        const std::size_t n = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
        if (n == 0 || text.size() - i < n) return false;
        for (std::size_t k = 1; k < n; ++k) {
            if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
        }
        const auto d = static_cast<unsigned char>(text[i + 1 < text.size() ? i + 1 : i]);
        if ((c == 0xE0 && d < 0xA0) || (c == 0xED && d > 0x9F) || (c == 0xF0 && d < 0x90) || (c == 0xF4 && d > 0x8F)) return false;
        i += n;
    }
    return true;
}
}  // namespace

// Issue 11 item 4: the parser's "near …" text cuts a fullwidth character after a number in two.
TEST_CASE("every answer is valid UTF-8, even a parser error that quotes a cut character", "[sql]") {
    const Classification cut = classifier().classify("SELECT 1\xEF\xBC\x9B");  // SELECT 1；
    CHECK(cut.risk == U);
    CHECK_THAT(cut.reason, Catch::Contains("\"1\xEF\xBF\xBD\""));
    for (std::string_view sql : {"SELECT 1\xEF\xBC\x9B", "SELECT 1\xEF\xBC\x9B DROP TABLE t", "SELECT 2\xC3\xA9",
                                 "SELECT 3\xF0\x9F\x98\x80", "DELETE FROM t WHERE id = 1\xE2\x80\x94", "SELECT \xFF",
                                 "SET search_path = 1\xEF\xBC\x9B"}) {
        INFO(sql);
        const Classification c = classifier().classify(sql);
        CHECK(is_utf8(c.reason));
        for (const auto& e : c.effects) CHECK((is_utf8(e.reason) && is_utf8(e.relation)));
        CHECK(is_utf8(jitgate::guardrails::to_json(c, sql)));
    }
}

TEST_CASE("config classify tables add functions and settings; other schemas are not the built-in", "[sql]") {
    jitgate::config::ClassifyTables extra;
    extra.functions[R] = {"report_sales", "app.safe_fn"};
    extra.functions[W] = {"enqueue_job"};
    extra.settings[R] = {"app.tenant"};
    const SqlClassifier with_config(extra);
    CHECK(with_config.classify("SELECT report_sales(1)").risk == R);
    CHECK(with_config.classify("SELECT app.safe_fn()").risk == R);
    CHECK(with_config.classify("SELECT other.safe_fn()").risk == U);
    CHECK(with_config.classify("SELECT enqueue_job('x')").risk == W);
    CHECK(with_config.classify("CALL enqueue_job('x')").risk == W);
    CHECK(with_config.classify("SET app.tenant = 'acme'").risk == R);
    CHECK(with_config.classify("SET APP.TENANT = 'acme'").risk == R);
    CHECK(classifier().classify("SELECT report_sales(1)").risk == U);
    CHECK(classifier().classify("SET app.tenant = 'acme'").risk == U);
}

TEST_CASE("a config class for dblink_exec never hides the SQL it sends, nor goes below admin", "[sql]") {
    jitgate::config::ClassifyTables extra;
    extra.functions[R] = {"dblink_exec", "public.dblink"};
    const SqlClassifier with_config(extra);
    CHECK(with_config.classify("SELECT dblink_exec('conn', 'DROP TABLE t')").risk == X);
    CHECK(with_config.classify("SELECT dblink_exec('conn', 'SELECT 1')").risk == A);
    CHECK(with_config.classify("SELECT * FROM public.dblink('conn', 'DELETE FROM t') AS t(x int)").risk == X);
}

TEST_CASE("invalid UTF-8, NUL bytes and over-length text are unknown before parsing", "[sql]") {
    CHECK(classifier().classify(std::string("SELECT '\xff'")).risk == U);
    CHECK(classifier().classify(std::string("SELECT '\xc0\xaf'")).risk == U);       // overlong '/'
    CHECK(classifier().classify(std::string("SELECT '\xed\xa0\x80'")).risk == U);   // surrogate
    CHECK(classifier().classify(std::string("SELECT 'caf\xc3")).risk == U);         // truncated
    CHECK(classifier().classify(std::string("SELECT 1\0; DROP TABLE t", 24)).risk == U);
    CHECK(classifier().classify("SELECT 'caf\xc3\xa9 \xf0\x9f\x98\x80'").risk == R);
    const SqlClassifier small({}, 16);
    CHECK(small.classify("SELECT 1").risk == R);
    CHECK(small.classify("SELECT 1 FROM a_long_table_name").risk == U);
    std::string huge = "SELECT 1" + std::string(64 * 1024, ' ');
    CHECK(classifier().classify(huge).risk == U);
}

TEST_CASE("deeply nested statements never crash: unknown or a class", "[sql]") {
    const std::string parens = "SELECT " + std::string(5000, '(') + "1" + std::string(5000, ')');
    CHECK(jitgate::guardrails::rank(classifier().classify(parens).risk) >= 0);
    const std::string many_parens = std::string(100000, '(');
    CHECK(SqlClassifier({}, 1 << 20).classify(many_parens).risk == U);
    std::string sum = "SELECT 1";
    for (int i = 0; i < 30000; ++i) sum += "+1";
    const Classification deep = SqlClassifier({}, 1 << 20).classify(sum);
    CHECK((deep.risk == U || deep.risk == R));
    std::string nots = "DELETE FROM t WHERE ";
    for (int i = 0; i < 10000; ++i) nots += "NOT ";
    nots += "false";
    CHECK(jitgate::guardrails::rank(SqlClassifier({}, 1 << 20).classify(nots).risk) >= jitgate::guardrails::rank(W));
    std::string subqueries = "SELECT ";
    for (int i = 0; i < 3000; ++i) subqueries += "(SELECT ";
    subqueries += "1" + std::string(3000, ')');
    CHECK(jitgate::guardrails::rank(SqlClassifier({}, 1 << 20).classify(subqueries).risk) >= 0);
}

TEST_CASE("classify is safe to call from several threads at once", "[sql]") {
    std::vector<std::thread> threads;
    std::vector<int> wrong(4, 0);
    for (std::size_t t = 0; t < wrong.size(); ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i) {
                if (classifier().classify("DELETE FROM t WHERE id = " + std::to_string(i)).risk != W) ++wrong[t];
                if (classifier().classify("SELECT " + std::to_string(i)).risk != R) ++wrong[t];
            }
        });
    }
    for (auto& thread : threads) thread.join();
    for (int w : wrong) CHECK(w == 0);
}
