// The guardrail pipeline: Policy snapshots and the decision itself (see policy.hpp).
#include "guardrails/policy.hpp"

#include <algorithm>
#include <bit>
#include <cctype>

namespace jitgate::guardrails {
namespace {

constexpr ClassMask all_classes = 0x3f;
std::atomic<std::uint64_t> next_pipeline_id{0};
constexpr std::string_view suggested_duration = "30m";

[[nodiscard]] std::string cat(std::initializer_list<std::string_view> pieces) {
    std::string text;
    for (const std::string_view piece : pieces) text += piece;
    return text;
}

[[nodiscard]] ClassMask role_mask(const config::Config& config, std::string_view role) {
    const config::Role* found = config.find_role(role);
    return found == nullptr ? ClassMask{0} : mask_of(found->allow);
}

[[nodiscard]] bool same_name(std::string_view a, std::string_view b) noexcept {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
    });
}

// Whether a relation as written in SQL may be the rule's table: the dotted parts agree from the right as
// far as both go, so "payments.cards" matches "cards" (search_path may resolve it there) and a rule on
// "cards" matches "payments.cards". Unquoted identifiers arrive folded to lower case; quoted ones are
// compared without case too (a rule errs towards matching). A relation "s.*" (a statement on a whole
// schema) matches every table in s.
[[nodiscard]] bool table_matches(std::string_view rule_table, std::string_view relation) noexcept {
    while (!rule_table.empty() && !relation.empty()) {
        const std::size_t a = rule_table.rfind('.');
        const std::size_t b = relation.rfind('.');
        const std::string_view rule_part = a == std::string_view::npos ? rule_table : rule_table.substr(a + 1);
        const std::string_view relation_part = b == std::string_view::npos ? relation : relation.substr(b + 1);
        if (relation_part != "*" && !same_name(rule_part, relation_part)) return false;  // "s.*": every table in s
        if (a == std::string_view::npos || b == std::string_view::npos) return true;
        rule_table = rule_table.substr(0, a);
        relation = relation.substr(0, b);
    }
    return true;
}

[[nodiscard]] bool window_applies(const config::Guardrail& rule, TimePoint now) {
    try {
        if (rule.window && !rule.window->contains(now)) return false;
        if (rule.except_window && rule.except_window->contains(now)) return false;
    } catch (const std::exception&) {
        return true;  // a zone the tz database cannot answer for: the rule applies (fail closed)
    }
    return true;
}

// Whether the rule's deny clause covers the command: a denied class among the statement's classes, or a
// denied effect on a denied table, or any effect that renames, moves or re-exposes a denied table. A command without a classification (FunctionCall, an unseen portal)
// touches tables nobody can name, so a table rule covers it when it denies `unknown` effects.
[[nodiscard]] bool rule_covers(const config::Guardrail& rule, const Classification* cls, RiskClass risk,
                               Protocol protocol) {
    const ClassMask classes = mask_of(rule.deny_classes);
    if ((classes & bit(risk)) != 0) return true;
    if (cls != nullptr && classes != 0) {
        for (const Effect& effect : cls->effects)
            if ((classes & bit(effect.risk)) != 0) return true;
    }
    // Table rules are about SQL: a shell command names no tables.
    if (rule.deny_tables.empty() || protocol != Protocol::postgres) return false;
    const ClassMask effects = rule.deny_effects.empty() ? all_classes : mask_of(rule.deny_effects);
    if (risk == RiskClass::unknown && (effects & bit(RiskClass::unknown)) != 0) return true;
    if (cls == nullptr) return false;
    for (const Effect& effect : cls->effects) {
        if (effect.relation.empty() || (!effect.exposes && (effects & bit(effect.risk)) == 0)) continue;
        for (const std::string& table : rule.deny_tables)
            if (table_matches(table, effect.relation)) return true;
    }
    return false;
}

// What the command is, for the engineer: the classifier's reason, or what kind of message it was.
[[nodiscard]] std::string_view what_of(const Command& command, const Classification* cls) {
    if (cls != nullptr) return cls->reason;
    switch (command.kind) {
    case CommandKind::function_call: return "a FunctionCall message (a function named by OID, no SQL text)";
    case CommandKind::execute: return "an Execute of a portal jitgate did not see bound";
    default: return "a command jitgate cannot classify";
    }
}

Decision& block(Decision& decision, std::string rule, std::string reason, std::string hint) {
    decision.verdict = Verdict::block;
    decision.rule = std::move(rule);
    decision.reason = std::move(reason);
    decision.hint = std::move(hint);
    decision.grant.clear();
    decision.grant_until.reset();
    return decision;
}

