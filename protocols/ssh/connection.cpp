// One proxied SSH connection: authentication, then the relay loop over both sessions (see connection.hpp).
#include "protocols/ssh/connection.hpp"

#include "protocols/ssh/channel_pair.hpp"
#include "protocols/ssh/requests.hpp"
#include "protocols/ssh/upstream.hpp"

#include <libssh/callbacks.h>
#include <libssh/server.h>

#include <fmt/format.h>

#include <algorithm>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace jitgate::ssh {

using namespace detail;

namespace {

void send_banner(ssh_session session, const std::string& text) {
    ssh_string banner = ssh_string_from_char(text.c_str());
    if (banner == nullptr) return;
    (void)ssh_send_issue_banner(session, banner);
    ssh_string_free(banner);
}

}  // namespace

// The libssh callbacks: static functions that only record what happened (see connection.hpp).
struct Connection::Callbacks {
    ssh_server_callbacks_struct server{};

    // Every channel callback goes through here: it marks the connection for another service pass.
    static Bridge& bridge(void* userdata) {
        Bridge& b = *static_cast<Bridge*>(userdata);
        b.connection->dirty_ = true;
        return b;
    }

    // RFC 4252 §7: the probe (no signature) is answered "key acceptable" for a known key; only the
    // signed attempt, which libssh has verified, authorizes.
    static int auth_pubkey(ssh_session, const char* user, ssh_key pubkey, char state, void* userdata) {
        Connection& c = *static_cast<Connection*>(userdata);
        if (c.authenticated_) return SSH_AUTH_DENIED;
        const std::string target = user != nullptr ? user : "";
        const std::optional<std::string> owner = c.gate_.user_for_key(key_base64(pubkey));
        if (state == SSH_PUBLICKEY_STATE_NONE) {
            if (owner) return SSH_AUTH_SUCCESS;
            ++c.auth_failures_;
            c.observer_.on_auth({}, target, false, fmt::format("unknown key {}", fingerprint(pubkey)));
            return SSH_AUTH_DENIED;
        }
        if (state != SSH_PUBLICKEY_STATE_VALID || !owner) {
            ++c.auth_failures_;
            c.observer_.on_auth(owner.value_or(""), target, false, "invalid signature");
            return SSH_AUTH_DENIED;
        }
        const Access access = c.gate_.access(*owner, target);
        if (!access.allowed || !access.target) {
            ++c.auth_failures_;
            send_banner(c.session_.get(), fmt::format("jitgate: {}\n", access.message));
            c.observer_.on_auth(*owner, target, false, access.message);
            return SSH_AUTH_DENIED;
        }
        Upstream upstream = connect_upstream(*access.target, c.info_.startup_timeout);
        if (!upstream.session) {
            ++c.auth_failures_;
            send_banner(c.session_.get(), fmt::format("jitgate: {}\n", upstream.error));
            c.observer_.on_auth(*owner, target, false, upstream.error);
            return SSH_AUTH_DENIED;
        }
        c.upstream_ = std::move(upstream.session);
        c.user_ = *owner;
        c.target_ = target;
        c.target_config_ = *access.target;
        c.authenticated_ = true;
        c.observer_.on_auth(*owner, target, true, "publickey");
        return SSH_AUTH_SUCCESS;
    }

    static ssh_channel open_session(ssh_session, void* userdata) {
        Connection& c = *static_cast<Connection*>(userdata);
        c.dirty_ = true;
        c.last_activity_ = Clock::now();
        if (!c.authenticated_ || c.closing_ || c.bridges_.size() >= max_channels) return nullptr;
        if (!c.current_access().allowed) return nullptr;
        Bridge* b = c.add_bridge(ChannelKind::session, nullptr, nullptr);
        return b != nullptr ? b->front : nullptr;
    }

