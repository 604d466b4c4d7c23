// The parse-tree walk behind the SQL classifier (DESIGN §4): every node of pg_query_parse's JSON tree is
// visited, so effects nested in CTEs, EXPLAIN ANALYZE, COPY, PREPARE, cursors, rules, schemas, views and
// function or DO bodies count as much as top-level statements. Statements are dispatched from one table
// of named rules; a statement type missing from it is unknown. Limits: names are judged as written (see
// sql_classifier.hpp); the walk stops at max_depth levels and answers unknown beyond.
// This file holds the walk itself (parse, visit, fields, dispatch); the statement handlers are in
// sql_walk_dml.cpp, sql_walk_settings.cpp and sql_walk_ddl.cpp, their table in sql_walk_rules.cpp.
#include "guardrails/sql/sql_walk.hpp"
#include "guardrails/sql/sql_walker.hpp"

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

using namespace std::string_view_literals;

void Walker::sql_text(const std::string& text, std::string_view what) {
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

std::optional<json> Walker::parse(const std::string& text, std::string& error) {
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

void Walker::walk_statements(const json& tree, const std::string& text) {
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

void Walker::add(RiskClass risk, std::string reason, std::string relation) {
    if (!context_.empty()) reason += " in " + context_.back();
    const bool exposes = exposing_ > 0 && !relation.empty();
    out_.effects.push_back(Effect{risk, valid_utf8(reason), valid_utf8(relation), exposes});
}

void Walker::add_exposing(RiskClass risk, std::string reason, std::string relation) {
    add(risk, std::move(reason), relation);
    if (!relation.empty()) out_.effects.back().exposes = true;
}

void Walker::statement(const json& node) {
    at_statement_ = true;
    visit(node);
    at_statement_ = false;
}

void Walker::visit(const json& node) {
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

void Walker::fields(const json& body, std::initializer_list<std::string_view> skip) {
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

void Walker::read_relation(const json& range_var) {
    const std::string rel = relation_name(&range_var);
    if (is_secret_catalog(rel)) {
        add(RiskClass::admin, "reads " + rel + ", a catalog that holds password hashes or user-mapping secrets", rel);
        return;
    }
    add(RiskClass::read, "reads " + rel, rel);
}

bool Walker::is_secret_catalog(std::string_view rel) noexcept {
    if (rel.starts_with("pg_catalog.")) rel.remove_prefix("pg_catalog."sv.size());
    return rel == "pg_authid" || rel == "pg_shadow" || rel == "pg_user_mapping" || rel == "pg_user_mappings";
}

std::string Walker::dotted_name(const json& node) {
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
