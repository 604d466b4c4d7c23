// The SQL walk's settings and session state: SET / RESET / set_config (guard settings, search_path, the
// lexer's settings), transaction modes, DISCARD and DEALLOCATE.
#include "guardrails/sql/sql_walker.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jitgate::guardrails::detail {

using namespace std::string_view_literals;

void Walker::setting(std::string name, std::string_view kind, const json* value_node, const std::string& how) {
    name = lower(name);
    const bool resets = kind == "VAR_RESET" || kind == "VAR_SET_DEFAULT";
    // Read only where the class depends on it: another setting's value is not a literal that counts.
    auto set_on = [&]() -> std::optional<bool> {
        if (kind != "VAR_SET_VALUE" || value_node == nullptr) return std::nullopt;
        return constant_bool(*value_node, out_.literal_sensitive);
    };
    if (name == "standard_conforming_strings") {
        const std::optional<bool> on = set_on();
        // RESET and DEFAULT go back to the session's start value, which jitgate pins to on; only a
        // value that is not plainly on can turn it off.
        if (resets || on == true) {
            add(RiskClass::read, how + " standard_conforming_strings " + (resets ? "to its start value, on" : "on"));
            return;
        }
        out_.touches_lexer_settings = true;
        add(RiskClass::admin, how + " standard_conforming_strings to anything but on changes how jitgate must lex SQL");
        return;
    }
    if (is_guard_setting(name)) {
        if (set_on() == true) {
            add(RiskClass::read, how + " " + name + " on");
        } else {
            add(RiskClass::admin, how + " " + name + (resets ? " may lift" : " lifts") + " a guard the server keeps");
        }
        return;
    }
    if (name == "client_encoding") {
        std::optional<std::string> value;
        if (value_node != nullptr) {
            const std::optional<Value> v = constant(*value_node, out_.literal_sensitive);
            if (v && std::holds_alternative<std::string>(*v)) value = std::get<std::string>(*v);
        }
        const bool to_utf8 = kind != "VAR_SET_VALUE" || (value && is_utf8_name(*value));
        if (!to_utf8) {
            out_.touches_lexer_settings = true;
            add(RiskClass::admin, how + " client_encoding to an encoding other than UTF8 changes how SQL is lexed");
        } else {
            add(RiskClass::read, how + " client_encoding (UTF8)");
        }
        return;
    }
    if (name == "role" || name == "session_authorization") {
        add(RiskClass::admin, how + " " + name + " changes the session's identity");
        return;
    }
    if (const auto it = tables_.settings.find(name); it != tables_.settings.end()) {
        add(it->second, how + " " + name +
                            (it->second == RiskClass::read ? " (a session setting)" : " (a privileged setting)"));
        return;
    }
    add(RiskClass::unknown, how + " " + name + ": not a setting jitgate knows");
}

bool Walker::is_guard_setting(std::string_view name) noexcept {
    return name == "default_transaction_read_only" || name == "transaction_read_only";
}

bool Walker::keeps_catalog_first(const std::vector<std::string>& schemas) noexcept {
    const auto it = std::find(schemas.begin(), schemas.end(), "pg_catalog");
    return it == schemas.end() || it == schemas.begin();
}

void Walker::search_path_set(std::string_view kind, const json* args, const std::string& how) {
    if (kind == "VAR_RESET" || kind == "VAR_SET_DEFAULT") {
        add(RiskClass::read, how + " search_path to its start value");
        return;
    }
    std::vector<std::string> schemas;
    if (args != nullptr && args->is_array()) {
        for (const json& arg : *args) {
            const std::optional<Value> v = constant(arg, out_.literal_sensitive);
            if (!v || !std::holds_alternative<std::string>(*v)) {
                add(RiskClass::admin, how + " search_path to a value jitgate cannot read");
                return;
            }
            schemas.push_back(std::get<std::string>(*v));
        }
    }
    search_path_effect(schemas, how);
}

void Walker::search_path_config(const json* value_node) {
    const std::string how = "set_config() of";
    std::optional<Value> v;
    if (value_node != nullptr) v = constant(*value_node, out_.literal_sensitive);
    if (!v || !std::holds_alternative<std::string>(*v)) {
        add(RiskClass::admin, how + " search_path to a value that is not a constant");
        return;
    }
    const std::optional<std::vector<std::string>> schemas = split_identifiers(std::get<std::string>(*v));
    if (!schemas) {
        add(RiskClass::admin, how + " search_path to a list jitgate cannot read");
        return;
    }
    search_path_effect(*schemas, how);
}

void Walker::search_path_effect(const std::vector<std::string>& schemas, const std::string& how) {
    if (keeps_catalog_first(schemas)) {
        add(RiskClass::read, how + " search_path (pg_catalog stays first)");
    } else {
        add(RiskClass::admin, how + " search_path that does not keep pg_catalog first, so built-in names "
                                    "could resolve to other functions");
    }
}