    // Everything without a dedicated callback: returning 1 lets libssh send its default refusal.
    static int on_message(ssh_session, ssh_message message, void* userdata) {
        Connection& c = *static_cast<Connection*>(userdata);
        c.dirty_ = true;
        c.last_activity_ = Clock::now();
        const int type = ssh_message_type(message);
        const int subtype = ssh_message_subtype(message);
        if (type == SSH_REQUEST_AUTH) {
            if (subtype != SSH_AUTH_METHOD_NONE) ++c.auth_failures_;  // password, keyboard-interactive: refused
            return 1;
        }
        if (type == SSH_REQUEST_CHANNEL_OPEN && subtype == SSH_CHANNEL_DIRECT_TCPIP) {
            if (!c.authenticated_ || c.closing_ || c.bridges_.size() >= max_channels) return 1;
            const char* host = ssh_message_channel_request_open_destination(message);
            const int port = ssh_message_channel_request_open_destination_port(message);
            if (!c.current_access().allowed || !c.permits(Need::port_forwarding)) {
                c.observer_.on_refused(fmt::format("port forwarding to {}:{} (no role with ssh.port_forwarding)",
                                                   host != nullptr ? host : "?", port));
                return 1;
            }
            ssh_channel channel = ssh_message_channel_request_open_reply_accept(message);
            if (channel == nullptr) return 0;
            Bridge* b = c.add_bridge(ChannelKind::direct_tcpip, channel, nullptr);
            if (b == nullptr) return 0;
            b->host = host != nullptr ? host : "";
            b->port = port;
            const char* origin = ssh_message_channel_request_open_originator(message);
            b->origin_host = origin != nullptr ? origin : "127.0.0.1";
            b->origin_port = ssh_message_channel_request_open_originator_port(message);
            c.observer_.on_channel_open(b->id, ChannelKind::direct_tcpip, fmt::format("{}:{}", b->host, b->port));
            return 0;
        }
        if (type == SSH_REQUEST_GLOBAL &&
            (subtype == SSH_GLOBAL_REQUEST_TCPIP_FORWARD || subtype == SSH_GLOBAL_REQUEST_CANCEL_TCPIP_FORWARD)) {
            if (!c.authenticated_ || c.closing_) return 1;
            const char* address = ssh_message_global_request_address(message);
            const int port = ssh_message_global_request_port(message);
            if (!c.current_access().allowed || !c.permits(Need::port_forwarding)) {
                c.observer_.on_refused(fmt::format("remote port forwarding of {}:{} (no role with ssh.port_forwarding)",
                                                   address != nullptr ? address : "?", port));
                return 1;
            }
            return c.forward_remote(message, subtype == SSH_GLOBAL_REQUEST_CANCEL_TCPIP_FORWARD) ? 0 : 1;
        }
        if (type == SSH_REQUEST_CHANNEL_OPEN) {
            c.observer_.on_refused(subtype == SSH_CHANNEL_X11 ? "an X11 channel" : "a channel of an unsupported type");
        } else if (type == SSH_REQUEST_CHANNEL && subtype == SSH_CHANNEL_REQUEST_X11) {
            c.observer_.on_refused("X11 forwarding");
        } else if (type == SSH_REQUEST_CHANNEL && subtype == SSH_CHANNEL_REQUEST_UNKNOWN) {
            c.observer_.on_refused("a channel request of an unsupported type (agent forwarding?)");
        }
        return 1;
    }

    static int on_wake(socket_t fd, int /*revents*/, void* /*userdata*/) {
        std::uint64_t value = 0;
        while (::read(fd, &value, sizeof value) > 0) {
        }
        return 0;
    }

