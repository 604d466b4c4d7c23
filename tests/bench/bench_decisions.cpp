// Decision micro-benchmark (issue 3 item 8, goal: p99 <= 20 µs): the latency of one guardrails::decide()
// call on a Policy built from a DESIGN §3-like config, with the proxy's real class cache over the real
// SQL classifier, per scenario: shape hits (pgbench -M simple), exact hits (typical client statements),
// Execute re-checks, blocks (the paths that build strings), and first-sight parses. Run it with
// `scripts/bench decisions`; not a test, never registered with CTest.
//
// Limits: one thread, so the cache's shard mutexes are never contended; each call is timed alone with
// steady_clock (its own cost, printed as "timer", is included in every figure); the machine's other load
// shows up in the tail, so compare runs on one machine and read p99.9/max as noise-prone.
#include "config/config.hpp"
#include "guardrails/grants.hpp"
#include "guardrails/pipeline.hpp"
#include "guardrails/policy.hpp"
#include "guardrails/sql/sql_cache.hpp"
#include "guardrails/sql/sql_classifier.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace jitgate;
using namespace std::chrono_literals;
using guardrails::Command;
using guardrails::CommandKind;
using guardrails::Decision;
using guardrails::Verdict;
using Clock = std::chrono::steady_clock;

constexpr std::string_view target = "orders-db";
constexpr const char* password_env = "JITGATE_BENCH_DB_PASSWORD";

// DESIGN §3 without the files a config names (TLS, SSH keys): three users in two groups, four roles, a
// standing reader with requestable writer/operator, a config grant, and the two guardrail rules of §3
// plus a shadow rule.
constexpr std::string_view config_text = R"(
listen: { postgres: 127.0.0.1:6432 }
state: sqlite:state/jitgate.db
recordings: state/recordings
audit_log: state/audit.jsonl
targets:
  - { name: orders-db, kind: postgres, address: 127.0.0.1:5432, database: orders, user: orders_admin, password_env: JITGATE_BENCH_DB_PASSWORD }
  - { name: billing-db, kind: postgres, address: 127.0.0.1:5433, database: billing, user: billing_admin, password_env: JITGATE_BENCH_DB_PASSWORD }
users:
  - { name: alice, groups: [engineers] }
  - { name: dave, groups: [engineers] }
  - { name: bob, groups: [dba] }
  - { name: carol, groups: [dba] }
roles:
  reader:   { allow: [read] }
  writer:   { allow: [read, write] }
  operator: { allow: [read, write, ddl] }
  breakglass: { allow: [read, write, ddl, admin, destructive] }
access:
  - users: [group:engineers]
    targets: [orders-db, billing-db]
    standing: reader
    requestable: [writer, operator]
    max_duration: 2h
    approvers: [group:dba]
    auto_approve:
      - { roles: [writer], window: "Mon-Fri 09:00-18:00 Europe/Berlin", max_duration: 30m }
  - users: [group:dba]
    targets: [orders-db, billing-db]
    standing: reader
    requestable: [breakglass]
    max_duration: 1h
    approvers: [group:dba]
grants:
  - { user: carol, target: orders-db, role: operator, until: 2099-12-01T18:00:00Z, approved_by: bob, reason: "CHG-1234 schema migration" }
classify:
  functions: { read: [report_sales], write: [enqueue_job] }
guardrails:
  - id: destructive-only-in-maintenance
    deny: { classes: [destructive] }
    except_window: "Sun 02:00-04:00 UTC"
  - id: no-card-data
    deny: { tables: ["payments.cards"], effects: [read, write] }
  - id: salaries-are-private
    deny: { tables: [hr.salaries], effects: [read] }
    mode: shadow
)";

