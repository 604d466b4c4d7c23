// What a user may do over SSH on a target (DESIGN §3): the union of the ssh switches (pty, sftp,
// port_forwarding) of every role held in force, and for each need which holding gives it — nothing to
// end when a standing role does, else the grant in force that gives it and lasts longest. Pure.
#pragma once

#include "config/config.hpp"
#include "guardrails/grants.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace jitgate::guardrails {

// What a channel start or request needs from the roles held: to be on the target at all, or one switch.
enum class SshNeed : std::uint8_t { session, pty, sftp, port_forwarding };

// What gives a need: a standing role (grant empty: nothing to end), or a grant and when it ends.
struct SshGiver {
    std::string grant;
    std::optional<TimePoint> until;
};

struct SshAccess {
    bool allowed = false;           // at least one role held in force, and the config knows it
    config::SshSwitches switches;   // their union
    std::array<std::optional<SshGiver>, 4> givers;  // by SshNeed; nullopt: nothing held gives it

    [[nodiscard]] bool gives(SshNeed need) const noexcept { return givers[static_cast<std::size_t>(need)].has_value(); }
    [[nodiscard]] const std::optional<SshGiver>& giver(SshNeed need) const noexcept {
        return givers[static_cast<std::size_t>(need)];
    }
};

// `held`: the user's holdings on the target, standing roles first (as Policy::Subject and holdings()
// list them); those not in force at `now` and roles the config does not know give nothing.
[[nodiscard]] SshAccess ssh_access(const config::Config& config, const std::vector<Holding>& held, TimePoint now);

}  // namespace jitgate::guardrails
