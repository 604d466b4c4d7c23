// SqlClassifier: the checks made before any parsing (length, NUL bytes, UTF-8), the hand-off to a
// big-stack parse thread, and the reduction of all effects to one class and one reason.
#include "guardrails/sql_classifier.hpp"

#include "guardrails/sql_parse_threads.hpp"
#include "guardrails/sql_walk.hpp"

#include <nlohmann/json.hpp>

#include <exception>

namespace jitgate::guardrails {
namespace {

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool valid_utf8(std::string_view text) {
    std::size_t i = 0;
    const std::size_t n = text.size();
    while (i < n) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t length = 0;
        unsigned lo = 0x80;
        unsigned hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            length = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            length = 3;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            length = 4;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else {
            return false;
        }
        if (n - i < length) return false;
        const auto second = static_cast<unsigned char>(text[i + 1]);
        if (second < lo || second > hi) return false;
        for (std::size_t k = 2; k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if (next < 0x80 || next > 0xBF) return false;
        }
        i += length;
    }
    return true;
}

Classification refused(std::string reason) {
    Classification result;
    result.risk = RiskClass::unknown;
    result.literal_sensitive = true;  // an answer about the text as a whole, never about its shape
    result.reason = reason;
    result.effects.push_back(Effect{RiskClass::unknown, std::move(reason), {}});
    return result;
}

}  // namespace

std::string to_json(const Classification& result, std::string_view input) {
    nlohmann::json effects = nlohmann::json::array();
    for (const Effect& effect : result.effects) {
        nlohmann::json item = {{"class", config::to_string(effect.risk)}, {"reason", effect.reason}};
        if (!effect.relation.empty()) item["relation"] = effect.relation;
        effects.push_back(std::move(item));
    }
    const nlohmann::json out = {{"input", input},
                                {"class", config::to_string(result.risk)},
                                {"reason", result.reason},
                                {"touches_lexer_settings", result.touches_lexer_settings},
                                {"literal_sensitive", result.literal_sensitive},
                                {"deallocates", result.deallocates},
                                {"prepares", result.prepares},
                                {"effects", std::move(effects)}};
    return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

SqlClassifier::SqlClassifier(const config::ClassifyTables& extra, std::size_t max_statement_bytes)
    : tables_(ClassifierTables::with_builtins(extra)), max_statement_bytes_(max_statement_bytes) {}

Classification SqlClassifier::classify(std::string_view sql) const {
    if (sql.size() > max_statement_bytes_) {
        return refused("longer than " + std::to_string(max_statement_bytes_) + " bytes, the classifier's limit");
    }
    if (sql.find('\0') != std::string_view::npos) return refused("contains a NUL byte");
    if (!valid_utf8(sql)) return refused("not valid UTF-8");

    Classification result;
    const std::string text(sql);
    bool failed = false;
    const std::function<void()> job = [&]() noexcept {
        try {
            detail::walk_sql(text, tables_, result);
        } catch (const std::exception&) {
            failed = true;
        }
    };
    try {
        detail::run_on_parse_thread(job);
    } catch (const std::exception&) {
        failed = true;
    }
    if (failed) return refused("the classifier failed on this text");

    result.risk = RiskClass::read;
    result.reason = "empty statement";
    bool first = true;
    for (const Effect& effect : result.effects) {
        if (first || rank(effect.risk) > rank(result.risk)) {
            result.risk = effect.risk;
            result.reason = effect.reason;
            first = false;
        }
    }
    return result;
}

}  // namespace jitgate::guardrails
