// The proxy's side of an SSH connection: identity, access, exec decisions, logs and audit (see ssh_session.hpp).
#include "proxy/ssh_session.hpp"

#include "guardrails/grants.hpp"
#include "proxy/audit_log.hpp"
#include "proxy/policy_keeper.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <array>

namespace jitgate::proxy {
namespace {

// "TYPE BASE64 [comment]" -> "BASE64".
std::string_view blob_of(std::string_view line) {
    const auto space = line.find(' ');
    if (space == std::string_view::npos) return {};
    std::string_view rest = line.substr(space + 1);
    return rest.substr(0, rest.find(' '));
}

std::string_view kind_name(ssh::StartKind kind) {
    switch (kind) {
    case ssh::StartKind::shell: return "shell";
    case ssh::StartKind::exec: return "exec";
    case ssh::StartKind::subsystem: return "subsystem";
    }
    return "?";
}

}  // namespace

SshSession::SshSession(std::shared_ptr<ServerContext> context, ssh::Front& front, int fd, std::uint64_t id,
                       std::string client_address)
    : context_(std::move(context)), config_(context_->config.load()), id_(id),
      client_address_(std::move(client_address)),
      connection_(front, fd, ssh::ConnectionInfo{id, client_address_, config_->limits.startup_timeout}, *this, *this) {}

void SshSession::run() { connection_.run(); }

std::optional<std::string> SshSession::user_for_key(std::string_view key_base64) const {
    if (key_base64.empty()) return std::nullopt;
    const std::shared_ptr<const config::Config> config = context_->config.load();
    for (const config::User& user : config->users)
        for (const std::string& line : user.ssh_keys)
            if (blob_of(line) == key_base64) return user.name;
    return std::nullopt;
}

ssh::Access SshSession::access(std::string_view user, std::string_view target) const {
    ssh::Access out;
    std::shared_ptr<const guardrails::Policy> policy = context_->guardrails ? context_->guardrails->policy() : nullptr;
    const std::shared_ptr<const config::Config> config = policy ? policy->config_ptr() : context_->config.load();
    const config::Target* found = config->find_target(target);
    if (found == nullptr || found->kind != config::TargetKind::ssh) {
        out.message = fmt::format("there is no SSH target \"{}\" (the SSH user name is the target's name)", target);
        return out;
    }
    const auto now = context_->guardrails ? context_->guardrails->now() : std::chrono::system_clock::now();
    std::vector<std::string> requestable;
    const auto hold = [&](std::string_view role_name) {
        if (const config::Role* role = config->find_role(role_name)) {
            out.allowed = true;
            out.switches.pty = out.switches.pty || role->ssh.pty;
            out.switches.sftp = out.switches.sftp || role->ssh.sftp;
            out.switches.port_forwarding = out.switches.port_forwarding || role->ssh.port_forwarding;
        }
    };
    if (policy) {
        if (const guardrails::Policy::Subject* subject = policy->subject(user, target)) {
            for (const auto& held : subject->held)
                if (held.holding.in_force(now)) hold(held.holding.role);
            for (const auto& offer : subject->requestable) requestable.push_back(offer.role);
        }
    } else {
        for (const guardrails::Holding& holding : guardrails::holdings(*config, {}, user, target, now))
            if (holding.in_force(now)) hold(holding.role);
    }
    if (!out.allowed) {
        out.message = requestable.empty()
                          ? fmt::format("{} holds no role on {}; ask an administrator for access", user, target)
                          : fmt::format("{} holds no role on {}; request one with: jitgate grant request {} --role {} "
                                        "--for 30m --reason TEXT",
                                        user, target, target, requestable.front());
        return out;
    }
    out.target = *found;
    return out;
}

ssh::ExecVerdict SshSession::decide_exec(const ssh::ExecRequest& request) {
    if (context_->guardrails || !context_->pipeline) return ssh::ExecVerdict::allowed();  // see ssh_session.hpp
    guardrails::Command command;
    command.session_id = id_;
    command.user = request.user;
    command.target = request.target;
    command.protocol = guardrails::Protocol::ssh;
    command.kind = guardrails::CommandKind::shell_exec;
    command.text = request.command;
    const guardrails::Decision decision = context_->pipeline->evaluate(command);
    bool recorded = true;
    if (AuditLog* audit = context_->audit.get()) {
        audit->decision({decision.config_hash.empty() ? std::string_view(config_->hash) : decision.config_hash, id_,
                         user_, target_, command.kind, command.text, {}, decision.risk, decision.verdict,
                         decision.rule, decision.grant, decision.reason});
        recorded = audit->healthy();
    }
    if (decision.blocks() || !recorded) {
        const std::string why = !recorded ? std::string("the audit log cannot be written") : decision.reason;
        spdlog::info("ssh session {}: blocked exec ({}): {}", id_, decision.rule, why);
        std::string message = fmt::format("jitgate: blocked: {}", why);
        if (!decision.hint.empty()) message += fmt::format("\njitgate: {}", decision.hint);
        return ssh::ExecVerdict::blocked(std::move(message));
    }
    return ssh::ExecVerdict::allowed();
}

SshSession::Reliance SshSession::reliance() const {
    const std::lock_guard lock(reliance_mutex_);
    return reliance_;
}

ssh::KeystrokeEdit SshSession::edit_keystrokes(std::uint32_t channel, std::span<const char> bytes) {
    if (context_->guardrails || !context_->pipeline) return {};  // see ssh_session.hpp
    std::string& line = typed_lines_[channel];
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const char c = bytes[i];
        if (c == '\r' || c == '\n') {
            const std::string text = std::exchange(line, std::string());
            if (text.empty()) continue;
            guardrails::Command command;
            command.session_id = id_;
            command.user = user_;
            command.target = target_;
            command.protocol = guardrails::Protocol::ssh;
            command.kind = guardrails::CommandKind::shell_line;
            command.text = text;
            const guardrails::Decision decision = context_->pipeline->evaluate(command);
            if (AuditLog* audit = context_->audit.get()) {
                audit->decision({decision.config_hash.empty() ? std::string_view(config_->hash) : decision.config_hash,
                                 id_, user_, target_, command.kind, command.text, {}, decision.risk, decision.verdict,
                                 decision.rule, decision.grant, decision.reason});
            }
            if (!decision.blocks()) continue;
            spdlog::info("ssh session {}: blocked a typed line ({}): {}", id_, decision.rule, decision.reason);
            return {i, "\x03", fmt::format("\r\njitgate: blocked: {}\r\n", decision.reason)};
        }
        if (c == 0x7f || c == 0x08) {
            if (!line.empty()) line.pop_back();
        } else if (c == 0x03 || c == 0x15) {
            line.clear();
        } else if (static_cast<unsigned char>(c) >= 0x20) {
            line.push_back(c);
        }
    }
    return {};
}

