// Readers over libpg_query's JSON parse tree and the constant folding the SQL walk needs: whether a
// WHERE clause holds for every row, and whether EXPLAIN's options turn ANALYZE on. Pure functions.
#include "guardrails/sql/sql_tree.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace jitgate::guardrails::detail {

using namespace std::string_view_literals;

// ---- small readers over the JSON tree -------------------------------------------------------------

const json* field(const json& body, std::string_view key) {
    if (!body.is_object()) return nullptr;
    const auto it = body.find(key);
    return it == body.end() ? nullptr : &*it;
}

std::string_view text_of(const json& body, std::string_view key) {
    const json* value = field(body, key);
    return value != nullptr && value->is_string() ? std::string_view(value->get_ref<const std::string&>())
                                                  : std::string_view{};
}

bool flag(const json& body, std::string_view key) {
    const json* value = field(body, key);
    return value != nullptr && value->is_boolean() && value->get<bool>();
}

// A wrapped node {"Type": {...}}: its type name, else "".
std::string_view node_type(const json& node) {
    if (!node.is_object() || node.size() != 1) return {};
    const auto it = node.begin();
    if (!it.value().is_object() || it.key().empty() || std::isupper(static_cast<unsigned char>(it.key()[0])) == 0) {
        return {};
    }
    return it.key();
}

const json* unwrap(const json& node, std::string_view type) {
    return node_type(node) == type ? &node.begin().value() : nullptr;
}

// A list of String nodes (a qualified name) → its parts.
std::vector<std::string> name_parts(const json* list) {
    std::vector<std::string> parts;
    if (list == nullptr || !list->is_array()) return parts;
    for (const json& item : *list) {
        if (const json* s = unwrap(item, "String")) parts.emplace_back(text_of(*s, "sval"));
    }
    return parts;
}

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const std::string& part : parts) {
        if (!out.empty()) out += '.';
        out += part;
    }
    return out;
}

// A RangeVar body → "schema.table" as written, or "table".
std::string relation_name(const json* range_var) {
    if (range_var == nullptr) return {};
    std::string name;
    for (std::string_view key : {"catalogname"sv, "schemaname"sv}) {
        const std::string_view part = text_of(*range_var, key);
        if (!part.empty()) {
            name += part;
            name += '.';
        }
    }
    name += text_of(*range_var, "relname");
    return name;
}