[[nodiscard]] std::string rule_hint(const config::Guardrail& rule) {
    if (rule.except_window) return cat({"guardrail ", rule.id, " allows it only during ", rule.except_window->text});
    if (rule.window) return cat({"guardrail ", rule.id, " applies during ", rule.window->text});
    return cat({"guardrail ", rule.id, " applies whatever grant you hold; ask an administrator"});
}

// The block for a class no role in force allows: names the roles held and the exact request command.
void block_for_grant(Decision& decision, const Command& command, const Classification* cls,
                     const Policy::Subject* subject, TimePoint now) {
    const std::string_view risk = config::to_string(decision.risk);
    std::string held;
    std::vector<std::string_view> named;  // each role once: compared whole, as "reader" is part of "team-reader"
    if (subject != nullptr) {
        for (const auto& entry : subject->held) {
            const std::string_view role = entry.holding.role;
            if (!entry.holding.in_force(now) || std::find(named.begin(), named.end(), role) != named.end()) continue;
            named.push_back(role);
            held += cat({held.empty() ? "" : ", ", role});
        }
    }
    std::string reason = cat({what_of(command, cls), " — ", held.empty() ? "you hold no role" : cat({"your roles (", held, ")"}),
                              " on ", command.target, " do not allow ", risk});
    std::string hint = cat({"no role you may request on ", command.target, " allows ", risk, "; ask an administrator"});
    if (subject != nullptr) {
        for (const auto& offer : subject->requestable) {
            if ((offer.allows & bit(decision.risk)) == 0) continue;
            std::string duration{suggested_duration};
            if (offer.max_duration && *offer.max_duration < config::Seconds{30 * 60})
                duration = config::format_duration(*offer.max_duration);
            hint = cat({"request it with: jitgate grant request ", command.target, " --role ", offer.role, " --for ",
                        duration, " --reason \"...\""});
            break;
        }
    }
    block(decision, cat({"missing grant: ", risk, " on ", command.target}), std::move(reason), std::move(hint));
}

}  // namespace

ClassMask mask_of(const std::vector<RiskClass>& classes) noexcept {
    ClassMask mask = 0;
    for (const RiskClass risk : classes) mask = static_cast<ClassMask>(mask | bit(risk));
    return mask;
}

std::shared_ptr<const Policy> Policy::build(std::shared_ptr<const config::Config> config, std::vector<Grant> store_grants,
                                            ClassifyText classify, TimePoint now, ClassifyText classify_shell) {
    auto policy = std::make_shared<Policy>();
    const config::Config& c = *config;
    for (const config::User& user : c.users) {
        for (const config::Target& target : c.targets) {
            Subject subject;
            for (Holding& holding : holdings(c, store_grants, user.name, target.name, now)) {
                const ClassMask allows = role_mask(c, holding.role);
                subject.held.push_back({std::move(holding), allows});
            }
            for (const config::AccessRule& rule : c.access) {
                if (!rule.covers_user(user) || !rule.covers_target(target.name)) continue;
                for (const std::string& role : rule.requestable) {
                    auto known = std::find_if(subject.requestable.begin(), subject.requestable.end(),
                                              [&](const Subject::Requestable& r) { return r.role == role; });
                    if (known == subject.requestable.end()) {
                        subject.requestable.push_back({role, role_mask(c, role), rule.max_duration});
                    } else if (!rule.max_duration || (known->max_duration && *known->max_duration < *rule.max_duration)) {
                        known->max_duration = rule.max_duration;
                    }
                }
            }
            if (subject.held.empty() && subject.requestable.empty()) continue;
            std::stable_sort(subject.requestable.begin(), subject.requestable.end(),
                             [](const Subject::Requestable& a, const Subject::Requestable& b) {
                                 return std::popcount(a.allows) < std::popcount(b.allows);
                             });
            policy->subjects_[user.name][target.name] = std::move(subject);
        }
    }
    policy->grants_ = std::move(store_grants);
    for (Grant& grant : config_grants(c)) policy->grants_.push_back(std::move(grant));
    policy->config_ = std::move(config);
    policy->classify_ = std::move(classify);
    policy->classify_shell_ = std::move(classify_shell);
    return policy;
}

const Policy::Subject* Policy::subject(std::string_view user, std::string_view target) const {
    const auto by_user = subjects_.find(user);
    if (by_user == subjects_.end()) return nullptr;
    const auto found = by_user->second.find(target);
    return found == by_user->second.end() ? nullptr : &found->second;
}