std::optional<std::vector<std::string>> Walker::split_identifiers(std::string_view text) {
    std::vector<std::string> out;
    std::size_t i = 0;
    auto skip_space = [&] {
        while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])) != 0) ++i;
    };
    skip_space();
    if (i == text.size()) return out;  // an empty search_path
    while (true) {
        std::string name;
        if (i < text.size() && text[i] == '"') {
            ++i;
            while (true) {
                if (i >= text.size()) return std::nullopt;
                if (text[i] == '"') {
                    if (i + 1 < text.size() && text[i + 1] == '"') {
                        name += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                name += text[i++];
            }
        } else {
            while (i < text.size() && text[i] != ',' && std::isspace(static_cast<unsigned char>(text[i])) == 0)
                name += text[i++];
            if (name.empty()) return std::nullopt;
            name = lower(name);
        }
        skip_space();
        out.push_back(std::move(name));
        if (i == text.size()) return out;
        if (text[i] != ',') return std::nullopt;
        ++i;
        skip_space();
    }
}

bool Walker::reads_write(const json* options) {
    if (options == nullptr || !options->is_array()) return false;
    for (const json& item : *options) {
        const json* def = unwrap(item, "DefElem");
        if (def == nullptr || text_of(*def, "defname") != "transaction_read_only") continue;
        const json* arg = field(*def, "arg");
        if (arg == nullptr || constant_bool(*arg, out_.literal_sensitive) != true) return true;
    }
    return false;
}

void Walker::variable_set(std::string_view, const json& body) {
    const std::string_view kind = text_of(body, "kind");
    const std::string name(text_of(body, "name"));
    if (kind == "VAR_RESET_ALL") {
        // Back to the session's start values, which jitgate pins for standard_conforming_strings and
        // client_encoding: not a lexer change, but it resets roles and guards among every setting.
        add(RiskClass::admin, "RESET ALL resets every setting, the role and read-only guards among them");
        return;
    }
    const json* args = field(body, "args");
    if (kind == "VAR_SET_MULTI") {  // SET TRANSACTION …, SET SESSION CHARACTERISTICS …
        if (reads_write(args)) {
            add(RiskClass::admin, "SET " + lower(name) + " … READ WRITE lifts a read-only guard");
        } else {
            add(RiskClass::read, "SET " + lower(name));
        }
        return;
    }
    const std::string how = kind == "VAR_RESET" ? "RESET" : "SET";
    if (lower(name) == "search_path") {
        search_path_set(kind, args, how);
        return;
    }
    const json* value = nullptr;
    if (args != nullptr && args->is_array() && !args->empty()) value = &(*args)[0];
    setting(name, kind, value, how);
}

void Walker::set_config(const json& body) {
    const json* args = field(body, "args");
    std::optional<Value> name;
    const json* value = nullptr;
    if (args != nullptr && args->is_array() && !args->empty()) {
        name = constant((*args)[0], out_.literal_sensitive);
        if (args->size() > 1) value = &(*args)[1];
    }
    if (!name || !std::holds_alternative<std::string>(*name)) {
        out_.touches_lexer_settings = true;
        add(RiskClass::admin, "set_config() with a setting name that is not a constant");
        return;
    }
    if (lower(std::get<std::string>(*name)) == "search_path") {
        search_path_config(value);
        return;
    }
    setting(std::get<std::string>(*name), "VAR_SET_VALUE", value, "set_config() of");
}

void Walker::transaction_stmt(std::string_view, const json& body) {
    const std::string_view kind = text_of(body, "kind");
    const bool commit = kind == "TRANS_STMT_COMMIT", prepare = kind == "TRANS_STMT_PREPARE";
    if (commit || prepare || kind == "TRANS_STMT_COMMIT_PREPARED") out_.commits = true;
    if (commit || prepare || kind == "TRANS_STMT_ROLLBACK" || kind == "TRANS_STMT_ROLLBACK_TO") out_.drops_portals = true;
    if (prepare || kind == "TRANS_STMT_COMMIT_PREPARED" || kind == "TRANS_STMT_ROLLBACK_PREPARED") {
        add(RiskClass::admin, "two-phase commit (PREPARE TRANSACTION, COMMIT or ROLLBACK PREPARED) leaves or "
                              "ends a transaction outside any session");
    } else if ((kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START") && reads_write(field(body, "options"))) {
        add(RiskClass::admin, "BEGIN … READ WRITE lifts a read-only guard");
    } else {
        add(RiskClass::read, "transaction control");
    }
    fields(body);
}

void Walker::discard_stmt(std::string_view, const json& body) {
    const std::string_view target = text_of(body, "target");
    if (target == "DISCARD_ALL" || target == "DISCARD_PLANS") out_.deallocates = true;
    if (target == "DISCARD_ALL") {
        // Closes every portal too; settings go back to their start values, which jitgate pins for
        // the lexer's two, so this is no lexer change.
        out_.drops_portals = true;
        add(RiskClass::admin, "DISCARD ALL resets every setting, the role and read-only guards among them");
    } else {
        add(RiskClass::read, "DISCARD");
    }
}

void Walker::deallocate_stmt(std::string_view, const json& body) {
    out_.deallocates = true;
    add(RiskClass::read, "DEALLOCATE");
    fields(body);
}

}  // namespace jitgate::guardrails::detail