bool is_range_var(const json& body) {
    return body.is_object() && body.contains("relname");
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// "OBJECT_MATVIEW" → "MATVIEW", "OBJECT_FOREIGN_TABLE" → "FOREIGN TABLE".
std::string object_word(std::string_view objtype) {
    if (objtype.starts_with("OBJECT_")) objtype.remove_prefix(7);
    std::string out(objtype);
    std::replace(out.begin(), out.end(), '_', ' ');
    if (out == "MATVIEW") out = "MATERIALIZED VIEW";
    return out.empty() ? std::string("object") : out;
}

// ---- constant folding for WHERE clauses ------------------------------------------------------------


namespace {

// PostgreSQL's parse_bool: a unique prefix of true/false/yes/no, on/off, 1/0, case-insensitive, trimmed.
std::optional<bool> parse_bool(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) text.remove_suffix(1);
    const std::string word = lower(text);
    if (word.empty()) return std::nullopt;
    auto prefix_of = [&](std::string_view full) { return full.starts_with(word); };
    if (prefix_of("true") || prefix_of("yes")) return true;
    if (prefix_of("false") || (word.size() >= 1 && prefix_of("no"))) return false;
    if (word == "on") return true;
    if (word == "off" || word == "of") return false;
    if (word == "1") return true;
    if (word == "0") return false;
    return std::nullopt;
}

std::optional<double> to_number(const Value& value) {
    if (const double* d = std::get_if<double>(&value)) return *d;
    if (const std::string* s = std::get_if<std::string>(&value)) {
        char* end = nullptr;
        const double d = std::strtod(s->c_str(), &end);
        if (end != s->c_str() && *end == '\0') return d;
    }
    return std::nullopt;
}

std::optional<bool> to_bool(const Value& value) {
    if (const bool* b = std::get_if<bool>(&value)) return *b;
    if (const std::string* s = std::get_if<std::string>(&value)) return parse_bool(*s);
    return std::nullopt;
}


std::optional<Value> a_const(const json& body, bool& literal_read) {
    if (flag(body, "isnull")) return Value{Null{}};  // the NULL keyword, not a literal
    literal_read = true;
    if (const json* b = field(body, "boolval")) return Value{flag(*b, "boolval")};
    if (const json* i = field(body, "ival")) {
        const json* v = field(*i, "ival");
        return Value{v != nullptr && v->is_number() ? v->get<double>() : 0.0};
    }
    if (const json* f = field(body, "fval")) return Value{std::strtod(std::string(text_of(*f, "fval")).c_str(), nullptr)};
    if (const json* s = field(body, "sval")) return Value{std::string(text_of(*s, "sval"))};
    return std::nullopt;
}



Truth truth_of(bool b) { return b ? Truth::yes : Truth::no; }

Truth compare(std::string_view op, const Value& a, const Value& b) {
    if (std::holds_alternative<Null>(a) || std::holds_alternative<Null>(b)) return Truth::no;  // NULL
    int order = 0;
    if (auto x = to_number(a), y = to_number(b); x && y) {
        order = *x < *y ? -1 : (*x > *y ? 1 : 0);
    } else if (auto p = to_bool(a), q = to_bool(b);
               (std::holds_alternative<bool>(a) || std::holds_alternative<bool>(b)) && p && q) {
        order = *p == *q ? 0 : (*p ? 1 : -1);
    } else if (std::holds_alternative<std::string>(a) && std::holds_alternative<std::string>(b)) {
        const int c = std::get<std::string>(a).compare(std::get<std::string>(b));
        order = c < 0 ? -1 : (c > 0 ? 1 : 0);
    } else {
        return Truth::maybe;
    }
    if (op == "=") return truth_of(order == 0);
    if (op == "<>" || op == "!=") return truth_of(order != 0);
    if (op == "<") return truth_of(order < 0);
    if (op == ">") return truth_of(order > 0);
    if (op == "<=") return truth_of(order <= 0);
    if (op == ">=") return truth_of(order >= 0);
    return Truth::maybe;
}

}  // namespace

std::optional<Value> constant(const json& node, bool& literal_read) {
    if (const json* c = unwrap(node, "A_Const")) return a_const(*c, literal_read);
    if (const json* cast = unwrap(node, "TypeCast")) {
        const json* arg = field(*cast, "arg");
        std::optional<Value> inner = arg != nullptr ? constant(*arg, literal_read) : std::nullopt;
        if (!inner) return std::nullopt;
        const std::vector<std::string> type = name_parts(field(*field(*cast, "typeName"), "names"));
        const std::string last = type.empty() ? std::string() : type.back();
        if (last == "bool" || last == "boolean") {
            if (std::holds_alternative<Null>(*inner)) return inner;
            if (auto b = to_bool(*inner)) return Value{*b};
            if (auto d = to_number(*inner)) return Value{*d != 0.0};
            return std::nullopt;
        }
        return inner;
    }
    return std::nullopt;
}

