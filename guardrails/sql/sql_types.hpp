// The SQL classifier's answer and tables as plain types (Effect, Classification, ClassifierTables, rank), shared
// by the classifier, its parse-tree walk, the class cache and the shell classifier's SQL-shaped answer.
#pragma once

#include "config/config.hpp"

#include <string>
#include <unordered_map>
#include <vector>

namespace jitgate::guardrails {

using config::RiskClass;

// Ordering for blocking: read < write < ddl < admin < destructive < unknown (the enum's order). unknown
// ranks highest: a string the classifier cannot vouch for is treated as worse than any known effect.
[[nodiscard]] constexpr int rank(RiskClass risk) noexcept { return static_cast<int>(risk); }
[[nodiscard]] constexpr RiskClass higher(RiskClass a, RiskClass b) noexcept { return rank(a) >= rank(b) ? a : b; }

// One statement or one nested effect, e.g. {write, "DELETE from s.t in a WITH query", "s.t"}.
struct Effect {
    RiskClass risk = RiskClass::read;
    std::string reason;
    std::string relation;  // "schema.table" as written ("table" when unqualified), or "" when none
    // The statement renames, moves, re-owns or re-exposes the relation (RENAME, SET SCHEMA, OWNER TO,
    // INHERIT, ATTACH PARTITION, row security, a view, rule, trigger, policy, publication or GRANT over
    // it): a table rule naming it denies this whatever the rule's effects list, or the rule could be
    // stepped around (rename the table, then read it under its new name).
    bool exposes = false;
};

struct Classification {
    RiskClass risk = RiskClass::read;  // the highest of all effects (see rank())
    std::string reason;                // one line: why the highest effect has that class
    std::vector<Effect> effects;       // every statement and nested effect, in text order
    // The text could turn standard_conforming_strings off or change client_encoding (SET/RESET of them,
    // set_config with either name or a non-constant name, RESET ALL, DISCARD ALL): libpg_query lexes as
    // if neither changed, so the pipeline blocks this with a built-in rule no grant lifts.
    bool touches_lexer_settings = false;
    // The answer read the value of a literal (a number or string written in the text, or anything the
    // classifier cannot vouch for): another text that differs only in literals may get another answer,
    // so the class cache (sql_cache.hpp) shares this answer only with the exact same text.
    bool literal_sensitive = false;
    // The text contains DEALLOCATE (any form), DISCARD ALL or DISCARD PLANS: the session should forget
    // the classes it remembered for prepared statements.
    bool deallocates = false;
    // The text contains SQL PREPARE: the session may now hold prepared statements under names the
    // protocol can Bind but jitgate did not see made.
    bool prepares = false;
    // The text contains COMMIT (END, COMMIT AND CHAIN), PREPARE TRANSACTION or COMMIT PREPARED: it may
    // commit a transaction (a session refuses that when a grant the transaction relied on was revoked).
    bool commits = false;
    // The text contains DECLARE, CLOSE, COMMIT, ROLLBACK, ROLLBACK TO SAVEPOINT or PREPARE TRANSACTION:
    // portals may be gone, or made under names the session bound before, so the session should forget
    // the classes it remembered for portals.
    bool drops_portals = false;
};

// The built-in function and settings tables (generated from PostgreSQL 15's pg_proc and pg_settings,
// guardrails/data/*.tsv, embedded at build time) merged with config's `classify` tables. Keys: function
// names exactly as written ("name" for pg_catalog built-ins, "schema.name" for config entries naming a
// schema); setting names in lower case. Config entries win over built-ins.
struct ClassifierTables {
    std::unordered_map<std::string, RiskClass> builtin_functions;
    std::unordered_map<std::string, RiskClass> config_functions;
    std::unordered_map<std::string, RiskClass> settings;

    [[nodiscard]] static ClassifierTables with_builtins(const config::ClassifyTables& extra = {});
};

}  // namespace jitgate::guardrails
