// One PostgreSQL client connection: negotiation, authentication both ways, then the relay pumps.
#include "proxy/runtime/pg_session.hpp"

#include "proxy/audit/audit_log.hpp"
#include "proxy/control/policy_keeper.hpp"
#include "proxy/recording/recording.hpp"

#include "protocols/postgres/auth.hpp"
#include "protocols/postgres/messages.hpp"
#include "protocols/postgres/negotiation.hpp"
#include "protocols/postgres/startup.hpp"
#include "protocols/postgres/upstream_login.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <array>
#include <cstring>

namespace jitgate::proxy {
namespace pg = postgres;
using std::chrono::steady_clock;

namespace {

constexpr std::size_t initial_buffer = 16 * 1024;
constexpr std::size_t max_auth_message = 16 * 1024;
constexpr auto cancel_interval = std::chrono::milliseconds(200);
// How long a statement may wait for the previous ones' records to be written before the session ends.
constexpr auto recording_wait_limit = std::chrono::seconds(5);
// The rule of the audit record for a blocked statement whose substitute the server ran (a security event).
constexpr std::string_view blocked_ran_rule = "builtin:blocked-statement-ran";
constexpr std::string_view recording_refusal =
    "jitgate closed the session: its recording cannot be written (record_failure: block)";

// Runs a detached coroutine whose exceptions are logged, never swallowed.
template <typename Executor, typename Awaitable>
void spawn(Executor executor, Awaitable awaitable, std::string what) {
    asio::co_spawn(executor, std::move(awaitable), [what = std::move(what)](std::exception_ptr error) {
        if (!error) return;
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            spdlog::error("{}: {}", what, e.what());
        }
    });
}

pg::Bytes span_of(const std::vector<std::uint8_t>& buffer, std::size_t filled) {
    return pg::Bytes(buffer.data(), filled);
}

void to_buffers(const pg::Output& out, const std::uint8_t* input, std::vector<asio::const_buffer>& buffers) {
    buffers.clear();
    for (const auto& chunk : out.chunks()) {
        const void* base = chunk.own ? static_cast<const void*>(out.bytes().data() + chunk.offset)
                                     : static_cast<const void*>(input + chunk.offset);
        buffers.emplace_back(base, chunk.size);
    }
}

}  // namespace

struct PgSession::Startup {
    pg::StartupRequest request;
};

PgSession::PgSession(tcp::socket client, std::uint64_t id, std::shared_ptr<ServerContext> context,
                     std::shared_ptr<SessionRegistry> registry, std::function<void()> on_end)
    : id_(id), context_(std::move(context)), config_(context_->config.load()), registry_(std::move(registry)),
      on_end_(std::move(on_end)), events_(context_, id, SessionProtocol::postgres),
      client_(std::move(client)), upstream_(client_.socket().get_executor()),
      deadline_(client_.socket().get_executor()), server_done_(client_.socket().get_executor()),
      recorded_(client_.socket().get_executor()) {
    client_buffer_.resize(initial_buffer);
    server_buffer_.resize(initial_buffer);
    error_code ec;
    const auto remote = client_.socket().remote_endpoint(ec);
    client_address_ = ec ? "unknown" : fmt::format("{}:{}", remote.address().to_string(), remote.port());
    events_.set_client(client_address_);
}

PgSession::~PgSession() {
    registry_->remove(id_, key_, this);
    if (on_end_) on_end_();
}

void PgSession::refuse(std::string sqlstate, std::string message) {
    refusal_.emplace(std::move(sqlstate), std::move(message));
}

void PgSession::close_all() noexcept {
    error_code ignored;
    deadline_.cancel();
    recorded_.cancel();
    client_.close();
    upstream_.shutdown(tcp::socket::shutdown_both, ignored);
    upstream_.close(ignored);
}

asio::awaitable<void> PgSession::send_fatal(std::string_view sqlstate, std::string_view message) {
    std::string bytes;
    pg::write_error(bytes, "FATAL", sqlstate, message);
    error_code ec;
    co_await client_.write(asio::buffer(bytes), ec);
}

