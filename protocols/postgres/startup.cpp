// Vetting of StartupMessage parameters: an allow-list passes upstream, everything else is refused.
#include "protocols/postgres/startup.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace jitgate::postgres {
namespace {

// Settings that only change presentation or client-side limits; none can turn a guardrail off.
constexpr std::array<std::string_view, 16> allowed_settings = {
    "application_name", "datestyle", "timezone", "extra_float_digits",
    "intervalstyle", "search_path", "statement_timeout", "lock_timeout",
    "idle_in_transaction_session_timeout", "geqo", "bytea_output", "lc_messages",
    "lc_monetary", "lc_numeric", "lc_time", "default_transaction_isolation",
};

std::string lowercase(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

StartupResult refuse(std::string_view sqlstate_code, std::string message) {
    StartupResult result;
    result.refusal = {std::string(sqlstate_code), std::move(message)};
    return result;
}

// Splits libpq's `options` value into words (backslash escapes a space) and accepts only
// "-c name=value" / "--name=value" pairs whose names are allow-listed.
std::optional<std::string> vet_options(std::string_view options, Parameters& upstream) {
    std::vector<std::string> words;
    std::string word;
    bool escaped = false;
    for (const char c : options) {
        if (escaped) { word.push_back(c); escaped = false; continue; }
        if (c == '\\') { escaped = true; continue; }
        if (std::isspace(static_cast<unsigned char>(c)) != 0) {
            if (!word.empty()) words.push_back(std::move(word));
            word.clear();
            continue;
        }
        word.push_back(c);
    }
    if (!word.empty()) words.push_back(std::move(word));
    for (std::size_t i = 0; i < words.size(); ++i) {
        std::string_view setting;
        if (words[i] == "-c" && i + 1 < words.size()) setting = words[++i];
        else if (words[i].starts_with("--")) setting = std::string_view(words[i]).substr(2);
        else if (words[i].starts_with("-c") && words[i].size() > 2) setting = std::string_view(words[i]).substr(2);
        else return "options may only set allow-listed settings with -c name=value";
        const auto eq = setting.find('=');
        if (eq == std::string_view::npos || eq == 0) return "malformed setting in options";
        std::string name = lowercase(setting.substr(0, eq));
        std::replace(name.begin(), name.end(), '-', '_');
        if (!is_allowed_setting(name)) return "setting \"" + name + "\" may not be set in options";
        upstream.emplace_back(std::move(name), std::string(setting.substr(eq + 1)));
    }
    return std::nullopt;
}

// A search_path value (a list the server splits like SplitIdentifierString: unquoted names fold to
// lower case, "quoted" ones keep theirs) keeps pg_catalog first when it does not name pg_catalog or
// names it first. The SQL classifier resolves built-in functions by name, which needs that (DESIGN §4);
// a malformed list does not keep it.
bool keeps_catalog_first(std::string_view value) {
    std::size_t i = 0;
    auto skip_space = [&] {
        while (i < value.size() && std::isspace(static_cast<unsigned char>(value[i])) != 0) ++i;
    };
    skip_space();
    for (std::size_t position = 0; i < value.size(); ++position) {
        std::string name;
        if (value[i] == '"') {
            for (++i;; ++i) {
                if (i >= value.size()) return false;
                if (value[i] == '"') {
                    if (i + 1 < value.size() && value[i + 1] == '"') { name += '"'; ++i; continue; }
                    ++i;
                    break;
                }
                name += value[i];
            }
        } else {
            while (i < value.size() && value[i] != ',' && std::isspace(static_cast<unsigned char>(value[i])) == 0)
                name += value[i++];
            if (name.empty()) return false;
            name = lowercase(name);
        }
        if (name == "pg_catalog" && position > 0) return false;
        skip_space();
        if (i == value.size()) break;
        if (value[i] != ',') return false;
        ++i;
        skip_space();
        if (i == value.size()) return false;
    }
    return true;
}

}  // namespace

bool is_allowed_setting(std::string_view name) noexcept {
    return std::find(allowed_settings.begin(), allowed_settings.end(), name) != allowed_settings.end();
}

const Parameters& forced_upstream_parameters() {
    static const Parameters forced = {{"client_encoding", "UTF8"}, {"standard_conforming_strings", "on"}};
    return forced;
}

bool breaks_lexing(std::string_view name, std::string_view value) noexcept {
    return name == "standard_conforming_strings" && value != "on";
}

StartupResult decode_startup(Bytes payload) {
    Reader reader(payload);
    StartupRequest request;
    std::vector<std::string> seen;
    Parameters settings;
    bool has_user = false;
    while (true) {
        const auto name = reader.cstring();
        if (!name) return refuse(sqlstate::protocol_violation, "invalid startup packet layout: expected terminator as last byte");
        if (name->empty()) break;
        const auto value = reader.cstring();
        if (!value) return refuse(sqlstate::protocol_violation, "invalid startup packet layout: missing value");
        std::string key = lowercase(*name);
        if (std::find(seen.begin(), seen.end(), key) != seen.end())
            return refuse(sqlstate::protocol_violation, "startup parameter \"" + std::string(*name) + "\" given twice");
        seen.push_back(key);
        if (key == "user") { request.user = std::string(*value); has_user = true; continue; }
        if (key == "database") { request.database = std::string(*value); continue; }
        if (key == "replication") {
            return refuse(sqlstate::feature_not_supported, "replication connections are not supported by jitgate");
        }
        if (key == "options") {
            if (auto error = vet_options(*value, settings)) return refuse(sqlstate::insufficient_privilege, *error);
            continue;
        }
        // Upstream always speaks UTF8 (the classifier lexes UTF8); the client learns it from the relayed
        // ParameterStatus, as libpq and the drivers follow it.
        if (key == "client_encoding") continue;
        if (key.starts_with("_pq_.")) {  // protocol extensions: none supported, named back to the client
            request.unsupported_options.emplace_back(*name);
            continue;
        }
        if (!is_allowed_setting(key))
            return refuse(sqlstate::insufficient_privilege, "startup parameter \"" + std::string(*name) + "\" is not allowed through jitgate");
        settings.emplace_back(std::move(key), std::string(*value));
    }
    if (!reader.at_end()) return refuse(sqlstate::protocol_violation, "invalid startup packet layout: expected terminator as last byte");
    if (!has_user || request.user.empty()) return refuse(sqlstate::invalid_authorization, "no PostgreSQL user name specified in startup packet");
    if (request.database.empty()) request.database = request.user;
    // A setting given both directly and in options: the later would win upstream; refuse the ambiguity.
    for (std::size_t i = 0; i < settings.size(); ++i)
        for (std::size_t j = i + 1; j < settings.size(); ++j)
            if (settings[i].first == settings[j].first)
                return refuse(sqlstate::protocol_violation, "setting \"" + settings[i].first + "\" given twice");
    for (const auto& [name, value] : settings)
        if (name == "search_path" && !keeps_catalog_first(value))
            return refuse(sqlstate::insufficient_privilege,
                          "search_path must keep pg_catalog first through jitgate (name it first or not at all)");
    request.upstream = std::move(settings);
    StartupResult result;
    result.request = std::move(request);
    return result;
}

}  // namespace jitgate::postgres
