// The SQL walk's DDL and code bodies: DO and CREATE FUNCTION (PL/pgSQL walked statement by statement),
// DROP, TRUNCATE, ALTER TABLE, CREATE TABLE AS, views, rules, schemas, ALTER FUNCTION, VACUUM and GRANT.
#include "guardrails/sql/sql_walker.hpp"

#include <pg_query.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jitgate::guardrails::detail {

using namespace std::string_view_literals;

void Walker::do_stmt(std::string_view, const json& body) {
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

void Walker::create_function(std::string_view, const json& body) {
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

void Walker::plpgsql(const std::string& create_function_text, const std::string& what) {
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

void Walker::plpgsql_node(const json& node) {
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

void Walker::plpgsql_expr(const std::string& query) {
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

void Walker::drop_stmt(std::string_view, const json& body) {
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

void Walker::truncate_stmt(std::string_view, const json& body) {
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

void Walker::alter_table(std::string_view, const json& body) {
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

bool Walker::exposing_subcommand(std::string_view sub) noexcept {
    static constexpr std::string_view subs[] = {
        "AT_AddInherit",        "AT_DropInherit",         "AT_AttachPartition",  "AT_DetachPartition",
        "AT_DetachPartitionFinalize", "AT_EnableRowSecurity", "AT_ForceRowSecurity", "AT_AddOf",
        "AT_DropOf",            "AT_EnableTrig",          "AT_EnableAlwaysTrig", "AT_EnableReplicaTrig",
        "AT_DisableTrig",       "AT_EnableTrigAll",       "AT_EnableTrigUser",   "AT_DisableTrigUser",
        "AT_EnableRule",        "AT_EnableAlwaysRule",    "AT_EnableReplicaRule", "AT_DisableRule",
        "AT_ReplicaIdentity",   "AT_SetLogged",           "AT_SetUnLogged",      "AT_SetTableSpace"};
    return std::find(std::begin(subs), std::end(subs), sub) != std::end(subs);
}

void Walker::create_table_as(std::string_view, const json& body) {
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

void Walker::view_stmt(std::string_view, const json& body) {
    const std::string rel = relation_name(field(body, "view"));
    add(RiskClass::ddl, "CREATE VIEW " + rel, rel);
    if (const json* query = field(body, "query")) {
        ContextGuard context(*this, "the query of view " + rel);
        const Exposing exposing(*this);  // a view reads (and, updatable, writes) its tables under its name
        statement(*query);
    }
}

void Walker::rule_stmt(std::string_view, const json& body) {
    const std::string rel = relation_name(field(body, "relation"));
    add_exposing(RiskClass::ddl, "CREATE RULE " + std::string(text_of(body, "rulename")) + " ON " + rel, rel);
    ContextGuard context(*this, "rule " + std::string(text_of(body, "rulename")));
    const Exposing exposing(*this);  // what the rule's actions touch is reached through rel
    if (const json* actions = field(body, "actions"); actions != nullptr && actions->is_array()) {
        for (const json& action : *actions) statement(action);
    }
    if (const json* where = field(body, "whereClause")) visit(*where);
}

void Walker::create_schema(std::string_view, const json& body) {
    const std::string name(text_of(body, "schemaname"));
    add(RiskClass::ddl, "CREATE SCHEMA " + name);
    ContextGuard context(*this, "CREATE SCHEMA " + name);
    if (const json* elements = field(body, "schemaElts"); elements != nullptr && elements->is_array()) {
        for (const json& element : *elements) statement(element);
    }
}

void Walker::alter_function(std::string_view, const json& body) {
    add(RiskClass::ddl, "ALTER FUNCTION");
    fields(body, {"actions"});
}

void Walker::vacuum_stmt(std::string_view, const json& body) {
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

void Walker::grant_stmt(std::string_view, const json& body) {
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

}  // namespace jitgate::guardrails::detail
