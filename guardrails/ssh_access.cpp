// The union of the ssh switches of the roles held, and the holding each need rests on.
#include "guardrails/ssh_access.hpp"

namespace jitgate::guardrails {
namespace {

bool role_gives(const config::Role& role, SshNeed need) noexcept {
    switch (need) {
    case SshNeed::session: return true;
    case SshNeed::pty: return role.ssh.pty;
    case SshNeed::sftp: return role.ssh.sftp;
    case SshNeed::port_forwarding: return role.ssh.port_forwarding;
    }
    return false;
}

}  // namespace

SshAccess ssh_access(const config::Config& config, const std::vector<Holding>& held, TimePoint now) {
    SshAccess out;
    std::array<bool, 4> standing{};  // a standing role gives it: no grant to rely on, whatever else is held
    for (const Holding& holding : held) {
        if (!holding.in_force(now)) continue;
        const config::Role* role = config.find_role(holding.role);
        if (role == nullptr) continue;
        out.allowed = true;
        out.switches.pty = out.switches.pty || role->ssh.pty;
        out.switches.sftp = out.switches.sftp || role->ssh.sftp;
        out.switches.port_forwarding = out.switches.port_forwarding || role->ssh.port_forwarding;
        for (const SshNeed need : {SshNeed::session, SshNeed::pty, SshNeed::sftp, SshNeed::port_forwarding}) {
            const auto index = static_cast<std::size_t>(need);
            if (standing[index] || !role_gives(*role, need)) continue;
            std::optional<SshGiver>& giver = out.givers[index];
            if (holding.grant_id.empty()) {
                standing[index] = true;
                giver = SshGiver{};
                continue;
            }
            // The grant that lasts longest (one without an end beats any); the first of equals.
            const bool lasts_longer = !giver || (giver->until && (!holding.until || *holding.until > *giver->until));
            if (lasts_longer) giver = SshGiver{holding.grant_id, holding.until};
        }
    }
    return out;
}

}  // namespace jitgate::guardrails
