// SqlClassifier: the checks made before any parsing (length, NUL bytes, UTF-8), the hand-off to a
// big-stack parse thread, and the reduction of all effects to one class and one reason.
#include "guardrails/sql/sql_classifier.hpp"

#include "guardrails/sql/sql_parse_threads.hpp"
#include "guardrails/sql/sql_tree.hpp"
#include "guardrails/sql/sql_walk.hpp"

#include <nlohmann/json.hpp>

#include <exception>

namespace jitgate::guardrails {
namespace {

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
    if (!detail::is_valid_utf8(sql)) return refused("not valid UTF-8");

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
