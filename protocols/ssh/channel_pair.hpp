// The state of one proxied channel pair, shared by connection.cpp (authentication, callbacks, the loop)
// and bridge.cpp (what the loop does with each pair): a Bridge of the client's channel (front) and the
// target's (back), with one Flow per direction. Internal to protocols/ssh; it names Connection only by
// pointer, so neither side of the loop includes the other through it.
#pragma once

#include "protocols/ssh/byte_ring.hpp"
#include "protocols/ssh/gate.hpp"

#include <libssh/callbacks.h>
#include <libssh/libssh.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>

namespace jitgate::ssh {
class Connection;
}  // namespace jitgate::ssh::detail

namespace jitgate::ssh::detail {

using Clock = std::chrono::steady_clock;

inline constexpr std::size_t ring_capacity = std::size_t{512} << 10;  // per direction and stream
inline constexpr unsigned max_auth_failures = 10;
inline constexpr std::size_t max_channels = 64;
inline constexpr auto close_grace = std::chrono::seconds(2);
inline constexpr int exit_refused = 1;
inline constexpr int exit_blocked = 126;
inline constexpr int exit_failed = 255;

inline bool closed(ssh_session session) {
    return session == nullptr || (ssh_get_status(session) & (SSH_CLOSED | SSH_CLOSED_ERROR)) != 0;
}

struct Request {
    enum class Kind : std::uint8_t { pty, env, shell, exec, subsystem, window_change, signal };
    explicit Request(Kind k, std::string t = {}, std::string v = {}, int c = 0, int r = 0)
        : kind(k), text(std::move(t)), value(std::move(v)), cols(c), rows(r) {}
    Kind kind;
    std::string text;   // term, env name, command, subsystem or signal
    std::string value;  // env value
    int cols = 0;
    int rows = 0;
    [[nodiscard]] bool starts() const noexcept {
        return kind == Kind::shell || kind == Kind::exec || kind == Kind::subsystem;
    }
};

// One direction of a channel: [0] data, [1] extended data (stderr).
struct Flow {
    ByteRing data[2]{ByteRing(ring_capacity), ByteRing(ring_capacity)};
    std::size_t leftover[2] = {0, 0};  // bytes libssh still holds for us (they did not fit the ring)
    bool eof_seen = false;
    bool eof_sent = false;
    [[nodiscard]] bool drained() const noexcept {
        return data[0].empty() && data[1].empty() && leftover[0] == 0 && leftover[1] == 0;
    }
};

enum class BackState : std::uint8_t { opening, requesting, running, gone };

struct Bridge {
    Connection* connection = nullptr;
    std::uint32_t id = 0;
    ChannelKind kind = ChannelKind::session;
    ssh_channel front = nullptr;
    ssh_channel back = nullptr;
    ssh_channel_callbacks_struct front_callbacks{};
    ssh_channel_callbacks_struct back_callbacks{};
    bool back_callbacks_set = false;
    bool front_opening = false;         // forwarded_tcpip: jitgate opens the client's side
    std::size_t keystrokes_passed = 0;  // terminal input the gate has seen and let pass, not yet written
    bool replacing = false;             // the next keystroke is replaced by `instead`
    std::string instead;
    BackState back_state = BackState::opening;
    std::deque<Request> requests;  // from the client, forwarded in order once the target's side is open
    bool started = false;                  // shell, exec or subsystem accepted
    bool pty = false;
    Flow up;    // client -> target
    Flow down;  // target -> client
    bool front_closed = false;  // the client closed its side (or jitgate released it)
    bool back_closed = false;   // the target closed its side, or there is no target side any more
    ChannelExit exit;
    bool exit_core = false;
    int local_exit = -1;  // set when jitgate ends the channel itself
    std::string host;     // direct-tcpip
    int port = 0;
    std::string origin_host;
    int origin_port = 0;
};

}  // namespace jitgate::ssh::detail
