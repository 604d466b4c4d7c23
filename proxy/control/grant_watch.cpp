// The grant watch: store polling, fail-closed grant loss, grant lifecycle audit, and closing sessions
// whose grant ended (see grant_watch.hpp).
#include "proxy/control/grant_watch.hpp"

#include "proxy/audit/audit_log.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace jitgate::proxy {

void GrantWatch::poll(GrantStore& store, config::TimePoint now, bool force) {
    const bool due = force || source_.due(now);
    const Result<std::uint64_t> changes = store.change_counter();
    if (!changes) {
        lose_store(changes.error, now, due);
        return;
    }
    if (!due && !store_failing_ && changes.value == seen_changes_) return;
    Result<std::vector<guardrails::Grant>> read = store.grants();
    if (!read) {
        lose_store(read.error, now, due);
        return;
    }
    if (store_failing_) spdlog::info("state store answers again; its grants count again");
    store_failing_ = false;
    seen_changes_ = changes.value;
    store_grants_ = std::move(*read.value);
    install(now);
}

void GrantWatch::lose_store(const std::string& error, config::TimePoint now, bool due) {
    if (store_failing_) {
        if (due) install(now);  // time still ends config grants
        return;
    }
    spdlog::error("state store: {}; store grants do not count until it answers", error);
    store_failing_ = true;
    seen_changes_.reset();
    store_grants_.clear();
    install(now);  // at once: nothing may go on relying on grants nobody can check
}

void GrantWatch::install(config::TimePoint now) {
    const std::shared_ptr<const guardrails::Policy> policy = source_.install(store_grants_, now);
    if (!store_failing_) audit_grants(*policy, now);
}

void GrantWatch::audit_grants(const guardrails::Policy& policy, config::TimePoint now) {
    using guardrails::GrantStatus;
    const bool first = !std::exchange(grants_seen_once_, true);
    for (const guardrails::Grant& grant : policy.grants()) {
        const GrantStatus status = grant.status;
        const bool expired = guardrails::status_at(grant, now) == GrantStatus::expired;
        const auto [it, is_new] = seen_grants_.try_emplace(grant.id, Seen{status, expired});
        if (first || audit_ == nullptr || grant.source == guardrails::GrantSource::config) continue;
        const Seen before = is_new ? Seen{GrantStatus::pending, false} : it->second;
        it->second = Seen{status, expired};
        const auto record = [&](GrantAction action, std::string_view by, GrantStatus after) {
            const std::string_view os_user = action == GrantAction::request   ? std::string_view(grant.requested_os)
                                             : action == GrantAction::expire ? std::string_view()
                                                                             : std::string_view(grant.decided_os);
            audit_->grant({policy.config().hash, action, grant.id, grant.user, grant.target, grant.role, by, after,
                           grant.reason, os_user});
        };
        if (is_new) record(GrantAction::request, grant.user, GrantStatus::pending);
        if (status != before.status) {
            switch (status) {
            case GrantStatus::approved: record(GrantAction::approve, grant.decided_by, status); break;
            case GrantStatus::denied: record(GrantAction::deny, grant.decided_by, status); break;
            case GrantStatus::revoked: record(GrantAction::revoke, grant.decided_by, status); break;
            default: break;
            }
        }
        if (expired && !before.expired) record(GrantAction::expire, {}, GrantStatus::expired);
    }
}

namespace {

// The message that closes a session whose grant ended, once its grace has passed; nullopt otherwise.
// While the store is away its grants are not in the Policy, which would read as revoked: a session that
// relied on one is closed only once the grant's own end (as the session knew it) and grace have passed.
std::optional<std::string> ended_message(const Reliance& reliance, const guardrails::Policy& policy,
                                         config::TimePoint now, bool store_away) {
    const config::Limits& limits = policy.config().limits;
    for (const ReliedGrant& grant : reliance.grants) {
        const bool known = std::any_of(policy.grants().begin(), policy.grants().end(),
                                       [&](const guardrails::Grant& g) { return g.id == grant.id; });
        if (store_away && !known) {
            if (!grant.until || now < *grant.until + limits.expiry_grace) continue;
            return fmt::format("jitgate closed the session: grant {} expired {:%Y-%m-%dT%H:%M:%SZ}", grant.id,
                               std::chrono::floor<std::chrono::seconds>(*grant.until));
        }
        const std::optional<guardrails::Policy::GrantEnd> end =
            policy.ended(reliance.user, reliance.target, grant.id, grant.until, now);
        if (!end) continue;
        const config::Seconds grace = end->revoked ? limits.revoke_grace : limits.expiry_grace;
        if (now < end->at + grace) continue;
        return end->revoked ? fmt::format("jitgate closed the session: grant {} was revoked", grant.id)
                            : fmt::format("jitgate closed the session: grant {} expired {:%Y-%m-%dT%H:%M:%SZ}", grant.id,
                                          std::chrono::floor<std::chrono::seconds>(end->at));
    }
    return std::nullopt;
}

}  // namespace

void GrantWatch::close_ended_sessions(const std::vector<std::shared_ptr<LiveSession>>& sessions, config::TimePoint now) {
    const std::shared_ptr<const guardrails::Policy> policy = source_.policy();
    for (const std::shared_ptr<LiveSession>& session : sessions) {
        const std::optional<std::string> message = ended_message(session->reliance(), *policy, now, store_failing_);
        if (message && session->end_once()) {
            spdlog::info("{}: {}", session->log_name(), *message);
            session->end_for_grant(*message);
        }
    }
}

}  // namespace jitgate::proxy