// Store grants: dave holds writer on orders-db for the next hour; an older revoked one stays in the list.
std::vector<guardrails::Grant> store_grants(config::TimePoint now) {
    guardrails::Grant writer;
    writer.id = "g-7f3a9c";
    writer.user = "dave";
    writer.target = std::string{target};
    writer.role = "writer";
    writer.status = guardrails::GrantStatus::approved;
    writer.requested_at = now - 5min;
    writer.duration = config::Seconds{3600};
    writer.decided_at = now - 4min;
    writer.decided_by = "bob";
    writer.from = now - 4min;
    writer.until = now + 56min;
    writer.reason = "INC-4711";
    guardrails::Grant revoked = writer;
    revoked.id = "g-1b2c3d";
    revoked.role = "operator";
    revoked.status = guardrails::GrantStatus::revoked;
    revoked.until = now - 1h;
    return {writer, revoked};
}

// Statements a psql session, a JDBC/psycopg driver and an application send over and over.
const std::vector<std::string> typical_statements = {
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "SELECT 1",
    "SET application_name = 'orders-api'",
    "SHOW search_path",
    "SELECT version()",
    "SELECT current_schema(), current_user, session_user",
    "SELECT pg_catalog.set_config('search_path', '', false)",
    "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = "
    "c.relnamespace WHERE c.relkind IN ('r','p','v','m','S','f','') AND n.nspname <> 'pg_catalog' AND "
    "n.nspname !~ '^pg_toast' AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 1,2",
    "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), (SELECT pg_catalog.pg_get_expr(d.adbin, "
    "d.adrelid, true) FROM pg_catalog.pg_attrdef d WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND "
    "a.atthasdef), a.attnotnull FROM pg_catalog.pg_attribute a WHERE a.attrelid = '16384' AND a.attnum > 0 AND "
    "NOT a.attisdropped ORDER BY a.attnum",
    "SELECT t.oid, typarray FROM pg_type t JOIN pg_namespace ns ON typnamespace = ns.oid WHERE typname = 'hstore'",
    "SELECT c.oid, c.relname FROM pg_catalog.pg_class c WHERE c.relname OPERATOR(pg_catalog.~) '^(orders)$' "
    "COLLATE pg_catalog.default AND pg_catalog.pg_table_is_visible(c.oid)",
    "SELECT id, customer_id, status, created_at FROM orders WHERE customer_id = 42 ORDER BY created_at DESC LIMIT 20",
    "SELECT count(*) FROM orders WHERE status = 'paid'",
    "SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = 17",
    "INSERT INTO orders (customer_id, status, created_at) VALUES (42, 'new', now()) RETURNING id",
    "UPDATE orders SET status = 'shipped' WHERE id = 17",
    "INSERT INTO audit_events (kind, payload) VALUES ('login', '{\"ip\": \"10.0.0.1\"}')",
    "UPDATE customers SET email = 'x@example.com' WHERE id = 42 AND email IS NULL",
};

struct Percentiles {
    std::size_t count = 0;
    double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;  // µs
};

Percentiles percentiles(std::vector<std::int64_t>& ns) {
    std::sort(ns.begin(), ns.end());
    const auto at = [&](double q) {
        const auto i = static_cast<std::size_t>(q * static_cast<double>(ns.size() - 1) + 0.5);
        return static_cast<double>(ns[i]) / 1000.0;
    };
    return {ns.size(), at(0.50), at(0.90), at(0.99), at(0.999), static_cast<double>(ns.back()) / 1000.0};
}

// One scenario: `make(i)` gives the i-th command (built before the clock starts); every decision must
// have the expected verdict, or the benchmark measured the wrong path and says so.
struct Scenario {
    std::string name;
    std::size_t warmup = 0;
    std::size_t calls = 0;
    Verdict expected = Verdict::allow;
    std::function<Command(std::size_t)> make;
};

struct Row {
    std::string name;
    Percentiles latency;
    guardrails::CacheCounters cache;  // this scenario's share of the counters
};

