// The proxy's side of an SSH connection: identity, access, exec decisions, logs and audit (see ssh_session.hpp).
#include "proxy/runtime/ssh_session.hpp"

#include "guardrails/grants.hpp"
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
    const auto policy = context_->guardrails ? context_->guardrails->policy() : nullptr;
    if (!policy) return;
    const guardrails::Policy::Subject* subject = policy->subject(user_, target_);
    if (subject == nullptr) return;
    const auto now = context_->guardrails->now();
    std::optional<ReliedGrant> longest;
    for (const auto& held : subject->held) {
        if (!held.holding.in_force(now)) continue;
        const config::Role* role = policy->config().find_role(held.holding.role);
        if (role == nullptr) continue;
        const bool gives = need == Need::session || (need == Need::pty && role->ssh.pty) ||
                           (need == Need::sftp && role->ssh.sftp) ||
                           (need == Need::port_forwarding && role->ssh.port_forwarding);
        if (!gives) continue;
        if (held.holding.grant_id.empty()) return;  // a standing role gives it: nothing to end
        const bool lasts_longer = !longest || (longest->until && (!held.holding.until || *held.holding.until > *longest->until));
        if (lasts_longer) longest = ReliedGrant{held.holding.grant_id, held.holding.until};
    }
    if (longest) rely_on(*longest);
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
    if (const RecordStatus status = recording_->command(record, terminal); !status) {
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

void SshSession::typed_key(Terminal& terminal, char key) {
    const auto c = static_cast<unsigned char>(key);
    if (terminal.escape == 1) {  // after ESC: a CSI or SS3 sequence, or a single Meta key
        terminal.escape = (key == '[' || key == 'O') ? 2 : 0;
        return;
    }
    if (terminal.escape == 2) {  // parameters until the final byte
        if (c >= 0x40 && c <= 0x7E) terminal.escape = 0;
        return;
    }
    std::string& typed = terminal.typed;
    if (c == 0x1B) {
        terminal.escape = 1;
    } else if (c == 0x7F || c == 0x08) {
        if (!typed.empty()) typed.pop_back();
    } else if (c == 0x15) {  // ^U: the line is gone
        typed.clear();
    } else if (c == 0x17) {  // ^W: the last word is gone
        while (!typed.empty() && typed.back() == ' ') typed.pop_back();
        while (!typed.empty() && typed.back() != ' ') typed.pop_back();
    } else if (c >= 0x20) {
        typed.push_back(key);
    }
}

// What a key does at bash's prompt (readline, emacs mode, default bindings). Keys that insert or edit
// the line, or move in it, change nothing on the target; a key that accepts it (Enter, C-j, C-o
// operate-and-get-next) runs it; any other key may run or rewrite it (M-#, C-x C-e and bindings the
// target's inputrc adds), so the pending line is judged then too.
SshSession::KeyAct SshSession::key_act(const Terminal& terminal, unsigned char c) {
    if (terminal.escape == 1) return c == '[' || c == 'O' ? KeyAct::edit : KeyAct::act;  // Meta-<key>: a command
    if (terminal.escape == 2) return KeyAct::edit;  // inside a cursor or function key's sequence
    if (terminal.after_ctrl_x) return c == 0x05 ? KeyAct::refuse : KeyAct::act;  // C-x C-e: edit-and-execute
    if (c == '\r' || c == '\n' || c == 0x0F) return KeyAct::accept;
    if (c >= 0x20 && c != 0x7F) return KeyAct::edit;
    switch (c) {
    case 0x01: case 0x02: case 0x05: case 0x06:  // C-a C-b C-e C-f: move
    case 0x08: case 0x7F: case 0x0B: case 0x15: case 0x17: case 0x19: case 0x1F:  // erase, kill, yank, undo
    case 0x09: case 0x0C: case 0x0E: case 0x10: case 0x12: case 0x14:  // complete, clear, history, transpose
    case 0x1B:  // ESC: decided by the key after it
        return KeyAct::edit;
    default: return KeyAct::act;
    }
}

// Judges the line pending on a terminal as the screen shows it and as it was typed; the decision that
// blocks it, if either does. `take`: the line is accepted (Enter), so it is taken off the screen.
std::optional<guardrails::Decision> SshSession::judge_line(std::uint32_t channel, Terminal& terminal, bool take) {
    const std::optional<std::string> shown = take ? terminal.screen->take_line() : terminal.screen->peek_line();
    const std::string typed = take ? std::exchange(terminal.typed, std::string()) : terminal.typed;
    if (terminal.screen->alternate_screen()) return std::nullopt;  // a full-screen program: no command line
    const auto judge = [&](const std::string& line) -> std::optional<guardrails::Decision> {
        if (!take && line == terminal.judged) return std::nullopt;  // judged as it is now already, and allowed
        guardrails::Decision decision = decide(guardrails::CommandKind::shell_line, channel, line);
        if (decision.blocks()) return decision;
        if (!take) terminal.judged = line;
        return std::nullopt;
    };
    std::optional<guardrails::Decision> blocked;
    if (shown && !shown->empty()) blocked = judge(*shown);
    if (!blocked && !typed.empty() && (!shown || typed != *shown)) blocked = judge(typed);
    if (take) terminal.judged.clear();
    return blocked;
}

ssh::KeystrokeEdit SshSession::edit_keystrokes(std::uint32_t channel, std::span<const char> bytes) {
    const auto found = terminals_.find(channel);
    if (found == terminals_.end()) return {};
    Terminal& terminal = found->second;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const char key = bytes[i];
        if (key == 0x03 || key == 0x04) {  // ^C, ^D: the shell abandons the line
            terminal.screen->abandon();
            terminal.typed.clear();
            terminal.judged.clear();
            terminal.escape = 0;
            terminal.after_ctrl_x = false;
            continue;
        }
        const KeyAct act = key_act(terminal, static_cast<unsigned char>(key));
        terminal.after_ctrl_x = act != KeyAct::refuse && terminal.escape == 0 && !terminal.after_ctrl_x && key == 0x18;
        std::optional<guardrails::Decision> blocked;
        std::string refusal;
        switch (act) {
        case KeyAct::edit:
            terminal.screen->typing();
            typed_key(terminal, key);
            continue;
        case KeyAct::accept:
            // Enter: judge the line as the screen shows it and as it was typed; either one blocked cancels
            // it (the screen sees editing, history and completion; the keys see what is not echoed yet).
            terminal.escape = 0;
            blocked = judge_line(channel, terminal, true);
            break;
        case KeyAct::act:
            terminal.screen->typing();
            typed_key(terminal, key);  // ends a Meta key's escape
            blocked = judge_line(channel, terminal, false);
            break;
        case KeyAct::refuse:
            terminal.after_ctrl_x = false;
            refusal = "jitgate: blocked: C-x C-e (edit-and-execute-command) runs a line jitgate cannot read first; "
                      "edit the line at the prompt instead";
            break;
        }
        if (!blocked && refusal.empty()) continue;
        std::string notice = refusal.empty() ? fmt::format("\r\njitgate: blocked: {}\r\n", blocked->reason)
                                             : fmt::format("\r\n{}\r\n", refusal);
        if (blocked && !blocked->hint.empty()) notice += fmt::format("jitgate: {}\r\n", blocked->hint);
        if (act != KeyAct::accept) {  // the ^C sent instead abandons the line
            terminal.screen->abandon();
            terminal.typed.clear();
            terminal.judged.clear();
            terminal.escape = 0;
        }
        return {i, "\x03", std::move(notice)};
    }
    return {};
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
            recording_ = std::move(opened.recording);
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
        if (const RecordStatus status = recording_->close(reason); !status)
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
    terminal.screen = std::make_unique<TerminalLine>(width, height);
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
        if (const RecordStatus status = recording_->resize(channel, width, height, std::chrono::system_clock::now()); !status)
            recording_failed(status.error);
    }
}

void SshSession::on_output(std::uint32_t channel, std::span<const char> bytes, bool /*is_stderr*/) {
    const auto found = terminals_.find(channel);
    if (found == terminals_.end()) return;  // no terminal: data, not a screen (not recorded)
    const std::string_view text(bytes.data(), bytes.size());
    found->second.screen->output(text);
    if (recording_) {
        if (const RecordStatus status = recording_->output(channel, text, std::chrono::system_clock::now()); !status)
            recording_failed(status.error);
    }
}

void SshSession::on_channel_close(std::uint32_t channel, const ssh::ChannelExit& exit) {
    spdlog::debug("ssh session {}: channel {} closed (exit {})", id_, channel,
                  exit.status ? std::to_string(*exit.status) : exit.signal.empty() ? "-" : "signal " + exit.signal);
    terminals_.erase(channel);
    if (recording_) {
        if (const RecordStatus status = recording_->exit(channel, exit.status, exit.signal, std::chrono::system_clock::now());
            !status)
            recording_failed(status.error);
    }
}

}  // namespace jitgate::proxy
