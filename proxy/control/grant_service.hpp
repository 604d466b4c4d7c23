// The grant service: request, approve, deny, revoke and list grants with the rules of DESIGN §4 — who may
// request what (access rules, max_duration, a reason), auto-approval windows, who may decide (the rule's
// approvers, never the requester), config grants that only explain themselves, and the OS account that
// ran each step recorded with it. The one path the CLI calls now and the HTTP API and console call next;
// they parse, authenticate and render, this decides and writes. Limits: it trusts `actor` — proving who
// the caller is belongs to the front end (the CLI's OS user, the API's login).
#pragma once

#include "config/config.hpp"
#include "guardrails/grants.hpp"
#include "proxy/store/grant_store.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jitgate::proxy {

// Who takes a step: the identity the rules judge, and the OS account that really ran it (for the audit
// log; empty when the front end has none).
struct GrantActor {
    std::string name;
    std::string os_user;
};

// What a new request asks for; the requester is the actor.
struct GrantAsk {
    std::string target;
    std::string role;
    config::Seconds duration{0};
    std::string reason;
};

// Why a step was refused, as a front end answers it (the API's 422 / 403 / 404 / 409 / 503).
enum class GrantRefusal : std::uint8_t {
    none,
    invalid,    // unknown target or role, a bad or too long duration, no reason
    forbidden,  // the caller may not: not requestable, not an approver, self-approval, unknown user
    not_found,  // no grant with that id
    conflict,   // not pending (approve, deny), not revocable (revoke), a config grant
    store,      // the store did not answer or failed
};

// A grant after a step, or one sentence on why not.
struct GrantOutcome {
    std::optional<guardrails::Grant> grant;
    std::string error;  // set exactly when grant is empty
    GrantRefusal refusal = GrantRefusal::none;
    [[nodiscard]] explicit operator bool() const noexcept { return grant.has_value(); }
};

// Which grants to list; empty fields match everything.
struct GrantListFilter {
    bool active = false;  // only grants in force now
    std::string user;
    std::string target;
};

// The listed grants (config grants first, then the store's, oldest request first), or why not.
struct GrantList {
    std::optional<std::vector<guardrails::Grant>> grants;
    std::string error;
    [[nodiscard]] explicit operator bool() const noexcept { return grants.has_value(); }
};

class GrantService {
public:
    using Clock = std::function<config::TimePoint()>;

    // `config` is the snapshot the rules are read from (a front end that reloads makes a new service);
    // `now` is read once per step and cut to whole seconds, as the store keeps times.
    GrantService(std::shared_ptr<const config::Config> config, GrantStore& store, Clock now);

    // A new grant: pending, or approved at once by an auto-approval rule whose window holds now.
    [[nodiscard]] GrantOutcome request(const GrantActor& requester, const GrantAsk& ask);
    // A pending store grant decided by one of its rule's approvers (not the requester).
    [[nodiscard]] GrantOutcome approve(const GrantActor& approver, std::string_view id);
    [[nodiscard]] GrantOutcome deny(const GrantActor& approver, std::string_view id);
    // A pending or approved store grant ended now; a config grant is refused (remove it from the config).
    [[nodiscard]] GrantOutcome revoke(const GrantActor& by, std::string_view id);
    [[nodiscard]] GrantList list(const GrantListFilter& filter);

    // Whom a pending grant should ask, in config order.
    [[nodiscard]] std::vector<std::string> approvers_for(const guardrails::Grant& grant) const;
    // The moment a step happens (whole seconds), for rendering "in force" and "expired" as a step sees them.
    [[nodiscard]] config::TimePoint now() const;

private:
    using Step = std::function<guardrails::GrantResult(const guardrails::Grant&, config::TimePoint)>;
    [[nodiscard]] GrantOutcome decide(const GrantActor& actor, std::string_view id, const Step& step);

    std::shared_ptr<const config::Config> config_;
    GrantStore& store_;
    Clock now_;
};

}  // namespace jitgate::proxy
