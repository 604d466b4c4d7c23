// The classifier's tables: the built-in ones embedded from guardrails/data (scripts/gen-pg-functions)
// merged with config's `classify.functions` and `classify.settings`.
#include "guardrails/sql/sql_classifier.hpp"

#include <cctype>

namespace jitgate::guardrails {
namespace data {
extern const std::string_view pg_functions_tsv;
extern const std::string_view pg_settings_tsv;
}  // namespace data

namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Lines of NAME<TAB>CLASS; '#' starts a comment line. The data is ours, so a bad line is skipped.
std::unordered_map<std::string, RiskClass> load_tsv(std::string_view tsv) {
    std::unordered_map<std::string, RiskClass> table;
    while (!tsv.empty()) {
        const std::size_t end = tsv.find('\n');
        std::string_view line = tsv.substr(0, end);
        tsv = end == std::string_view::npos ? std::string_view{} : tsv.substr(end + 1);
        if (line.empty() || line.front() == '#') continue;
        const std::size_t tab = line.find('\t');
        if (tab == std::string_view::npos) continue;
        if (const auto risk = config::parse_risk_class(line.substr(tab + 1))) {
            table.emplace(std::string(line.substr(0, tab)), *risk);
        }
    }
    return table;
}

const std::unordered_map<std::string, RiskClass>& builtin_function_table() {
    static const auto table = load_tsv(data::pg_functions_tsv);
    return table;
}

const std::unordered_map<std::string, RiskClass>& builtin_setting_table() {
    static const auto table = load_tsv(data::pg_settings_tsv);
    return table;
}

}  // namespace

ClassifierTables ClassifierTables::with_builtins(const config::ClassifyTables& extra) {
    ClassifierTables tables;
    tables.builtin_functions = builtin_function_table();
    tables.settings = builtin_setting_table();
    for (const auto& [risk, names] : extra.functions) {
        for (const std::string& name : names) tables.config_functions[name] = risk;
    }
    for (const auto& [risk, names] : extra.settings) {
        for (const std::string& name : names) tables.settings[lower(name)] = risk;
    }
    return tables;
}

}  // namespace jitgate::guardrails