    // --- the client's side of a channel --------------------------------------------------------------
    static int front_data(ssh_session, ssh_channel, void* data, std::uint32_t len, int is_stderr, void* userdata) {
        Bridge& b = bridge(userdata);
        b.connection->last_activity_ = Clock::now();
        const int s = is_stderr != 0 ? 1 : 0;
        if (b.back_state == BackState::gone || b.local_exit >= 0) {  // nobody to give it to
            b.up.leftover[s] = 0;
            return static_cast<int>(len);
        }
        const std::size_t pushed = b.up.data[s].push(static_cast<const char*>(data), len);
        b.up.leftover[s] = len - pushed;
        return static_cast<int>(pushed);
    }
    static void front_eof(ssh_session, ssh_channel, void* userdata) { bridge(userdata).up.eof_seen = true; }
    static void front_close(ssh_session, ssh_channel, void* userdata) { bridge(userdata).front_closed = true; }

    static int front_pty(ssh_session, ssh_channel, const char* term, int cols, int rows, int, int, void* userdata) {
        Bridge& b = bridge(userdata);
        Connection& c = *b.connection;
        if (b.started || b.pty) return -1;
        if (!c.permits(Need::pty)) {
            c.observer_.on_refused("a terminal (no role with ssh.pty)");
            return -1;
        }
        if (cols <= 0 || rows <= 0) {  // some clients say 0x0
            cols = 80;
            rows = 24;
        }
        b.pty = true;
        b.requests.emplace_back(Request::Kind::pty, term != nullptr ? term : "xterm", std::string(), cols, rows);
        c.observer_.on_pty(b.id, b.requests.back().text, cols, rows);
        return 0;
    }
    static int front_window_change(ssh_session, ssh_channel, int cols, int rows, int, int, void* userdata) {
        Bridge& b = bridge(userdata);
        if (!b.pty) return -1;
        if (cols <= 0 || rows <= 0) {
            cols = 80;
            rows = 24;
        }
        b.requests.emplace_back(Request::Kind::window_change, std::string(), std::string(), cols, rows);
        b.connection->observer_.on_window_change(b.id, cols, rows);
        return 0;
    }
    static int front_env(ssh_session, ssh_channel, const char* name, const char* value, void* userdata) {
        Bridge& b = bridge(userdata);
        if (b.started || name == nullptr || !env_allowed(name)) return -1;
        if (value == nullptr || !env_value_allowed(name, value)) return -1;
        b.requests.emplace_back(Request::Kind::env, name, value != nullptr ? value : "");
        return 0;
    }
    static void front_signal(ssh_session, ssh_channel, const char* signal, void* userdata) {
        Bridge& b = bridge(userdata);
        if (signal != nullptr) b.requests.emplace_back(Request::Kind::signal, signal);
    }
    static int front_shell(ssh_session, ssh_channel, void* userdata) {
        Bridge& b = bridge(userdata);
        Connection& c = *b.connection;
        if (b.started) return -1;
        b.started = true;
        c.observer_.on_start(b.id, StartKind::shell, {});
        if (!c.permits(Need::pty)) {
            c.observer_.on_refused("an interactive shell (no role with ssh.pty)");
            c.refuse(b, fmt::format("jitgate: interactive shells on {} need a role with ssh.pty; run one command "
                                    "instead: ssh {}@... 'COMMAND'", c.target_, c.target_), exit_refused);
            return 0;
        }
        if (!b.pty) {  // a shell reading its commands from stdin: no line of it would ever be judged
            ++c.blocked_;
            c.observer_.on_refused("a shell without a terminal (its stdin would not be judged)");
            c.refuse(b, fmt::format("jitgate: a shell on {} needs a terminal (ssh -t), where each line is judged; "
                                    "or run one command: ssh {}@... 'COMMAND'", c.target_, c.target_),
                     exit_refused);
            return 0;
        }
        b.requests.emplace_back(Request::Kind::shell);
        return 0;
    }
    static int front_exec(ssh_session, ssh_channel, const char* command, void* userdata) {
        Bridge& b = bridge(userdata);
        Connection& c = *b.connection;
        if (b.started || command == nullptr) return -1;
        b.started = true;
        const std::string_view text = command;
        ++c.commands_;
        c.observer_.on_start(b.id, StartKind::exec, text);
        const Access access = c.current_access();
        if (!access.allowed) {
            ++c.blocked_;
            c.refuse(b, fmt::format("jitgate: {}", access.message), exit_blocked);
            return 0;
        }
        if (is_scp_transfer(text) && !c.permits(Need::sftp)) {
            ++c.blocked_;
            c.observer_.on_refused("file transfer with scp (no role with ssh.sftp)");
            c.refuse(b, fmt::format("jitgate: file transfer (scp) on {} needs a role with ssh.sftp", c.target_),
                     exit_refused);
            return 0;
        }
        const ExecVerdict verdict = c.gate_.decide_exec({c.info_.id, b.id, c.user_, c.target_, text});
        if (!verdict.allow) {
            ++c.blocked_;
            c.refuse(b, verdict.message, exit_blocked);
            return 0;
        }
        b.requests.emplace_back(Request::Kind::exec, std::string(text));
        return 0;
    }
    static int front_subsystem(ssh_session, ssh_channel, const char* name, void* userdata) {
        Bridge& b = bridge(userdata);
        Connection& c = *b.connection;
        if (b.started || name == nullptr || std::string_view(name) != "sftp") return -1;
        b.started = true;
        c.observer_.on_start(b.id, StartKind::subsystem, name);
        if (!c.permits(Need::sftp)) {
            ++c.blocked_;
            c.observer_.on_refused("file transfer with sftp (no role with ssh.sftp)");
            c.refuse(b, fmt::format("jitgate: file transfer (sftp) on {} needs a role with ssh.sftp", c.target_),
                     exit_refused);
            return 0;
        }
        b.requests.emplace_back(Request::Kind::subsystem, name);
        return 0;
    }

