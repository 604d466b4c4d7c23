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
#include "guardrails/sql/sql_types.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace jitgate::guardrails {

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