Row run(const Scenario& scenario, const guardrails::Policy& policy, const guardrails::ClassCache& cache) {
    const auto decide_once = [&](const Command& command) {
        const config::TimePoint now = std::chrono::system_clock::now();
        const auto start = Clock::now();
        const Decision decision = guardrails::decide(policy, command, now);
        const auto stop = Clock::now();
        if (decision.verdict != scenario.expected) {
            std::cerr << "bench_decisions: " << scenario.name << ": unexpected verdict for \"" << command.text
                      << "\": rule " << decision.rule << ", " << decision.reason << '\n';
            std::exit(1);
        }
        return std::chrono::duration_cast<std::chrono::nanoseconds>(stop - start).count();
    };
    std::vector<Command> commands;
    commands.reserve(scenario.warmup + scenario.calls);
    for (std::size_t i = 0; i < scenario.warmup + scenario.calls; ++i) commands.push_back(scenario.make(i));
    for (std::size_t i = 0; i < scenario.warmup; ++i) (void)decide_once(commands[i]);
    const guardrails::CacheCounters before = cache.counters();
    std::vector<std::int64_t> ns;
    ns.reserve(scenario.calls);
    for (std::size_t i = scenario.warmup; i < commands.size(); ++i) ns.push_back(decide_once(commands[i]));
    guardrails::CacheCounters delta = cache.counters();
    delta.exact_hits -= before.exact_hits;
    delta.shape_hits -= before.shape_hits;
    delta.misses -= before.misses;
    return {scenario.name, percentiles(ns), delta};
}

// The cost of the two clock reads around each call, which every figure includes.
Percentiles timer_overhead(std::size_t calls) {
    std::vector<std::int64_t> ns;
    ns.reserve(calls);
    for (std::size_t i = 0; i < calls; ++i) {
        const auto start = Clock::now();
        const auto stop = Clock::now();
        ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(stop - start).count());
    }
    return percentiles(ns);
}

void print(const std::vector<Row>& rows, const Percentiles& timer) {
    std::printf("%-44s %9s %8s %8s %8s %8s %9s   %s\n", "scenario (µs per decide())", "count", "p50", "p90", "p99",
                "p99.9", "max", "cache: exact/shape/miss");
    std::printf("%s\n", std::string(129, '-').c_str());
    const auto line = [](const std::string& name, const Percentiles& p) {
        std::printf("%-44s %9zu %8.2f %8.2f %8.2f %8.2f %9.1f", name.c_str(), p.count, p.p50, p.p90, p.p99, p.p999,
                    p.max);
    };
    for (const Row& row : rows) {
        line(row.name, row.latency);
        std::printf("   %llu/%llu/%llu\n", static_cast<unsigned long long>(row.cache.exact_hits),
                    static_cast<unsigned long long>(row.cache.shape_hits),
                    static_cast<unsigned long long>(row.cache.misses));
    }
    line("(timer: two steady_clock reads)", timer);
    std::printf("\n");
}

