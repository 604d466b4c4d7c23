// The grant model of DESIGN §4: who may ask for which role on which target, who may approve it, when an
// auto-approval rule approves it at once, and which roles a user holds at a given moment. Pure: no I/O,
// no clock of its own (every rule takes `now`), no exceptions; a refused step is a value with a sentence.
// Limits: requests are bound to a user name the caller asserts (the CLI trusts its caller until the
// admin API authenticates one); a pending request does not go stale on its own.
#pragma once

#include "config/config.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jitgate::guardrails {

using config::Seconds;
using config::TimePoint;

// `expired` is never stored: an approved grant whose `until` has passed is expired (see status_at).
enum class GrantStatus : std::uint8_t { pending, approved, denied, revoked, expired };
[[nodiscard]] std::string_view to_string(GrantStatus status) noexcept;
[[nodiscard]] std::optional<GrantStatus> parse_grant_status(std::string_view text) noexcept;

// Where a grant lives: the state store (requested with the CLI) or the config's `grants:` list.
enum class GrantSource : std::uint8_t { store, config };
[[nodiscard]] std::string_view to_string(GrantSource source) noexcept;

struct Grant {
    std::string id;                    // "g-7f3a9c" (store), "config:N" (config, 1-based)
    std::string user;
    std::string target;
    std::string role;
    GrantStatus status = GrantStatus::pending;   // as decided; use status_at() for "now"
    TimePoint requested_at{};
    Seconds duration{0};               // asked for; the validity starts at approval
    std::optional<TimePoint> decided_at;   // approval, denial or revocation
    std::string decided_by;            // a user name, or "auto:access[R].auto_approve[A]"
    std::optional<TimePoint> from;     // set once approved
    std::optional<TimePoint> until;    // set once approved
    std::string reason;
    GrantSource source = GrantSource::store;
    // The OS accounts that ran `jitgate grant request` and the decision, for the audit log (DESIGN §5):
    // the CLI acts as its OS user unless that is root. Empty for config grants and older stores.
    std::string requested_os;
    std::string decided_os;
};

// The status at `now`: approved and until <= now is expired; everything else as stored.
[[nodiscard]] GrantStatus status_at(const Grant& grant, TimePoint now) noexcept;
// Whether the grant gives its role at `now`: approved, from <= now < until.
[[nodiscard]] bool in_force(const Grant& grant, TimePoint now) noexcept;

// Why a step was refused; tests match on the code, people read the message.
enum class GrantErrorCode : std::uint8_t {
    unknown_user,       // requester or approver not in config
    unknown_target,
    unknown_role,
    not_requestable,    // no access rule lists the role as requestable for this user and target
    too_long,           // duration above every applicable rule's max_duration
    bad_duration,       // zero or negative
    no_reason,
    not_pending,        // approve/deny of a grant that is not pending
    not_revocable,      // revoke of a denied, revoked or expired grant, or of a config grant
    not_an_approver,
    self_approval,
};

struct GrantError {
    GrantErrorCode code = GrantErrorCode::not_requestable;
    std::string message;   // one sentence, e.g. "self-approval is not allowed"
};

// A grant after a step, or why the step was refused.
struct GrantResult {
    std::optional<Grant> grant;
    GrantError error;   // meaningful exactly when grant is empty
    [[nodiscard]] explicit operator bool() const noexcept { return grant.has_value(); }
};

struct GrantRequest {
    std::string id;       // chosen by the store
    std::string user;
    std::string target;
    std::string role;
    Seconds duration{0};
    std::string reason;
};

// A new grant: pending, or approved at once (decided_by "auto:…") when an auto-approval entry of an
// applicable rule lists the role, its window (if any) contains `now` and the duration fits its
// max_duration (if any). Applicable rules: they cover the user (name or group:NAME) and the target (name
// or glob), list the role as requestable, and allow the duration.
[[nodiscard]] GrantResult request(const config::Config& config, const GrantRequest& ask, TimePoint now);
// Only a pending grant, by a user listed in the approvers of a rule that still makes the grant
// requestable, who is not the requester. Approval starts the validity: from = now, until = now + duration.
[[nodiscard]] GrantResult approve(const config::Config& config, const Grant& grant, std::string_view approver,
                                  TimePoint now);
[[nodiscard]] GrantResult deny(const config::Config& config, const Grant& grant, std::string_view approver,
                               TimePoint now);
// A pending or approved (unexpired) store grant becomes revoked. Config grants are revoked by removing
// them from the config.
[[nodiscard]] GrantResult revoke(const Grant& grant, std::string_view by, TimePoint now);

// The approvers of the rules that make this grant requestable, in config order, without repeats
// (names and "group:NAME" as written): whom a pending request should ask.
[[nodiscard]] std::vector<std::string> approvers_for(const config::Config& config, const Grant& grant);

// The config's `grants:` as Grants (source config, approved, id "config:N").
[[nodiscard]] std::vector<Grant> config_grants(const config::Config& config);

// One way a user holds a role on a target: a standing role (always in force) or a grant with its validity.
struct Holding {
    std::string role;
    std::string grant_id;            // empty for a standing role
    std::optional<TimePoint> from;   // a grant's validity is [from, until); both empty for a standing role
    std::optional<TimePoint> until;
    [[nodiscard]] bool in_force(TimePoint now) const noexcept {
        return (!from || *from <= now) && (!until || now < *until);
    }
};

// What active_roles reads, kept with each holding's validity so a later moment needs no recomputation:
// standing roles of the access rules that cover user and target, then every approved store grant the
// allowlist still offers and every config grant, that is in force at `now` or starts later, in that order.
[[nodiscard]] std::vector<Holding> holdings(const config::Config& config, const std::vector<Grant>& grants,
                                            std::string_view user, std::string_view target, TimePoint now);

// The roles `user` holds on `target` at `now`: standing roles of the access rules that cover them, then
// the roles of grants in force (pass store grants; config grants are added here), without repeats.
// An unknown user holds nothing.
[[nodiscard]] std::vector<std::string> active_roles(const config::Config& config, const std::vector<Grant>& grants,
                                                    std::string_view user, std::string_view target, TimePoint now);

}  // namespace jitgate::guardrails
