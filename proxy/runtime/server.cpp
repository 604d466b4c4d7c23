// The server: workers, the PostgreSQL acceptor, starting the policy keeper and the SSH listener, signals
// and graceful shutdown.
#include "proxy/runtime/server.hpp"

#include "proxy/runtime/pg_session.hpp"
#include "proxy/control/policy_keeper.hpp"
#include "proxy/runtime/ssh_listener.hpp"
#include "proxy/runtime/ssh_session.hpp"
#include "protocols/postgres/messages.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <thread>

namespace jitgate::proxy {
namespace {

constexpr auto shutdown_grace = std::chrono::seconds(5);

}  // namespace

Server::Server(std::shared_ptr<ServerContext> context)
    : context_(std::move(context)), registry_(std::make_shared<SessionRegistry>()) {
    unsigned count = context_->config.load()->limits.workers;
    // Default: one per core. Each session lives on one thread; more threads cost wake-ups (CPU per
    // transaction) but buy throughput when clients and servers leave cores idle (scripts/bench).
    if (count == 0) count = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < count; ++i) workers_.push_back(std::make_unique<asio::io_context>(1));
}

Server::~Server() = default;

bool Server::admit_ssh() {
    if (stopping_ || connections_ >= context_->config.load()->limits.max_connections) return false;
    ++connections_;
    return true;
}

void Server::session_ended() {
    if (--connections_ == 0 && stopping_) asio::post(*workers_[0], [this] { stop_workers(); });
}

void Server::stop_workers() {
    for (auto& worker : workers_) worker->stop();
}

void Server::start_accepting() {
    asio::co_spawn(*workers_[0], accept_loop(), [](std::exception_ptr error) {
        if (error) std::rethrow_exception(error);
    });
}

void Server::run_session(asio::io_context& worker, std::shared_ptr<PgSession> session, std::uint64_t id) {
    auto run = session->run(session);
    asio::co_spawn(worker, std::move(run), [id](std::exception_ptr error) {
        if (!error) return;
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            spdlog::error("session {}: {}", id, e.what());
        }
    });
}

asio::awaitable<void> Server::accept_loop() {
        while (!stopping_) {
            const std::size_t max_connections = context_->config.load()->limits.max_connections;
            asio::io_context& worker = *workers_[next_worker_++ % workers_.size()];
            tcp::socket socket(worker);
            error_code ec;
            co_await acceptor_->async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
            if (ec == asio::error::operation_aborted || stopping_) break;
            if (ec) {  // e.g. out of file descriptors: log, breathe, go on
                spdlog::warn("accept failed: {}", ec.message());
                asio::steady_timer pause(*workers_[0], std::chrono::milliseconds(100));
                co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
                continue;
            }
            if (connections_ >= max_connections) {
                spdlog::warn("refusing a connection: {} connections open (limits.max_connections)", max_connections);
                if (refusing_ < max_refusing) {  // answer SSLRequest first, then the error (libpq's sslmode=prefer)
                    ++refusing_;
                    const std::uint64_t id = next_session_id_++;
                    auto session = std::make_shared<PgSession>(std::move(socket), id, context_, registry_,
                                                               [this] { --refusing_; });
                    session->refuse(std::string(postgres::sqlstate::too_many_connections), "sorry, too many clients already");
                    run_session(worker, std::move(session), id);
                    continue;
                }
                std::string fatal;
                postgres::write_error(fatal, "FATAL", postgres::sqlstate::too_many_connections,
                                      "sorry, too many clients already");
                socket.non_blocking(true, ec);
                socket.write_some(asio::buffer(fatal), ec);  // best effort; never blocks the acceptor
                socket.close(ec);
                continue;
            }
            ++connections_;
            const std::uint64_t id = next_session_id_++;
            auto session = std::make_shared<PgSession>(std::move(socket), id, context_, registry_,
                                                       [this] { session_ended(); });
            registry_->add(id, session);
            registry_->add_live(session);
            run_session(worker, std::move(session), id);
        }
}

