// The parse-tree walk behind the SQL classifier (DESIGN §4): every node of pg_query_parse's JSON tree is
// visited, so effects nested in CTEs, EXPLAIN ANALYZE, COPY, PREPARE, cursors, rules, schemas, views and
// function or DO bodies count as much as top-level statements. Statements are dispatched from one table
// of named rules; a statement type missing from it is unknown. Limits: names are judged as written (see
// sql_classifier.hpp); the walk stops at max_depth levels and answers unknown beyond.
#include "guardrails/sql/sql_walk.hpp"

#include "guardrails/shell/shell_classifier.hpp"
#include "guardrails/sql/sql_tree.hpp"

#include <nlohmann/json.hpp>
#include <pg_query.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace jitgate::guardrails::detail {
namespace {

using namespace std::string_view_literals;

constexpr int max_depth = 20000;       // walk levels (about 3 per expression level)
constexpr int max_sql_nesting = 16;    // SQL inside SQL: function and DO bodies, plpgsql expressions


// ---- the walker -----------------------------------------------------------------------------------

// COPY … PROGRAM is judged by the built-in shell table (config's programs are not seen here).
const ShellClassifier& shell_classifier() {
    static const ShellClassifier instance;
    return instance;
}

class Walker;
using Handler = void (Walker::*)(std::string_view type, const json& body);

struct StatementRule {
    RiskClass risk;
    std::string_view label;
    Handler handler = nullptr;  // when set, it decides and adds the effects itself
    bool exposes = false;       // on_relation: the statement re-exposes its relation (Effect::exposes)
};

class Walker {
public:
    Walker(const ClassifierTables& tables, Classification& out) : tables_(tables), out_(out) {}

    // Parses text as SQL and walks each statement; a parse error is an unknown effect.
    void sql_text(const std::string& text, std::string_view what) {
        if (sql_nesting_ >= max_sql_nesting) {
            add(RiskClass::unknown, "SQL nested too deeply in " + std::string(what));
            return;
        }
        ++sql_nesting_;
        std::string error;
        std::optional<json> tree = parse(text, error);
        if (!tree) {
            // A parse error names the token it stopped at, a literal among others.
            out_.literal_sensitive = true;
            add(RiskClass::unknown, std::string(what) + " does not parse: " + error);
        } else {
            walk_statements(*tree, text);
        }
        --sql_nesting_;
    }

private:
    static std::optional<json> parse(const std::string& text, std::string& error) {
        PgQueryParseResult result = pg_query_parse(text.c_str());
        std::optional<json> tree;
        if (result.error != nullptr) {
            error = result.error->message != nullptr ? result.error->message : "syntax error";
        } else {
            json parsed = json::parse(result.parse_tree, nullptr, false);
            if (parsed.is_discarded()) {
                error = "the parse tree is not JSON";
            } else {
                tree = std::move(parsed);
            }
        }
        pg_query_free_parse_result(result);
        return tree;
    }

    void walk_statements(const json& tree, const std::string& text) {
        const json* stmts = field(tree, "stmts");
        if (stmts == nullptr || !stmts->is_array()) return;
        const std::string* saved_text = text_;
        text_ = &text;
        for (const json& raw : *stmts) {
            const json* stmt = field(raw, "stmt");
            if (stmt == nullptr) continue;
            const json* loc = field(raw, "stmt_location");
            const json* len = field(raw, "stmt_len");
            const std::size_t begin = loc != nullptr && loc->is_number_integer() ? loc->get<std::size_t>() : 0;
            const std::size_t length = len != nullptr && len->is_number_integer() ? len->get<std::size_t>() : 0;
            stmt_begin_ = std::min(begin, text.size());
            stmt_length_ = length == 0 ? text.size() - stmt_begin_ : std::min(length, text.size() - stmt_begin_);
            statement(*stmt);
        }
        text_ = saved_text;
    }

    // Reasons and relations quote the parser's words, which may cut a character in two (an identifier
    // truncated to 63 bytes, an error "near" a multi-byte token): both are made valid UTF-8 here.
    void add(RiskClass risk, std::string reason, std::string relation = {}) {
        if (!context_.empty()) reason += " in " + context_.back();
        const bool exposes = exposing_ > 0 && !relation.empty();
        out_.effects.push_back(Effect{risk, valid_utf8(reason), valid_utf8(relation), exposes});
    }
    // An effect on a relation that the statement renames, moves or re-exposes (Effect::exposes).
    void add_exposing(RiskClass risk, std::string reason, std::string relation) {
        add(risk, std::move(reason), relation);
        if (!relation.empty()) out_.effects.back().exposes = true;
    }

    // While one lives, every relation the walk meets is re-exposed by the statement: the query of a view,
    // a materialized view or a rule, the parents a new table inherits from.
    struct Exposing {
        Walker& walker;
        explicit Exposing(Walker& w) : walker(w) { ++walker.exposing_; }
        ~Exposing() { --walker.exposing_; }
        Exposing(const Exposing&) = delete;
        Exposing& operator=(const Exposing&) = delete;
    };

    struct ContextGuard {
        Walker& walker;
        ContextGuard(Walker& w, std::string context) : walker(w) { walker.context_.push_back(std::move(context)); }
        ~ContextGuard() { walker.context_.pop_back(); }
        ContextGuard(const ContextGuard&) = delete;
        ContextGuard& operator=(const ContextGuard&) = delete;
    };

    // A node where a statement stands (top level, CTE body, EXPLAIN, PREPARE, rule action …).
    void statement(const json& node) {
        at_statement_ = true;
        visit(node);
        at_statement_ = false;
    }

    void visit(const json& node) {
        if (too_deep_) return;
        if (depth_ >= max_depth) {
            too_deep_ = true;
            out_.literal_sensitive = true;  // an unknown it cannot vouch for: never shared with a shape
            out_.effects.push_back(Effect{RiskClass::unknown, "nested too deeply to classify", {}});
            return;
        }
        ++depth_;
        if (node.is_array()) {
            for (const json& item : node) visit(item);
        } else if (node.is_object()) {
            if (const std::string_view type = node_type(node); !type.empty()) {
                dispatch(type, node.begin().value());
            } else {
                fields(node);
            }
        }
        --depth_;
    }

