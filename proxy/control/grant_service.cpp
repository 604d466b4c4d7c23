// The grant service (see grant_service.hpp): the guardrails' grant rules applied inside the store's
// conditional writes, with the refusal sorted for the front end that asked.
#include "proxy/control/grant_service.hpp"

#include <fmt/format.h>

#include <utility>

namespace jitgate::proxy {
namespace {

using guardrails::Grant;
using guardrails::GrantErrorCode;
using guardrails::GrantResult;
using guardrails::GrantStatus;

[[nodiscard]] GrantRefusal refusal_of(GrantErrorCode code) noexcept {
    switch (code) {
        case GrantErrorCode::unknown_target:
        case GrantErrorCode::unknown_role:
        case GrantErrorCode::too_long:
        case GrantErrorCode::bad_duration:
        case GrantErrorCode::no_reason: return GrantRefusal::invalid;
        case GrantErrorCode::unknown_user:
        case GrantErrorCode::not_requestable:
        case GrantErrorCode::not_an_approver:
        case GrantErrorCode::self_approval: return GrantRefusal::forbidden;
        case GrantErrorCode::not_pending:
        case GrantErrorCode::not_revocable: return GrantRefusal::conflict;
    }
    return GrantRefusal::forbidden;
}

// The outcome of a store write whose step may have refused: the step's refusal when it did, else the
// store's answer ("no grant g-…" is not_found, anything else the store failing).
[[nodiscard]] GrantOutcome outcome(Result<Grant> stored, const std::optional<GrantErrorCode>& refused,
                                   std::string_view id) {
    if (stored) return {std::move(stored.value), {}, GrantRefusal::none};
    GrantRefusal refusal = GrantRefusal::store;
    if (refused) {
        refusal = refusal_of(*refused);
    } else if (stored.error == fmt::format("no grant {}", id)) {
        refusal = GrantRefusal::not_found;
    }
    return {std::nullopt, std::move(stored.error), refusal};
}

}  // namespace

GrantService::GrantService(std::shared_ptr<const config::Config> config, GrantStore& store, Clock now)
    : config_(std::move(config)), store_(store), now_(std::move(now)) {}

config::TimePoint GrantService::now() const { return std::chrono::floor<std::chrono::seconds>(now_()); }

std::vector<std::string> GrantService::approvers_for(const Grant& grant) const {
    return guardrails::approvers_for(*config_, grant);
}

GrantOutcome GrantService::request(const GrantActor& requester, const GrantAsk& ask) {
    const config::TimePoint at = now();
    std::optional<GrantErrorCode> refused;
    Result<Grant> stored = store_.insert([&](std::string id) {
        guardrails::GrantRequest made_ask;
        made_ask.id = std::move(id);
        made_ask.user = requester.name;
        made_ask.target = ask.target;
        made_ask.role = ask.role;
        made_ask.duration = ask.duration;
        made_ask.reason = ask.reason;
        GrantResult made = guardrails::request(*config_, made_ask, at);
        if (!made) {
            refused = made.error.code;
            return made;
        }
        made.grant->requested_os = requester.os_user;  // audited with the request: who really ran it
        if (made.grant->status != GrantStatus::pending) made.grant->decided_os = requester.os_user;  // auto-approved
        return made;
    });
    return outcome(std::move(stored), refused, {});
}

GrantOutcome GrantService::decide(const GrantActor& actor, std::string_view id, const Step& step) {
    const config::TimePoint at = now();
    for (const Grant& grant : guardrails::config_grants(*config_)) {
        if (grant.id != id) continue;
        GrantResult explained = step(grant, at);  // a config grant only explains why it cannot be changed here
        return {std::nullopt, std::move(explained.error.message),
                explained ? GrantRefusal::conflict : refusal_of(explained.error.code)};
    }
    std::optional<GrantErrorCode> refused;
    Result<Grant> stored = store_.update(id, [&](const Grant& grant) {
        GrantResult next = step(grant, at);
        if (!next) {
            refused = next.error.code;
            return next;
        }
        next.grant->decided_os = actor.os_user;  // audited with the decision: who really ran it
        return next;
    });
    return outcome(std::move(stored), refused, id);
}

GrantOutcome GrantService::approve(const GrantActor& approver, std::string_view id) {
    return decide(approver, id, [&](const Grant& grant, config::TimePoint at) {
        return guardrails::approve(*config_, grant, approver.name, at);
    });
}

GrantOutcome GrantService::deny(const GrantActor& approver, std::string_view id) {
    return decide(approver, id, [&](const Grant& grant, config::TimePoint at) {
        return guardrails::deny(*config_, grant, approver.name, at);
    });
}

GrantOutcome GrantService::revoke(const GrantActor& by, std::string_view id) {
    return decide(by, id, [&](const Grant& grant, config::TimePoint at) { return guardrails::revoke(grant, by.name, at); });
}

GrantList GrantService::list(const GrantListFilter& filter) {
    const config::TimePoint at = now();
    Result<std::vector<Grant>> stored = store_.grants();
    if (!stored) return {std::nullopt, std::move(stored.error)};
    std::vector<Grant> all = guardrails::config_grants(*config_);
    all.insert(all.end(), std::make_move_iterator(stored.value->begin()), std::make_move_iterator(stored.value->end()));
    std::vector<Grant> shown;
    for (Grant& grant : all) {
        if (filter.active && !guardrails::in_force(grant, at)) continue;
        if (!filter.user.empty() && grant.user != filter.user) continue;
        if (!filter.target.empty() && grant.target != filter.target) continue;
        shown.push_back(std::move(grant));
    }
    return {std::move(shown), {}};
}

}  // namespace jitgate::proxy
