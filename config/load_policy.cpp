// Section loaders for policy: the `access:` allowlist, GitOps `grants:`, `classify:` table extensions
// and `guardrails:` deny rules. Names they use are recorded as references and checked at the end.
#include "config/reader.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace jitgate::config::detail {
namespace {

[[nodiscard]] std::optional<Seconds> positive_duration(Building& b, const Value& value, const std::string& what) {
    std::optional<Seconds> duration = b.reader.parse(value, what, &parse_duration);
    if (duration && duration->count() <= 0) {
        b.reader.error(value.mark, fmt::format("{} must be longer than 0s", what));
        return std::nullopt;
    }
    return duration;
}

[[nodiscard]] std::vector<RiskClass> risk_classes(Building& b, const Value& value, const std::string& what) {
    std::vector<RiskClass> classes;
    for (const Located& text : b.reader.strings(value, what).value_or(std::vector<Located>{})) {
        if (const std::optional<RiskClass> risk = parse_risk_class(text.text)) {
            if (std::find(classes.begin(), classes.end(), *risk) == classes.end()) classes.push_back(*risk);
        } else {
            b.reader.error(text.mark, fmt::format("{}: unknown risk class `{}` (use read, write, ddl, admin, "
                                                  "destructive or unknown)",
                                                  what, text.text));
        }
    }
    return classes;
}

// A non-empty list of names, each recorded as a reference of `kind`.
[[nodiscard]] std::vector<std::string> references(Building& b, const Value& value, RefKind kind,
                                                  const std::string& what, bool non_empty) {
    std::vector<std::string> names;
    const std::optional<std::vector<Located>> list = b.reader.strings(value, what);
    if (!list) return names;
    if (non_empty && list->empty()) b.reader.error(value.mark, fmt::format("{} must not be empty", what));
    for (const Located& name : *list) {
        names.push_back(name.text);
        b.refer(kind, name, what);
    }
    return names;
}

void load_auto_approve(Building& b, const Value& item, AccessRule& rule, const std::string& rule_what) {
    const std::string what = rule_what + " auto_approve";
    std::optional<Fields> fields = b.reader.fields(item, what, {"roles", "window", "max_duration"});
    if (!fields) return;
    AutoApprove auto_approve;
    if (const Value* v = b.reader.required(*fields, "roles", what)) {
        const std::optional<std::vector<Located>> roles = b.reader.strings(*v, what + " roles");
        for (const Located& role : roles.value_or(std::vector<Located>{})) {
            auto_approve.roles.push_back(role.text);
            if (std::find(rule.requestable.begin(), rule.requestable.end(), role.text) == rule.requestable.end()) {
                b.reader.error(role.mark, fmt::format("{}: role `{}` is not in this rule's requestable roles", what,
                                                      role.text));
            }
        }
        if (roles && roles->empty()) b.reader.error(v->mark, fmt::format("{} roles must not be empty", what));
    }
    if (const Value* v = fields->find("window")) auto_approve.window = b.reader.parse(*v, what + " window", &parse_window);
    if (const Value* v = fields->find("max_duration")) {
        auto_approve.max_duration = positive_duration(b, *v, what + " max_duration");
        if (auto_approve.max_duration && rule.max_duration && *auto_approve.max_duration > *rule.max_duration) {
            b.reader.error(v->mark, fmt::format("{}: max_duration {} is longer than the rule's {}", what,
                                                format_duration(*auto_approve.max_duration),
                                                format_duration(*rule.max_duration)));
        }
    }
    rule.auto_approve.push_back(std::move(auto_approve));
}

void load_access_rule(Building& b, const Value& item, std::size_t index) {
    const std::string what = fmt::format("access rule {}", index + 1);
    std::optional<Fields> fields =
        b.reader.fields(item, what,
                        {"users", "targets", "standing", "requestable", "max_duration", "approvers", "auto_approve"});
    if (!fields) return;
    AccessRule rule;
    if (const Value* v = b.reader.required(*fields, "users", what)) {
        rule.users = references(b, *v, RefKind::subject, what + " users", true);
    }
    if (const Value* v = b.reader.required(*fields, "targets", what)) {
        rule.targets = references(b, *v, RefKind::target_pattern, what + " targets", true);
    }
    if (const Value* v = fields->find("standing")) {
        if (std::optional<std::string> role = b.reader.string(*v, what + " standing")) {
            rule.standing = *role;
            b.refer(RefKind::role, Located{*role, v->mark}, what + " standing");
        }
    }
    if (const Value* v = fields->find("requestable")) {
        rule.requestable = references(b, *v, RefKind::role, what + " requestable", false);
    }
    if (const Value* v = fields->find("max_duration")) rule.max_duration = positive_duration(b, *v, what + " max_duration");
    if (const Value* v = fields->find("approvers")) {
        rule.approvers = references(b, *v, RefKind::subject, what + " approvers", false);
    }
    if (const Value* v = fields->find("auto_approve")) {
        for (const Value& entry : b.reader.items(*v, what + " auto_approve").value_or(std::vector<Value>{})) {
            load_auto_approve(b, entry, rule, what);
        }
    }
    if (!rule.standing && !fields->has("requestable")) {
        b.reader.error(fields->mark, fmt::format("{}: needs `standing:` or `requestable:` (or both)", what));
    }
    if (!rule.requestable.empty()) {
        if (!fields->has("max_duration")) {
            b.reader.error(fields->mark, fmt::format("{}: requestable roles need `max_duration:`", what));
        }
        if (rule.approvers.empty() && rule.auto_approve.empty()) {
            b.reader.error(fields->mark, fmt::format("{}: requestable roles need `approvers:` or `auto_approve:` "
                                                     "(else no request can be approved)",
                                                     what));
        }
    }
    b.config.access.push_back(std::move(rule));
}

void load_grant(Building& b, const Value& item, std::size_t index) {
    const std::string what = fmt::format("grant {}", index + 1);
    std::optional<Fields> fields =
        b.reader.fields(item, what, {"user", "target", "role", "from", "until", "approved_by", "reason"});
    if (!fields) return;
    ConfigGrant grant;
    const auto reference = [&](std::string_view key, RefKind kind, std::string& out) {
        const Value* v = b.reader.required(*fields, key, what);
        if (v == nullptr) return;
        if (std::optional<std::string> name = b.reader.string(*v, fmt::format("{} {}", what, key))) {
            out = *name;
            b.refer(kind, Located{*name, v->mark}, fmt::format("{} {}", what, key));
        }
    };
    reference("user", RefKind::user, grant.user);
    reference("target", RefKind::target, grant.target);
    reference("role", RefKind::role, grant.role);
    if (const Value* v = fields->find("from")) grant.from = b.reader.parse(*v, what + " from", &parse_timestamp);
    if (const Value* v = b.reader.required(*fields, "until", what)) {
        if (std::optional<TimePoint> until = b.reader.parse(*v, what + " until", &parse_timestamp)) {
            grant.until = *until;
            if (grant.from && *until <= *grant.from) {
                b.reader.error(v->mark, fmt::format("{}: `until` must be after `from`", what));
            }
        }
    }
    if (const Value* v = fields->find("approved_by")) {
        if (std::optional<std::string> approver = b.reader.string(*v, what + " approved_by")) {
            grant.approved_by = *approver;
            b.refer(RefKind::user, Located{*approver, v->mark}, what + " approved_by");
            if (*approver == grant.user) {
                b.reader.error(v->mark, fmt::format("{}: nobody approves their own grant", what));
            }
        }
    }
    if (const Value* v = fields->find("reason")) grant.reason = b.reader.string(*v, what + " reason").value_or("");
    b.config.grants.push_back(std::move(grant));
}

void load_table(Building& b, const Value& value, const std::string& what,
                std::map<RiskClass, std::vector<std::string>>& table) {
    std::optional<Fields> fields = b.reader.fields(value, what, {"read", "write", "ddl", "admin", "destructive", "unknown"});
    if (!fields) return;
    std::map<std::string, std::string, std::less<>> seen;   // name -> class
    for (const auto& [class_name, list] : fields->entries) {
        const RiskClass risk = *parse_risk_class(class_name);
        for (const Located& name : b.reader.strings(list, what + "." + class_name).value_or(std::vector<Located>{})) {
            const bool blank = name.text.empty() || name.text.find_first_of(" \t\n") != std::string::npos;
            if (blank) {
                b.reader.error(name.mark, fmt::format("{}: `{}` is not a name", what, name.text));
                continue;
            }
            const auto [it, inserted] = seen.emplace(name.text, class_name);
            if (!inserted) {
                b.reader.error(name.mark, fmt::format("{}: `{}` is already listed under {}", what, name.text,
                                                      it->second));
                continue;
            }
            table[risk].push_back(name.text);
        }
    }
}

void load_guardrail(Building& b, const Value& item, std::map<std::string, YAML::Mark, std::less<>>& ids) {
    std::string what = describe(item, "guardrail", "id");
    std::optional<Fields> fields = b.reader.fields(item, what, {"id", "deny", "window", "except_window", "mode"});
    if (!fields) return;
    Guardrail rule;
    bool keep = true;
    if (const Value* v = b.reader.required(*fields, "id", what)) {
        if (std::optional<std::string> id = b.reader.name(*v, "guardrail id")) {
            rule.id = *id;
            const auto [it, inserted] = ids.emplace(*id, v->mark);
            if (!inserted) {
                b.reader.error(v->mark, fmt::format("duplicate guardrail id `{}` (first defined at line {})", *id,
                                                    it->second.line + 1));
                keep = false;
            }
        }
    }
    if (const Value* v = b.reader.required(*fields, "deny", what)) {
        if (std::optional<Fields> deny = b.reader.fields(*v, what + " deny", {"classes", "tables", "effects"})) {
            if (const Value* c = deny->find("classes")) rule.deny_classes = risk_classes(b, *c, what + " deny.classes");
            if (const Value* t = deny->find("tables")) {
                for (const Located& table :
                     b.reader.strings(*t, what + " deny.tables").value_or(std::vector<Located>{})) {
                    const bool blank = table.text.empty() || table.text.front() == '.' || table.text.back() == '.' ||
                                       table.text.find_first_of(" \t\n") != std::string::npos;
                    if (blank) {
                        b.reader.error(table.mark, fmt::format("{}: `{}` is not a table name (write schema.table or "
                                                               "table)",
                                                               what, table.text));
                    } else {
                        rule.deny_tables.push_back(table.text);
                    }
                }
            }
            if (const Value* e = deny->find("effects")) {
                rule.deny_effects = risk_classes(b, *e, what + " deny.effects");
                if (!deny->has("tables")) {
                    b.reader.error(e->mark, fmt::format("{}: deny.effects applies only with deny.tables", what));
                }
            } else if (deny->has("tables")) {
                // Every effect on the table, including one the classifier could not tell: fail closed.
                rule.deny_effects = {RiskClass::read, RiskClass::write,       RiskClass::ddl,
                                     RiskClass::admin, RiskClass::destructive, RiskClass::unknown};
            }
            if (!deny->has("classes") && !deny->has("tables")) {
                b.reader.error(deny->mark, fmt::format("{}: deny needs `classes:` or `tables:`", what));
            }
        }
    }
    if (const Value* v = fields->find("window")) rule.window = b.reader.parse(*v, what + " window", &parse_window);
    if (const Value* v = fields->find("except_window")) {
        rule.except_window = b.reader.parse(*v, what + " except_window", &parse_window);
    }
    if (const Value* v = fields->find("mode")) {
        if (std::optional<std::string> mode = b.reader.string(*v, what + " mode")) {
            if (*mode == "enforce" || *mode == "shadow") {
                rule.mode = *mode == "enforce" ? RuleMode::enforce : RuleMode::shadow;
            } else {
                b.reader.error(v->mark, fmt::format("{}: mode must be enforce or shadow", what));
            }
        }
    }
    if (keep) b.config.guardrails.push_back(std::move(rule));
}

}  // namespace