std::size_t parse_calls(int argc, char** argv) {
    std::size_t calls = 200000;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--calls" && i + 1 < argc) {
            calls = std::strtoull(argv[++i], nullptr, 10);
        } else {
            std::cerr << "usage: jitgate_bench_decisions [--calls N]   (default 200000 per scenario)\n";
            std::exit(arg == "--help" || arg == "-h" ? 0 : 2);
        }
    }
    return std::max<std::size_t>(calls, 1000);
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t calls = parse_calls(argc, argv);
    ::setenv(password_env, "bench", 0);
    const config::LoadResult loaded = config::load_text(config_text, "bench.yaml", "/nonexistent");
    if (!loaded.config) {
        for (const auto& error : loaded.errors) std::cerr << error.to_string() << '\n';
        return 1;
    }
    const config::Config& config = *loaded.config;
    // As the proxy builds it (proxy/control/policy_source.cpp make_class_source).
    auto cache = std::make_shared<guardrails::ClassCache>(
        std::make_shared<const guardrails::SqlClassifier>(config.classify, config.limits.max_statement_bytes));
    guardrails::ClassifyText classify = [cache](std::string_view sql) { return cache->classify(sql); };
    const auto policy = guardrails::Policy::build(loaded.config, store_grants(std::chrono::system_clock::now()),
                                                  classify, std::chrono::system_clock::now());

    // Texts live here so that the Commands' views stay valid; built before any clock starts.
    std::mt19937_64 random(42);
    std::uniform_int_distribution<int> aid(1, 1000000);
    const std::size_t span = calls + calls / 10;
    std::vector<std::string> pgbench_simple(span);
    for (std::string& text : pgbench_simple)
        text = "SELECT abalance FROM pgbench_accounts WHERE aid = " + std::to_string(aid(random)) + ";";
    std::vector<std::string> deletes(span), destructive(span), cards(span);
    for (std::size_t i = 0; i < span; ++i) {
        deletes[i] = "DELETE FROM pgbench_accounts WHERE aid = " + std::to_string(aid(random));
        destructive[i] = i % 2 == 0 ? "DELETE FROM orders" : "TRUNCATE orders";
        cards[i] = "SELECT number, expiry FROM payments.cards WHERE customer_id = " + std::to_string(aid(random));
    }
    // First sight: every text has its own identifiers, so neither tier has seen it or its shape.
    const std::size_t miss_calls = std::max<std::size_t>(calls / 40, 1000);
    std::vector<std::string> unseen(miss_calls + miss_calls / 10);
    for (std::size_t i = 0; i < unseen.size(); ++i) {
        const std::string n = std::to_string(i);
        switch (i % 4) {
        case 0: unseen[i] = "SELECT abalance_" + n + " FROM pgbench_accounts WHERE aid = 1"; break;
        case 1: unseen[i] = "SELECT o.id, c.name_" + n + " FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = 17"; break;
        case 2: unseen[i] = "BEGIN; SELECT count(*) FROM t_" + n + " WHERE status IN ('a', 'b'); COMMIT"; break;
        default: unseen[i] = "WITH x AS (SELECT * FROM events_" + n + " WHERE at > now() - interval '1 day') SELECT kind, count(*) FROM x GROUP BY kind"; break;
        }
    }
    // Execute re-checks: the classifications a session keeps by statement name after Parse.
    const std::shared_ptr<const guardrails::Classification> prepared =
        cache->classify("SELECT abalance FROM pgbench_accounts WHERE aid = $1");

    const auto query = [](std::string_view user, std::string_view text) {
        Command command;
        command.session_id = 1;
        command.user = user;
        command.target = target;
        command.kind = CommandKind::query;
        command.text = text;
        return command;
    };
    const std::vector<Scenario> scenarios = {
        {"(a) pgbench simple, new literal: shape", calls / 10, calls, Verdict::allow,
         [&](std::size_t i) { return query("alice", pgbench_simple[i]); }},
        {"(b) 20 typical statements: exact hits", calls / 10, calls, Verdict::allow,
         [&](std::size_t i) { return query("dave", typical_statements[i % typical_statements.size()]); }},
        {"(c) Execute re-check (classified at Parse)", calls / 10, calls, Verdict::allow,
         [&](std::size_t) {
             Command command = query("alice", {});
             command.kind = CommandKind::execute;
             command.statement_name = "P_0";
             command.classification = prepared.get();
             return command;
         }},
        {"(d1) blocked: DELETE, reader: no grant", calls / 10, calls, Verdict::block,
         [&](std::size_t i) { return query("alice", deletes[i]); }},
        {"(d2) blocked: destructive, except_window", calls / 10, calls, Verdict::block,
         [&](std::size_t i) { return query("dave", destructive[i]); }},
        {"(d3) blocked: tables rule payments.cards", calls / 10, calls, Verdict::block,
         [&](std::size_t i) { return query("alice", cards[i]); }},
        {"(e) cache miss: first sight, full parse", miss_calls / 10, miss_calls, Verdict::allow,
         [&](std::size_t i) { return query("alice", unseen[i]); }},
    };

    std::printf("decide() latency: %zu calls per scenario after a warm-up of a tenth as many (cache misses: %zu); "
                "config hash %s\n\n",
                calls, miss_calls, config.hash.substr(0, 12).c_str());
    std::vector<Row> rows;
    for (const Scenario& scenario : scenarios) rows.push_back(run(scenario, *policy, *cache));
    print(rows, timer_overhead(calls));
    double worst = 0;
    for (const Row& row : rows)
        if (row.name.rfind("(e)", 0) != 0) worst = std::max(worst, row.latency.p99);
    std::printf("worst p99 of the cached scenarios (a)-(d): %.2f µs (goal <= 20 µs)\n", worst);
    return 0;
}
