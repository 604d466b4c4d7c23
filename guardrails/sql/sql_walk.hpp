// Internal to the SQL classifier: parses a text with libpg_query and walks every node of the parse tree,
// collecting Effects. Must run on a parse thread (sql_parse_threads.hpp): both libpg_query and this walk
// recurse once per level of nesting.
#pragma once

#include "guardrails/sql/sql_types.hpp"

#include <string>

namespace jitgate::guardrails::detail {

// Classifies text that is already known to be valid UTF-8, without NUL bytes and within the length limit.
// Fills out.effects and the flags (touches_lexer_settings, literal_sensitive, deallocates); out.risk and
// out.reason are left to the caller.
void walk_sql(const std::string& text, const ClassifierTables& tables, Classification& out);

}  // namespace jitgate::guardrails::detail