void load_access(Building& b, const Value& value) {
    const std::vector<Value> items = b.reader.items(value, "access").value_or(std::vector<Value>{});
    for (std::size_t i = 0; i < items.size(); ++i) load_access_rule(b, items[i], i);
}

void load_grants(Building& b, const Value& value) {
    const std::vector<Value> items = b.reader.items(value, "grants").value_or(std::vector<Value>{});
    for (std::size_t i = 0; i < items.size(); ++i) load_grant(b, items[i], i);
}

void load_classify(Building& b, const Value& value) {
    std::optional<Fields> fields = b.reader.fields(value, "classify", {"functions", "settings", "programs"});
    if (!fields) return;
    if (const Value* v = fields->find("functions")) load_table(b, *v, "classify.functions", b.config.classify.functions);
    if (const Value* v = fields->find("settings")) load_table(b, *v, "classify.settings", b.config.classify.settings);
    if (const Value* v = fields->find("programs")) load_table(b, *v, "classify.programs", b.config.classify.programs);
}

void load_guardrails(Building& b, const Value& value) {
    std::map<std::string, YAML::Mark, std::less<>> ids;
    for (const Value& item : b.reader.items(value, "guardrails").value_or(std::vector<Value>{})) {
        load_guardrail(b, item, ids);
    }
}

}  // namespace jitgate::config::detail
