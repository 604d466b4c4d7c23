// One PostgreSQL client connection, from the first byte to the last: SSL/startup negotiation, SCRAM
// authentication of the engineer, the upstream login with the target's credentials, then the relay of
// protocols/postgres driven over two sockets. One coroutine pair per connection on one worker thread.
#pragma once

#include "proxy/control/live_session.hpp"
#include "proxy/runtime/client_stream.hpp"
#include "proxy/runtime/server_context.hpp"
#include "proxy/runtime/session_registry.hpp"
#include "proxy/runtime/session_events.hpp"
#include "protocols/postgres/relay.hpp"

#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>
#include <memory>
#include <string>

namespace jitgate::proxy {

class SessionRecorder;

class PgSession final : public std::enable_shared_from_this<PgSession>,
                        public LiveSession,
                        public guardrails::DecisionObserver,
                        public postgres::StatementSink,
                        public postgres::RevokeCheck {
public:
    PgSession(tcp::socket client, std::uint64_t id, std::shared_ptr<ServerContext> context,
              std::shared_ptr<SessionRegistry> registry, std::function<void()> on_end);
    ~PgSession();

    // The whole life of the connection; completes when both sides are closed. Coroutines here take
    // `self` as a parameter: Asio starts them later, and the frame must own the session until then.
    [[nodiscard]] asio::awaitable<void> run(std::shared_ptr<PgSession> self);
    // Before run(): the connection is only answered, not served. It gets through SSLRequest (TLS when
    // configured) and its StartupMessage, then `message` as a FATAL, so a libpq client in the default
    // sslmode=prefer prints it instead of "error response during SSL exchange" (over the connection limit).
    void refuse(std::string sqlstate, std::string message);
    // Ends the session from outside (shutdown, idle): the client gets `sqlstate`/`message` as a FATAL.
    // Thread-safe: runs on the session's own executor.
    void stop(std::string sqlstate, std::string message);
    // Relays a CancelRequest whose key matched this session, if a statement is in flight (rate limited).
    void cancel_from_client();

    [[nodiscard]] std::uint64_t id() const noexcept { return id_; }
    // LiveSession: a FATAL 42501 with `message`.
    void end_for_grant(std::string message) override;
    [[nodiscard]] std::string log_name() const override;
    // On the session's thread, from the relay, after every decision.
    [[nodiscard]] bool on_decision(const guardrails::Command& command, const guardrails::Decision& decision) override;
    // On the session's thread, from the relay, once per finished statement: the session recording.
    void on_statement(const postgres::StatementTrace& trace) override;
    // On the session's thread, from the relay: whether the live policy says `grant` was revoked.
    [[nodiscard]] bool revoked(std::string_view grant, const std::optional<config::TimePoint>& until) const override;

private:
    struct Startup;
    [[nodiscard]] asio::awaitable<bool> negotiate(Startup& startup);
    [[nodiscard]] asio::awaitable<bool> authenticate_client(const Startup& startup);
    [[nodiscard]] asio::awaitable<bool> connect_upstream(const Startup& startup, const config::Target& target);
    [[nodiscard]] asio::awaitable<void> relay();
    // Opens the session recording; false (the session must not start) when it cannot be written and
    // config says record_failure: block.
    [[nodiscard]] bool start_recording();
    void end_recording(std::string_view reason);
    // Waits (bounded) until every record handed to the recording writer is written: the promise that a
    // statement is recorded before the next one is forwarded. False: the recording failed (or the writer
    // fell behind) and record_failure: block says the session must end.
    [[nodiscard]] asio::awaitable<bool> await_recorded();
    [[nodiscard]] asio::awaitable<void> pump_server(std::shared_ptr<PgSession> self);
    [[nodiscard]] asio::awaitable<void> watch_idle(std::shared_ptr<PgSession> self);
    // Reads until a whole typed message of at most max_size bytes from the client is buffered; nullopt on
    // a read error, a timeout or an invalid frame (`why` says which).
    [[nodiscard]] asio::awaitable<std::optional<postgres::Frame>> read_client_frame(std::size_t max_size, std::string& why);
    [[nodiscard]] asio::awaitable<bool> fill_client(error_code& ec);
    void consume_client(std::size_t n) noexcept;
    void consume_server(std::size_t n) noexcept;
    // The server ran what jitgate blocked (its substitute did not fail): logged and audited as a security event.
    void audit_blocked_ran(std::string_view what);
    [[nodiscard]] asio::awaitable<void> send_fatal(std::string_view sqlstate, std::string_view message);
    void close_all() noexcept;

    std::uint64_t id_;
    std::shared_ptr<ServerContext> context_;
    std::shared_ptr<const config::Config> config_;  // as it was when the session began; decisions use the live one
    std::shared_ptr<SessionRegistry> registry_;
    std::function<void()> on_end_;
    SessionEvents events_;  // the session's id ("s-…", unique across restarts: names the recording), audit, index
    ClientStream client_;
    tcp::socket upstream_;
    tcp::endpoint upstream_endpoint_;
    asio::steady_timer deadline_;
    asio::steady_timer server_done_;
    asio::steady_timer recorded_;  // await_recorded(): cancelled by the writer's wake-up
    std::unique_ptr<postgres::Relay> relay_;

    std::string client_address_;
    std::string user_;
    std::string target_;
    std::vector<std::uint8_t> client_buffer_;
    std::size_t client_filled_ = 0;
    std::int32_t upstream_pid_ = 0;
    std::int32_t upstream_secret_ = 0;
    std::optional<SessionRegistry::Key> key_;
    std::vector<std::uint8_t> server_buffer_;
    std::size_t server_filled_ = 0;
    bool server_pump_done_ = false;
    bool authenticated_ = false;
    bool closing_ = false;
    std::string stop_message_;  // a FATAL for the client, set by stop()
    std::optional<std::pair<std::string, std::string>> refusal_;  // refuse(): sqlstate and message
    std::chrono::steady_clock::time_point last_client_activity_;
    std::chrono::steady_clock::time_point last_cancel_;
    std::unique_ptr<SessionRecorder> recorder_;
    bool recording_failed_ = false;  // with record_failure: block, nothing more is forwarded
    std::vector<std::optional<std::string_view>> record_params_;  // reused for every statement record
};

}  // namespace jitgate::proxy
