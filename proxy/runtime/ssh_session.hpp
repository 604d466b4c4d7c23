// One engineer's SSH connection as the proxy sees it: the SshGate that answers protocols/ssh's questions
// from the live config and Policy (whose key, which target, which ssh switches, whether a command may
// run) and the SshObserver that logs, audits (auth, session start and end, decisions), indexes (protocol
// ssh) and records the session (ssh_recording.hpp). The connection runs on a thread of its own (see
// ssh_listener.hpp); every call here comes from that thread.
//
// Commands: every exec request is classified by the shell classifier and decided by the guardrail
// pipeline before it reaches the target (a block ends the channel with 126 and the reason and hint on
// stderr). Interactive lines on a terminal, BEST-EFFORT: at Enter the line is read off an emulated
// screen (TerminalLine: libvterm fed with the target's output) and, because keys typed in the same
// burst may not be echoed yet, also from the keys typed since the last Enter; if either reading is
// blocked, the Enter is replaced by ^C and a one-line notice is shown. A full-screen program (the
// alternate screen) has no command line. Roles with ssh.pty: false get exec only, the strict mode.
#pragma once

#include "proxy/control/live_session.hpp"
#include "proxy/runtime/server_context.hpp"
#include "proxy/runtime/session_events.hpp"
#include "proxy/recording/ssh_recording.hpp"
#include "guardrails/ssh_access.hpp"
#include "protocols/ssh/line_capture.hpp"
#include "protocols/ssh/terminal_line.hpp"
#include "protocols/ssh/connection.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <optional>
#include <vector>
#include <string>

namespace jitgate::proxy {

class SshSession final : public LiveSession, public ssh::SshGate, public ssh::SshObserver {
public:
    SshSession(std::shared_ptr<ServerContext> context, ssh::Front& front, int fd, std::uint64_t id,
               std::string client_address);
    SshSession(const SshSession&) = delete;
    SshSession& operator=(const SshSession&) = delete;

    // The connection's whole life; on its own thread.
    void run();
    // Thread-safe: ends the connection, telling the engineer why.
    void stop(std::string message) { connection_.close(std::move(message)); }
    [[nodiscard]] std::uint64_t id() const noexcept { return id_; }

    // LiveSession. The grants the session's access, its channels (a terminal, sftp, a forward) and its
    // commands rest on (none when standing roles cover them): when one ends, the grant watch closes the
    // session after the grace.
    void end_for_grant(std::string message) override;
    [[nodiscard]] std::string log_name() const override;

    // SshGate
    [[nodiscard]] std::optional<std::string> user_for_key(std::string_view key_base64) const override;
    [[nodiscard]] ssh::Access access(std::string_view user, std::string_view target) const override;
    [[nodiscard]] bool permits(std::string_view user, std::string_view target, ssh::Need need) const override;
    [[nodiscard]] ssh::ExecVerdict decide_exec(const ssh::ExecRequest& request) override;
    [[nodiscard]] ssh::KeystrokeEdit edit_keystrokes(std::uint32_t channel, std::span<const char> bytes) override;

    // SshObserver
    void on_auth(std::string_view user, std::string_view target, bool ok, std::string_view reason) override;
    void on_session_start(std::string_view user, std::string_view target) override;
    void on_session_end(std::string_view reason) override;
    void on_refused(std::string_view what) override;
    void on_start(std::uint32_t channel, ssh::StartKind kind, std::string_view command) override;
    void on_pty(std::uint32_t channel, std::string_view term, int cols, int rows) override;
    void on_window_change(std::uint32_t channel, int cols, int rows) override;
    void on_output(std::uint32_t channel, std::span<const char> bytes, bool is_stderr) override;
    void on_channel_close(std::uint32_t channel, const ssh::ChannelExit& exit) override;
    void on_channel_open(std::uint32_t channel, ssh::ChannelKind kind, std::string_view detail) override;

private:
    std::shared_ptr<ServerContext> context_;
    std::shared_ptr<const config::Config> config_;  // as it was when the connection began (audit hash)
    std::uint64_t id_;
    std::string client_address_;
    std::string user_;
    std::string target_;
    SessionEvents events_;  // the session's id ("s-…"), audit and index
    AuditedPipeline audited_;
    bool started_ = false;

    // A channel with a terminal: its size, its screen, and the line capture over both.
    struct Terminal {
        SshTerminal info;
        std::unique_ptr<ssh::TerminalLine> screen;
        ssh::LineCapture capture;  // the keys typed since the last Enter, judged with the screen's line
    };
    // Decides a command (exec or interactive line), audits and records it; remembers the grant it used.
    [[nodiscard]] guardrails::Decision decide(guardrails::CommandKind kind, std::uint32_t channel, std::string_view text);
    // Records a command; false (and the session is stopping) when it cannot be and record_failure: block.
    [[nodiscard]] bool record_command(const SshCommandRecord& record, bool with_terminal);
    void recording_failed(const std::string& error);
    // What a channel start needs from the user's roles: to be on the target at all, or one ssh switch.
    using Need = guardrails::SshNeed;
    // The user's holdings on the target now, as the live policy (or, without one, the config) has them,
    // and what they give over SSH (guardrails::ssh_access).
    struct Held {
        std::shared_ptr<const guardrails::Policy> policy;
        std::shared_ptr<const config::Config> config;
        std::vector<guardrails::Holding> holdings;
        std::vector<std::string> requestable;  // roles the user may request there
        guardrails::SshAccess access;
    };
    [[nodiscard]] Held held_now(std::string_view user, std::string_view target) const;
    // A channel start that `need`s something rests on what gives it: nothing when a standing role does;
    // else the grant in force that gives it and lasts longest, added to the reliance, so the channel's
    // connection is closed when that grant ends (after its grace), whatever else the user holds.
    void rely_for(Need need);

    std::unordered_map<std::uint32_t, Terminal> terminals_;
    std::unique_ptr<SshRecording> recording_;
    bool recording_failed_ = false;
    ssh::Connection connection_;  // last: it calls back into the members above
};

}  // namespace jitgate::proxy
