// One proxied SSH connection, from the accepted socket to the last channel: the server front the
// engineer talks to (RFC 4253 key exchange, RFC 4252 public-key authentication against the users'
// ssh_keys, the SSH user name is the target's name), the client back to the target (upstream.hpp), and
// the channel bridge between them (RFC 4254: session channels with pty-req, env, shell, exec, subsystem,
// window-change, signal, exit-status, exit-signal, EOF and close; direct-tcpip when the role allows it).
//
// Threading: run() is called on a thread of its own that owns both libssh sessions in one ssh_event;
// nothing else touches them. close() is the only call from other threads: it wakes the loop through an
// eventfd in the same event. libssh callbacks only queue bytes and requests and set flags; the loop
// forwards them, at most the other side's window at a time, so a full window never blocks the thread
// and nothing is buffered beyond two bounded rings per direction (libssh keeps the rest and stops
// widening the sender's window; the loop reads exactly that rest back when the ring drains). libssh's
// writes flush with a zero-timeout poll of the whole event, so callbacks can also run inside the loop's
// own writes: rings never move bytes, and the loop services again until a pass ran no callback.
//
// Hooks: SshGate::permits before a terminal, sftp/scp or a forward is allowed (the connection reads no
// ssh switch itself), SshGate::decide_exec before an exec is forwarded (a block writes the message to the
// client's stderr and exits 126), SshGate::edit_keystrokes before terminal input is forwarded, and SshObserver
// for everything the client sees (on_output, on_pty, on_window_change) and the channels' lives.
//
// Port forwarding (direct-tcpip, tcpip-forward) only when the gate permits it; agent and X11 forwarding
// are refused.
#pragma once

#include "protocols/ssh/front.hpp"
#include "protocols/ssh/gate.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace jitgate::ssh {

namespace detail {
struct Bridge;  // one channel pair (channel_pair.hpp)
}  // namespace detail

struct ConnectionInfo {
    std::uint64_t id = 0;
    std::string client_address;
    std::chrono::seconds startup_timeout{10};  // key exchange, authentication and the target's login
    // Closes the connection, with a message on each channel, after this long with no bytes either way
    // and no new channel or request (limits.idle_timeout); 0: never.
    std::chrono::seconds idle_timeout{0};
};

class Connection {
public:
    // Takes `fd`, an accepted TCP socket.
    Connection(Front& front, int fd, ConnectionInfo info, SshGate& gate, SshObserver& observer);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // The whole life of the connection; returns when it is over. On the connection's own thread.
    void run();
    // Ends the connection from another thread (shutdown, an ended grant): every open channel gets
    // `message` on its stderr and exit status 255, then both sessions close. Thread-safe, idempotent.
    void close(std::string message);

    [[nodiscard]] std::uint64_t id() const noexcept { return info_.id; }
    // Counters for the session's end record (read after run() returned).
    [[nodiscard]] std::uint64_t commands() const noexcept { return commands_; }
    [[nodiscard]] std::uint64_t blocked() const noexcept { return blocked_; }

    using Bridge = detail::Bridge;
    struct Callbacks;

private:
    friend struct Callbacks;
    bool authenticate();
    void tear_down();
    void relay();
    void service();
    void service(Bridge& bridge);
    void advance_back(Bridge& bridge);
    void flush_up(Bridge& bridge);
    void flush_keystrokes(Bridge& bridge);
    void flush_down(Bridge& bridge);
    void finish(Bridge& bridge);
    void refuse(Bridge& bridge, std::string message, int exit_status);
    void release(Bridge& bridge, bool front_side);
    void apply_close_request();
    // tcpip-forward / cancel-tcpip-forward from the client, asked of the target before the client hears
    // back (a short blocking global request on the back session); false: refused.
    [[nodiscard]] bool forward_remote(struct ssh_message_struct* message, bool cancel);
    void accept_forwarded();
    [[nodiscard]] Access current_access() const;
    // Asks the gate whether the user's roles now give `need` (the connection reads no ssh switch itself).
    [[nodiscard]] bool permits(Need need) const;
    // A new channel pair; `front`/`back` are channels libssh made already (accepted opens), else null.
    [[nodiscard]] Bridge* add_bridge(ChannelKind kind, ssh_channel front, ssh_channel back);

    std::unique_ptr<Callbacks> callbacks_;  // outlives the session: libssh keeps a pointer to it
    struct ssh_event_struct* event_ = nullptr;
    Front& front_;
    int fd_;
    ConnectionInfo info_;
    SshGate& gate_;
    SshObserver& observer_;
    SessionPtr session_;   // the front (server) session
    SessionPtr upstream_;  // the back (client) session, once authenticated
    std::string user_;
    std::string target_;
    config::Target target_config_;
    bool authenticated_ = false;
    unsigned auth_failures_ = 0;
    bool dirty_ = false;    // a libssh callback ran: service() has new work
    bool closing_ = false;  // close() was applied: no new channels, bridges are winding down
    std::chrono::steady_clock::time_point closing_deadline_;
    std::chrono::steady_clock::time_point last_activity_;  // bytes either way, a channel or a request
    std::vector<std::unique_ptr<Bridge>> bridges_;
    struct RemoteForward {
        std::string address;
        int port = 0;
    };
    std::vector<RemoteForward> remote_forwards_;
    std::uint32_t next_channel_ = 0;
    std::uint64_t commands_ = 0;
    std::uint64_t blocked_ = 0;
    std::string end_reason_;

    int wake_fd_ = -1;
    std::mutex close_mutex_;
    std::string close_message_;
    std::atomic<bool> close_requested_{false};
};

}  // namespace jitgate::ssh
