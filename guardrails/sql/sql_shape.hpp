// The shape of a SQL text: the text with each literal replaced by a placeholder for its kind, so that
// `... WHERE aid = 123` and `... WHERE aid = 456` share one entry in the class cache (sql_cache.hpp).
// It follows PostgreSQL 15's lexer (src/backend/parser/scan.l, standard_conforming_strings on) and is
// deliberately timid: anything it is not sure to lex exactly as PostgreSQL does — E'', U&'', B'', X'',
// N'', dollar quotes, a word or number touching a literal, adjacent string literals, non-ASCII bytes,
// control characters, unterminated quotes or comments — makes it answer "no shape", and the caller
// parses the text in full. Limit: only plain decimal numbers and plain '…' strings are replaced.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace jitgate::guardrails {

// The kinds a literal can have in a shape; each has its own placeholder. integer is what PostgreSQL's
// lexer makes an ICONST (digits only, fitting in 32 bits), numeric an FCONST (a point, an exponent, or
// too big for 32 bits): the grammar accepts them in different places, so they must not share a shape.
enum class LiteralKind : std::uint8_t { integer, numeric, string };

// Placeholders: \x01 cannot occur in a text that has a shape (control characters make it answer no).
inline constexpr std::string_view integer_placeholder = "\x01I";
inline constexpr std::string_view numeric_placeholder = "\x01N";
inline constexpr std::string_view string_placeholder = "\x01S";

// One literal the shape replaced: text.substr(begin, length) is the literal as written, quotes included.
struct ShapeLiteral {
    std::size_t begin = 0;
    std::size_t length = 0;
    LiteralKind kind = LiteralKind::integer;
};

// Writes the shape of sql into out (cleared first; its capacity is reused, so a warm buffer does not
// allocate) and returns true; returns false when unsure or when sql is longer than max_bytes.
[[nodiscard]] bool shape_of(std::string_view sql, std::string& out, std::size_t max_bytes);

// The same scan, also listing the literals it replaced, in text order (for tests and the differential
// fuzzer, which swaps them for other literals of the same kind).
[[nodiscard]] bool shape_of(std::string_view sql, std::string& out, std::size_t max_bytes,
                            std::vector<ShapeLiteral>& literals);

}  // namespace jitgate::guardrails
