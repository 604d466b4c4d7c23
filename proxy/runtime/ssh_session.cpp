// The proxy's side of an SSH connection: identity, access, exec decisions, logs and audit (see ssh_session.hpp).
#include "proxy/runtime/ssh_session.hpp"

#include "guardrails/grants.hpp"
#include "guardrails/ssh_access.hpp"
#include "proxy/audit/audit_log.hpp"
#include "protocols/ssh/requests.hpp"

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
      client_address_(std::move(client_address)), events_(context_, id, SessionProtocol::ssh), audited_(events_),
      connection_(front, fd,
                  ssh::ConnectionInfo{id, client_address_, config_->limits.startup_timeout, config_->limits.idle_timeout},
                  *this, *this) {
    events_.set_client(client_address_);
}

void SshSession::run() { connection_.run(); }

std::optional<std::string> SshSession::user_for_key(std::string_view key_base64) const {
    if (key_base64.empty()) return std::nullopt;
    const std::shared_ptr<const config::Config> config = context_->config.load();
    for (const config::User& user : config->users)
        for (const std::string& line : user.ssh_keys)
            if (blob_of(line) == key_base64) return user.name;
    return std::nullopt;
}

SshSession::Held SshSession::held_now(std::string_view user, std::string_view target) const {
    Held out;
    out.policy = context_->guardrails ? context_->guardrails->policy() : nullptr;
    out.config = out.policy ? out.policy->config_ptr() : context_->config.load();
    const auto now = context_->guardrails ? context_->guardrails->now() : std::chrono::system_clock::now();
    if (out.policy) {
        if (const guardrails::Policy::Subject* subject = out.policy->subject(user, target)) {
            for (const auto& held : subject->held) out.holdings.push_back(held.holding);
            for (const auto& offer : subject->requestable) out.requestable.push_back(offer.role);
        }
    } else {
        out.holdings = guardrails::holdings(*out.config, {}, user, target, now);
    }
    out.access = guardrails::ssh_access(*out.config, out.holdings, now);
    return out;
}

ssh::Access SshSession::access(std::string_view user, std::string_view target) const {
    ssh::Access out;
    const Held held = held_now(user, target);
    const config::Target* found = held.config->find_target(target);
    if (found == nullptr || found->kind != config::TargetKind::ssh) {
        out.message = fmt::format("there is no SSH target \"{}\" (the SSH user name is the target's name)", target);
        return out;
    }
    if (!held.access.allowed) {
        out.message = held.requestable.empty()
                          ? fmt::format("{} holds no role on {}; ask an administrator for access", user, target)
                          : fmt::format("{} holds no role on {}; request one with: jitgate grant request {} --role {} "
                                        "--for 30m --reason TEXT",
                                        user, target, target, held.requestable.front());
        return out;
    }
    out.allowed = true;
    out.target = *found;
    return out;
}

bool SshSession::permits(std::string_view user, std::string_view target, ssh::Need need) const {
    const Held held = held_now(user, target);
    const config::Target* found = held.config->find_target(target);
    if (found == nullptr || found->kind != config::TargetKind::ssh) return false;  // as access() refuses it
    const guardrails::SshAccess& access = held.access;
    switch (need) {
    case ssh::Need::pty: return access.gives(guardrails::SshNeed::pty);
    case ssh::Need::sftp: return access.gives(guardrails::SshNeed::sftp);
    case ssh::Need::port_forwarding: return access.gives(guardrails::SshNeed::port_forwarding);
    }
    return false;
}