asio::awaitable<bool> PgSession::fill_client(error_code& ec) {
    if (client_filled_ == client_buffer_.size()) client_buffer_.resize(client_buffer_.size() * 2);
    const std::size_t n = co_await client_.read_some(
        asio::buffer(client_buffer_.data() + client_filled_, client_buffer_.size() - client_filled_), ec);
    client_filled_ += n;
    co_return !ec;
}

void PgSession::consume_client(std::size_t n) noexcept {
    std::memmove(client_buffer_.data(), client_buffer_.data() + n, client_filled_ - n);
    client_filled_ -= n;
}

void PgSession::consume_server(std::size_t n) noexcept {
    std::memmove(server_buffer_.data(), server_buffer_.data() + n, server_filled_ - n);
    server_filled_ -= n;
}

asio::awaitable<std::optional<pg::Frame>> PgSession::read_client_frame(std::size_t max_size, std::string& why) {
    while (true) {
        const pg::FrameResult result = pg::parse_frame(span_of(client_buffer_, client_filled_), max_size);
        if (result.status == pg::ParseStatus::ok) co_return result.frame;
        if (result.status == pg::ParseStatus::invalid) { why = result.error; co_return std::nullopt; }
        error_code ec;
        if (!co_await fill_client(ec)) { why = ec.message(); co_return std::nullopt; }
    }
}

asio::awaitable<void> PgSession::run(std::shared_ptr<PgSession> /*self*/) {
    error_code ignored;
    client_.socket().set_option(tcp::no_delay(true), ignored);
    deadline_.expires_after(config_->limits.startup_timeout);
    deadline_.async_wait([weak = weak_from_this()](error_code ec) {
        if (ec) return;
        if (auto session = weak.lock()) {
            spdlog::info("session {}: start-up did not finish within the timeout; closing", session->id_);
            session->close_all();
        }
    });

    Startup startup;
    if (refusal_) {  // answered, never served: the FATAL comes after SSL negotiation and the StartupMessage
        if (co_await negotiate(startup)) {
            spdlog::info("session {}: refused {} from {}: {}", id_, startup.request.user, client_address_, refusal_->second);
            co_await send_fatal(refusal_->first, refusal_->second);
        }
        close_all();
        co_return;
    }
    if (!co_await negotiate(startup) || !co_await authenticate_client(startup)) {
        close_all();
        co_return;
    }
    authenticated_ = true;
    const config::Target* target = config_->find_target(startup.request.database);
    if (target == nullptr || target->kind != config::TargetKind::postgres) {
        spdlog::info("session {}: {} asked for unknown target \"{}\"", id_, user_, startup.request.database);
        co_await send_fatal(pg::sqlstate::invalid_catalog_name,
                            fmt::format("target \"{}\" does not exist", startup.request.database));
        close_all();
        co_return;
    }
    target_ = target->name;
    set_holder(user_, target_);
    events_.authenticated(user_, target_);
    if (!start_recording()) {  // refused before the client counts as logged in
        co_await send_fatal(pg::sqlstate::insufficient_privilege,
                            "jitgate refused the session: its recording cannot be written (record_failure: block)");
        close_all();
        co_return;
    }
    if (!co_await connect_upstream(startup, *target)) {
        end_recording("the target could not be reached");
        close_all();
        co_return;
    }
    deadline_.cancel();
    if (!stop_message_.empty()) {  // stop() came while the upstream login ran: the client is owed the FATAL
        error_code ignored_write;
        co_await client_.write(asio::buffer(stop_message_), ignored_write);
        end_recording("closed by jitgate");
        close_all();
        co_return;
    }
    spdlog::info("session {}: {} connected to {} from {}{}", id_, user_, target_, client_address_,
                 client_.encrypted() ? " (TLS)" : "");
    events_.started();
    co_await relay();
    end_recording(stop_message_.empty() ? "connection closed" : "closed by jitgate");
    spdlog::info("session {}: ended ({} statements, {} blocked)", id_, relay_->statements, relay_->blocked);
    events_.ended(relay_->statements, relay_->blocked, stop_message_.empty() ? "connection closed" : "closed by jitgate");
}

