// Differential libFuzzer target for the class cache's second tier (issue 3): for a text T whose
// classification read no literal and that has a shape, every T' made by swapping T's literals for
// others of the same kind either gets another shape or gets exactly T's risk, reason, flags and number
// of effects from the full classifier (libpg_query), and the cache answers every text with the
// classifier's risk. Traps otherwise.
//
// One allowance: PostgreSQL's grammar refuses some literal values itself (float(0), ALTER COLUMN 0
// SET STATISTICS): the classifier says unknown while the shape's class is known. PostgreSQL refuses the
// whole text too, so nothing runs; only those parse errors are let through, never a syntax error.
#include "guardrails/sql/sql_cache.hpp"
#include "guardrails/sql/sql_shape.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

using jitgate::guardrails::Classification;
using jitgate::guardrails::LiteralKind;
using jitgate::guardrails::ShapeLiteral;
using jitgate::config::RiskClass;

constexpr std::size_t max_input = 2048;
constexpr std::size_t variants = 8;

constexpr std::array<std::string_view, 9> integers = {"0", "1", "2", "-0", "2147483647", "00", "7", "1.5",
                                                      "99999999999999999999"};
constexpr std::array<std::string_view, 8> numerics = {"1.5", "99999999999999999999", "0.0", "1e5", ".5",
                                                      "2147483648", "0", "-0"};
constexpr std::array<std::string_view, 18> strings = {
    "''", "'on'", "'off'", "'true'", "'false'", "'1'", "'role'", "'standard_conforming_strings'",
    "'pg_read_file'", "'DELETE FROM t'", "'1=1'", "'0'", "'client_encoding'", "'latin1'", "'/tmp/x'",
    "'it''s'", "'t'", "'SELECT pg_terminate_backend(1)'"};

std::string_view candidate(LiteralKind kind, std::size_t n) {
    switch (kind) {
    case LiteralKind::integer: return integers[n % integers.size()];
    case LiteralKind::numeric: return numerics[n % numerics.size()];
    case LiteralKind::string: return strings[n % strings.size()];
    }
    return "0";
}

// A parse error from a grammar rule that refuses a literal's value, not from the lexer or the syntax.
bool grammar_refuses_value(const Classification& c) {
    if (c.risk != RiskClass::unknown || !c.reason.starts_with("the statement does not parse: ")) return false;
    for (std::string_view message : {"precision for type float", "must be in range", "must be between"}) {
        if (c.reason.find(message) != std::string::npos) return true;
    }
    return false;
}

void check_cache(jitgate::guardrails::ClassCache& cache, std::string_view text, const Classification& full) {
    if (cache.classify(text)->risk != full.risk && !grammar_refuses_value(full)) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const auto classifier = std::make_shared<const jitgate::guardrails::SqlClassifier>();
    static jitgate::guardrails::ClassCache cache(classifier, 512);
    if (size > max_input) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    const Classification original = classifier->classify(text);
    check_cache(cache, text, original);

    std::string shape;
    std::vector<ShapeLiteral> literals;
    if (!jitgate::guardrails::shape_of(text, shape, classifier->max_statement_bytes(), literals)) return 0;
    if (original.literal_sensitive || literals.empty()) return 0;

    std::string variant;
    std::string variant_shape;
    for (std::size_t v = 0; v < variants; ++v) {
        variant.clear();
        std::size_t at = 0;
        for (std::size_t i = 0; i < literals.size(); ++i) {
            variant.append(text.substr(at, literals[i].begin - at));
            // Literal i of variant v: the variants walk the candidate lists at different strides.
            variant.append(candidate(literals[i].kind, v + i * (v + 1) + size));
            at = literals[i].begin + literals[i].length;
        }
        variant.append(text.substr(at));

        const Classification full = classifier->classify(variant);
        if (jitgate::guardrails::shape_of(variant, variant_shape, classifier->max_statement_bytes()) &&
            variant_shape == shape && !grammar_refuses_value(full)) {
            // The cache would answer the variant with the original's classification: it must be the same.
            if (full.risk != original.risk || full.reason != original.reason ||
                full.effects.size() != original.effects.size() || full.literal_sensitive ||
                full.touches_lexer_settings != original.touches_lexer_settings ||
                full.deallocates != original.deallocates) {
                __builtin_trap();
            }
        }
        check_cache(cache, variant, full);
    }
    return 0;
}
