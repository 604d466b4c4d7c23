// The SQL walk's queries and the statements that run or hold them: SELECT, INSERT, UPDATE, DELETE, MERGE,
// EXPLAIN, COPY (… PROGRAM judged by the shell classifier), function calls and dblink, WITH, cursors,
// PREPARE / EXECUTE, CALL and LOCK.
#include "guardrails/sql/sql_walker.hpp"

#include "guardrails/shell/shell_classifier.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jitgate::guardrails::detail {
namespace {

// COPY … PROGRAM is judged by the built-in shell table (config's programs are not seen here).
const ShellClassifier& shell_classifier() {
    static const ShellClassifier instance;
    return instance;
}

}  // namespace

using namespace std::string_view_literals;

void Walker::select_stmt(std::string_view, const json& body) {
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

void Walker::insert_stmt(std::string_view, const json& body) {
    const std::string rel = relation_name(field(body, "relation"));
    add(RiskClass::write, "INSERT into " + rel, rel);
    fields(body, {"relation"});
}

void Walker::update_or_delete(std::string_view type, const json& body) {
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

void Walker::merge_stmt(std::string_view, const json& body) {
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

void Walker::explain_stmt(std::string_view, const json& body) {
    const json* query = field(body, "query");
    if (explain_analyzes(field(body, "options"), out_.literal_sensitive)) {
        add(RiskClass::read, "EXPLAIN ANALYZE");
        ContextGuard context(*this, "EXPLAIN ANALYZE");
        if (query != nullptr) statement(*query);
    } else {
        add(RiskClass::read, "EXPLAIN without ANALYZE plans the statement and does not run it");
    }
}

void Walker::copy_stmt(std::string_view, const json& body) {
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

void Walker::func_call(std::string_view, const json& body) {
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

bool Walker::is_dblink(std::string_view function) noexcept {
    return function == "dblink" || function == "dblink_exec" || function == "dblink_send_query" ||
           function == "dblink_open";
}

void Walker::dblink_call(const std::string& function, const json* args, std::optional<RiskClass> configured) {
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

void Walker::with_query(std::string_view label, const json& body, std::string_view query_key) {
    if (const json* query = field(body, query_key)) {
        ContextGuard context(*this, std::string(label));
        statement(*query);
    }
}

void Walker::declare_cursor(std::string_view, const json& body) {
    out_.drops_portals = true;
    const std::string name(text_of(body, "portalname"));
    add(RiskClass::read, "DECLARE CURSOR " + name);
    with_query("cursor " + name, body, "query");
}

void Walker::close_portal(std::string_view, const json&) {
    out_.drops_portals = true;
    add(RiskClass::read, "CLOSE cursor");
}

void Walker::prepare_stmt(std::string_view, const json& body) {
    const std::string name(text_of(body, "name"));
    out_.prepares = true;
    add(RiskClass::read, "PREPARE " + name);
    with_query("PREPARE " + name, body, "query");
}

void Walker::common_table_expr(std::string_view, const json& body) {
    with_query("WITH query " + std::string(text_of(body, "ctename")), body, "ctequery");
    fields(body, {"ctequery"});
}

void Walker::execute_stmt(std::string_view, const json& body) {
    add(RiskClass::unknown,
        "EXECUTE " + std::string(text_of(body, "name")) + ": a prepared statement has the class of its PREPARE");
    fields(body);
}

void Walker::lock_stmt(std::string_view, const json& body) {
    if (const json* rels = field(body, "relations"); rels != nullptr && rels->is_array()) {
        for (const json& item : *rels) {
            if (const json* rv = unwrap(item, "RangeVar")) {
                const std::string rel = relation_name(rv);
                add(RiskClass::admin, "LOCK " + rel + " (an explicit lock queues behind and in front of DDL)", rel);
            }
        }
    }
}

void Walker::call_stmt(std::string_view, const json& body) {
    add(RiskClass::read, "CALL");
    if (const json* call = field(body, "funccall")) func_call("FuncCall", *call);
    fields(body, {"funccall"});
}

}  // namespace jitgate::guardrails::detail