asio::awaitable<bool> PgSession::negotiate(Startup& startup) {
    pg::Negotiation negotiation(context_->tls.has_value(), config_->tls && config_->tls->require);
    error_code ec;
    while (true) {
        pg::NegotiationStep step = negotiation.on_client_bytes(span_of(client_buffer_, client_filled_));
        consume_client(step.consumed);
        switch (step.action) {
        case pg::NegotiationStep::Action::need_more:
            if (!co_await fill_client(ec)) co_return false;
            continue;
        case pg::NegotiationStep::Action::answer:
            co_await client_.write(asio::buffer(&step.answer, 1), ec);
            if (ec) co_return false;
            if (step.start_tls) {
                if (const error_code handshake = co_await client_.start_tls(*context_->tls); handshake) {
                    spdlog::info("session {}: TLS handshake with {} failed: {}", id_, client_address_, handshake.message());
                    co_return false;
                }
            }
            continue;
        case pg::NegotiationStep::Action::cancel:
            if (step.cancel) {
                if (auto session = registry_->find(SessionRegistry::Key{step.cancel->pid, step.cancel->secret}))
                    session->cancel_from_client();
            }
            co_return false;  // a cancel connection is closed without a reply
        case pg::NegotiationStep::Action::invalid:
            if (step.warn) spdlog::warn("session {}: {}: {}", id_, client_address_, step.log);
            else spdlog::info("session {}: {}: {}", id_, client_address_, step.log);
            if (!step.sqlstate.empty()) co_await send_fatal(step.sqlstate, step.message);
            co_return false;
        case pg::NegotiationStep::Action::startup:
            if (!step.reply.empty()) {
                co_await client_.write(asio::buffer(step.reply), ec);
                if (ec) co_return false;
            }
            startup.request = std::move(*step.request);
            user_ = startup.request.user;
            co_return true;
        }
    }
}

asio::awaitable<bool> PgSession::authenticate_client(const Startup& startup) {
    const config::User* user = config_->find_user(startup.request.user);
    const config::ScramVerifier* verifier = user != nullptr && user->password ? &*user->password : nullptr;
    pg::ClientAuth auth(verifier, startup.request.user, context_->scram_secret);
    error_code ec;
    const std::string request = auth.start();
    co_await client_.write(asio::buffer(request), ec);
    if (ec) co_return false;
    while (true) {
        std::string why;
        const auto frame = co_await read_client_frame(max_auth_message, why);
        if (!frame) {
            spdlog::info("session {}: authentication of \"{}\" from {} ended: {}", id_, startup.request.user, client_address_, why);
            co_return false;
        }
        const pg::AuthStep step = auth.on_message(*frame);
        consume_client(frame->size());
        co_await client_.write(asio::buffer(step.bytes), ec);
        if (step.status == pg::AuthStep::Status::failed) {
            spdlog::warn("session {}: password authentication failed for user \"{}\" from {}: {}", id_,
                         startup.request.user, client_address_, step.log);
            if (AuditLog* audit = context_->audit.get())
                audit->auth({config_->hash, startup.request.user, startup.request.database, client_address_,
                             AuthResult::failed, step.log});
            co_return false;
        }
        if (ec) co_return false;
        if (step.status == pg::AuthStep::Status::done) {
            if (AuditLog* audit = context_->audit.get())
                audit->auth({config_->hash, startup.request.user, startup.request.database, client_address_,
                             AuthResult::ok, "scram-sha-256"});
            co_return true;
        }
    }
}

