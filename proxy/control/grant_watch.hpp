// The grant watch: follows the state store's grants (one indexed change-counter read per tick), has the
// policy source rebuild the Policy when they change or time ends one, audits the grant lifecycle it sees
// (requests, decisions, expiry), and closes each live session that relied on a grant once that grant has
// ended and its grace has passed. Fail closed: when the store does not answer, a Policy without its
// grants is installed at once (standing roles and config grants still count) until it answers again;
// sessions are not closed for that alone, but one whose grant reaches its own end meanwhile still is.
// Used by the keeper's thread only.
#pragma once

#include "proxy/control/live_session.hpp"
#include "proxy/control/policy_source.hpp"
#include "proxy/store/grant_store.hpp"

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace jitgate::proxy {

class AuditLog;

class GrantWatch {
public:
    GrantWatch(PolicySource& source, AuditLog* audit) : source_(source), audit_(audit) {}

    // Reads the store's change counter and, when it moved (or `force`, or time ends a grant), its grants,
    // and installs a new Policy; a store that does not answer installs one without them.
    void poll(GrantStore& store, config::TimePoint now, bool force);
    // Ends the sessions whose grant ended (after its grace).
    void close_ended_sessions(const std::vector<std::shared_ptr<LiveSession>>& sessions, config::TimePoint now);
    [[nodiscard]] bool store_failing() const noexcept { return store_failing_; }

private:
    void lose_store(const std::string& error, config::TimePoint now, bool due);
    void install(config::TimePoint now);
    void audit_grants(const guardrails::Policy& policy, config::TimePoint now);

    PolicySource& source_;
    AuditLog* audit_;
    std::optional<std::uint64_t> seen_changes_;
    std::vector<guardrails::Grant> store_grants_;  // as last read; empty while the store does not answer
    bool store_failing_ = false;
    struct Seen {
        guardrails::GrantStatus status;
        bool expired;
    };
    std::unordered_map<std::string, Seen> seen_grants_;
    bool grants_seen_once_ = false;
};

}  // namespace jitgate::proxy
