// The SQL risk classifier (DESIGN §4): text → the highest RiskClass of every statement and every nested
// effect in it, read off libpg_query's parse tree (PostgreSQL 15's own grammar). Pure and thread-safe: no
// I/O, no shared mutable state; parsing runs on a small pool of big-stack threads because libpg_query
// recurses once per level of a nested expression.
//
// Limits, stated plainly: the classifier sees names, not the catalog. A function, operator or type that a
// user created in pg_catalog's place (search_path tricks, a custom `+` on a custom type, a type input
// function) is not seen; an unqualified built-in name is taken to be the built-in. EXECUTE of a prepared
// statement is unknown here (its class is its PREPARE's, which only the session knows).
#pragma once

#include "config/config.hpp"

#include <cstddef>
#include <string>
#include <string_view>
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

// One line of JSON: {"input", "class", "reason", "touches_lexer_settings", "literal_sensitive",
// "deallocates", "effects": [{"class", "reason", "relation"?}]}; invalid UTF-8 in the echoed input is replaced, never an error.
[[nodiscard]] std::string to_json(const Classification& result, std::string_view input);

class SqlClassifier {
public:
    explicit SqlClassifier(const config::ClassifyTables& extra = {}, std::size_t max_statement_bytes = 64 * 1024);

    // Never throws for any input; a text it cannot vouch for is unknown.
    [[nodiscard]] Classification classify(std::string_view sql) const;

    [[nodiscard]] const ClassifierTables& tables() const noexcept { return tables_; }
    // Longer texts are unknown without being parsed.
    [[nodiscard]] std::size_t max_statement_bytes() const noexcept { return max_statement_bytes_; }

private:
    ClassifierTables tables_;
    std::size_t max_statement_bytes_;
};

}  // namespace jitgate::guardrails
