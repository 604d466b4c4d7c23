// Internal to the SQL classifier's parse-tree walk: the Walker that sql_walk*.cpp define (the walk itself,
// then one file per statement family: queries, settings and session state, DDL and bodies) and the table of
// named statement rules it dispatches from. Not part of jitgate_guardrails' API.
#pragma once

#include "guardrails/sql/sql_tree.hpp"
#include "guardrails/sql/sql_types.hpp"

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace jitgate::guardrails::detail {

inline constexpr int max_depth = 20000;      // walk levels (about 3 per expression level)
inline constexpr int max_sql_nesting = 16;   // SQL inside SQL: function and DO bodies, plpgsql expressions

class Walker;
using Handler = void (Walker::*)(std::string_view type, const json& body);

struct StatementRule {
    RiskClass risk;
    std::string_view label;
    Handler handler = nullptr;  // when set, it decides and adds the effects itself
    bool exposes = false;       // on_relation: the statement re-exposes its relation (Effect::exposes)
};

// Every statement and nested node type the walk knows, by libpg_query's node name (sql_walk_rules.cpp).
const std::unordered_map<std::string_view, StatementRule>& statement_rules();

class Walker {
public:
    Walker(const ClassifierTables& tables, Classification& out) : tables_(tables), out_(out) {}

    // Parses text as SQL and walks each statement; a parse error is an unknown effect.
    void sql_text(const std::string& text, std::string_view what);

private:
    static std::optional<json> parse(const std::string& text, std::string& error);
    void walk_statements(const json& tree, const std::string& text);

    // Reasons and relations quote the parser's words, which may cut a character in two (an identifier
    // truncated to 63 bytes, an error "near" a multi-byte token): both are made valid UTF-8 here.
    void add(RiskClass risk, std::string reason, std::string relation = {});
    // An effect on a relation that the statement renames, moves or re-exposes (Effect::exposes).
    void add_exposing(RiskClass risk, std::string reason, std::string relation);

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
    void statement(const json& node);
    void visit(const json& node);

    // Every field of a node body, except those named in skip. An unwrapped RangeVar (a typed field such
    // as "relation") reads that relation.
    void fields(const json& body, std::initializer_list<std::string_view> skip = {});
    void read_relation(const json& range_var);

    // pg_authid and pg_shadow hold password hashes, pg_user_mapping(s) foreign servers' passwords.
    [[nodiscard]] static bool is_secret_catalog(std::string_view rel) noexcept;
    void dispatch(std::string_view type, const json& body);

    // -- statement handlers --

    void select_stmt(std::string_view, const json& body);
    void insert_stmt(std::string_view, const json& body);
    void update_or_delete(std::string_view type, const json& body);
    void merge_stmt(std::string_view, const json& body);
    void explain_stmt(std::string_view, const json& body);
    void copy_stmt(std::string_view, const json& body);

    // SET/RESET of one setting by name. value: the node of the value set (the first SET argument), or
    // null; it is read only where the decision depends on it.
    void setting(std::string name, std::string_view kind, const json* value_node, const std::string& how);

    // Settings whose off value lifts a guard the server keeps: a read-only default or transaction
    // (DESIGN §4's admin list). Not row_security: off never bypasses a policy (a query a policy would
    // filter fails instead), and pg_dump's scripts set it off.
    [[nodiscard]] static bool is_guard_setting(std::string_view name) noexcept;

    // The schemas of a search_path keep pg_catalog first when it is not named (the server then searches
    // it first) or named first: the classifier resolves built-in functions by name, which needs that.
    [[nodiscard]] static bool keeps_catalog_first(const std::vector<std::string>& schemas) noexcept;

    // SET search_path / SET SCHEMA: each argument is one schema name, exactly as the server takes it.
    void search_path_set(std::string_view kind, const json* args, const std::string& how);

    // set_config('search_path', 'a, "B"', …): the value is a list the server splits as identifiers.
    void search_path_config(const json* value_node);
    void search_path_effect(const std::vector<std::string>& schemas, const std::string& how);

    // PostgreSQL's SplitIdentifierString with ',': unquoted names fold to lower case, "quoted" ones keep
    // their case and "" stands for one quote. nullopt when the list is malformed.
    [[nodiscard]] static std::optional<std::vector<std::string>> split_identifiers(std::string_view text);

    // SET TRANSACTION … / SET SESSION CHARACTERISTICS AS TRANSACTION … / BEGIN …: READ WRITE lifts a
    // read-only guard (transaction_read_only off).
    [[nodiscard]] bool reads_write(const json* options);
    void variable_set(std::string_view, const json& body);
    void func_call(std::string_view, const json& body);
    void set_config(const json& body);

    // dblink and friends send SQL to a server: the function is admin (DESIGN §4), and a literal SQL
    // argument is judged as SQL; one that is not a literal cannot be vouched for. The SQL argument's
    // position: dblink/dblink_exec ([conn,] sql [, fail]), dblink_send_query (conn, sql), dblink_open
    // ([conn,] cursor, sql [, fail]). A config class for the function counts where it is above admin.
    [[nodiscard]] static bool is_dblink(std::string_view function) noexcept;
    void dblink_call(const std::string& function, const json* args, std::optional<RiskClass> configured);
    void do_stmt(std::string_view, const json& body);
    void create_function(std::string_view, const json& body);

    // A CREATE FUNCTION … LANGUAGE plpgsql text: every embedded SQL statement and expression counts.
    void plpgsql(const std::string& create_function_text, const std::string& what);
    void plpgsql_node(const json& node);

    // A PL/pgSQL expression or statement: SQL as it stands, else an expression, else an assignment.
    void plpgsql_expr(const std::string& query);
    void drop_stmt(std::string_view, const json& body);
    void truncate_stmt(std::string_view, const json& body);
    void alter_table(std::string_view, const json& body);

    // ALTER TABLE subcommands that change how a table's rows can be reached: through a parent, a
    // partitioned table, or without row security or its triggers.
    [[nodiscard]] static bool exposing_subcommand(std::string_view sub) noexcept;

    // Statements whose one relation field is the object they act on, at the rule's class.
    void on_relation(std::string_view type, const json& body);
    void schema_effect(std::string_view type, const json& body);
    void create_table_as(std::string_view, const json& body);
    void view_stmt(std::string_view, const json& body);
    void rule_stmt(std::string_view, const json& body);
    void create_schema(std::string_view, const json& body);
    void with_query(std::string_view label, const json& body, std::string_view query_key);
    void declare_cursor(std::string_view, const json& body);
    void close_portal(std::string_view, const json&);
    void transaction_stmt(std::string_view, const json& body);
    void prepare_stmt(std::string_view, const json& body);
    void common_table_expr(std::string_view, const json& body);
    void execute_stmt(std::string_view, const json& body);
    void discard_stmt(std::string_view, const json& body);

    // ALTER FUNCTION … SET/RESET: the function's own settings change how the server runs it, never how
    // the session lexes its next statement (as CREATE FUNCTION … SET), so they are not walked as SETs.
    void alter_function(std::string_view, const json& body);
    void deallocate_stmt(std::string_view, const json& body);
    void vacuum_stmt(std::string_view, const json& body);
    void lock_stmt(std::string_view, const json& body);
    void grant_stmt(std::string_view, const json& body);

    void range_var(std::string_view, const json& body) { read_relation(body); }

    // A statement that re-exposes every table it names (a publication, a security label): its class, and
    // each relation as exposed. A table named as a list of strings (SECURITY LABEL ON TABLE a.b) too.
    void exposing_stmt(std::string_view type, const json& body);

    // {"List":{"items":[{"String":{"sval":"a"}},…]}} as "a.b"; "" when it is not such a list.
    [[nodiscard]] static std::string dotted_name(const json& node);

    // CALL's funccall is an unwrapped FuncCall: a procedure is judged like a function.
    void call_stmt(std::string_view, const json& body);
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

}  // namespace jitgate::guardrails::detail
