// The seams between an SSH connection and the proxy around it: SshGate answers the questions the
// connection must not decide itself (who owns a key, what a user may do on a target, whether an exec may
// run), and SshObserver is told what happens (authentication, channels, the bytes the client sees), so
// the audit log, the session index, a recorder or a terminal emulator can be attached without touching
// the relay. Both are called on the connection's own thread only, never from a libssh write path.
#pragma once

#include "config/config.hpp"

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace jitgate::ssh {

// Whether a user may be on a target at all at this moment (DESIGN §3: some standing role or grant in force).
struct Access {
    bool allowed = false;
    std::optional<config::Target> target;  // a copy: the config may be reloaded while the connection lives
    std::string message;  // when refused: one sentence for the engineer, printed by the client
};

// What a channel start or request needs beyond being on the target: a terminal (pty-req, and a shell),
// file transfer (the "sftp" subsystem, scp) or port forwarding (direct-tcpip, tcpip-forward).
enum class Need : std::uint8_t { pty, sftp, port_forwarding };

// An exec request on its way to the target (RFC 4254 §6.5).
struct ExecRequest {
    std::uint64_t session = 0;
    std::uint32_t channel = 0;
    std::string_view user;
    std::string_view target;
    std::string_view command;
};

// What becomes of keystrokes on a channel with a terminal before they reach the target (DESIGN §4,
// interactive lines): by default all pass; or the first `pass` bytes pass, the byte after them is
// replaced by `instead` (a blocked line's Enter by "\x03"), and `notice` is shown on the engineer's
// terminal.
struct KeystrokeEdit {
    std::size_t pass = std::numeric_limits<std::size_t>::max();
    std::string instead;
    std::string notice;
};

struct ExecVerdict {
    bool allow = true;
    std::string message;  // when blocked: written to the client's stderr; the channel exits with 126
    [[nodiscard]] static ExecVerdict allowed() { return {}; }
    [[nodiscard]] static ExecVerdict blocked(std::string why) { return {false, std::move(why)}; }
};

class SshGate {
public:
    virtual ~SshGate() = default;
    // The configured user whose ssh_keys hold this public key (the base64 key blob of its OpenSSH line).
    [[nodiscard]] virtual std::optional<std::string> user_for_key(std::string_view key_base64) const = 0;
    // Asked once the client proved it holds the key, and again at every channel and channel request.
    [[nodiscard]] virtual Access access(std::string_view user, std::string_view target) const = 0;
    // Asked at every channel start or request that needs one: whether the roles the user holds on the
    // target now give it (the union of their ssh switches). The connection never reads a switch itself.
    [[nodiscard]] virtual bool permits(std::string_view user, std::string_view target, Need need) const = 0;
    // Before an exec request is forwarded: allow, or block with a message.
    [[nodiscard]] virtual ExecVerdict decide_exec(const ExecRequest& request) = 0;
    // Keystrokes on a terminal channel, each byte shown exactly once and in order, before they are
    // forwarded (the screen they act on is what SshObserver::on_output delivered so far).
    [[nodiscard]] virtual KeystrokeEdit edit_keystrokes(std::uint32_t /*channel*/, std::span<const char> /*bytes*/) {
        return {};
    }
};

// session: shell/exec/sftp; direct_tcpip: ssh -L/-W; forwarded_tcpip: a connection to a port the client
// asked the target to listen on (ssh -R).
enum class ChannelKind : std::uint8_t { session, direct_tcpip, forwarded_tcpip };
enum class StartKind : std::uint8_t { shell, exec, subsystem };

// How a channel's program ended, as the target reported it (RFC 4254 §6.10).
struct ChannelExit {
    std::optional<int> status;
    std::string signal;  // "TERM", ... when it died of a signal
};

class SshObserver {
public:
    virtual ~SshObserver() = default;
    // Authentication (DESIGN §5 audit): `user` is empty when the key belongs to nobody.
    virtual void on_auth(std::string_view user, std::string_view target, bool ok, std::string_view reason) = 0;
    // The engineer is in and the target's session is up: the session starts.
    virtual void on_session_start(std::string_view user, std::string_view target) = 0;
    virtual void on_session_end(std::string_view reason) = 0;

    // Something the engineer asked for and was refused (port forwarding, a terminal, agent forwarding).
    virtual void on_refused(std::string_view /*what*/) {}

    virtual void on_channel_open(std::uint32_t /*channel*/, ChannelKind /*kind*/, std::string_view /*detail*/) {}
    virtual void on_pty(std::uint32_t /*channel*/, std::string_view /*term*/, int /*cols*/, int /*rows*/) {}
    virtual void on_window_change(std::uint32_t /*channel*/, int /*cols*/, int /*rows*/) {}
    virtual void on_start(std::uint32_t /*channel*/, StartKind /*kind*/, std::string_view /*command*/) {}
    // Bytes as they are handed to the client (stdout or stderr), in order; also jitgate's own messages.
    virtual void on_output(std::uint32_t /*channel*/, std::span<const char> /*bytes*/, bool /*is_stderr*/) {}
    // Bytes as they are handed to the target.
    virtual void on_input(std::uint32_t /*channel*/, std::span<const char> /*bytes*/) {}
    virtual void on_channel_close(std::uint32_t /*channel*/, const ChannelExit& /*exit*/) {}
};

}  // namespace jitgate::ssh