// Whether a WHERE clause holds for every row: constants, comparisons of constants, x = x, AND/OR/NOT,
// IS [NOT] NULL/TRUE/FALSE of constants, IN and BETWEEN of constants, EXISTS of a FROM-less SELECT.
Truth where_truth(const json& node, bool& literal_read, int depth) {
    if (depth > 200) return Truth::maybe;
    if (auto value = constant(node, literal_read)) {
        if (std::holds_alternative<Null>(*value)) return Truth::no;
        if (auto b = to_bool(*value)) return truth_of(*b);
        return Truth::maybe;
    }
    if (const json* e = unwrap(node, "BoolExpr")) {
        const std::string_view op = text_of(*e, "boolop");
        std::vector<Truth> args;
        if (const json* list = field(*e, "args"); list != nullptr && list->is_array()) {
            for (const json& arg : *list) args.push_back(where_truth(arg, literal_read, depth + 1));
        }
        auto any = [&](Truth t) { return std::find(args.begin(), args.end(), t) != args.end(); };
        if (op == "AND_EXPR") return any(Truth::no) ? Truth::no : (any(Truth::maybe) ? Truth::maybe : Truth::yes);
        if (op == "OR_EXPR") return any(Truth::yes) ? Truth::yes : (any(Truth::maybe) ? Truth::maybe : Truth::no);
        if (op == "NOT_EXPR" && args.size() == 1) {
            return args[0] == Truth::yes ? Truth::no : (args[0] == Truth::no ? Truth::yes : Truth::maybe);
        }
        return Truth::maybe;
    }
    if (const json* e = unwrap(node, "A_Expr")) {
        const std::string_view kind = text_of(*e, "kind");
        const std::vector<std::string> name = name_parts(field(*e, "name"));
        const std::string op = name.empty() ? std::string() : name.back();
        const json* l = field(*e, "lexpr");
        const json* r = field(*e, "rexpr");
        if (l == nullptr || r == nullptr) return Truth::maybe;
        if (const json* list = unwrap(*r, "List")) {  // IN (…) and BETWEEN … AND …
            r = field(*list, "items");
            if (r == nullptr) return Truth::maybe;
        }
        // The right side is read only when the left one is a constant: `aid = 5` is maybe for any 5.
        const std::optional<Value> lv = constant(*l, literal_read);
        if (kind == "AEXPR_OP") {
            if (lv) {
                if (const std::optional<Value> rv = constant(*r, literal_read)) return compare(op, *lv, *rv);
            }
            const json* lc = unwrap(*l, "ColumnRef");
            const json* rc = unwrap(*r, "ColumnRef");
            if (lc != nullptr && rc != nullptr && *lc == *rc) {
                // x = x holds for every row where x is not null: treated as the whole table.
                if (op == "=" || op == "<=" || op == ">=") return Truth::yes;
            }
            // compare ignores "location", so strip it: two column refs differ only in position
            if (lc != nullptr && rc != nullptr && (*lc)["fields"] == (*rc)["fields"] &&
                (op == "=" || op == "<=" || op == ">=")) {
                return Truth::yes;
            }
            return Truth::maybe;
        }
        if (kind == "AEXPR_DISTINCT" || kind == "AEXPR_NOT_DISTINCT") {
            if (!lv) return Truth::maybe;
            const std::optional<Value> rv = constant(*r, literal_read);
            if (!rv) return Truth::maybe;
            const bool ln = std::holds_alternative<Null>(*lv);
            const bool rn = std::holds_alternative<Null>(*rv);
            Truth same = ln || rn ? truth_of(ln && rn) : compare("=", *lv, *rv);
            if (same == Truth::maybe) return same;
            const bool distinct = same == Truth::no;
            return truth_of(kind == "AEXPR_DISTINCT" ? distinct : !distinct);
        }
        if (kind == "AEXPR_IN" && lv && r->is_array()) {
            bool found = false;
            for (const json& item : *r) {
                const std::optional<Value> iv = constant(item, literal_read);
                if (!iv) return Truth::maybe;
                if (compare("=", *lv, *iv) == Truth::yes) found = true;
            }
            return truth_of(op == "=" ? found : !found);
        }
        if ((kind == "AEXPR_BETWEEN" || kind == "AEXPR_NOT_BETWEEN") && lv && r->is_array() && r->size() == 2) {
            const std::optional<Value> lo = constant((*r)[0], literal_read);
            const std::optional<Value> hi = constant((*r)[1], literal_read);
            if (!lo || !hi) return Truth::maybe;
            const Truth a = compare(">=", *lv, *lo);
            const Truth b = compare("<=", *lv, *hi);
            if (a == Truth::maybe || b == Truth::maybe) return Truth::maybe;
            const bool inside = a == Truth::yes && b == Truth::yes;
            return truth_of(kind == "AEXPR_BETWEEN" ? inside : !inside);
        }
        return Truth::maybe;
    }
    if (const json* t = unwrap(node, "NullTest")) {
        const json* arg = field(*t, "arg");
        const std::optional<Value> v = arg != nullptr ? constant(*arg, literal_read) : std::nullopt;
        if (!v) return Truth::maybe;
        const bool is_null = std::holds_alternative<Null>(*v);
        return truth_of(text_of(*t, "nulltesttype") == "IS_NULL" ? is_null : !is_null);
    }
    if (const json* t = unwrap(node, "BooleanTest")) {
        const json* arg = field(*t, "arg");
        if (arg == nullptr) return Truth::maybe;
        const Truth inner = where_truth(*arg, literal_read, depth + 1);
        if (inner == Truth::maybe) return inner;
        const std::string_view test = text_of(*t, "booltesttype");
        const bool v = inner == Truth::yes;
        if (test == "IS_TRUE" || test == "IS_NOT_FALSE") return truth_of(v);
        if (test == "IS_FALSE" || test == "IS_NOT_TRUE") return truth_of(!v);
        return Truth::maybe;
    }
    if (const json* s = unwrap(node, "SubLink")) {
        if (text_of(*s, "subLinkType") == "EXISTS_SUBLINK") {
            const json* sub = field(*s, "subselect");
            const json* select = sub != nullptr ? unwrap(*sub, "SelectStmt") : nullptr;
            if (select != nullptr && !select->contains("fromClause") && !select->contains("whereClause") &&
                !select->contains("havingClause") && !select->contains("limitCount") &&
                !select->contains("valuesLists") && !select->contains("larg")) {
                return Truth::yes;
            }
        }
        return Truth::maybe;
    }
    return Truth::maybe;
}