std::optional<Policy::GrantEnd> Policy::ended(std::string_view user, std::string_view target, std::string_view id,
                                              std::optional<TimePoint> until, TimePoint now) const {
    if (const Subject* s = subject(user, target)) {
        for (const auto& entry : s->held) {
            if (entry.holding.grant_id != id || entry.holding.until != until) continue;
            if (entry.holding.in_force(now)) return std::nullopt;
            return GrantEnd{false, entry.holding.until.value_or(now)};
        }
    }
    // Not held any more: expired (and dropped at the last rebuild), revoked, or gone from the allowlist.
    const auto grant = std::find_if(grants_.begin(), grants_.end(), [&](const Grant& g) { return g.id == id; });
    if (grant != grants_.end() && grant->until == until && grant->status == GrantStatus::approved &&
        grant->until && *grant->until <= now)
        return GrantEnd{false, *grant->until};
    if (grant != grants_.end() && grant->status == GrantStatus::revoked && grant->decided_at)
        return GrantEnd{true, *grant->decided_at};
    return GrantEnd{true, now};
}

Decision decide(const Policy& policy, const Command& command, TimePoint now) {
    Decision decision;
    decision.config_hash = policy.config().hash;
    const Classification* cls = nullptr;
    if (command.kind == CommandKind::query || command.kind == CommandKind::parse) {
        decision.classification = policy.classify(command.text);
        cls = decision.classification.get();
    } else if (command.kind == CommandKind::execute) {
        cls = command.classification;
    } else if (command.kind == CommandKind::shell_exec || command.kind == CommandKind::shell_line) {
        if (policy.shell_classifier()) decision.classification = policy.shell_classifier()(command.text);
        cls = decision.classification.get();
    }
    decision.risk = cls != nullptr ? cls->risk : RiskClass::unknown;

    if (cls != nullptr && cls->touches_lexer_settings) {
        block(decision, std::string{lexer_settings_rule},
              cat({what_of(command, cls), " — it could change standard_conforming_strings or client_encoding, "
                                          "which jitgate's SQL reading relies on"}),
              "no grant lifts this rule; the session keeps the settings jitgate set at start-up");
        return decision;
    }
    const std::vector<config::Guardrail>& rules = policy.config().guardrails;
    for (const config::Guardrail& rule : rules) {
        if (rule.mode != config::RuleMode::enforce || !rule_covers(rule, cls, decision.risk, command.protocol) ||
            !window_applies(rule, now))
            continue;
        block(decision, rule.id, cat({what_of(command, cls), " — denied by guardrail ", rule.id}), rule_hint(rule));
        return decision;
    }
    const Policy::Subject* subject = policy.subject(command.user, command.target);
    const Holding* allowed = nullptr;
    if (subject != nullptr) {
        for (const auto& entry : subject->held) {
            if ((entry.allows & bit(decision.risk)) != 0 && entry.holding.in_force(now)) {
                allowed = &entry.holding;
                break;
            }
        }
    }
    if (allowed == nullptr) {
        block_for_grant(decision, command, cls, subject, now);
        return decision;
    }
    decision.grant = allowed->grant_id;
    decision.grant_until = allowed->until;
    for (const config::Guardrail& rule : rules) {
        if (rule.mode != config::RuleMode::shadow || !rule_covers(rule, cls, decision.risk, command.protocol) ||
            !window_applies(rule, now))
            continue;
        decision.verdict = Verdict::would_block;
        decision.rule = rule.id;
        decision.reason = cat({what_of(command, cls), " — guardrail ", rule.id, " (shadow mode) would deny it"});
        break;
    }
    return decision;
}

GuardrailPipeline::GuardrailPipeline(std::shared_ptr<const Policy> policy, Clock clock)
    : policy_(std::move(policy)), id_(next_pipeline_id.fetch_add(1) + 1), clock_(std::move(clock)) {}

Decision GuardrailPipeline::evaluate(const Command& command) const {
    struct Seen {
        std::uint64_t pipeline = 0;
        std::uint64_t version = 0;
        std::shared_ptr<const Policy> policy;
    };
    thread_local Seen seen;
    const std::uint64_t version = version_.load(std::memory_order_acquire);
    if (seen.pipeline != id_ || seen.version != version) {
        seen.policy = policy_.load();  // at least as new as `version`
        seen.pipeline = id_;
        seen.version = version;
    }
    return decide(*seen.policy, command, now());
}

}  // namespace jitgate::guardrails
