// What the relay loop does with each channel pair: opens the target's side and forwards the client's
// requests in order, moves bytes both ways within the windows, and ends each side in the order RFC 4254
// §6.10 and §5.3 want (data, EOF, exit status, close). See connection.hpp for the threading rules.
#include "protocols/ssh/channel_pair.hpp"
#include "protocols/ssh/connection.hpp"

#include <libssh/server.h>

#include <fmt/format.h>

#include <algorithm>

namespace jitgate::ssh {

using namespace detail;

void Connection::refuse(Bridge& b, std::string message, int exit_status) {
    if (b.local_exit >= 0) return;
    b.local_exit = exit_status;
    b.requests.clear();
    b.up.data[0].clear();
    b.up.data[1].clear();
    if (!message.empty() && message.back() != '\n') message.push_back('\n');
    if (b.kind == ChannelKind::session) {
        b.down.data[1].clear();
        (void)b.down.data[1].push(message.data(), message.size());
    }
    b.down.eof_seen = true;
    b.back_closed = true;  // the target's side is released by advance_back, outside any libssh callback
}

void Connection::release(Bridge& b, bool front_side) {
    ssh_channel& channel = front_side ? b.front : b.back;
    if (channel == nullptr) return;
    if (front_side) {
        ssh_remove_channel_callbacks(channel, &b.front_callbacks);
        b.up.leftover[0] = b.up.leftover[1] = 0;
        b.front_closed = true;
    } else {
        if (b.back_callbacks_set) ssh_remove_channel_callbacks(channel, &b.back_callbacks);
        b.back_callbacks_set = false;
        b.down.leftover[0] = b.down.leftover[1] = 0;
        b.back_closed = true;
        b.back_state = BackState::gone;
    }
    ssh_channel_free(channel);  // sends CLOSE if not sent yet; libssh keeps it until the peer's CLOSE
    channel = nullptr;
}

void Connection::service() {
    if (!remote_forwards_.empty() && !closing_) accept_forwarded();
    for (std::size_t i = 0; i < bridges_.size(); ++i) service(*bridges_[i]);
    std::erase_if(bridges_, [this](const std::unique_ptr<Bridge>& b) {
        if (b->front != nullptr || b->back != nullptr) return false;
        observer_.on_channel_close(b->id, b->exit);
        return true;
    });
}

void Connection::service(Bridge& b) {
    advance_back(b);
    flush_up(b);
    flush_down(b);
    finish(b);
}

void Connection::advance_back(Bridge& b) {
    if (b.front_opening && b.front != nullptr && b.local_exit < 0 && !b.back_closed) {
        const int rc = ssh_channel_open_reverse_forward(b.front, b.host.c_str(), b.port, b.origin_host.c_str(),
                                                        b.origin_port);
        if (rc == SSH_AGAIN) return;
        b.front_opening = false;
        if (rc != SSH_OK) {
            release(b, true);
            release(b, false);
            return;
        }
    }
    if (b.back == nullptr) return;
    const auto open = [&] {
        return b.kind == ChannelKind::session
                   ? ssh_channel_open_session(b.back)
                   : ssh_channel_open_forward(b.back, b.host.c_str(), b.port, b.origin_host.c_str(), b.origin_port);
    };
    const bool unwanted = b.local_exit >= 0 || (b.front_closed && b.back_state != BackState::running);
    if (unwanted) {
        if (b.back_state == BackState::opening && open() == SSH_AGAIN) return;  // close it once it exists
        release(b, false);
        return;
    }
    if (b.back_state == BackState::opening) {
        const int rc = open();
        if (rc == SSH_AGAIN) return;
        if (rc != SSH_OK) {
            refuse(b, fmt::format("jitgate: {} refused the channel: {}", target_, ssh_get_error(upstream_.get())),
                   exit_failed);
            release(b, false);
            return;
        }
        b.back_state = b.kind == ChannelKind::session ? BackState::requesting : BackState::running;
    }
    while ((b.back_state == BackState::requesting || b.back_state == BackState::running) && !b.requests.empty()) {
        const Request& r = b.requests.front();
        const bool running = b.back_state == BackState::running;
        if (running && (r.starts() || r.kind == Request::Kind::pty || r.kind == Request::Kind::env)) {
            b.requests.pop_front();
            continue;
        }
        int rc = SSH_OK;
        switch (r.kind) {
        case Request::Kind::pty: rc = ssh_channel_request_pty_size(b.back, r.text.c_str(), r.cols, r.rows); break;
        case Request::Kind::env: rc = ssh_channel_request_env(b.back, r.text.c_str(), r.value.c_str()); break;
        case Request::Kind::shell: rc = ssh_channel_request_shell(b.back); break;
        case Request::Kind::exec: rc = ssh_channel_request_exec(b.back, r.text.c_str()); break;
        case Request::Kind::subsystem: rc = ssh_channel_request_subsystem(b.back, r.text.c_str()); break;
        case Request::Kind::window_change: rc = ssh_channel_change_pty_size(b.back, r.cols, r.rows); break;
        case Request::Kind::signal: rc = ssh_channel_request_send_signal(b.back, r.text.c_str()); break;
        }
        if (rc == SSH_AGAIN) return;
        if (rc != SSH_OK && r.starts()) {
            refuse(b, fmt::format("jitgate: {} refused the {} request", target_,
                                  r.kind == Request::Kind::shell ? "shell" : r.kind == Request::Kind::exec ? "exec" : "subsystem"),
                   exit_failed);
            release(b, false);
            return;
        }
        // A refused pty or env request is not fatal: the client was told yes, as sshd does with env it ignores.
        if (r.starts()) b.back_state = BackState::running;
        b.requests.pop_front();
    }
}

namespace {

// Tops the ring up from what libssh still holds on `source` (exactly the bytes the data callback left:
// reading no more than that never makes libssh poll, so no callback runs in between).
void refill(Flow& flow, int s, ssh_channel source) {
    ByteRing& ring = flow.data[s];
    while (flow.leftover[s] > 0 && ring.space() > 0 && source != nullptr) {
        const std::span<char> space = ring.free_span();
        const std::size_t want = std::min(space.size(), flow.leftover[s]);
        const int n = ssh_channel_read_nonblocking(source, space.data(), static_cast<std::uint32_t>(want), s);
        if (n <= 0) {
            flow.leftover[s] = 0;
            return;
        }
        ring.commit(static_cast<std::size_t>(n));
        flow.leftover[s] -= std::min(flow.leftover[s], static_cast<std::size_t>(n));
    }
}

int write_to(ssh_channel sink, bool to_client, int s, const char* bytes, std::size_t n) {
    return to_client && s == 1 ? ssh_channel_write_stderr(sink, bytes, static_cast<std::uint32_t>(n))
                               : ssh_channel_write(sink, bytes, static_cast<std::uint32_t>(n));
}

// Moves what fits from `flow`'s stream `s` into `sink`, at most the sink's window at a time; never waits.
template <class Observe>
void drain(Flow& flow, int s, ssh_channel source, ssh_channel sink, bool to_client, Observe&& observe) {
    ByteRing& ring = flow.data[s];
    while (true) {
        refill(flow, s, source);
        if (ring.empty()) return;
        const std::uint32_t window = ssh_channel_window_size(sink);
        if (window == 0) return;
        const std::span<const char> bytes = ring.front();
        const std::size_t n = std::min<std::size_t>(bytes.size(), window);
        const int written = write_to(sink, to_client, s, bytes.data(), n);
        if (written <= 0) return;  // an error shows in the session's status; 0: a key re-exchange is running
        observe(bytes.first(static_cast<std::size_t>(written)), s == 1);
        ring.pop(static_cast<std::size_t>(written));
    }
}

}  // namespace

void Connection::flush_keystrokes(Bridge& b) {
    ByteRing& ring = b.up.data[0];
    while (true) {
        refill(b.up, 0, b.front);
        if (b.keystrokes_passed == 0 && !b.replacing) {
            const std::uint32_t window = ssh_channel_window_size(b.back);
            const std::span<const char> bytes = ring.front().first(std::min<std::size_t>(ring.front().size(), window));
            if (bytes.empty()) return;
            KeystrokeEdit edit = gate_.edit_keystrokes(b.id, bytes);
            if (edit.pass >= bytes.size()) {
                b.keystrokes_passed = bytes.size();
            } else {
                b.keystrokes_passed = edit.pass;
                b.replacing = true;
                b.instead = std::move(edit.instead);
                if (!edit.notice.empty()) (void)b.down.data[0].push(edit.notice.data(), edit.notice.size());
            }
        }
        if (b.keystrokes_passed > 0) {
            const std::size_t n = std::min<std::size_t>({b.keystrokes_passed, ring.front().size(),
                                                         ssh_channel_window_size(b.back)});
            if (n == 0) return;
            const int written = ssh_channel_write(b.back, ring.front().data(), static_cast<std::uint32_t>(n));
            if (written <= 0) return;
            observer_.on_input(b.id, ring.front().first(static_cast<std::size_t>(written)));
            ring.pop(static_cast<std::size_t>(written));
            b.keystrokes_passed -= static_cast<std::size_t>(written);
            continue;
        }
        // b.replacing: the byte at the front of the ring is replaced
        if (ssh_channel_window_size(b.back) < b.instead.size()) return;
        if (!b.instead.empty()) {
            if (ssh_channel_write(b.back, b.instead.data(), static_cast<std::uint32_t>(b.instead.size())) <= 0) return;
            observer_.on_input(b.id, b.instead);
        }
        ring.pop(1);
        b.replacing = false;
        b.instead.clear();
    }
}

void Connection::flush_up(Bridge& b) {
    if (b.back_state != BackState::running || b.back == nullptr) return;
    for (int s = 0; s < 2; ++s) {
        if (s == 0 && b.pty) {
            flush_keystrokes(b);
            continue;
        }
        drain(b.up, s, b.front, b.back, false,
              [&](std::span<const char> bytes, bool) { observer_.on_input(b.id, bytes); });
    }
    if (b.up.drained() && !b.replacing && b.up.eof_seen && !b.up.eof_sent && b.back != nullptr) {
        ssh_channel_send_eof(b.back);
        b.up.eof_sent = true;
    }
}

void Connection::flush_down(Bridge& b) {
    if (b.front == nullptr || b.front_closed || b.front_opening) return;
    for (int s = 0; s < 2; ++s) {
        drain(b.down, s, b.back, b.front, true,
              [&](std::span<const char> bytes, bool is_stderr) { observer_.on_output(b.id, bytes, is_stderr); });
    }
    if (b.down.drained() && b.down.eof_seen && !b.down.eof_sent) {
        ssh_channel_send_eof(b.front);
        b.down.eof_sent = true;
    }
}

void Connection::finish(Bridge& b) {
    if (b.front_opening) {  // the client has not answered yet: only a target that gave up ends it
        if (b.back_closed) {
            release(b, true);
            release(b, false);
        }
        return;
    }
    // The client closed: once the target has every byte the client sent, close the target's side too.
    if (b.front_closed) {
        if (b.back == nullptr || b.back_state != BackState::running || b.up.drained() || closed(upstream_.get())) {
            release(b, true);
            if (b.back_state != BackState::opening) release(b, false);
        }
        return;
    }
    // The target is done: the client gets what is left, EOF, the exit status, then the close (RFC 4254 §6.10).
    if (b.back_closed && b.front != nullptr && b.down.drained()) {
        if (!b.down.eof_sent) {
            ssh_channel_send_eof(b.front);
            b.down.eof_sent = true;
        }
        if (b.kind == ChannelKind::session) {
            if (b.local_exit >= 0) {
                ssh_channel_request_send_exit_status(b.front, b.local_exit);
                b.exit.status = b.local_exit;
            } else if (b.exit.status) {
                ssh_channel_request_send_exit_status(b.front, *b.exit.status);
            } else if (!b.exit.signal.empty()) {
                ssh_channel_request_send_exit_signal(b.front, b.exit.signal.c_str(), b.exit_core ? 1 : 0, "", "");
            }
        }
        release(b, true);
        if (b.back_state != BackState::opening) release(b, false);
    }
}

}  // namespace jitgate::ssh