asio::awaitable<bool> PgSession::connect_upstream(const Startup& startup, const config::Target& target) {
    error_code ec;
    const auto fail = [&](std::string_view what) -> asio::awaitable<bool> {
        spdlog::warn("session {}: target {}: {}", id_, target.name, what);
        co_await send_fatal(pg::sqlstate::connection_failure, fmt::format("jitgate could not open target \"{}\": {}", target.name, what));
        co_return false;
    };
    const auto address = asio::ip::make_address(target.address.host, ec);
    if (!ec) {
        upstream_endpoint_ = tcp::endpoint(address, target.address.port);
    } else {
        tcp::resolver resolver(upstream_.get_executor());
        const auto results = co_await resolver.async_resolve(target.address.host, std::to_string(target.address.port),
                                                             asio::redirect_error(asio::use_awaitable, ec));
        if (ec || results.empty()) co_return co_await fail("cannot resolve its address");
        upstream_endpoint_ = *results.begin();
    }
    co_await upstream_.async_connect(upstream_endpoint_, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return co_await fail(fmt::format("connection failed: {}", ec.message()));
    upstream_.set_option(tcp::no_delay(true), ec);

    pg::Parameters parameters = pg::forced_upstream_parameters();
    for (const auto& setting : startup.request.upstream) parameters.push_back(setting);
    pg::UpstreamLogin login(target.user, target.password, target.database, std::move(parameters));
    const std::string startup_message = login.start();
    co_await asio::async_write(upstream_, asio::buffer(startup_message), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return co_await fail("the connection closed during start-up");
    while (true) {
        pg::UpstreamLoginStep step = login.on_server_bytes(span_of(server_buffer_, server_filled_));
        consume_server(step.consumed);
        switch (step.status) {
        case pg::UpstreamLoginStep::Status::need_more: {
            if (server_filled_ == server_buffer_.size()) server_buffer_.resize(server_buffer_.size() * 2);
            const std::size_t n = co_await upstream_.async_read_some(
                asio::buffer(server_buffer_.data() + server_filled_, server_buffer_.size() - server_filled_),
                asio::redirect_error(asio::use_awaitable, ec));
            if (ec) co_return co_await fail(fmt::format("start-up failed: {}", ec.message()));
            server_filled_ += n;
            continue;
        }
        case pg::UpstreamLoginStep::Status::send:
            co_await asio::async_write(upstream_, asio::buffer(step.to_server), asio::redirect_error(asio::use_awaitable, ec));
            if (ec) co_return co_await fail("the connection closed during authentication");
            continue;
        case pg::UpstreamLoginStep::Status::failed:
            co_return co_await fail(step.error);
        case pg::UpstreamLoginStep::Status::done: {
            upstream_pid_ = step.pid;
            upstream_secret_ = step.secret;
            key_ = registry_->assign_key(id_);
            std::string to_client = std::move(step.to_client);
            pg::write_backend_key_data(to_client, key_->pid, key_->secret);
            to_client += step.ready;
            co_await client_.write(asio::buffer(to_client), ec);
            co_return !ec;
        }
        }
    }
}

asio::awaitable<void> PgSession::relay() {
    const config::Limits& limits = config_->limits;
    pg::RelayContext relay_context{id_,  user_, target_, limits.max_message_bytes, this,
                                   recorder_ ? this : nullptr, config_->record_rows, config_->record_params, this};
    relay_ = std::make_unique<pg::Relay>(std::move(relay_context), context_->pipeline);
    last_client_activity_ = steady_clock::now();
    auto executor = upstream_.get_executor();
    server_done_.expires_at(steady_clock::time_point::max());
    spawn(executor, pump_server(shared_from_this()), fmt::format("session {} server pump", id_));
    const bool track_idle = limits.idle_timeout.count() > 0;
    if (track_idle) spawn(executor, watch_idle(shared_from_this()), fmt::format("session {} idle watch", id_));

    const std::size_t max_buffer = limits.max_message_bytes + pg::header_size;
    pg::Output out;
    std::vector<asio::const_buffer> buffers;
    std::string final_reply;
    error_code ec;
    while (true) {
        if (client_filled_ == client_buffer_.size()) {
            if (client_buffer_.size() >= max_buffer) break;  // cannot happen: the relay refuses larger frames
            client_buffer_.resize(std::min(client_buffer_.size() * 2, max_buffer));
        }
        const auto space = asio::buffer(client_buffer_.data() + client_filled_, client_buffer_.size() - client_filled_);
        tcp::socket* plain = client_.plain();
        const std::size_t n = plain != nullptr
                                  ? co_await plain->async_read_some(space, asio::redirect_error(asio::use_awaitable, ec))
                                  : co_await client_.read_some(space, ec);
        if (ec) break;
        client_filled_ += n;
        if (track_idle) last_client_activity_ = steady_clock::now();
        // The previous statements' records must be on disk before this is forwarded: usually they are
        // (the writer got to them) or this thread writes them now (flush); else it waits (bounded).
        if (recorder_ && (recorder_->pending() || recorder_->failed())) {
            const bool written = recorder_->flush() && !recorder_->failed();
            if (!written && !co_await await_recorded()) {
                pg::write_error(final_reply, "FATAL", pg::sqlstate::insufficient_privilege, recording_refusal);
                break;
            }
        }
        out.clear();
        pg::StepResult step = relay_->on_client_bytes(span_of(client_buffer_, client_filled_), out);
        to_buffers(out, client_buffer_.data(), buffers);
        if (!buffers.empty()) {
            co_await asio::async_write(upstream_, buffers, asio::redirect_error(asio::use_awaitable, ec));
            if (ec) break;
        }
        consume_client(step.consumed);
        if (step.close) {
            if (!step.client_reply.empty()) spdlog::warn("session {}: closing: {}", id_, step.log);
            final_reply = std::move(step.client_reply);
            break;
        }
    }
    closing_ = true;
    error_code ignored;
    upstream_.shutdown(tcp::socket::shutdown_both, ignored);
    upstream_.close(ignored);
    if (!server_pump_done_) co_await server_done_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    if (!final_reply.empty()) co_await client_.write(asio::buffer(final_reply), ignored);
    client_.close();
}

asio::awaitable<void> PgSession::pump_server(std::shared_ptr<PgSession> /*self*/) {
    const std::size_t max_buffer = config_->limits.max_message_bytes + pg::header_size;
    pg::Output out;
    std::vector<asio::const_buffer> buffers;
    error_code ec;
    while (true) {
        if (server_filled_ == server_buffer_.size()) {
            if (server_buffer_.size() >= max_buffer) break;
            server_buffer_.resize(std::min(server_buffer_.size() * 2, max_buffer));
        }
        const std::size_t n = co_await upstream_.async_read_some(
            asio::buffer(server_buffer_.data() + server_filled_, server_buffer_.size() - server_filled_),
            asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            if (!stop_message_.empty()) co_await client_.write(asio::buffer(stop_message_), ec);
            else if (!closing_) spdlog::info("session {}: the server closed the connection", id_);
            break;
        }
        server_filled_ += n;
        out.clear();
        const pg::StepResult step = relay_->on_server_bytes(span_of(server_buffer_, server_filled_), out);
        to_buffers(out, server_buffer_.data(), buffers);
        if (!buffers.empty()) {
            if (tcp::socket* plain = client_.plain())
                co_await asio::async_write(*plain, buffers, asio::redirect_error(asio::use_awaitable, ec));
            else
                co_await client_.write(buffers, ec);
            if (ec) break;
        }
        consume_server(step.consumed);
        if (step.blocked_ran) audit_blocked_ran(step.log);
        if (step.close) {
            spdlog::warn("session {}: closing: {}", id_, step.log);
            break;
        }
    }
    server_pump_done_ = true;
    server_done_.cancel();
    error_code ignored;
    upstream_.close(ignored);
    client_.cancel();
}

asio::awaitable<void> PgSession::watch_idle(std::shared_ptr<PgSession> /*self*/) {
    const auto idle = std::chrono::duration_cast<steady_clock::duration>(config_->limits.idle_timeout);
    asio::steady_timer timer(upstream_.get_executor());
    while (!closing_ && !server_pump_done_) {
        timer.expires_after(std::min<steady_clock::duration>(idle, std::chrono::seconds(1)));
        error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (closing_ || server_pump_done_) break;
        if (steady_clock::now() - last_client_activity_ >= idle && !relay_->busy()) {
            spdlog::info("session {}: idle for {}s; closing", id_, config_->limits.idle_timeout.count());
            stop(std::string(pg::sqlstate::idle_session_timeout), "terminating connection due to idle-session timeout");
            break;
        }
    }
}

void PgSession::end_for_grant(std::string message) {
    stop(std::string(pg::sqlstate::insufficient_privilege), std::move(message));
}

std::string PgSession::log_name() const { return fmt::format("session {}", id_); }

bool PgSession::start_recording() {
    if (!context_->record) return true;
    const RecordingHeader header{events_.id(), user_, target_, client_address_, config_->hash,
                                 std::chrono::system_clock::now()};
    SessionRecorder::Opened opened =
        SessionRecorder::open(config_->recordings, header,
                              RecorderOptions{config_->record_params, config_->record_rows, context_->recording_writer.get()});
    if (opened) {
        recorder_ = std::move(*opened.value);
        spdlog::info("session {}: recording to {}", id_, recorder_->path().string());
        events_.indexed(recorder_->path(), header.start);
        return true;
    }
    spdlog::error("session {}: {}", id_, opened.error);
    return !config_->record_failure_block;
}

void PgSession::end_recording(std::string_view reason) {
    events_.index_ended(relay_ ? relay_->statements : 0, relay_ ? relay_->blocked : 0, reason);
    if (!recorder_) return;
    if (const Status status = recorder_->close(reason); !status)
        spdlog::error("session {}: cannot seal the recording: {}", id_, status.error);
    recorder_.reset();
}

asio::awaitable<bool> PgSession::await_recorded() {
    const auto until = steady_clock::now() + recording_wait_limit;
    bool timed_out = false;
    while (recorder_->pending() && !closing_ && stop_message_.empty()) {
        recorded_.expires_at(until);
        auto wake = [weak = weak_from_this(), executor = upstream_.get_executor()] {
            asio::post(executor, [weak] {
                if (auto self = weak.lock()) self->recorded_.cancel();
            });
        };
        if (!recorder_->notify_when_written(std::move(wake))) break;
        error_code ec;
        co_await recorded_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (!ec) {
            timed_out = true;
            break;
        }
    }
    const Status status = recorder_->status();
    if (status && !timed_out) co_return true;
    spdlog::error("session {}: {}", id_,
                  status ? fmt::format("the recording writer did not write this session's records within {} s",
                                       recording_wait_limit.count())
                         : status.error);
    if (!config_->record_failure_block) {  // record_failure: continue
        if (!status) recorder_.reset();
        co_return true;
    }
    recording_failed_ = true;  // nothing more goes through unrecorded
    co_return false;
}

void PgSession::on_statement(const pg::StatementTrace& trace) {
    if (!recorder_) return;
    record_params_.clear();
    for (const auto& value : trace.params)
        record_params_.emplace_back(value ? std::optional<std::string_view>(*value) : std::nullopt);
    StatementRecord record;
    record.at = trace.at;
    record.kind = trace.kind;
    record.sql = trace.sql;
    record.params = record_params_;
    record.risk = trace.risk;
    record.verdict = trace.verdict;
    record.rule = trace.rule;
    record.grant = trace.grant;
    record.tag = trace.tag;
    record.rows = trace.rows;
    record.duration = trace.duration;
    if (!trace.error_code.empty()) record.error = RecordedError{trace.error_code, trace.error_message};
    record.columns = trace.columns;
    record.result = trace.result;
    const Status status = recorder_->statement(record);
    if (status) return;
    spdlog::error("session {}: {}", id_, status.error);
    recorder_.reset();
    if (config_->record_failure_block) {  // nothing more goes through unrecorded
        recording_failed_ = true;
        stop(std::string(pg::sqlstate::insufficient_privilege), std::string(recording_refusal));
    }
}

bool PgSession::on_decision(const guardrails::Command& command, const guardrails::Decision& decision) {
    if (decision.verdict != guardrails::Verdict::allow) {
        spdlog::info("session {}: {} {} ({}): {}", id_, decision.blocks() ? "blocked" : "would-block (shadow)",
                     config::to_string(decision.risk), decision.rule, decision.reason);
    }
    // What is forwarded must be audited first (the relay blocks it when this says no: fail closed).
    const bool recorded = events_.decided(command, decision) && !recording_failed_;
    if (decision.grant.empty() || decision.blocks() || !recorded) return recorded;
    rely_on({decision.grant, decision.grant_until});
    return true;
}

bool PgSession::revoked(std::string_view grant, const std::optional<config::TimePoint>& until) const {
    const guardrails::GuardrailPipeline* pipeline = context_->guardrails.get();
    if (pipeline == nullptr) return false;
    const auto end = pipeline->policy()->ended(user_, target_, grant, until, pipeline->now());
    return end && end->revoked;
}

void PgSession::audit_blocked_ran(std::string_view what) {
    spdlog::error("session {}: SECURITY: {} ({} on {}); closing the session", id_, what, user_, target_);
    events_.security_event(blocked_ran_rule, what);
}

void PgSession::stop(std::string sqlstate, std::string message) {
    asio::post(upstream_.get_executor(), [self = shared_from_this(), sqlstate = std::move(sqlstate),
                                          message = std::move(message)] {
        if (!self->relay_ && !self->authenticated_) {  // still authenticating: just close
            self->close_all();
            return;
        }
        if (!self->relay_) {  // logging in upstream: run() sends the FATAL before it would relay
            if (self->stop_message_.empty()) pg::write_error(self->stop_message_, "FATAL", sqlstate, message);
            return;
        }
        if (self->closing_ || self->server_pump_done_ || !self->stop_message_.empty()) return;
        pg::write_error(self->stop_message_, "FATAL", sqlstate, message);
        error_code ignored;
        self->upstream_.shutdown(tcp::socket::shutdown_both, ignored);
        self->upstream_.close(ignored);
    });
}

void PgSession::cancel_from_client() {
    asio::post(upstream_.get_executor(), [self = shared_from_this()] {
        if (!self->relay_ || !self->relay_->busy() || self->closing_) return;
        const auto now = steady_clock::now();
        if (now - self->last_cancel_ < cancel_interval) {
            spdlog::info("session {}: cancel request dropped (rate limit)", self->id_);
            return;
        }
        self->last_cancel_ = now;
        spdlog::info("session {}: relaying a cancel request", self->id_);
        spawn(self->upstream_.get_executor(),
              [](std::shared_ptr<PgSession> session) -> asio::awaitable<void> {
                  tcp::socket socket(session->upstream_.get_executor());
                  asio::steady_timer timer(session->upstream_.get_executor());
                  timer.expires_after(std::chrono::seconds(5));
                  timer.async_wait([&socket](error_code ec) {
                      if (!ec) { error_code ignored; socket.close(ignored); }
                  });
                  error_code ec;
                  co_await socket.async_connect(session->upstream_endpoint_, asio::redirect_error(asio::use_awaitable, ec));
                  if (!ec) {
                      std::string request;
                      pg::write_cancel_request(request, session->upstream_pid_, session->upstream_secret_);
                      co_await asio::async_write(socket, asio::buffer(request), asio::redirect_error(asio::use_awaitable, ec));
                  }
                  timer.cancel();
                  socket.close(ec);
              }(self),
              fmt::format("session {} cancel", self->id_));
    });
}

}  // namespace jitgate::proxy