guardrails::Decision SshSession::decide(guardrails::CommandKind kind, std::uint32_t channel, std::string_view text) {
    guardrails::Command command;
    command.session_id = id_;
    command.user = user_;
    command.target = target_;
    command.protocol = guardrails::Protocol::ssh;
    command.kind = kind;
    command.text = text;
    // decide -> audit -> fail closed; then the recording, which must take it too.
    guardrails::Decision decision = audited_.decide(command);
    SshCommandRecord record;
    record.at = std::chrono::system_clock::now();
    record.channel = channel;
    record.kind = kind == guardrails::CommandKind::shell_exec ? "exec" : "line";
    record.command = text;
    record.risk = decision.risk;
    record.verdict = decision.verdict;
    record.rule = decision.rule;
    record.grant = decision.grant;
    const bool with_terminal = kind == guardrails::CommandKind::shell_exec && terminals_.contains(channel);
    if (!record_command(record, with_terminal)) AuditedPipeline::fail_closed(decision);
    if (decision.blocks()) {
        spdlog::info("ssh session {}: blocked {} ({}): {}", id_, kind == guardrails::CommandKind::shell_exec ? "exec" : "line",
                     decision.rule, decision.reason);
    } else if (!decision.grant.empty()) {  // the session now rests on this grant: it ends with it
        rely_on({decision.grant, decision.grant_until});
    }
    return decision;
}

void SshSession::rely_for(Need need) {
    if (!context_->guardrails || !context_->guardrails->policy()) return;
    const Held held = held_now(user_, target_);
    const std::optional<guardrails::SshGiver>& giver = held.access.giver(need);
    if (giver && !giver->grant.empty()) rely_on(ReliedGrant{giver->grant, giver->until});
}

ssh::ExecVerdict SshSession::decide_exec(const ssh::ExecRequest& request) {
    const guardrails::Decision decision = decide(guardrails::CommandKind::shell_exec, request.channel, request.command);
    if (!decision.blocks()) return ssh::ExecVerdict::allowed();
    std::string message = fmt::format("jitgate: blocked: {}", decision.reason);
    if (!decision.hint.empty()) message += fmt::format("\njitgate: {}", decision.hint);
    return ssh::ExecVerdict::blocked(std::move(message));
}

bool SshSession::record_command(const SshCommandRecord& record, bool with_terminal) {
    if (!recording_) return !recording_failed_;
    std::optional<SshTerminal> terminal;
    if (with_terminal) terminal = terminals_.at(record.channel).info;
    if (const Status status = recording_->command(record, terminal); !status) {
        recording_failed(status.error);
        return !config_->record_failure_block;
    }
    return true;
}

void SshSession::recording_failed(const std::string& error) {
    spdlog::error("ssh session {}: {}", id_, error);
    recording_.reset();
    if (!config_->record_failure_block) return;
    recording_failed_ = true;
    stop("jitgate closed the session: its recording cannot be written (record_failure: block)");
}

void SshSession::end_for_grant(std::string message) { stop(std::move(message)); }

std::string SshSession::log_name() const { return fmt::format("ssh session {}", id_); }

ssh::KeystrokeEdit SshSession::edit_keystrokes(std::uint32_t channel, std::span<const char> bytes) {
    const auto found = terminals_.find(channel);
    if (found == terminals_.end()) return {};
    Terminal& terminal = found->second;
    return terminal.capture.on_keys(bytes, *terminal.screen, [&](std::string_view line) -> std::optional<ssh::LineBlock> {
        guardrails::Decision decision = decide(guardrails::CommandKind::shell_line, channel, line);
        if (!decision.blocks()) return std::nullopt;
        return ssh::LineBlock{std::move(decision.reason), std::move(decision.hint)};
    });
}

