// The one session path both protocols share: a session's identity (its number, the random "s-…" id that
// names its recording and index row, who and where once authenticated) and the fan-out of what happens in
// it to its subscribers — the audit log and the session index now; metrics and webhooks subscribe here
// later. Every call comes from the session's own thread.
#pragma once

#include "guardrails/pipeline.hpp"
#include "proxy/runtime/server_context.hpp"
#include "proxy/store/store_types.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace jitgate::proxy {

class SessionEvents {
public:
    SessionEvents(std::shared_ptr<ServerContext> context, std::uint64_t number, SessionProtocol protocol);

    // The session's number in this process, and its id across restarts ("s-<16 hex>-<number>").
    [[nodiscard]] std::uint64_t number() const noexcept { return number_; }
    [[nodiscard]] const std::string& id() const noexcept { return id_; }
    // The config in force when the session began: its hash goes into every record of the session.
    [[nodiscard]] const config::Config& config() const noexcept { return *config_; }
    [[nodiscard]] const std::shared_ptr<const config::Config>& config_ptr() const noexcept { return config_; }
    [[nodiscard]] ServerContext& context() const noexcept { return *context_; }
    [[nodiscard]] const std::string& user() const noexcept { return user_; }
    [[nodiscard]] const std::string& target() const noexcept { return target_; }

    void set_client(std::string address) { client_ = std::move(address); }
    [[nodiscard]] const std::string& client() const noexcept { return client_; }
    // Who the session is, once authenticated (before started()).
    void authenticated(std::string user, std::string target);

    // The session index: its row (with the recording, empty: none), and the row's end once it is over
    // (only when it was indexed).
    void indexed(const std::filesystem::path& recording, config::TimePoint at);
    void index_ended(std::uint64_t commands, std::uint64_t blocked, std::string_view reason);
    // The audit log: the session is served, and is over.
    void started();
    void ended(std::uint64_t commands, std::uint64_t blocked, std::string_view reason);
    // Something the session asked for was refused before any command (an SSH channel, a forward).
    void refused(std::string_view what);
    // Audits `decision` for `command`. True when it may be carried out: a block is audited without
    // waiting; an allow only once its record is in the file (what runs is audited first).
    [[nodiscard]] bool decided(const guardrails::Command& command, const guardrails::Decision& decision);
    // The server ran what jitgate blocked: audited as a security event (rule `rule`).
    void security_event(std::string_view rule, std::string_view what);

private:
    std::shared_ptr<ServerContext> context_;
    std::shared_ptr<const config::Config> config_;
    std::uint64_t number_;
    SessionProtocol protocol_;
    std::string id_;
    std::string client_;
    std::string user_;
    std::string target_;
    bool indexed_ = false;
};

// decide → audit → fail closed, for a protocol that carries out the decision itself (SSH): evaluates the
// command with the server's pipeline (none: block), audits it through the session's events, and turns an
// allow whose record cannot be written into a block (guardrails::audit_failure_rule).
class AuditedPipeline {
public:
    explicit AuditedPipeline(SessionEvents& events) : events_(events) {}
    [[nodiscard]] guardrails::Decision decide(const guardrails::Command& command);
    // The block that replaces an allow jitgate cannot record (audit log or session recording).
    static void fail_closed(guardrails::Decision& decision);

private:
    SessionEvents& events_;
};

}  // namespace jitgate::proxy
