// The session path shared by PostgreSQL and SSH sessions: ids, audit and index fan-out, audited decisions
// (see session_events.hpp).
#include "proxy/runtime/session_events.hpp"

#include "proxy/audit/audit_log.hpp"
#include "proxy/control/policy_keeper.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <openssl/rand.h>

#include <array>

namespace jitgate::proxy {

SessionEvents::SessionEvents(std::shared_ptr<ServerContext> context, std::uint64_t number, SessionProtocol protocol)
    : context_(std::move(context)), config_(context_->config.load()), number_(number), protocol_(protocol) {
    std::array<std::uint8_t, 8> random{};
    if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) random.fill(0);
    id_ = fmt::format("s-{:02x}-{}", fmt::join(random, ""), number_);
}

void SessionEvents::authenticated(std::string user, std::string target) {
    user_ = std::move(user);
    target_ = std::move(target);
}

void SessionEvents::indexed(const std::filesystem::path& recording, config::TimePoint at) {
    PolicyKeeper* keeper = context_->keeper;
    if (keeper == nullptr) return;
    SessionRow row;
    row.id = id_;
    row.user = user_;
    row.target = target_;
    row.protocol = protocol_;
    row.client = client_;
    row.started_at = at;
    row.recording = recording;
    keeper->session_started(std::move(row));
    indexed_ = true;
}

void SessionEvents::index_ended(std::uint64_t commands, std::uint64_t blocked, std::string_view reason) {
    if (PolicyKeeper* keeper = context_->keeper; keeper != nullptr && indexed_)
        keeper->session_ended(id_, std::chrono::system_clock::now(), commands, blocked, std::string(reason));
    indexed_ = false;
}

void SessionEvents::started() {
    if (AuditLog* audit = context_->audit.get()) audit->session_start({config_->hash, number_, user_, target_, client_});
}

void SessionEvents::ended(std::uint64_t commands, std::uint64_t blocked, std::string_view reason) {
    if (AuditLog* audit = context_->audit.get())
        audit->session_end({config_->hash, number_, user_, target_, commands, blocked, reason});
}

void SessionEvents::refused(std::string_view what) {
    if (AuditLog* audit = context_->audit.get()) (void)audit->refusal({config_->hash, number_, user_, target_, what});
}

bool SessionEvents::decided(const guardrails::Command& command, const guardrails::Decision& decision) {
    AuditLog* audit = context_->audit.get();
    if (audit == nullptr) return true;
    const AuditLog::Ticket ticket =
        audit->decision({decision.config_hash.empty() ? std::string_view(config_->hash) : decision.config_hash, number_,
                         user_, target_, command.kind, command.text, command.statement_name, decision.risk,
                         decision.verdict, decision.rule, decision.grant, decision.reason});
    // What is carried out must be audited first: the record is in the file before the command goes on
    // (a blocked one can wait for the writer).
    return decision.blocks() || audit->commit(ticket);
}

void SessionEvents::security_event(std::string_view rule, std::string_view what) {
    if (AuditLog* audit = context_->audit.get()) {
        audit->decision({config_->hash, number_, user_, target_, guardrails::CommandKind::execute, {}, {},
                         config::RiskClass::unknown, guardrails::Verdict::block, rule, {},
                         fmt::format("security event: {}; jitgate closed the session", what)});
    }
}

guardrails::Decision AuditedPipeline::decide(const guardrails::Command& command) {
    const std::shared_ptr<const guardrails::Pipeline>& pipeline = events_.context().pipeline;
    guardrails::Decision decision = pipeline ? pipeline->evaluate(command) : guardrails::Decision{};
    if (!pipeline) {  // no pipeline at all: nothing can be checked (fail closed)
        decision.verdict = guardrails::Verdict::block;
        decision.risk = config::RiskClass::unknown;
        decision.reason = "jitgate has no guardrail pipeline";
    }
    if (!events_.decided(command, decision)) fail_closed(decision);
    return decision;
}

void AuditedPipeline::fail_closed(guardrails::Decision& decision) {
    if (decision.blocks()) return;
    decision.verdict = guardrails::Verdict::block;
    decision.rule = std::string(guardrails::audit_failure_rule);
    decision.reason = "jitgate cannot record it (audit log or session recording)";
    decision.hint.clear();
}

}  // namespace jitgate::proxy
