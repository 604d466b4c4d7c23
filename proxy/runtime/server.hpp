// The server: I/O worker threads, the PostgreSQL acceptor and the SSH listener, the policy keeper, and
// graceful stop on SIGTERM/SIGINT (reload on SIGHUP).
#pragma once

#include "config/config.hpp"
#include "guardrails/policy.hpp"
#include "proxy/runtime/server_context.hpp"
#include "proxy/runtime/session_registry.hpp"

#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace jitgate::proxy {

namespace asio = boost::asio;
class PgSession;
class PolicyKeeper;
class SshListener;

class Server {
public:
    explicit Server(std::shared_ptr<ServerContext> context);
    ~Server();
    // Listens and serves until SIGTERM or SIGINT; returns the process exit code.
    [[nodiscard]] int run();

private:
    [[nodiscard]] bool listen_postgres(const config::Endpoint& listen);
    void start_accepting();
    // A member, not a capturing lambda: a coroutine lambda's captures die with the lambda object.
    [[nodiscard]] asio::awaitable<void> accept_loop();
    // Runs a session on its worker; an exception it throws is logged, never swallowed.
    static void run_session(asio::io_context& worker, std::shared_ptr<PgSession> session, std::uint64_t id);
    void begin_shutdown();
    void wait_for_signal(asio::signal_set& signals);

    std::shared_ptr<ServerContext> context_;
    std::vector<std::unique_ptr<asio::io_context>> workers_;
    std::unique_ptr<asio::ip::tcp::acceptor> acceptor_;
    std::shared_ptr<SessionRegistry> registry_;
    std::unique_ptr<PolicyKeeper> keeper_;
    std::unique_ptr<SshListener> ssh_;  // when listen.ssh is set
    [[nodiscard]] bool admit_ssh();
    void session_ended();
    void stop_workers();

    std::atomic<std::size_t> connections_{0};
    // Connections over the limit being answered "too many clients" (bounded: beyond it they get the
    // error at once, without waiting for an SSLRequest). Only the acceptor's thread adds to it.
    std::atomic<std::size_t> refusing_{0};
    static constexpr std::size_t max_refusing = 64;
    std::atomic<std::uint64_t> next_session_id_{1};
    std::size_t next_worker_ = 0;
    std::atomic<bool> stopping_{false};
};

}  // namespace jitgate::proxy