    // --- the target's side -----------------------------------------------------------------------------
    static int back_data(ssh_session, ssh_channel, void* data, std::uint32_t len, int is_stderr, void* userdata) {
        Bridge& b = bridge(userdata);
        b.connection->last_activity_ = Clock::now();
        const int s = is_stderr != 0 ? 1 : 0;
        if (b.front == nullptr || b.front_closed) {  // the client is gone: drop
            b.down.leftover[s] = 0;
            return static_cast<int>(len);
        }
        const std::size_t pushed = b.down.data[s].push(static_cast<const char*>(data), len);
        b.down.leftover[s] = len - pushed;
        return static_cast<int>(pushed);
    }
    static void back_eof(ssh_session, ssh_channel, void* userdata) { bridge(userdata).down.eof_seen = true; }
    static void back_close(ssh_session, ssh_channel, void* userdata) { bridge(userdata).back_closed = true; }
    static void back_exit_status(ssh_session, ssh_channel, int status, void* userdata) {
        bridge(userdata).exit.status = status;
    }
    static void back_exit_signal(ssh_session, ssh_channel, const char* signal, int core, const char*, const char*,
                                 void* userdata) {
        Bridge& b = bridge(userdata);
        b.exit.signal = signal != nullptr ? signal : "KILL";
        b.exit_core = core != 0;
    }
};

