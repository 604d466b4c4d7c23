// The server runtime: I/O worker threads, the PostgreSQL and SSH listeners, the registry of live sessions (for
// cancel requests and shutdown), and graceful stop on SIGTERM/SIGINT.
#pragma once

#include "config/config.hpp"
#include "guardrails/policy.hpp"
#include "proxy/control/live_config.hpp"
#include "proxy/control/live_session.hpp"
#include "proxy/recording/recording_writer.hpp"

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
class AuditLog;
class SshListener;

// What every session needs from the server; shared, never copied per message.
struct ServerContext {
    LiveConfig config;  // swapped whole on reload
    std::shared_ptr<const guardrails::Pipeline> pipeline;
    // Set when the pipeline is the guardrail pipeline: the server runs a PolicyKeeper for it.
    std::shared_ptr<guardrails::GuardrailPipeline> guardrails;
    std::shared_ptr<AuditLog> audit;  // the hash-chained audit log (DESIGN §5); null only in unit tests
    PolicyKeeper* keeper = nullptr;   // the session index goes through it; null with the test pipelines
    bool record = true;               // `record: false` in the config (DESIGN §3)
    // Writes the session recordings off the I/O threads; null: each session writes its own records.
    std::unique_ptr<RecordingWriter> recording_writer;
    std::optional<asio::ssl::context> tls;
    std::array<std::uint8_t, 32> scram_secret{};
};

// The one registry of live sessions: every session, PostgreSQL and SSH, as the grant watch sees it
// (LiveSession), and the PostgreSQL sessions by id and by the BackendKeyData jitgate gave their clients
// (cancel requests, shutdown). Thread-safe.
class SessionRegistry {
public:
    // Any session, once it runs; removed when it is over.
    void add_live(const std::shared_ptr<LiveSession>& session);
    void remove_live(const LiveSession* session);
    [[nodiscard]] std::vector<std::shared_ptr<LiveSession>> live() const;

    struct Key {
        std::int32_t pid = 0;
        std::int32_t secret = 0;
    };
    void add(std::uint64_t id, const std::shared_ptr<PgSession>& session);
    // Gives a registered session a fresh, unused cancel key (random, never 0/0).
    [[nodiscard]] Key assign_key(std::uint64_t id);
    void remove(std::uint64_t id, std::optional<Key> key, const LiveSession* session);
    [[nodiscard]] std::shared_ptr<PgSession> find(Key key) const;
    [[nodiscard]] std::vector<std::shared_ptr<PgSession>> all() const;
    [[nodiscard]] std::size_t size() const;

private:
    mutable std::mutex mutex_;
    std::unordered_map<std::uint64_t, std::weak_ptr<PgSession>> by_id_;
    std::unordered_map<std::uint64_t, std::weak_ptr<PgSession>> by_key_;
    std::unordered_map<const LiveSession*, std::weak_ptr<LiveSession>> live_;
};

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