    // Every field of a node body, except those named in skip. An unwrapped RangeVar (a typed field such
    // as "relation") reads that relation.
    void fields(const json& body, std::initializer_list<std::string_view> skip = {}) {
        if (!body.is_object()) return;
        at_statement_ = false;
        for (auto it = body.begin(); it != body.end(); ++it) {
            if (std::find(skip.begin(), skip.end(), it.key()) != skip.end()) continue;
            const json& value = it.value();
            if (!value.is_structured()) continue;
            if (is_range_var(value)) {
                read_relation(value);
            } else {
                visit(value);
            }
        }
    }

    void read_relation(const json& range_var) {
        const std::string rel = relation_name(&range_var);
        if (is_secret_catalog(rel)) {
            add(RiskClass::admin, "reads " + rel + ", a catalog that holds password hashes or user-mapping secrets", rel);
            return;
        }
        add(RiskClass::read, "reads " + rel, rel);
    }

    // pg_authid and pg_shadow hold password hashes, pg_user_mapping(s) foreign servers' passwords.
    [[nodiscard]] static bool is_secret_catalog(std::string_view rel) noexcept {
        if (rel.starts_with("pg_catalog.")) rel.remove_prefix("pg_catalog."sv.size());
        return rel == "pg_authid" || rel == "pg_shadow" || rel == "pg_user_mapping" || rel == "pg_user_mappings";
    }

    void dispatch(std::string_view type, const json& body);

    // -- statement handlers --

    void select_stmt(std::string_view, const json& body) {
        const bool top = std::exchange(at_statement_, false);
        if (top) add(RiskClass::read, "SELECT");
        if (const json* into = field(body, "intoClause")) {
            const std::string rel = relation_name(field(*into, "rel"));
            add(RiskClass::ddl, "SELECT INTO creates table " + rel, rel);
        }
        if (const json* locking = field(body, "lockingClause"); locking != nullptr && !locking->empty()) {
            add(RiskClass::write, "SELECT … FOR UPDATE/SHARE locks rows");
        }
        fields(body, {"intoClause"});
    }

    void insert_stmt(std::string_view, const json& body) {
        const std::string rel = relation_name(field(body, "relation"));
        add(RiskClass::write, "INSERT into " + rel, rel);
        fields(body, {"relation"});
    }

    void update_or_delete(std::string_view type, const json& body) {
        const std::string rel = relation_name(field(body, "relation"));
        const std::string verb = type == "UpdateStmt" ? "UPDATE of " : "DELETE from ";
        const json* where = field(body, "whereClause");
        if (where == nullptr) {
            add(RiskClass::destructive, verb + rel + " without a WHERE clause", rel);
        } else if (where_truth(*where, out_.literal_sensitive) == Truth::yes) {
            add(RiskClass::destructive, verb + rel + " with a WHERE clause that is always true", rel);
        } else {
            add(RiskClass::write, verb + rel, rel);
        }
        fields(body, {"relation"});
    }

    void merge_stmt(std::string_view, const json& body) {
        const std::string rel = relation_name(field(body, "relation"));
        bool wipes = false;
        if (const json* on = field(body, "joinCondition");
            on != nullptr && where_truth(*on, out_.literal_sensitive) == Truth::yes) {
            if (const json* whens = field(body, "mergeWhenClauses"); whens != nullptr && whens->is_array()) {
                for (const json& item : *whens) {
                    const json* when = unwrap(item, "MergeWhenClause");
                    if (when == nullptr) continue;
                    const std::string_view cmd = text_of(*when, "commandType");
                    if ((cmd == "CMD_DELETE" || cmd == "CMD_UPDATE") && !when->contains("condition")) wipes = true;
                }
            }
        }
        if (wipes) {
            add(RiskClass::destructive, "MERGE into " + rel + " that updates or deletes every row", rel);
        } else {
            add(RiskClass::write, "MERGE into " + rel, rel);
        }
        fields(body, {"relation"});
    }

    void explain_stmt(std::string_view, const json& body) {
        const json* query = field(body, "query");
        if (explain_analyzes(field(body, "options"), out_.literal_sensitive)) {
            add(RiskClass::read, "EXPLAIN ANALYZE");
            ContextGuard context(*this, "EXPLAIN ANALYZE");
            if (query != nullptr) statement(*query);
        } else {
            add(RiskClass::read, "EXPLAIN without ANALYZE plans the statement and does not run it");
        }
    }

    void copy_stmt(std::string_view, const json& body) {
        const bool from = flag(body, "is_from");
        const bool program = flag(body, "is_program");
        // The file name is a string literal; COPY t TO '' names a file too (PostgreSQL refuses it).
        const bool file = field(body, "filename") != nullptr;
        if (file) out_.literal_sensitive = true;
        const std::string rel = relation_name(field(body, "relation"));
        if (program) {
            // The program is a shell command line the server runs: at least admin, more if the shell
            // classifier says so (COPY t TO PROGRAM 'rm -rf /srv').
            const ShellClassification shell = shell_classifier().classify(text_of(body, "filename"));
            const std::string what = std::string(from ? "COPY FROM " : "COPY TO ") + "a server program";
            if (rank(shell.risk) > rank(RiskClass::admin)) {
                add(shell.risk, what + " that is " + std::string(config::to_string(shell.risk)) + ": " + shell.reason, rel);
            } else {
                add(RiskClass::admin, what, rel);
            }
        } else if (file) {
            add(RiskClass::admin, std::string(from ? "COPY FROM " : "COPY TO ") + "a server file", rel);
        } else if (from) {
            add(RiskClass::write, "COPY into " + rel + " FROM STDIN", rel);
        } else if (!rel.empty()) {
            add(RiskClass::read, "COPY " + rel + " TO STDOUT", rel);
        } else {
            add(RiskClass::read, "COPY (query) TO STDOUT");
        }
        if (const json* query = field(body, "query")) {
            ContextGuard context(*this, "COPY");
            statement(*query);
        }
        fields(body, {"relation", "query"});
    }