Connection::Connection(Front& front, int fd, ConnectionInfo info, SshGate& gate, SshObserver& observer)
    : callbacks_(std::make_unique<Callbacks>()), front_(front), fd_(fd), info_(std::move(info)), gate_(gate),
      observer_(observer) {
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

Connection::~Connection() {
    tear_down();
    if (wake_fd_ >= 0) ::close(wake_fd_);
}

void Connection::tear_down() {
    for (auto& b : bridges_) {  // callbacks off before the channels go (libssh keeps pointers to them)
        release(*b, true);
        release(*b, false);
    }
    bridges_.clear();
    if (event_ != nullptr) {
        if (wake_fd_ >= 0) ssh_event_remove_fd(event_, wake_fd_);
        if (session_) ssh_event_remove_session(event_, session_.get());
        if (upstream_) ssh_event_remove_session(event_, upstream_.get());
        ssh_event_free(event_);
        event_ = nullptr;
    }
    upstream_.reset();  // disconnects
    session_.reset();
}

void Connection::close(std::string message) {
    {
        const std::lock_guard lock(close_mutex_);
        if (close_requested_) return;
        close_message_ = std::move(message);
        close_requested_ = true;
    }
    const std::uint64_t one = 1;
    if (wake_fd_ >= 0) (void)!::write(wake_fd_, &one, sizeof one);
}

Access Connection::current_access() const { return gate_.access(user_, target_); }

bool Connection::permits(Need need) const { return gate_.permits(user_, target_, need); }

Connection::Bridge* Connection::add_bridge(ChannelKind kind, ssh_channel front, ssh_channel back) {
    auto b = std::make_unique<Bridge>();
    b->connection = this;
    b->id = next_channel_++;
    b->kind = kind;
    b->front = front != nullptr ? front : ssh_channel_new(session_.get());
    b->back = back != nullptr ? back : ssh_channel_new(upstream_.get());
    if (b->front == nullptr || b->back == nullptr) {
        if (back == nullptr && b->back != nullptr) ssh_channel_free(b->back);
        if (front == nullptr && b->front != nullptr) ssh_channel_free(b->front);
        return nullptr;
    }
    if (kind == ChannelKind::forwarded_tcpip) {  // the target's side is open already; the client's is not
        b->back_state = BackState::running;
        b->front_opening = true;
    }
    ssh_channel_callbacks_struct& cb = b->front_callbacks;
    cb.userdata = b.get();
    cb.channel_data_function = &Callbacks::front_data;
    cb.channel_eof_function = &Callbacks::front_eof;
    cb.channel_close_function = &Callbacks::front_close;
    if (kind == ChannelKind::session) {
        cb.channel_signal_function = &Callbacks::front_signal;
        cb.channel_pty_request_function = &Callbacks::front_pty;
        cb.channel_shell_request_function = &Callbacks::front_shell;
        cb.channel_pty_window_change_function = &Callbacks::front_window_change;
        cb.channel_exec_request_function = &Callbacks::front_exec;
        cb.channel_env_request_function = &Callbacks::front_env;
        cb.channel_subsystem_request_function = &Callbacks::front_subsystem;
        // no auth_agent_req / x11_req callbacks: libssh refuses those requests
    }
    ssh_callbacks_init(&cb);
    ssh_set_channel_callbacks(b->front, &cb);
    // The target's callbacks go on before the open: data may follow the confirmation in the same read.
    ssh_channel_callbacks_struct& target = b->back_callbacks;
    target.userdata = b.get();
    target.channel_data_function = &Callbacks::back_data;
    target.channel_eof_function = &Callbacks::back_eof;
    target.channel_close_function = &Callbacks::back_close;
    target.channel_exit_status_function = &Callbacks::back_exit_status;
    target.channel_exit_signal_function = &Callbacks::back_exit_signal;
    ssh_callbacks_init(&target);
    ssh_set_channel_callbacks(b->back, &target);
    b->back_callbacks_set = true;
    if (kind == ChannelKind::session) observer_.on_channel_open(b->id, kind, "session");
    bridges_.push_back(std::move(b));
    return bridges_.back().get();
}

void Connection::run() {
    std::string error;
    session_ = front_.accept(fd_, error);
    fd_ = -1;
    if (!session_) {
        observer_.on_auth({}, {}, false, fmt::format("cannot accept the connection: {}", error));
        return;
    }
    if (!authenticate()) {
        tear_down();  // the sockets close now, not when the owner drops the connection
        return;
    }
    observer_.on_session_start(user_, target_);
    relay();
    tear_down();
    observer_.on_session_end(end_reason_);
}

bool Connection::authenticate() {
    ssh_session s = session_.get();
    const long seconds = static_cast<long>(info_.startup_timeout.count());
    ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &seconds);
    ssh_set_auth_methods(s, SSH_AUTH_METHOD_PUBLICKEY);
    ssh_server_callbacks_struct& cb = callbacks_->server;
    cb.userdata = this;
    cb.auth_pubkey_function = &Callbacks::auth_pubkey;
    cb.channel_open_request_session_function = &Callbacks::open_session;
    ssh_callbacks_init(&cb);
    ssh_set_server_callbacks(s, &cb);
    ssh_set_message_callback(s, &Callbacks::on_message, this);

    const auto deadline = Clock::now() + info_.startup_timeout;
    if (ssh_handle_key_exchange(s) != SSH_OK) {
        const std::string why = ssh_get_error(s);
        end_reason_ = fmt::format("key exchange failed: {}", why.empty() ? "timed out" : why);
        observer_.on_auth({}, {}, false, end_reason_);
        return false;
    }
    event_ = ssh_event_new();
    if (event_ == nullptr || ssh_event_add_session(event_, s) != SSH_OK ||
        (wake_fd_ >= 0 && ssh_event_add_fd(event_, wake_fd_, POLLIN, &Callbacks::on_wake, this) != SSH_OK)) {
        end_reason_ = "cannot set up the event loop";
        return false;
    }
    while (!authenticated_) {
        if (close_requested_) {
            end_reason_ = "closed by jitgate during authentication";
            return false;
        }
        if (auth_failures_ >= max_auth_failures) {
            end_reason_ = "too many authentication failures";
            observer_.on_auth({}, target_, false, end_reason_);
            return false;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            end_reason_ = "authentication timed out";
            observer_.on_auth({}, {}, false, end_reason_);
            return false;
        }
        if (ssh_event_dopoll(event_, static_cast<int>(left.count())) == SSH_ERROR || closed(s)) {
            if (authenticated_) break;
            end_reason_ = "the client left during authentication";
            return false;
        }
    }
    return true;
}