void SshSession::on_auth(std::string_view user, std::string_view target, bool ok, std::string_view reason) {
    if (ok) {
        user_ = user;
        target_ = target;
        if (const auto policy = context_->guardrails ? context_->guardrails->policy() : nullptr) {
            Reliance reliance{user_, target_, {}};
            bool standing = false;
            if (const guardrails::Policy::Subject* subject = policy->subject(user, target)) {
                const auto now = context_->guardrails->now();
                for (const auto& held : subject->held) {
                    if (!held.holding.in_force(now)) continue;
                    if (held.holding.grant_id.empty()) standing = true;
                    else reliance.grants.push_back({held.holding.grant_id, held.holding.until});
                }
            }
            if (standing) reliance.grants.clear();
            const std::lock_guard lock(reliance_mutex_);
            reliance_ = std::move(reliance);
        }
        spdlog::info("ssh session {}: {} authenticated by public key for {} from {}", id_, user, target, client_address_);
    } else if (user.empty()) {
        spdlog::info("ssh session {}: authentication failed from {}{}: {}", id_, client_address_,
                     target.empty() ? "" : fmt::format(" for {}", target), reason);
    } else {
        spdlog::warn("ssh session {}: {} refused for {}: {}", id_, user, target, reason);
    }
    if (AuditLog* audit = context_->audit.get())
        audit->auth({config_->hash, user, target, client_address_, ok ? AuthResult::ok : AuthResult::failed, reason});
}

void SshSession::on_session_start(std::string_view user, std::string_view target) {
    started_ = true;
    spdlog::info("ssh session {}: {} connected to {} from {}", id_, user, target, client_address_);
    if (AuditLog* audit = context_->audit.get())
        audit->session_start({config_->hash, id_, user, target, client_address_});
    if (PolicyKeeper* keeper = context_->keeper) {
        std::array<std::uint8_t, 8> random{};
        if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) random.fill(0);
        index_id_ = fmt::format("s-{:02x}-{}", fmt::join(random, ""), id_);
        SessionRow row;
        row.id = index_id_;
        row.user = user;
        row.target = target;
        row.protocol = SessionProtocol::ssh;
        row.client = client_address_;
        row.started_at = std::chrono::system_clock::now();
        keeper->session_started(std::move(row));
    }
}

void SshSession::on_session_end(std::string_view reason) {
    if (!started_) return;
    spdlog::info("ssh session {}: ended ({} commands, {} blocked): {}", id_, connection_.commands(),
                 connection_.blocked(), reason);
    if (AuditLog* audit = context_->audit.get())
        audit->session_end({config_->hash, id_, user_, target_, connection_.commands(), connection_.blocked(), reason});
    if (PolicyKeeper* keeper = context_->keeper; keeper != nullptr && !index_id_.empty())
        keeper->session_ended(index_id_, std::chrono::system_clock::now(), connection_.commands(),
                              connection_.blocked(), std::string(reason));
}

void SshSession::on_refused(std::string_view what) {
    spdlog::info("ssh session {}: refused {} for {} on {}", id_, what, user_, target_);
}

void SshSession::on_start(std::uint32_t channel, ssh::StartKind kind, std::string_view command) {
    spdlog::debug("ssh session {}: channel {}: {} {}", id_, channel, kind_name(kind), command);
}

void SshSession::on_channel_close(std::uint32_t channel, const ssh::ChannelExit& exit) {
    spdlog::debug("ssh session {}: channel {} closed (exit {})", id_, channel,
                  exit.status ? std::to_string(*exit.status) : exit.signal.empty() ? "-" : "signal " + exit.signal);
}

}  // namespace jitgate::proxy
