// Accepts SSH connections and runs each on its own thread (see ssh_listener.hpp).
#include "proxy/runtime/ssh_listener.hpp"

#include "proxy/runtime/ssh_session.hpp"
#include "protocols/ssh/host_key.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

namespace jitgate::proxy {

SshListener::SshListener(std::shared_ptr<ServerContext> context, std::shared_ptr<SessionRegistry> registry,
                         asio::io_context& io, std::function<bool()> admit, std::function<void()> ended)
    : context_(std::move(context)), registry_(std::move(registry)), io_(io), admit_(std::move(admit)), ended_(std::move(ended)) {}

SshListener::~SshListener() {
    close_all("jitgate is shutting down");
    join();
}

bool SshListener::start(const config::Endpoint& listen, std::string& error) {
    // A peer that vanishes mid-write must be an error value, not the end of the process (libssh sends
    // with MSG_NOSIGNAL where it can; this covers the rest).
    std::signal(SIGPIPE, SIG_IGN);
    const std::shared_ptr<const config::Config> config = context_->config.load();
    const ssh::LoadedHostKey key = ssh::load_or_create_host_key(config->ssh_host_key);
    if (!key.ok) {
        error = key.error;
        return false;
    }
    spdlog::info("ssh host key {} ({}{})", config->ssh_host_key.string(), key.fingerprint,
                 key.generated ? ", generated now" : "");
    front_ = ssh::Front::create(config->ssh_host_key, error);
    if (!front_) return false;

    error_code ec;
    const auto address = asio::ip::make_address(listen.host, ec);
    if (ec) {
        error = fmt::format("listen.ssh: {} is not an IP address", listen.host);
        return false;
    }
    const tcp::endpoint endpoint(address, listen.port);
    acceptor_ = std::make_unique<tcp::acceptor>(io_);
    acceptor_->open(endpoint.protocol(), ec);
    if (!ec) acceptor_->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_->bind(endpoint, ec);
    if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        error = fmt::format("cannot listen on {}: {}", listen.to_string(), ec.message());
        return false;
    }
    const auto bound = acceptor_->local_endpoint(ec);
    spdlog::info("ssh listening on {}:{}", bound.address().to_string(), bound.port());
    asio::co_spawn(io_, accept_loop(), [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
    });
    return true;
}

void SshListener::stop_accepting() {
    stopping_ = true;
    error_code ignored;
    if (acceptor_) acceptor_->close(ignored);
}

asio::awaitable<void> SshListener::accept_loop() {
    while (!stopping_) {
        tcp::socket socket(io_);
        error_code ec;
        co_await acceptor_->async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
        if (ec == asio::error::operation_aborted || stopping_) break;
        if (ec) {
            spdlog::warn("ssh accept failed: {}", ec.message());
            asio::steady_timer pause(io_, std::chrono::milliseconds(100));
            co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            continue;
        }
        reap();
        if (!admit_()) {
            spdlog::warn("refusing an SSH connection: limits.max_connections reached");
            socket.close(ec);
            continue;
        }
        const auto remote = socket.remote_endpoint(ec);
        std::string client = ec ? "unknown" : fmt::format("{}:{}", remote.address().to_string(), remote.port());
        socket.set_option(tcp::no_delay(true), ec);
        // libssh takes a plain descriptor; the Asio socket keeps (and closes) its own.
        const int fd = ::fcntl(socket.native_handle(), F_DUPFD_CLOEXEC, 0);
        socket.close(ec);
        if (fd < 0) {
            spdlog::warn("ssh accept: cannot take the socket: {}", std::strerror(errno));
            ended_();
            continue;
        }
        launch(fd, std::move(client));
    }
}

void SshListener::launch(int fd, std::string client_address) {
    const std::uint64_t id = next_id_++;
    auto session = std::make_shared<SshSession>(context_, *front_, fd, id, std::move(client_address));
    auto done = std::make_shared<std::atomic<bool>>(false);
    const std::lock_guard lock(mutex_);
    live_.push_back({session, {}, done});
    registry_->add_live(session);
    live_.back().thread = std::thread([session, done, ended = ended_, registry = registry_] {
        // Signals (SIGTERM, SIGHUP) belong to the Asio threads; here they would only interrupt libssh's poll.
        sigset_t all;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, nullptr);
        try {
            session->run();
        } catch (const std::exception& e) {
            spdlog::error("ssh session {}: {}", session->id(), e.what());
        }
        registry->remove_live(session.get());
        *done = true;
        ended();
    });
}

void SshListener::reap() {
    std::list<Live> finished;
    {
        const std::lock_guard lock(mutex_);
        for (auto it = live_.begin(); it != live_.end();) {
            if (*it->done) {
                auto next = std::next(it);
                finished.splice(finished.end(), live_, it);
                it = next;
            } else {
                ++it;
            }
        }
    }
    for (Live& live : finished) live.thread.join();
}

void SshListener::close_all(const std::string& message) {
    for (const auto& session : all()) session->stop(message);
}

void SshListener::join() {
    std::list<Live> all;
    {
        const std::lock_guard lock(mutex_);
        all.swap(live_);
    }
    for (Live& live : all)
        if (live.thread.joinable()) live.thread.join();
}

std::vector<std::shared_ptr<SshSession>> SshListener::all() const {
    const std::lock_guard lock(mutex_);
    std::vector<std::shared_ptr<SshSession>> out;
    for (const Live& live : live_)
        if (!*live.done) out.push_back(live.session);
    return out;
}

}  // namespace jitgate::proxy
