// The grant rules of DESIGN §4 as pure functions over the validated config (see grants.hpp).
#include "guardrails/grants.hpp"

#include <algorithm>
#include <array>
#include <initializer_list>

namespace jitgate::guardrails {
namespace {

constexpr std::array<std::string_view, 5> status_names{"pending", "approved", "denied", "revoked", "expired"};
constexpr std::string_view group_prefix = "group:";

// Concatenates pieces of text (guardrails does not depend on fmt).
[[nodiscard]] std::string cat(std::initializer_list<std::string_view> pieces) {
    std::string text;
    for (const std::string_view piece : pieces) text += piece;
    return text;
}

[[nodiscard]] std::string joined(const std::vector<std::string>& names) {
    std::string text;
    for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
    return text;
}

[[nodiscard]] GrantResult refuse(GrantErrorCode code, std::string message) {
    return GrantResult{std::nullopt, GrantError{code, std::move(message)}};
}

[[nodiscard]] GrantResult accept(Grant grant) { return GrantResult{std::move(grant), {}}; }

[[nodiscard]] bool lists(const std::vector<std::string>& names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

// Whether `user` is among `subjects` (names or "group:NAME").
[[nodiscard]] bool subject_matches(const std::vector<std::string>& subjects, const config::User& user) {
    return std::any_of(subjects.begin(), subjects.end(), [&](const std::string& subject) {
        if (subject.starts_with(group_prefix)) return user.in_group(std::string_view{subject}.substr(group_prefix.size()));
        return subject == user.name;
    });
}

// The rule covers the user and the target and lists the role as requestable (duration not considered).
[[nodiscard]] bool offers(const config::AccessRule& rule, const config::User& user, std::string_view target,
                          std::string_view role) {
    return lists(rule.requestable, role) && rule.covers_user(user) && rule.covers_target(target);
}

[[nodiscard]] bool fits(const std::optional<Seconds>& limit, Seconds duration) noexcept {
    return !limit || duration <= *limit;
}

// Indexes of the rules that make (user, target, role, duration) requestable.
[[nodiscard]] std::vector<std::size_t> applicable_rules(const config::Config& config, const config::User& user,
                                                        std::string_view target, std::string_view role,
                                                        Seconds duration) {
    std::vector<std::size_t> rules;
    for (std::size_t i = 0; i < config.access.size(); ++i) {
        const config::AccessRule& rule = config.access[i];
        if (offers(rule, user, target, role) && fits(rule.max_duration, duration)) rules.push_back(i);
    }
    return rules;
}

[[nodiscard]] std::string longest_allowed(const config::Config& config, const config::User& user,
                                          std::string_view target, std::string_view role) {
    std::optional<Seconds> longest;
    for (const config::AccessRule& rule : config.access) {
        if (!offers(rule, user, target, role) || !rule.max_duration) continue;
        if (!longest || *rule.max_duration > *longest) longest = rule.max_duration;
    }
    return longest ? config::format_duration(*longest) : std::string{"?"};
}

// The first auto-approval entry (as "auto:access[R].auto_approve[A]", 1-based) that approves at `now`.
[[nodiscard]] std::optional<std::string> auto_approver(const config::Config& config,
                                                       const std::vector<std::size_t>& rules,
                                                       std::string_view role, Seconds duration, TimePoint now) {
    for (const std::size_t r : rules) {
        const std::vector<config::AutoApprove>& entries = config.access[r].auto_approve;
        for (std::size_t a = 0; a < entries.size(); ++a) {
            const config::AutoApprove& entry = entries[a];
            if (!lists(entry.roles, role) || !fits(entry.max_duration, duration)) continue;
            if (entry.window && !entry.window->contains(now)) continue;
            return cat({"auto:access[", std::to_string(r + 1), "].auto_approve[", std::to_string(a + 1), "]"});
        }
    }
    return std::nullopt;
}

// The shared checks of approve and deny; nullopt when `approver` may decide `grant`.
[[nodiscard]] std::optional<GrantResult> check_decider(const config::Config& config, const Grant& grant,
                                                       std::string_view approver, std::string_view verb) {
    if (grant.source == GrantSource::config) {
        return refuse(GrantErrorCode::not_pending,
                      cat({grant.id, " comes from the config file; change the config to ", verb, " it"}));
    }
    if (grant.status != GrantStatus::pending) {
        return refuse(GrantErrorCode::not_pending,
                      cat({grant.id, " is ", to_string(grant.status), ", not pending: only a pending grant can be ",
                           verb == "approve" ? "approved" : "denied"}));
    }
    if (approver == grant.user) return refuse(GrantErrorCode::self_approval, "self-approval is not allowed");
    const config::User* decider = config.find_user(approver);
    if (decider == nullptr) {
        return refuse(GrantErrorCode::unknown_user, cat({approver, " is not a user in the config"}));
    }
    const config::User* requester = config.find_user(grant.user);
    if (requester == nullptr) {
        return refuse(GrantErrorCode::unknown_user,
                      cat({grant.user, " is no longer a user in the config; the request cannot be decided"}));
    }
    const std::vector<std::size_t> rules = applicable_rules(config, *requester, grant.target, grant.role, grant.duration);
    if (rules.empty()) {
        return refuse(GrantErrorCode::not_requestable,
                      cat({grant.user, " may no longer request ", grant.role, " on ", grant.target, " for ",
                           config::format_duration(grant.duration), ": no access rule allows it now"}));
    }
    const bool listed = std::any_of(rules.begin(), rules.end(), [&](std::size_t r) {
        return subject_matches(config.access[r].approvers, *decider);
    });
    if (!listed) {
        const std::vector<std::string> who = approvers_for(config, grant);
        return refuse(GrantErrorCode::not_an_approver,
                      cat({approver, " may not ", verb, " ", grant.id, ": the approvers are ",
                           who.empty() ? std::string{"nobody (auto-approval only)"} : joined(who)}));
    }
    return std::nullopt;
}

}  // namespace

std::string_view to_string(GrantStatus status) noexcept { return status_names.at(static_cast<std::size_t>(status)); }

std::optional<GrantStatus> parse_grant_status(std::string_view text) noexcept {
    for (std::size_t i = 0; i < status_names.size(); ++i) {
        if (status_names[i] == text) return static_cast<GrantStatus>(i);
    }
    return std::nullopt;
}

std::string_view to_string(GrantSource source) noexcept { return source == GrantSource::store ? "store" : "config"; }

GrantStatus status_at(const Grant& grant, TimePoint now) noexcept {
    if (grant.status == GrantStatus::approved && grant.until && *grant.until <= now) return GrantStatus::expired;
    return grant.status;
}

bool in_force(const Grant& grant, TimePoint now) noexcept {
    return status_at(grant, now) == GrantStatus::approved && grant.until && (!grant.from || *grant.from <= now);
}

GrantResult request(const config::Config& config, const GrantRequest& ask, TimePoint now) {
    const config::User* user = config.find_user(ask.user);
    if (user == nullptr) return refuse(GrantErrorCode::unknown_user, cat({ask.user, " is not a user in the config"}));
    if (config.find_target(ask.target) == nullptr) {
        return refuse(GrantErrorCode::unknown_target, cat({ask.target, " is not a target in the config"}));
    }
    if (config.find_role(ask.role) == nullptr) {
        return refuse(GrantErrorCode::unknown_role, cat({ask.role, " is not a role in the config"}));
    }
    const bool offered = std::any_of(config.access.begin(), config.access.end(), [&](const config::AccessRule& rule) {
        return offers(rule, *user, ask.target, ask.role);
    });
    if (!offered) {
        return refuse(GrantErrorCode::not_requestable,
                      cat({ask.user, " may not request ", ask.role, " on ", ask.target,
                           ": no access rule lists it as requestable"}));
    }
    if (ask.duration <= Seconds{0}) {
        return refuse(GrantErrorCode::bad_duration, "the duration must be longer than 0s");
    }
    const std::vector<std::size_t> rules = applicable_rules(config, *user, ask.target, ask.role, ask.duration);
    if (rules.empty()) {
        return refuse(GrantErrorCode::too_long,
                      cat({config::format_duration(ask.duration), " is longer than the ",
                           longest_allowed(config, *user, ask.target, ask.role), " allowed for ", ask.role, " on ",
                           ask.target}));
    }
    const bool has_reason = std::any_of(ask.reason.begin(), ask.reason.end(),
                                        [](char c) { return c != ' ' && c != '\t' && c != '\n' && c != '\r'; });
    if (!has_reason) return refuse(GrantErrorCode::no_reason, "a reason is required (e.g. a ticket or incident id)");

    Grant grant;
    grant.id = ask.id;
    grant.user = ask.user;
    grant.target = ask.target;
    grant.role = ask.role;
    grant.requested_at = now;
    grant.duration = ask.duration;
    grant.reason = ask.reason;
    grant.source = GrantSource::store;
    if (std::optional<std::string> rule = auto_approver(config, rules, ask.role, ask.duration, now)) {
        grant.status = GrantStatus::approved;
        grant.decided_at = now;
        grant.decided_by = std::move(*rule);
        grant.from = now;
        grant.until = now + ask.duration;
    }
    return accept(std::move(grant));
}

GrantResult approve(const config::Config& config, const Grant& grant, std::string_view approver, TimePoint now) {
    if (std::optional<GrantResult> refused = check_decider(config, grant, approver, "approve")) return std::move(*refused);
    Grant approved = grant;
    approved.status = GrantStatus::approved;
    approved.decided_at = now;
    approved.decided_by = std::string{approver};
    approved.from = now;
    approved.until = now + grant.duration;
    return accept(std::move(approved));
}

GrantResult deny(const config::Config& config, const Grant& grant, std::string_view approver, TimePoint now) {
    if (std::optional<GrantResult> refused = check_decider(config, grant, approver, "deny")) return std::move(*refused);
    Grant denied = grant;
    denied.status = GrantStatus::denied;
    denied.decided_at = now;
    denied.decided_by = std::string{approver};
    return accept(std::move(denied));
}

GrantResult revoke(const Grant& grant, std::string_view by, TimePoint now) {
    if (grant.source == GrantSource::config) {
        return refuse(GrantErrorCode::not_revocable,
                      cat({grant.id, " comes from the config file; remove it there (and reload) to revoke it"}));
    }
    const GrantStatus status = status_at(grant, now);
    if (status != GrantStatus::pending && status != GrantStatus::approved) {
        return refuse(GrantErrorCode::not_revocable,
                      cat({grant.id, " is already ", to_string(status), "; only a pending or approved grant can be revoked"}));
    }
    Grant revoked = grant;
    revoked.status = GrantStatus::revoked;
    revoked.decided_at = now;
    revoked.decided_by = std::string{by};
    if (revoked.until && *revoked.until > now) revoked.until = now;   // the validity ends here
    return accept(std::move(revoked));
}

std::vector<std::string> approvers_for(const config::Config& config, const Grant& grant) {
    std::vector<std::string> approvers;
    const config::User* user = config.find_user(grant.user);
    if (user == nullptr) return approvers;
    for (const std::size_t r : applicable_rules(config, *user, grant.target, grant.role, grant.duration)) {
        for (const std::string& approver : config.access[r].approvers) {
            if (!lists(approvers, approver)) approvers.push_back(approver);
        }
    }
    return approvers;
}

std::vector<Grant> config_grants(const config::Config& config) {
    std::vector<Grant> grants;
    grants.reserve(config.grants.size());
    for (std::size_t i = 0; i < config.grants.size(); ++i) {
        const config::ConfigGrant& entry = config.grants[i];
        Grant grant;
        grant.id = "config:" + std::to_string(i + 1);
        grant.user = entry.user;
        grant.target = entry.target;
        grant.role = entry.role;
        grant.status = GrantStatus::approved;
        grant.decided_by = entry.approved_by;
        grant.from = entry.from;
        grant.until = entry.until;
        if (entry.from) {
            grant.requested_at = *entry.from;
            grant.decided_at = entry.from;
            grant.duration = std::chrono::duration_cast<Seconds>(entry.until - *entry.from);
        }
        grant.reason = entry.reason;
        grant.source = GrantSource::config;
        grants.push_back(std::move(grant));
    }
    return grants;
}

std::vector<Holding> holdings(const config::Config& config, const std::vector<Grant>& grants,
                              std::string_view user_name, std::string_view target, TimePoint now) {
    std::vector<Holding> held;
    const config::User* user = config.find_user(user_name);
    if (user == nullptr) return held;
    for (const config::AccessRule& rule : config.access) {
        if (rule.standing && rule.covers_user(*user) && rule.covers_target(target)) held.push_back({*rule.standing, {}, {}, {}});
    }
    // A store grant counts while the allowlist still offers its role to this user on this target: removing
    // the access rule ends it (fail closed). Config grants are part of the allowlist themselves.
    for (const Grant& grant : grants) {
        if (grant.user != user_name || grant.target != target || grant.status != GrantStatus::approved) continue;
        if (grant.until && *grant.until <= now) continue;
        if (grant.source == GrantSource::store) {
            const bool offered = std::any_of(config.access.begin(), config.access.end(),
                                             [&](const config::AccessRule& rule) { return offers(rule, *user, target, grant.role); });
            if (!offered) continue;
        }
        held.push_back({grant.role, grant.id, grant.from, grant.until});
    }
    for (const Grant& grant : config_grants(config)) {
        if (grant.user == user_name && grant.target == target && now < *grant.until)
            held.push_back({grant.role, grant.id, grant.from, grant.until});
    }
    return held;
}

std::vector<std::string> active_roles(const config::Config& config, const std::vector<Grant>& grants,
                                      std::string_view user, std::string_view target, TimePoint now) {
    std::vector<std::string> roles;
    for (const Holding& holding : holdings(config, grants, user, target, now)) {
        if (holding.in_force(now) && !lists(roles, holding.role)) roles.push_back(holding.role);
    }
    return roles;
}

}  // namespace jitgate::guardrails