void Connection::relay() {
    ssh_session front = session_.get();
    ssh_session back = upstream_.get();
    ssh_set_blocking(front, 0);
    ssh_set_blocking(back, 0);
    if (ssh_event_add_session(event_, back) != SSH_OK) {
        end_reason_ = "cannot set up the event loop";
        return;
    }
    bool back_lost = false;
    int failed_polls = 0;
    last_activity_ = Clock::now();
    const bool track_idle = info_.idle_timeout.count() > 0;
    while (true) {
        if (close_requested_) apply_close_request();
        // libssh writes flush with a zero-timeout poll of the whole event, so callbacks also run inside
        // service(); whatever they queued there must be moved before the loop may sleep.
        do {
            dirty_ = false;
            service();
        } while (dirty_);
        if (closed(front)) {
            if (end_reason_.empty()) end_reason_ = closing_ ? "closed by jitgate" : "the client disconnected";
            break;
        }
        if (!back_lost && closed(back)) {
            back_lost = true;
            closing_deadline_ = Clock::now() + close_grace;
            for (auto& b : bridges_)
                if (!b->back_closed)
                    refuse(*b, fmt::format("jitgate: the connection to {} was lost", target_), exit_failed);
            if (end_reason_.empty()) end_reason_ = fmt::format("the connection to {} was lost", target_);
            continue;  // deliver the messages
        }
        if ((closing_ || back_lost) && bridges_.empty()) {
            if (end_reason_.empty()) end_reason_ = "closed by jitgate";
            break;
        }
        if ((closing_ || back_lost) && Clock::now() >= closing_deadline_) {
            if (end_reason_.empty()) end_reason_ = "closed by jitgate";
            break;
        }
        // No timeout on the data path: the loop wakes for socket events, window adjustments, close() and,
        // with limits.idle_timeout, when the connection would have been idle that long.
        int timeout = closing_ || back_lost ? 100 : -1;
        if (track_idle && !closing_ && !back_lost) {
            const auto idle_left = std::chrono::duration_cast<std::chrono::milliseconds>(
                last_activity_ + info_.idle_timeout - Clock::now());
            if (idle_left.count() <= 0) {
                close(fmt::format("jitgate closed the session: idle for {} s (limits.idle_timeout)",
                                  info_.idle_timeout.count()));
                continue;
            }
            timeout = static_cast<int>(std::min<std::chrono::milliseconds::rep>(idle_left.count() + 1, 60'000));
        }
        if (ssh_event_dopoll(event_, timeout) != SSH_ERROR || closed(front) || closed(back)) {
            failed_polls = 0;
        } else if (++failed_polls == 3) {  // poll(2) itself fails (the thread blocks signals: not EINTR)
            end_reason_ = "the event loop failed";
            break;
        }
    }
}

void Connection::apply_close_request() {
    if (closing_) return;
    closing_ = true;
    closing_deadline_ = Clock::now() + close_grace;
    std::string message;
    {
        const std::lock_guard lock(close_mutex_);
        message = close_message_;
    }
    end_reason_ = message;
    for (auto& b : bridges_)
        if (!b->back_closed || b->local_exit < 0) refuse(*b, message, exit_failed);
}

bool Connection::forward_remote(ssh_message message, bool cancel) {
    const char* address_text = ssh_message_global_request_address(message);
    const std::string address = address_text != nullptr ? address_text : "localhost";
    const int port = ssh_message_global_request_port(message);
    ssh_session back = upstream_.get();
    int bound = 0;
    ssh_set_blocking(back, 1);  // bounded by the back session's timeout (limits.startup_timeout)
    const int rc = cancel ? ssh_channel_cancel_forward(back, address.c_str(), port)
                          : ssh_channel_listen_forward(back, address.c_str(), port, &bound);
    ssh_set_blocking(back, 0);
    if (rc != SSH_OK) {
        observer_.on_refused(fmt::format("remote port forwarding of {}:{}: {} refused it", address, port, target_));
        return false;
    }
    const int listening = bound > 0 ? bound : port;
    if (cancel) {
        std::erase_if(remote_forwards_, [&](const RemoteForward& f) { return f.port == port; });
    } else {
        remote_forwards_.push_back({address, listening});
        observer_.on_channel_open(0, ChannelKind::forwarded_tcpip, fmt::format("listening on {}:{}", address, listening));
    }
    ssh_message_global_request_reply_success(message, static_cast<std::uint16_t>(cancel ? 0 : listening));
    return true;
}

void Connection::accept_forwarded() {
    while (bridges_.size() < max_channels) {
        int port = 0;
        char* origin = nullptr;
        int origin_port = 0;
        ssh_channel channel = ssh_channel_open_forward_port(upstream_.get(), 0, &port, &origin, &origin_port);
        if (channel == nullptr) return;
        const std::string originator = origin != nullptr ? origin : "127.0.0.1";
        ssh_string_free_char(origin);
        const auto forward = std::find_if(remote_forwards_.begin(), remote_forwards_.end(),
                                          [&](const RemoteForward& f) { return f.port == port; });
        if (!current_access().allowed || !permits(Need::port_forwarding) || forward == remote_forwards_.end()) {
            ssh_channel_free(channel);
            continue;
        }
        Bridge* b = add_bridge(ChannelKind::forwarded_tcpip, nullptr, channel);
        if (b == nullptr) {
            ssh_channel_free(channel);
            return;
        }
        b->host = forward->address;
        b->port = port;
        b->origin_host = originator;
        b->origin_port = origin_port;
        observer_.on_channel_open(b->id, ChannelKind::forwarded_tcpip, fmt::format("{}:{}", b->host, b->port));
    }
}

}  // namespace jitgate::ssh