// ---- EXPLAIN options, read the way PostgreSQL's defGetBoolean reads them --------------------------

// Whether EXPLAIN's options turn ANALYZE on: the last analyze option wins; no value, 1, true, on (any
// case, quoted or not) are on; 0, false, off are off; anything else makes PostgreSQL refuse the
// statement, which is treated as on (never lower than the truth).
bool explain_analyzes(const json* options, bool& literal_read) {
    bool analyze = false;
    if (options == nullptr || !options->is_array()) return false;
    for (const json& item : *options) {
        const json* def = unwrap(item, "DefElem");
        if (def == nullptr) continue;
        const std::string name = lower(text_of(*def, "defname"));
        if (name != "analyze" && name != "analyse") continue;
        const json* arg = field(*def, "arg");
        if (arg == nullptr) {
            analyze = true;
            continue;
        }
        literal_read = true;  // 'off', 0, false: a value, quoted or not
        if (const json* i = unwrap(*arg, "Integer")) {
            const json* v = field(*i, "ival");
            analyze = v != nullptr && (!v->is_number_integer() || v->get<long long>() != 0);  // {} is 0
        } else if (const json* b = unwrap(*arg, "Boolean")) {
            analyze = flag(*b, "boolval");
        } else if (const json* s = unwrap(*arg, "String")) {
            const std::string v = lower(text_of(*s, "sval"));
            analyze = !(v == "false" || v == "off");
        } else {
            analyze = true;
        }
    }
    return analyze;
}

bool is_utf8_name(std::string_view encoding) {
    std::string compact;
    for (char c : encoding) {
        if (c != '-' && c != '_') compact += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return compact == "utf8" || compact == "unicode";
}
std::optional<bool> constant_bool(const json& node, bool& literal_read) {
    const std::optional<Value> value = constant(node, literal_read);
    if (!value) return std::nullopt;
    if (const double* d = std::get_if<double>(&*value)) {
        if (*d == 1) return true;
        if (*d == 0) return false;
        return std::nullopt;
    }
    return to_bool(*value);
}

std::size_t utf8_char_length(std::string_view text, std::size_t i) noexcept {
    const std::size_t n = text.size();
    if (i >= n) return 0;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) return 1;
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
        return 0;
    }
    if (n - i < length) return 0;
    const auto second = static_cast<unsigned char>(text[i + 1]);
    if (second < lo || second > hi) return 0;
    for (std::size_t k = 2; k < length; ++k) {
        const auto next = static_cast<unsigned char>(text[i + k]);
        if (next < 0x80 || next > 0xBF) return 0;
    }
    return length;
}

bool is_valid_utf8(std::string_view text) noexcept {
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t length = utf8_char_length(text, i);
        if (length == 0) return false;
        i += length;
    }
    return true;
}

std::string valid_utf8(std::string_view text) {
    if (is_valid_utf8(text)) return std::string(text);
    std::string out;
    out.reserve(text.size() + 8);
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t length = utf8_char_length(text, i);
        if (length == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
        } else {
            out.append(text.substr(i, length));
            i += length;
        }
    }
    return out;
}

}  // namespace jitgate::guardrails::detail
