// Shared by the guardrail decision's tests: the world config every test starts from (users, targets, roles,
// access rules), fixed instants, store and config grants, the class source the proxy uses, and decision
// tables of (who, target, text, moment) → (verdict, rule).
#pragma once

#include "guardrails/policy.hpp"
#include "guardrails/shell/shell_classifier.hpp"
#include "guardrails/sql/sql_cache.hpp"

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

namespace policy_world {

// A fixed instant; used in namespace-scope constants too, so it does not assert through Catch.
inline config::TimePoint at(std::string_view rfc3339) { return config::parse_timestamp(rfc3339).value.value(); }

// For CAPTURE: a moment as seconds since the epoch.
inline long long epoch(TimePoint when) {
    return std::chrono::duration_cast<std::chrono::seconds>(when.time_since_epoch()).count();
}

// Fixed instants: a Monday morning, the same Monday evening, and the Sunday maintenance window before.
inline const TimePoint monday = at("2025-07-07T10:00:00Z");
inline const TimePoint monday_evening = at("2025-07-07T19:00:00Z");
inline const TimePoint sunday_maintenance = at("2025-07-06T03:00:00Z");

// The world every test starts from; `grants` and `rules` are YAML appended under `grants:` and
// `guardrails:`.
//   alice (engineers) on orders-db: standing reader; writer and operator up to 2h.
//   alice on billing-db: standing reader; writer up to 10m.
//   erin on orders-db: nothing standing; breakglass (all six classes) up to 1h.
//   bob (dba): no access rule at all.
inline std::string world_yaml(std::string_view grants = "", std::string_view rules = "") {
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

inline std::shared_ptr<const config::Config> load(const std::string& yaml) {
    ::setenv("JITGATE_POLICY_TEST_PASSWORD", "unused", 1);
    const config::LoadResult result = config::load_text(yaml, "test.yaml");
    std::string errors;
    for (const config::Diagnostic& d : result.errors) errors += d.to_string() + "\n";
    INFO(errors);
    REQUIRE(result.config);
    return result.config;
}

// The proxy's class source: one cache over the real classifier, shared by every policy of the binary.
inline guardrails::ClassifyText class_source() {
    static const auto cache =
        std::make_shared<guardrails::ClassCache>(std::make_shared<const guardrails::SqlClassifier>());
    return [cache = cache](std::string_view sql) { return cache->classify(sql); };
}

inline std::shared_ptr<const guardrails::Classification> classify(std::string_view sql) { return class_source()(sql); }

inline std::shared_ptr<const Policy> policy(std::string_view grants_yaml = "", std::string_view rules_yaml = "",
                                     std::vector<Grant> store = {}, TimePoint now = monday) {
    return Policy::build(load(world_yaml(grants_yaml, rules_yaml)), std::move(store), class_source(), now);
}

inline Grant store_grant(std::string id, std::string user, std::string target, std::string role, GrantStatus status,
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

inline Decision sql(const Policy& p, std::string_view user, std::string_view target, std::string_view text,
             TimePoint now = monday, CommandKind kind = CommandKind::query) {
    Command command;
    command.user = user;
    command.target = target;
    command.kind = kind;
    command.text = text;
    return guardrails::decide(p, command, now);
}

inline Decision no_text(const Policy& p, std::string_view user, std::string_view target, CommandKind kind,
                 const guardrails::Classification* classification = nullptr, TimePoint now = monday) {
    Command command;
    command.user = user;
    command.target = target;
    command.kind = kind;
    command.classification = classification;
    return guardrails::decide(p, command, now);
}

inline std::string_view verdict_name(Verdict verdict) {
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

inline void check_rows(const Policy& p, const std::vector<Row>& rows) {
    for (const Row& row : rows) {
        CAPTURE(row.user, row.target, row.text, epoch(row.now));
        const Decision d = sql(p, row.user, row.target, row.text, row.now);
        CHECK(verdict_name(d.verdict) == verdict_name(row.verdict));
        CHECK(d.rule == row.rule);
    }
}

inline constexpr std::string_view carol_config_grant =
    "  - { user: carol, target: orders-db, role: writer, from: \"2025-07-07T09:00:00Z\","
    " until: \"2025-07-07T11:00:00Z\", approved_by: bob, reason: \"CHG-1234\" }\n";

inline constexpr std::string_view erin_breakglass =
    "  - { user: erin, target: orders-db, role: breakglass, from: \"2025-07-01T00:00:00Z\","
    " until: \"2025-08-01T00:00:00Z\", approved_by: bob, reason: \"INC-1\" }\n";


}  // namespace policy_world