void Server::begin_shutdown() {
    if (stopping_.exchange(true)) return;
    spdlog::info("shutting down: closing the listener and ending {} session(s)", connections_.load());
    error_code ignored;
    if (acceptor_) acceptor_->close(ignored);
    if (ssh_) {
        ssh_->stop_accepting();
        ssh_->close_all("jitgate is shutting down");
    }
    for (const auto& session : registry_->all())
        session->stop(std::string(postgres::sqlstate::admin_shutdown), "terminating connection due to administrator command");
    if (connections_ == 0) {
        stop_workers();
        return;
    }
    auto timer = std::make_shared<asio::steady_timer>(*workers_[0], shutdown_grace);
    timer->async_wait([this, timer](error_code ec) {
        if (ec) return;
        spdlog::warn("shutdown: {} session(s) did not end within {}s; stopping anyway", connections_.load(),
                     shutdown_grace.count());
        stop_workers();
    });
}

void Server::wait_for_signal(asio::signal_set& signals) {
    signals.async_wait([this, &signals](error_code error, int signal) {
        if (error) return;
        if (signal == SIGHUP) {
            spdlog::info("received SIGHUP: reloading {}", context_->config.load()->path.string());
            if (keeper_) keeper_->request_reload();
            wait_for_signal(signals);
            return;
        }
        spdlog::info("received {}", signal == SIGINT ? "SIGINT" : "SIGTERM");
        begin_shutdown();
    });
}

bool Server::listen_postgres(const config::Endpoint& listen) {
    error_code ec;
    const auto address = asio::ip::make_address(listen.host, ec);
    if (ec) {
        spdlog::error("listen.postgres: {} is not an IP address", listen.host);
        return false;
    }
    const tcp::endpoint endpoint(address, listen.port);
    acceptor_ = std::make_unique<tcp::acceptor>(*workers_[0]);
    acceptor_->open(endpoint.protocol(), ec);
    if (!ec) acceptor_->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_->bind(endpoint, ec);
    if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        spdlog::error("cannot listen on {}: {}", listen.to_string(), ec.message());
        acceptor_.reset();
        return false;
    }
    return true;
}

int Server::run() {
    const std::shared_ptr<const config::Config> loaded = context_->config.load();
    const config::Config& config = *loaded;
    if (!config.listen_postgres && !config.listen_ssh) {
        spdlog::error("nothing to serve: neither listen.postgres nor listen.ssh is set");
        return 1;
    }
    if (config.listen_postgres && !listen_postgres(*config.listen_postgres)) return 1;
    const std::size_t postgres_targets = static_cast<std::size_t>(std::count_if(
        config.targets.begin(), config.targets.end(), [](const config::Target& t) { return t.kind == config::TargetKind::postgres; }));
    if (acceptor_) {
        error_code ec;
        const auto bound = acceptor_->local_endpoint(ec);
        spdlog::info("postgres listening on {}:{} ({} worker thread(s), {} target(s))", bound.address().to_string(),
                     bound.port(), workers_.size(), postgres_targets);
    }

    if (context_->guardrails) {
        keeper_ = std::make_unique<PolicyKeeper>(context_->config, context_->audit, context_->guardrails);
        std::string why;
        if (!keeper_->start(why)) {
            spdlog::error("{}", why);
            return 1;
        }
        context_->keeper = keeper_.get();
    }
    if (config.listen_ssh) {
        ssh_ = std::make_unique<SshListener>(context_, registry_, *workers_[0], [this] { return admit_ssh(); },
                                             [this] { session_ended(); });
        std::string why;
        if (!ssh_->start(*config.listen_ssh, why)) {
            spdlog::error("{}", why);
            return 1;
        }
    }
    if (keeper_) keeper_->set_live_sessions([registry = registry_] { return registry->live(); });
    asio::signal_set signals(*workers_[0], SIGINT, SIGTERM, SIGHUP);
    wait_for_signal(signals);
    if (acceptor_) start_accepting();

    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
    for (auto& worker : workers_) guards.push_back(asio::make_work_guard(*worker));
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < workers_.size(); ++i) threads.emplace_back([this, i] { workers_[i]->run(); });
    workers_[0]->run();
    for (auto& thread : threads) thread.join();
    if (ssh_) {  // their sessions were told to close at shutdown; wait for their threads
        ssh_->close_all("jitgate is shutting down");
        ssh_->join();
    }
    context_->keeper = nullptr;
    if (keeper_) keeper_->stop();  // before ssh_ goes: the keeper asks it for its sessions
    spdlog::info("stopped");
    return 0;
}

}  // namespace jitgate::proxy
