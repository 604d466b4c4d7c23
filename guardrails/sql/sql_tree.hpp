// Internal to the SQL classifier: small readers over libpg_query's JSON parse tree, constant folding
// of WHERE clauses, and EXPLAIN's ANALYZE option read the way PostgreSQL reads it.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace jitgate::guardrails::detail {

using json = nlohmann::json;

// The field `key` of a node body, or null.
[[nodiscard]] const json* field(const json& body, std::string_view key);
// A string field, or "".
[[nodiscard]] std::string_view text_of(const json& body, std::string_view key);
// A boolean field, false when absent.
[[nodiscard]] bool flag(const json& body, std::string_view key);
// A wrapped node {"Type": {...}}: its type name, else "".
[[nodiscard]] std::string_view node_type(const json& node);
// The body of a wrapped node of that type, or null.
[[nodiscard]] const json* unwrap(const json& node, std::string_view type);
// A list of String nodes (a qualified name) -> its parts.
[[nodiscard]] std::vector<std::string> name_parts(const json* list);
[[nodiscard]] std::string join(const std::vector<std::string>& parts);
// A RangeVar body -> "schema.table" as written, or "table".
[[nodiscard]] std::string relation_name(const json* range_var);
[[nodiscard]] bool is_range_var(const json& body);
[[nodiscard]] std::string lower(std::string_view text);
// "OBJECT_MATVIEW" -> "MATVIEW", "OBJECT_FOREIGN_TABLE" -> "FOREIGN TABLE".
[[nodiscard]] std::string object_word(std::string_view objtype);

struct Null {};
using Value = std::variant<Null, bool, double, std::string>;
enum class Truth : std::uint8_t { yes, no, maybe };

// The readers below that look at a literal's value set literal_read whenever they do, so that the
// classification records that it depends on literals (Classification::literal_sensitive).

// The value of a constant expression node (literals, casts of literals), or nullopt.
[[nodiscard]] std::optional<Value> constant(const json& node, bool& literal_read);
// Whether a WHERE clause holds for every row. A comparison of a column with a literal does not read
// the literal: its answer is maybe whatever the literal is.
[[nodiscard]] Truth where_truth(const json& node, bool& literal_read, int depth = 0);
// Whether EXPLAIN's options turn ANALYZE on (the last analyze option wins; invalid values count as on).
[[nodiscard]] bool explain_analyzes(const json* options, bool& literal_read);
[[nodiscard]] bool is_utf8_name(std::string_view encoding);
// The value of a constant as PostgreSQL reads a boolean setting (on/off, true/false, 1/0 and unique
// prefixes), or nullopt when it is not a constant or not a boolean.
[[nodiscard]] std::optional<bool> constant_bool(const json& node, bool& literal_read);

// The length of the valid UTF-8 character at text[i], or 0 when the bytes there are not one (strict: no
// overlong forms, no surrogates, nothing above U+10FFFF).
[[nodiscard]] std::size_t utf8_char_length(std::string_view text, std::size_t i) noexcept;
[[nodiscard]] bool is_valid_utf8(std::string_view text) noexcept;
// text with every byte that does not start a valid character replaced by U+FFFD: what jitgate writes
// back (reasons, relation names, messages) is valid UTF-8 even where the parser cut a character in two.
[[nodiscard]] std::string valid_utf8(std::string_view text);

}  // namespace jitgate::guardrails::detail