    // SET/RESET of one setting by name. value: the node of the value set (the first SET argument), or
    // null; it is read only where the decision depends on it.
    void setting(std::string name, std::string_view kind, const json* value_node, const std::string& how) {
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

    // Settings whose off value lifts a guard the server keeps: a read-only default or transaction
    // (DESIGN §4's admin list). Not row_security: off never bypasses a policy (a query a policy would
    // filter fails instead), and pg_dump's scripts set it off.
    [[nodiscard]] static bool is_guard_setting(std::string_view name) noexcept {
        return name == "default_transaction_read_only" || name == "transaction_read_only";
    }

    // The schemas of a search_path keep pg_catalog first when it is not named (the server then searches
    // it first) or named first: the classifier resolves built-in functions by name, which needs that.
    [[nodiscard]] static bool keeps_catalog_first(const std::vector<std::string>& schemas) noexcept {
        const auto it = std::find(schemas.begin(), schemas.end(), "pg_catalog");
        return it == schemas.end() || it == schemas.begin();
    }

    // SET search_path / SET SCHEMA: each argument is one schema name, exactly as the server takes it.
    void search_path_set(std::string_view kind, const json* args, const std::string& how) {
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

    // set_config('search_path', 'a, "B"', …): the value is a list the server splits as identifiers.
    void search_path_config(const json* value_node) {
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

    void search_path_effect(const std::vector<std::string>& schemas, const std::string& how) {
        if (keeps_catalog_first(schemas)) {
            add(RiskClass::read, how + " search_path (pg_catalog stays first)");
        } else {
            add(RiskClass::admin, how + " search_path that does not keep pg_catalog first, so built-in names "
                                        "could resolve to other functions");
        }
    }

    // PostgreSQL's SplitIdentifierString with ',': unquoted names fold to lower case, "quoted" ones keep
    // their case and "" stands for one quote. nullopt when the list is malformed.
    [[nodiscard]] static std::optional<std::vector<std::string>> split_identifiers(std::string_view text) {
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

    // SET TRANSACTION … / SET SESSION CHARACTERISTICS AS TRANSACTION … / BEGIN …: READ WRITE lifts a
    // read-only guard (transaction_read_only off).
    [[nodiscard]] bool reads_write(const json* options) {
        if (options == nullptr || !options->is_array()) return false;
        for (const json& item : *options) {
            const json* def = unwrap(item, "DefElem");
            if (def == nullptr || text_of(*def, "defname") != "transaction_read_only") continue;
            const json* arg = field(*def, "arg");
            if (arg == nullptr || constant_bool(*arg, out_.literal_sensitive) != true) return true;
        }
        return false;
    }

    void variable_set(std::string_view, const json& body) {
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

    void func_call(std::string_view, const json& body) {
        const std::vector<std::string> parts = name_parts(field(body, "funcname"));
        const std::string name = join(parts);
        std::optional<RiskClass> risk;
        bool builtin = false;
        if (const auto it = tables_.config_functions.find(name); it != tables_.config_functions.end()) {
            risk = it->second;
        } else if (parts.size() == 1 || (parts.size() == 2 && parts[0] == "pg_catalog")) {
            if (const auto b = tables_.builtin_functions.find(parts.back()); b != tables_.builtin_functions.end()) {
                risk = b->second;
                builtin = true;
            }
        }
        if (builtin && parts.back() == "set_config") {
            set_config(body);
        } else if (!builtin && is_dblink(parts.back())) {
            dblink_call(parts.back(), field(body, "args"), risk);
        } else if (!risk) {
            add(RiskClass::unknown, "calls " + name + "(), a function jitgate does not know");
        } else if (*risk != RiskClass::read) {
            add(*risk, "calls " + name + "()");
        }
        fields(body, {"funcname"});
    }

    void set_config(const json& body) {
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

    // dblink and friends send SQL to a server: the function is admin (DESIGN §4), and a literal SQL
    // argument is judged as SQL; one that is not a literal cannot be vouched for. The SQL argument's
    // position: dblink/dblink_exec ([conn,] sql [, fail]), dblink_send_query (conn, sql), dblink_open
    // ([conn,] cursor, sql [, fail]). A config class for the function counts where it is above admin.
    [[nodiscard]] static bool is_dblink(std::string_view function) noexcept {
        return function == "dblink" || function == "dblink_exec" || function == "dblink_send_query" ||
               function == "dblink_open";
    }

    void dblink_call(const std::string& function, const json* args, std::optional<RiskClass> configured) {
        const bool exec = function == "dblink" || function == "dblink_exec";
        const std::size_t n = args != nullptr && args->is_array() ? args->size() : 0;
        auto ends_in_bool = [&] {  // a last argument written true or false: fail_on_error
            const json* last = n > 0 ? unwrap((*args)[n - 1], "A_Const") : nullptr;
            return last != nullptr && field(*last, "boolval") != nullptr;
        };
        std::optional<std::size_t> at;
        if (exec) {
            if (n == 1) at = 0;
            else if (n == 2) at = ends_in_bool() ? 0 : 1;
            else if (n == 3) at = 1;
        } else if (function == "dblink_send_query") {
            if (n == 2) at = 1;
        } else {
            if (n == 2) at = 1;
            else if (n == 3) at = ends_in_bool() ? 1 : 2;
            else if (n == 4) at = 2;
        }
        out_.literal_sensitive = true;
        add(higher(configured.value_or(RiskClass::admin), RiskClass::admin), "calls " + function + "(), which runs SQL on a server");
        std::optional<Value> sql;
        if (at) sql = constant((*args)[*at], out_.literal_sensitive);
        if (!sql || !std::holds_alternative<std::string>(*sql)) {
            add(RiskClass::unknown, function + "() with SQL that is not a literal");
            return;
        }
        ContextGuard context(*this, function + "()");
        sql_text(std::get<std::string>(*sql), "the SQL " + function + "() sends");
    }

    void do_stmt(std::string_view, const json& body) {
        out_.literal_sensitive = true;  // the code and the LANGUAGE name are string literals
        std::string code;
        std::string language = "plpgsql";
        if (const json* args = field(body, "args"); args != nullptr && args->is_array()) {
            for (const json& item : *args) {
                const json* def = unwrap(item, "DefElem");
                const json* arg = def != nullptr ? field(*def, "arg") : nullptr;
                const json* s = arg != nullptr ? unwrap(*arg, "String") : nullptr;
                if (s == nullptr) continue;
                if (text_of(*def, "defname") == "as") code = text_of(*s, "sval");
                if (text_of(*def, "defname") == "language") language = lower(text_of(*s, "sval"));
            }
        }
        add(RiskClass::read, "DO block");
        if (language != "plpgsql") {
            add(RiskClass::unknown, "DO block in LANGUAGE " + language + " cannot be classified");
            return;
        }
        // A dollar-quote tag that does not occur in the code.
        std::string tag = "$jitgate$";
        for (int n = 0; code.find(tag) != std::string::npos; ++n) tag = "$jitgate" + std::to_string(n) + "$";
        plpgsql("CREATE FUNCTION jitgate_do() RETURNS void LANGUAGE plpgsql AS " + tag + code + tag, "a DO block");
    }

    void create_function(std::string_view, const json& body) {
        out_.literal_sensitive = true;  // the body (AS '…') and LANGUAGE 'name' may be string literals
        const std::string name = join(name_parts(field(body, "funcname")));
        const bool procedure = flag(body, "is_procedure");
        add(RiskClass::ddl, std::string(procedure ? "CREATE PROCEDURE " : "CREATE FUNCTION ") + name);
        std::string language = body.contains("sql_body") ? "sql" : "";
        std::vector<std::string> as;
        if (const json* options = field(body, "options"); options != nullptr && options->is_array()) {
            for (const json& item : *options) {
                const json* def = unwrap(item, "DefElem");
                const json* arg = def != nullptr ? field(*def, "arg") : nullptr;
                if (arg == nullptr) continue;
                if (text_of(*def, "defname") == "language") {
                    if (const json* s = unwrap(*arg, "String")) language = lower(text_of(*s, "sval"));
                } else if (text_of(*def, "defname") == "as") {
                    if (const json* list = unwrap(*arg, "List")) as = name_parts(field(*list, "items"));
                }
            }
        }
        const std::string what = "the body of " + name;
        if (language == "c" || language == "internal") {
            add(RiskClass::admin, "a function in LANGUAGE " + language + " runs native code");
        } else if (body.contains("sql_body")) {
            ContextGuard context(*this, what);
            visit(*field(body, "sql_body"));
        } else if (language == "sql" && as.size() == 1) {
            ContextGuard context(*this, what);
            sql_text(as[0], "function body");
        } else if (language == "plpgsql" && text_ != nullptr) {
            plpgsql(text_->substr(stmt_begin_, stmt_length_), what);
        } else {
            add(RiskClass::unknown, "the body of " + name + " in LANGUAGE " +
                                        (language.empty() ? std::string("?") : language) + " cannot be classified");
        }
        fields(body, {"funcname", "options", "sql_body"});
    }

    // A CREATE FUNCTION … LANGUAGE plpgsql text: every embedded SQL statement and expression counts.
    void plpgsql(const std::string& create_function_text, const std::string& what) {
        PgQueryPlpgsqlParseResult result = pg_query_parse_plpgsql(create_function_text.c_str());
        if (result.error != nullptr) {
            add(RiskClass::unknown, what + " does not parse as PL/pgSQL: " +
                                        (result.error->message != nullptr ? result.error->message : "error"));
        } else {
            json tree = json::parse(result.plpgsql_funcs != nullptr ? result.plpgsql_funcs : "", nullptr, false);
            if (tree.is_discarded()) {
                add(RiskClass::unknown, what + ": the PL/pgSQL tree is not JSON");
            } else {
                ContextGuard context(*this, what);
                plpgsql_node(tree);
            }
        }
        pg_query_free_plpgsql_parse_result(result);
    }

    void plpgsql_node(const json& node) {
        if (too_deep_) return;
        if (depth_ >= max_depth) {
            too_deep_ = true;
            out_.literal_sensitive = true;
            out_.effects.push_back(Effect{RiskClass::unknown, "nested too deeply to classify", {}});
            return;
        }
        ++depth_;
        if (node.is_array()) {
            for (const json& item : node) plpgsql_node(item);
        } else if (node.is_object()) {
            for (auto it = node.begin(); it != node.end(); ++it) {
                const std::string& key = it.key();
                if (key == "PLpgSQL_expr") {
                    plpgsql_expr(std::string(text_of(it.value(), "query")));
                    continue;
                }
                if (key == "PLpgSQL_stmt_dynexecute" || key == "PLpgSQL_stmt_dynfors" ||
                    (key == "PLpgSQL_stmt_open" && it.value().contains("dynquery"))) {
                    add(RiskClass::unknown, "dynamic SQL (EXECUTE of a string)");
                }
                plpgsql_node(it.value());
            }
        }
        --depth_;
    }

    // A PL/pgSQL expression or statement: SQL as it stands, else an expression, else an assignment.
    void plpgsql_expr(const std::string& query) {
        std::string error;
        for (const std::string& candidate :
             {query, "SELECT " + query,
              query.find(":=") != std::string::npos ? "SELECT " + query.substr(query.find(":=") + 2) : std::string()}) {
            if (candidate.empty()) continue;
            if (parse(candidate, error)) {
                sql_text(candidate, "a PL/pgSQL statement");
                return;
            }
        }
        add(RiskClass::unknown, "a PL/pgSQL expression does not parse: " + error);
    }

    void drop_stmt(std::string_view, const json& body) {
        const std::string object = object_word(text_of(body, "removeType"));
        const bool relation_like = object == "TABLE" || object == "VIEW" || object == "MATERIALIZED VIEW" ||
                                   object == "FOREIGN TABLE" || object == "SEQUENCE" || object == "INDEX";
        const json* objects = field(body, "objects");
        bool any = false;
        if (objects != nullptr && objects->is_array()) {
            for (const json& item : *objects) {
                std::string name;
                if (const json* list = unwrap(item, "List")) {
                    name = join(name_parts(field(*list, "items")));
                } else if (const json* s = unwrap(item, "String")) {
                    out_.literal_sensitive = true;  // a name, but a String node: counted as a literal
                    name = text_of(*s, "sval");
                } else if (const json* f = unwrap(item, "ObjectWithArgs")) {
                    name = join(name_parts(field(*f, "objname")));
                }
                add(RiskClass::destructive, "DROP " + object + (name.empty() ? "" : " " + name),
                    relation_like ? name : std::string());
                any = true;
            }
        }
        if (!any) add(RiskClass::destructive, "DROP " + object);
    }

    void truncate_stmt(std::string_view, const json& body) {
        bool any = false;
        if (const json* rels = field(body, "relations"); rels != nullptr && rels->is_array()) {
            for (const json& item : *rels) {
                if (const json* rv = unwrap(item, "RangeVar")) {
                    const std::string rel = relation_name(rv);
                    add(RiskClass::destructive, "TRUNCATE " + rel, rel);
                    any = true;
                }
            }
        }
        if (!any) add(RiskClass::destructive, "TRUNCATE");
    }

    void alter_table(std::string_view, const json& body) {
        const std::string rel = relation_name(field(body, "relation"));
        const std::string what = "ALTER " + object_word(text_of(body, "objtype")) + " " + rel;
        add(RiskClass::ddl, what, rel);
        if (const json* cmds = field(body, "cmds"); cmds != nullptr && cmds->is_array()) {
            for (const json& item : *cmds) {
                const json* cmd = unwrap(item, "AlterTableCmd");
                if (cmd == nullptr) continue;
                const std::string_view sub = text_of(*cmd, "subtype");
                if (sub == "AT_DropColumn") {
                    add(RiskClass::destructive, what + " DROP COLUMN " + std::string(text_of(*cmd, "name")), rel);
                } else if (sub == "AT_ChangeOwner") {
                    add_exposing(RiskClass::admin, what + " OWNER TO changes who controls it", rel);
                } else if (sub == "AT_DisableRowSecurity" || sub == "AT_NoForceRowSecurity" ||
                           sub == "AT_DisableTrigAll") {
                    add_exposing(RiskClass::admin, what + " turns off row security or system triggers", rel);
                } else if (exposing_subcommand(sub)) {
                    add_exposing(RiskClass::ddl, what + " " + std::string(sub.substr(3)), rel);
                    // INHERIT parent, ATTACH PARTITION child, DETACH PARTITION child: the other table too.
                    if (const json* def = field(*cmd, "def")) {
                        const json* other = unwrap(*def, "RangeVar");
                        if (other == nullptr) {
                            if (const json* bound = unwrap(*def, "PartitionCmd")) other = field(*bound, "name");
                        }
                        if (other != nullptr) {
                            const std::string other_rel = relation_name(other);
                            add_exposing(RiskClass::ddl, what + " " + std::string(sub.substr(3)) + " " + other_rel,
                                         other_rel);
                        }
                    }
                }
            }
        }
        fields(body, {"relation"});
    }

    // ALTER TABLE subcommands that change how a table's rows can be reached: through a parent, a
    // partitioned table, or without row security or its triggers.
    [[nodiscard]] static bool exposing_subcommand(std::string_view sub) noexcept {
        static constexpr std::string_view subs[] = {
            "AT_AddInherit",        "AT_DropInherit",         "AT_AttachPartition",  "AT_DetachPartition",
            "AT_DetachPartitionFinalize", "AT_EnableRowSecurity", "AT_ForceRowSecurity", "AT_AddOf",
            "AT_DropOf",            "AT_EnableTrig",          "AT_EnableAlwaysTrig", "AT_EnableReplicaTrig",
            "AT_DisableTrig",       "AT_EnableTrigAll",       "AT_EnableTrigUser",   "AT_DisableTrigUser",
            "AT_EnableRule",        "AT_EnableAlwaysRule",    "AT_EnableReplicaRule", "AT_DisableRule",
            "AT_ReplicaIdentity",   "AT_SetLogged",           "AT_SetUnLogged",      "AT_SetTableSpace"};
        return std::find(std::begin(subs), std::end(subs), sub) != std::end(subs);
    }

    // Statements whose one relation field is the object they act on, at the rule's class.
    void on_relation(std::string_view type, const json& body);
    void schema_effect(std::string_view type, const json& body);

    void create_table_as(std::string_view, const json& body) {
        const json* into = field(body, "into");
        const std::string rel = relation_name(into != nullptr ? field(*into, "rel") : nullptr);
        const bool matview = text_of(body, "objtype") == "OBJECT_MATVIEW";
        add(RiskClass::ddl, std::string(matview ? "CREATE MATERIALIZED VIEW " : "CREATE TABLE ") + rel + " AS", rel);
        if (const json* query = field(body, "query")) {
            ContextGuard context(*this, matview ? "CREATE MATERIALIZED VIEW" : "CREATE TABLE AS");
            std::optional<Exposing> exposing;
            if (matview) exposing.emplace(*this);  // a matview keeps the rows readable under its name
            statement(*query);
        }
    }

    void view_stmt(std::string_view, const json& body) {
        const std::string rel = relation_name(field(body, "view"));
        add(RiskClass::ddl, "CREATE VIEW " + rel, rel);
        if (const json* query = field(body, "query")) {
            ContextGuard context(*this, "the query of view " + rel);
            const Exposing exposing(*this);  // a view reads (and, updatable, writes) its tables under its name
            statement(*query);
        }
    }

    void rule_stmt(std::string_view, const json& body) {
        const std::string rel = relation_name(field(body, "relation"));
        add_exposing(RiskClass::ddl, "CREATE RULE " + std::string(text_of(body, "rulename")) + " ON " + rel, rel);
        ContextGuard context(*this, "rule " + std::string(text_of(body, "rulename")));
        const Exposing exposing(*this);  // what the rule's actions touch is reached through rel
        if (const json* actions = field(body, "actions"); actions != nullptr && actions->is_array()) {
            for (const json& action : *actions) statement(action);
        }
        if (const json* where = field(body, "whereClause")) visit(*where);
    }

    void create_schema(std::string_view, const json& body) {
        const std::string name(text_of(body, "schemaname"));
        add(RiskClass::ddl, "CREATE SCHEMA " + name);
        ContextGuard context(*this, "CREATE SCHEMA " + name);
        if (const json* elements = field(body, "schemaElts"); elements != nullptr && elements->is_array()) {
            for (const json& element : *elements) statement(element);
        }
    }

    void with_query(std::string_view label, const json& body, std::string_view query_key) {
        if (const json* query = field(body, query_key)) {
            ContextGuard context(*this, std::string(label));
            statement(*query);
        }
    }

    void declare_cursor(std::string_view, const json& body) {
        out_.drops_portals = true;
        const std::string name(text_of(body, "portalname"));
        add(RiskClass::read, "DECLARE CURSOR " + name);
        with_query("cursor " + name, body, "query");
    }

    void close_portal(std::string_view, const json&) {
        out_.drops_portals = true;
        add(RiskClass::read, "CLOSE cursor");
    }

    void transaction_stmt(std::string_view, const json& body) {
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

    void prepare_stmt(std::string_view, const json& body) {
        const std::string name(text_of(body, "name"));
        out_.prepares = true;
        add(RiskClass::read, "PREPARE " + name);
        with_query("PREPARE " + name, body, "query");
    }

    void common_table_expr(std::string_view, const json& body) {
        with_query("WITH query " + std::string(text_of(body, "ctename")), body, "ctequery");
        fields(body, {"ctequery"});
    }

    void execute_stmt(std::string_view, const json& body) {
        add(RiskClass::unknown,
            "EXECUTE " + std::string(text_of(body, "name")) + ": a prepared statement has the class of its PREPARE");
        fields(body);
    }

    void discard_stmt(std::string_view, const json& body) {
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

    // ALTER FUNCTION … SET/RESET: the function's own settings change how the server runs it, never how
    // the session lexes its next statement (as CREATE FUNCTION … SET), so they are not walked as SETs.
    void alter_function(std::string_view, const json& body) {
        add(RiskClass::ddl, "ALTER FUNCTION");
        fields(body, {"actions"});
    }

    void deallocate_stmt(std::string_view, const json& body) {
        out_.deallocates = true;
        add(RiskClass::read, "DEALLOCATE");
        fields(body);
    }

    void vacuum_stmt(std::string_view, const json& body) {
        const std::string what = flag(body, "is_vacuumcmd") ? "VACUUM" : "ANALYZE";
        bool any = false;
        if (const json* rels = field(body, "rels"); rels != nullptr && rels->is_array()) {
            for (const json& item : *rels) {
                const json* vr = unwrap(item, "VacuumRelation");
                if (vr == nullptr) continue;
                const std::string rel = relation_name(field(*vr, "relation"));
                add(RiskClass::admin, what + " " + rel, rel);
                any = true;
            }
        }
        if (!any) add(RiskClass::admin, what);
    }

    void lock_stmt(std::string_view, const json& body) {
        if (const json* rels = field(body, "relations"); rels != nullptr && rels->is_array()) {
            for (const json& item : *rels) {
                if (const json* rv = unwrap(item, "RangeVar")) {
                    const std::string rel = relation_name(rv);
                    add(RiskClass::admin, "LOCK " + rel + " (an explicit lock queues behind and in front of DDL)", rel);
                }
            }
        }
    }

    void grant_stmt(std::string_view, const json& body) {
        const std::string what = flag(body, "is_grant") ? "GRANT" : "REVOKE";
        add(RiskClass::admin, what + " changes privileges");
        const bool whole_schema = text_of(body, "targtype") == "ACL_TARGET_ALL_IN_SCHEMA";
        if (const json* objects = field(body, "objects"); objects != nullptr && objects->is_array()) {
            for (const json& item : *objects) {
                if (const json* rv = unwrap(item, "RangeVar")) {
                    const std::string rel = relation_name(rv);
                    add_exposing(RiskClass::admin, what + " on " + rel, rel);
                } else if (const json* schema = unwrap(item, "String"); schema != nullptr && whole_schema) {
                    const std::string name(text_of(*schema, "sval"));
                    add_exposing(RiskClass::admin, what + " on all tables in schema " + name, name + ".*");
                }
            }
        }
    }

    void range_var(std::string_view, const json& body) { read_relation(body); }

    // A statement that re-exposes every table it names (a publication, a security label): its class, and
    // each relation as exposed. A table named as a list of strings (SECURITY LABEL ON TABLE a.b) too.
    void exposing_stmt(std::string_view type, const json& body);

    // {"List":{"items":[{"String":{"sval":"a"}},…]}} as "a.b"; "" when it is not such a list.
    [[nodiscard]] static std::string dotted_name(const json& node) {
        const json* list = unwrap(node, "List");
        const json* items = list != nullptr ? field(*list, "items") : nullptr;
        if (items == nullptr || !items->is_array()) return {};
        std::string name;
        for (const json& item : *items) {
            const json* part = unwrap(item, "String");
            if (part == nullptr) return {};
            if (!name.empty()) name += '.';
            name += text_of(*part, "sval");
        }
        return name;
    }

    // CALL's funccall is an unwrapped FuncCall: a procedure is judged like a function.
    void call_stmt(std::string_view, const json& body) {
        add(RiskClass::read, "CALL");
        if (const json* call = field(body, "funccall")) func_call("FuncCall", *call);
        fields(body, {"funccall"});
    }

    const ClassifierTables& tables_;
    Classification& out_;
    std::vector<std::string> context_;
    const std::string* text_ = nullptr;  // the text being walked, for a statement's own source
    std::size_t stmt_begin_ = 0;
    std::size_t stmt_length_ = 0;
    int depth_ = 0;
    int sql_nesting_ = 0;
    bool too_deep_ = false;
    bool at_statement_ = false;
    int exposing_ = 0;  // Exposing scopes open

    friend const std::unordered_map<std::string_view, StatementRule>& statement_rules();
};

const std::unordered_map<std::string_view, StatementRule>& statement_rules() {
    using R = RiskClass;
    static const std::unordered_map<std::string_view, StatementRule> rules = {
        // read
        {"SelectStmt", {R::read, "SELECT", &Walker::select_stmt}},
        {"VariableShowStmt", {R::read, "SHOW"}},
        {"TransactionStmt", {R::read, "transaction control", &Walker::transaction_stmt}},
        {"ListenStmt", {R::read, "LISTEN"}},
        {"UnlistenStmt", {R::read, "UNLISTEN"}},
        {"FetchStmt", {R::read, "FETCH or MOVE in a cursor"}},
        {"ClosePortalStmt", {R::read, "CLOSE cursor", &Walker::close_portal}},
        {"DeallocateStmt", {R::read, "DEALLOCATE", &Walker::deallocate_stmt}},
        {"ConstraintsSetStmt", {R::read, "SET CONSTRAINTS"}},
        {"DeclareCursorStmt", {R::read, "DECLARE CURSOR", &Walker::declare_cursor}},
        {"PrepareStmt", {R::read, "PREPARE", &Walker::prepare_stmt}},
        {"ExplainStmt", {R::read, "EXPLAIN", &Walker::explain_stmt}},
        {"CallStmt", {R::read, "CALL", &Walker::call_stmt}},
        {"DoStmt", {R::read, "DO", &Walker::do_stmt}},
        {"ReturnStmt", {R::read, "RETURN"}},
        {"VariableSetStmt", {R::read, "SET", &Walker::variable_set}},
        {"DiscardStmt", {R::read, "DISCARD", &Walker::discard_stmt}},
        {"ExecuteStmt", {R::unknown, "EXECUTE", &Walker::execute_stmt}},
        // write
        {"InsertStmt", {R::write, "INSERT", &Walker::insert_stmt}},
        {"UpdateStmt", {R::write, "UPDATE", &Walker::update_or_delete}},
        {"DeleteStmt", {R::write, "DELETE", &Walker::update_or_delete}},
        {"MergeStmt", {R::write, "MERGE", &Walker::merge_stmt}},
        {"CopyStmt", {R::write, "COPY", &Walker::copy_stmt}},
        {"NotifyStmt", {R::write, "NOTIFY"}},
        {"LockStmt", {R::admin, "LOCK", &Walker::lock_stmt}},
        // ddl
        {"CreateStmt", {R::ddl, "CREATE TABLE", &Walker::on_relation}},
        {"CreateForeignTableStmt", {R::ddl, "CREATE FOREIGN TABLE"}},
        {"CreateTableAsStmt", {R::ddl, "CREATE TABLE AS", &Walker::create_table_as}},
        {"RefreshMatViewStmt", {R::ddl, "REFRESH MATERIALIZED VIEW", &Walker::on_relation}},
        {"AlterTableStmt", {R::ddl, "ALTER TABLE", &Walker::alter_table}},
        {"IndexStmt", {R::ddl, "CREATE INDEX on", &Walker::on_relation}},
        {"ViewStmt", {R::ddl, "CREATE VIEW", &Walker::view_stmt}},
        {"CreateSeqStmt", {R::ddl, "CREATE SEQUENCE", &Walker::on_relation}},
        {"AlterSeqStmt", {R::ddl, "ALTER SEQUENCE", &Walker::on_relation}},
        {"CreateFunctionStmt", {R::ddl, "CREATE FUNCTION", &Walker::create_function}},
        {"AlterFunctionStmt", {R::ddl, "ALTER FUNCTION", &Walker::alter_function}},
        {"CreateDomainStmt", {R::ddl, "CREATE DOMAIN"}},
        {"AlterDomainStmt", {R::ddl, "ALTER DOMAIN"}},
        {"CreateEnumStmt", {R::ddl, "CREATE TYPE AS ENUM"}},
        {"AlterEnumStmt", {R::ddl, "ALTER TYPE (enum)"}},
        {"CompositeTypeStmt", {R::ddl, "CREATE TYPE"}},
        {"CreateRangeStmt", {R::ddl, "CREATE TYPE AS RANGE"}},
        {"DefineStmt", {R::ddl, "CREATE (aggregate, operator, type, collation or text search object)"}},
        {"AlterTypeStmt", {R::ddl, "ALTER TYPE"}},
        {"CreateCastStmt", {R::ddl, "CREATE CAST"}},
        {"CreateOpClassStmt", {R::ddl, "CREATE OPERATOR CLASS"}},
        {"CreateOpFamilyStmt", {R::ddl, "CREATE OPERATOR FAMILY"}},
        {"AlterOpFamilyStmt", {R::ddl, "ALTER OPERATOR FAMILY"}},
        {"AlterOperatorStmt", {R::ddl, "ALTER OPERATOR"}},
        {"CreateConversionStmt", {R::ddl, "CREATE CONVERSION"}},
        {"CreateTransformStmt", {R::ddl, "CREATE TRANSFORM"}},
        {"CreateStatsStmt", {R::ddl, "CREATE STATISTICS"}},
        {"AlterStatsStmt", {R::ddl, "ALTER STATISTICS"}},
        {"AlterCollationStmt", {R::ddl, "ALTER COLLATION"}},
        {"AlterTSDictionaryStmt", {R::ddl, "ALTER TEXT SEARCH DICTIONARY"}},
        {"AlterTSConfigurationStmt", {R::ddl, "ALTER TEXT SEARCH CONFIGURATION"}},
        {"AlterObjectDependsStmt", {R::ddl, "ALTER … DEPENDS ON EXTENSION"}},
        {"RenameStmt", {R::ddl, "ALTER … RENAME", &Walker::on_relation, true}},
        {"AlterObjectSchemaStmt", {R::ddl, "ALTER … SET SCHEMA", &Walker::on_relation, true}},
        {"CommentStmt", {R::ddl, "COMMENT ON"}},
        {"CreateTrigStmt", {R::ddl, "CREATE TRIGGER on", &Walker::on_relation, true}},
        {"RuleStmt", {R::ddl, "CREATE RULE", &Walker::rule_stmt}},
        {"CreateSchemaStmt", {R::ddl, "CREATE SCHEMA", &Walker::create_schema}},
        {"ImportForeignSchemaStmt", {R::ddl, "IMPORT FOREIGN SCHEMA"}},
        // admin
        {"GrantStmt", {R::admin, "GRANT", &Walker::grant_stmt}},
        {"GrantRoleStmt", {R::admin, "GRANT or REVOKE of a role"}},
        {"AlterDefaultPrivilegesStmt", {R::admin, "ALTER DEFAULT PRIVILEGES"}},
        {"CreateRoleStmt", {R::admin, "CREATE ROLE"}},
        {"AlterRoleStmt", {R::admin, "ALTER ROLE"}},
        {"AlterRoleSetStmt", {R::admin, "ALTER ROLE … SET"}},
        {"ReassignOwnedStmt", {R::admin, "REASSIGN OWNED"}},
        {"AlterOwnerStmt", {R::admin, "ALTER … OWNER TO", &Walker::on_relation, true}},
        {"AlterSystemStmt", {R::admin, "ALTER SYSTEM"}},
        {"CreatedbStmt", {R::admin, "CREATE DATABASE"}},
        {"AlterDatabaseStmt", {R::admin, "ALTER DATABASE"}},
        {"AlterDatabaseSetStmt", {R::admin, "ALTER DATABASE … SET"}},
        {"AlterDatabaseRefreshCollStmt", {R::admin, "ALTER DATABASE … REFRESH COLLATION VERSION"}},
        {"CreateTableSpaceStmt", {R::admin, "CREATE TABLESPACE"}},
        {"AlterTableSpaceOptionsStmt", {R::admin, "ALTER TABLESPACE"}},
        {"AlterTableMoveAllStmt", {R::admin, "ALTER … ALL IN TABLESPACE"}},
        {"CreateExtensionStmt", {R::admin, "CREATE EXTENSION"}},
        {"AlterExtensionStmt", {R::admin, "ALTER EXTENSION"}},
        {"AlterExtensionContentsStmt", {R::admin, "ALTER EXTENSION … ADD/DROP"}},
        {"CreatePLangStmt", {R::admin, "CREATE LANGUAGE"}},
        {"CreateAmStmt", {R::admin, "CREATE ACCESS METHOD"}},
        {"CreateEventTrigStmt", {R::admin, "CREATE EVENT TRIGGER"}},
        {"AlterEventTrigStmt", {R::admin, "ALTER EVENT TRIGGER"}},
        {"CreateFdwStmt", {R::admin, "CREATE FOREIGN DATA WRAPPER"}},
        {"AlterFdwStmt", {R::admin, "ALTER FOREIGN DATA WRAPPER"}},
        {"CreateForeignServerStmt", {R::admin, "CREATE SERVER"}},
        {"AlterForeignServerStmt", {R::admin, "ALTER SERVER"}},
        {"CreateUserMappingStmt", {R::admin, "CREATE USER MAPPING"}},
        {"AlterUserMappingStmt", {R::admin, "ALTER USER MAPPING"}},
        {"DropUserMappingStmt", {R::admin, "DROP USER MAPPING"}},
        {"CreatePublicationStmt", {R::admin, "CREATE PUBLICATION", &Walker::exposing_stmt}},
        {"AlterPublicationStmt", {R::admin, "ALTER PUBLICATION", &Walker::exposing_stmt}},
        {"CreateSubscriptionStmt", {R::admin, "CREATE SUBSCRIPTION"}},
        {"AlterSubscriptionStmt", {R::admin, "ALTER SUBSCRIPTION"}},
        {"CreatePolicyStmt", {R::admin, "CREATE POLICY (row security) on", &Walker::on_relation, true}},
        {"AlterPolicyStmt", {R::admin, "ALTER POLICY (row security) on", &Walker::on_relation, true}},
        {"SecLabelStmt", {R::admin, "SECURITY LABEL", &Walker::exposing_stmt}},
        {"VacuumStmt", {R::admin, "VACUUM", &Walker::vacuum_stmt}},
        {"ReindexStmt", {R::admin, "REINDEX"}},
        {"ClusterStmt", {R::admin, "CLUSTER"}},
        {"CheckPointStmt", {R::admin, "CHECKPOINT"}},
        {"LoadStmt", {R::admin, "LOAD of a server library"}},
        // destructive
        {"DropStmt", {R::destructive, "DROP", &Walker::drop_stmt}},
        {"TruncateStmt", {R::destructive, "TRUNCATE", &Walker::truncate_stmt}},
        {"DropRoleStmt", {R::destructive, "DROP ROLE"}},
        {"DropOwnedStmt", {R::destructive, "DROP OWNED"}},
        {"DropdbStmt", {R::destructive, "DROP DATABASE"}},
        {"DropTableSpaceStmt", {R::destructive, "DROP TABLESPACE"}},
        {"DropSubscriptionStmt", {R::destructive, "DROP SUBSCRIPTION"}},
        // nested nodes with their own meaning
        {"FuncCall", {R::read, "", &Walker::func_call}},
        {"RangeVar", {R::read, "", &Walker::range_var}},
        {"CommonTableExpr", {R::read, "", &Walker::common_table_expr}},
    };
    return rules;
}

void Walker::on_relation(std::string_view type, const json& body) {
    const StatementRule& rule = statement_rules().at(type);
    const json* rel_node = field(body, "relation");
    if (rel_node == nullptr) rel_node = field(body, "sequence");
    if (rel_node == nullptr) rel_node = field(body, "table");  // CREATE/ALTER POLICY
    const std::string rel = rel_node != nullptr && is_range_var(*rel_node) ? relation_name(rel_node) : std::string();
    const std::string what = std::string(rule.label) + (rel.empty() ? "" : " " + rel);
    if (rule.exposes) {
        add_exposing(rule.risk, what, rel);
    } else {
        add(rule.risk, what, rel);
    }
    if (type == "CreateStmt") {  // INHERITS (parent), PARTITION OF parent: its rows are reached through them
        if (const json* parents = field(body, "inhRelations"); parents != nullptr && parents->is_array()) {
            for (const json& parent : *parents) {
                if (const json* rv = unwrap(parent, "RangeVar")) {
                    const std::string parent_rel = relation_name(rv);
                    add_exposing(RiskClass::ddl, "CREATE TABLE " + rel + " under " + parent_rel, parent_rel);
                }
            }
        }
        fields(body, {"relation", "sequence", "table", "inhRelations"});
        return;
    }
    if (type == "RenameStmt" || type == "AlterObjectSchemaStmt" || type == "AlterOwnerStmt") schema_effect(type, body);
    fields(body, {"relation", "sequence", "table"});
}

void Walker::exposing_stmt(std::string_view type, const json& body) {
    const StatementRule& rule = statement_rules().at(type);
    add(rule.risk, std::string(rule.label));
    if (text_of(body, "objtype") == "OBJECT_TABLE") {
        if (const json* object = field(body, "object")) {
            const std::string rel = dotted_name(*object);
            if (!rel.empty()) add_exposing(rule.risk, std::string(rule.label) + " on " + rel, rel);
        }
    }
    const Exposing exposing(*this);
    fields(body, {"object"});
}

// ALTER SCHEMA s RENAME TO t / OWNER TO: every table in s changes its name or its owner's powers. The
// effect names "s.*", which table_matches() takes as every table in s.
void Walker::schema_effect(std::string_view type, const json& body) {
    const std::string_view object = text_of(body, type == "RenameStmt" ? "renameType" : "objectType");
    if (object != "OBJECT_SCHEMA") return;
    std::string schema(text_of(body, "subname"));
    if (schema.empty()) {
        if (const json* node = field(body, "object")) {
            if (const json* name = unwrap(*node, "String")) schema = std::string(text_of(*name, "sval"));
        }
    }
    if (schema.empty()) schema = "?";
    add_exposing(RiskClass::ddl, "ALTER SCHEMA " + schema + " renames or re-owns every table in it", schema + ".*");
}

void Walker::dispatch(std::string_view type, const json& body) {
    const auto& rules = statement_rules();
    const auto it = rules.find(type);
    if (it == rules.end()) {
        if (type.ends_with("Stmt")) {
            at_statement_ = false;
            add(RiskClass::unknown, std::string(type) + " is a statement jitgate does not classify");
            return;
        }
        fields(body);
        return;
    }
    const StatementRule& rule = it->second;
    if (rule.handler != nullptr) {
        (this->*rule.handler)(type, body);
        return;
    }
    add(rule.risk, std::string(rule.label));
    fields(body);
}

}  // namespace

void walk_sql(const std::string& text, const ClassifierTables& tables, Classification& out) {
    Walker walker(tables, out);
    walker.sql_text(text, "the statement");
}

}  // namespace jitgate::guardrails::detail

// libpg_query 15-4.0's pg_query_parse_plpgsql never frees the stderr copy that pg_query_raw_parse
// strdup()s (one small allocation per PL/pgSQL parse; the hot path's class cache makes them rare).
// It is not ours to free, so LeakSanitizer is told about it here, where every binary using it links.
extern "C" const char* __lsan_default_suppressions();
extern "C" const char* __lsan_default_suppressions() {
    return "leak:pg_query_raw_parse\n";
}