void SshSession::on_auth(std::string_view user, std::string_view target, bool ok, std::string_view reason) {
    if (ok) {
        user_ = user;
        target_ = target;
        set_holder(user_, target_);
        events_.authenticated(user_, target_);
        rely_for(Need::session);  // being on the target at all
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
    events_.started();
    const RecordingHeader header{events_.id(), user_, target_, client_address_, config_->hash,
                                 std::chrono::system_clock::now(), "ssh"};
    if (context_->record) {
        SshRecording::Opened opened = SshRecording::open(config_->recordings, header);
        if (opened) {
            recording_ = std::move(*opened.value);
            spdlog::info("ssh session {}: recording to {}", id_, recording_->path().string());
        } else {
            recording_failed(opened.error);
        }
    }
    events_.indexed(recording_ ? recording_->path() : std::filesystem::path{}, header.start);
}

void SshSession::on_session_end(std::string_view reason) {
    if (!started_) return;
    if (recording_) {
        if (const Status status = recording_->close(reason); !status)
            spdlog::error("ssh session {}: cannot seal the recording: {}", id_, status.error);
        recording_.reset();
    }
    spdlog::info("ssh session {}: ended ({} commands, {} blocked): {}", id_, connection_.commands(),
                 connection_.blocked(), reason);
    events_.ended(connection_.commands(), connection_.blocked(), reason);
    events_.index_ended(connection_.commands(), connection_.blocked(), reason);
}

void SshSession::on_refused(std::string_view what) {
    spdlog::info("ssh session {}: refused {} for {} on {}", id_, what, user_, target_);
    events_.refused(what);
}

void SshSession::on_start(std::uint32_t channel, ssh::StartKind kind, std::string_view command) {
    spdlog::debug("ssh session {}: channel {}: {} {}", id_, channel, kind_name(kind), command);
    // Told before the switch is checked: a start the switch refuses finds no grant that gives it.
    if (kind == ssh::StartKind::shell) rely_for(Need::pty);
    if (kind == ssh::StartKind::subsystem || (kind == ssh::StartKind::exec && ssh::is_scp_transfer(command)))
        rely_for(Need::sftp);
    if (kind == ssh::StartKind::exec) return;  // recorded with its decision (decide_exec)
    SshCommandRecord record;
    record.at = std::chrono::system_clock::now();
    record.channel = channel;
    record.kind = kind_name(kind);
    record.command = command;
    (void)record_command(record, kind == ssh::StartKind::shell && terminals_.contains(channel));
}

void SshSession::on_channel_open(std::uint32_t /*channel*/, ssh::ChannelKind kind, std::string_view /*detail*/) {
    if (kind == ssh::ChannelKind::direct_tcpip || kind == ssh::ChannelKind::forwarded_tcpip)
        rely_for(Need::port_forwarding);  // a forward, or a remote listener, lives while its grant does
}

void SshSession::on_pty(std::uint32_t channel, std::string_view term, int cols, int rows) {
    rely_for(Need::pty);
    const auto width = static_cast<unsigned>(cols > 0 ? cols : 80);
    const auto height = static_cast<unsigned>(rows > 0 ? rows : 24);
    Terminal& terminal = terminals_[channel];
    terminal.info = SshTerminal{std::string(term), width, height};
    terminal.screen = std::make_unique<ssh::TerminalLine>(width, height);
}

void SshSession::on_window_change(std::uint32_t channel, int cols, int rows) {
    const auto found = terminals_.find(channel);
    if (found == terminals_.end()) return;
    const auto width = static_cast<unsigned>(cols > 0 ? cols : 80);
    const auto height = static_cast<unsigned>(rows > 0 ? rows : 24);
    found->second.info.cols = width;
    found->second.info.rows = height;
    found->second.screen->resize(width, height);
    if (recording_) {
        if (const Status status = recording_->resize(channel, width, height, std::chrono::system_clock::now()); !status)
            recording_failed(status.error);
    }
}

void SshSession::on_output(std::uint32_t channel, std::span<const char> bytes, bool /*is_stderr*/) {
    const auto found = terminals_.find(channel);
    if (found == terminals_.end()) return;  // no terminal: data, not a screen (not recorded)
    const std::string_view text(bytes.data(), bytes.size());
    found->second.screen->output(text);
    if (recording_) {
        if (const Status status = recording_->output(channel, text, std::chrono::system_clock::now()); !status)
            recording_failed(status.error);
    }
}

void SshSession::on_channel_close(std::uint32_t channel, const ssh::ChannelExit& exit) {
    spdlog::debug("ssh session {}: channel {} closed (exit {})", id_, channel,
                  exit.status ? std::to_string(*exit.status) : exit.signal.empty() ? "-" : "signal " + exit.signal);
    terminals_.erase(channel);
    if (recording_) {
        if (const Status status = recording_->exit(channel, exit.status, exit.signal, std::chrono::system_clock::now());
            !status)
            recording_failed(status.error);
    }
}

}  // namespace jitgate::proxy
