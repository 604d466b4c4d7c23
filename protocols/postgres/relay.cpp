// The relay state machine, client side: client messages become Commands and are forwarded or substituted,
// and the queue of what the server owes grows ("Extended Query", "Pipelining"); relay_replies.cpp reads it.
#include "protocols/postgres/relay.hpp"

#include "guardrails/sql/sql_tree.hpp"

#include "guardrails/sql/sql_classifier.hpp"
#include "protocols/postgres/messages.hpp"
#include "protocols/postgres/startup.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace jitgate::postgres {
namespace {

constexpr std::size_t max_pending = 1u << 16;
constexpr std::size_t max_named = 1u << 16;  // prepared statements and portals a session may hold

// Substitutes for blocked messages: each is valid protocol that the server is certain to reject with an
// ErrorResponse, so the server's transaction state moves exactly as it would for a failed statement.
constexpr std::string_view blocked_sql = "JITGATE BLOCKED THIS STATEMENT";

void write_substitute_query(std::string& out) { Writer(out).begin('Q').cstring(blocked_sql).end(); }
void write_substitute_parse(std::string& out, std::string_view statement) {
    Writer(out).begin('P').cstring(statement).cstring(blocked_sql).int16(0).end();
}
// Statement and portal names jitgate keeps for itself: a client that names one in Parse, Bind, Describe,
// Close or Execute is closed. The substitutes do not rely on it: none refers to anything a client can
// have made (SQL PREPARE and DECLARE can make any name), each fails in the parser, before a name is
// looked up or stored.
constexpr std::string_view reserved_prefix = "\x01jitgate";
bool is_reserved(std::string_view name) noexcept { return name.starts_with(reserved_prefix); }

// A blocked Execute becomes a Parse of an unparsable text under a reserved name: the server answers
// 42601 and, like a failed Execute, skips to Sync. (An Execute of a reserved portal name would run a
// cursor that a client DECLAREd under that name.)
void write_substitute_execute(std::string& out) {
    Writer(out).begin('P').cstring("\x01jitgate blocked this statement").cstring(blocked_sql).int16(0).end();
}
void write_substitute_function_call(std::string& out) {
    Writer(out).begin('F').int32(0).int16(0).int16(0).int16(0).end();  // function OID 0 does not exist
}

// Frontend message types of protocol 3.0 after start-up ("Message Formats").
bool is_frontend_type(char type) {
    return std::string_view("QPBEDCSHFXdcf").find(type) != std::string_view::npos;
}

StepResult fail_client(StepResult step, std::string_view sqlstate_code, std::string message) {
    write_error(step.client_reply, "FATAL", sqlstate_code, message);
    step.log = std::move(message);
    step.close = true;
    return step;
}

StepResult refuse_reserved(StepResult step, std::string_view message_type) {
    return fail_client(std::move(step), sqlstate::protocol_violation,
                       fmt::format("{} names a statement or portal whose name starts with jitgate's reserved prefix "
                                   "\\x01jitgate",
                                   message_type));
}

}  // namespace

void Output::forward(std::size_t offset, std::size_t size) {
    if (size == 0) return;
    if (!chunks_.empty() && !chunks_.back().own && chunks_.back().offset + chunks_.back().size == offset) {
        chunks_.back().size += size;
        return;
    }
    chunks_.push_back({false, offset, size});
}

void Output::emit(std::string_view bytes) {
    const std::size_t offset = own_.size();
    own_.append(bytes);
    emitted(offset);
}

void Output::emitted(std::size_t offset) {
    if (own_.size() == offset) return;
    chunks_.push_back({true, offset, own_.size() - offset});
}

Relay::Relay(RelayContext context, std::shared_ptr<const guardrails::Pipeline> pipeline)
    : context_(std::move(context)), pipeline_(std::move(pipeline)) {}

bool Relay::push(Expect kind, bool is_blocked) {
    if (pending_.size() >= max_pending) return false;
    pending_.push_back({kind, is_blocked, nullptr, {}, false, 0, std::nullopt});
    if (kind == Expect::query || kind == Expect::sync || kind == Expect::function_call) ++ready_sent_;
    return true;
}

void Relay::pop_front() {
    Pending& front = pending_.front();
    if (front.blocked) blocked_decisions_.pop_front();
    if (front.kind == Expect::parse) parse_done(front, false);  // no ParseComplete came for it
    if (front.kind == Expect::bind) bind_failed(front);         // no BindComplete came for it
    if (front.traced) {  // the statement's last reply: the recording gets it now
        StatementTrace& trace = traces_.front();
        trace.duration = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - trace.started);
        if (trace.rows == 0) trace.rows = rows_of_tag(trace.tag);
        context_.statements->on_statement(trace);
        traces_.pop_front();
    }
    pending_.pop_front();
    while (!pending_.empty() && pending_.front().kind == Expect::copy_end) pending_.pop_front();  // owes nothing
}

void Relay::bind_failed(Pending& entry) {
    const auto found = portals_.find(entry.name);
    if (found == portals_.end() || found->second.generation != entry.generation) return;  // forgotten or rebound since
    if (!entry.previous) {
        portals_.erase(found);
        return;
    }
    found->second = std::move(*entry.previous);  // what the server may still hold under the name,
    found->second.classification.reset();        // or not: unknown
}

void Relay::copy_in_started() {
    // The client sent the messages behind the front entry before it knew: every Sync up to its
    // CopyDone/CopyFail reaches a server in COPY IN mode, which ignores it.
    for (auto it = std::next(pending_.begin()); it != pending_.end();) {
        if (it->kind == Expect::copy_end) {
            pending_.erase(it);
            return;  // the server leaves COPY IN mode there
        }
        if (it->kind != Expect::sync) {
            it = std::next(it);
            continue;
        }
        it = pending_.erase(it);
        --ready_sent_;  // no ReadyForQuery will come for it
    }
    copy_in_ = true;  // the CopyDone is still to come
}

void Relay::parse_done(const Pending& entry, bool ok) {
    if (!entry.classification) return;
    const auto found = statements_.find(entry.name);
    if (found == statements_.end() || found->second.classification != entry.classification) return;
    if (ok) {
        found->second.confirmed = true;
    } else if (!found->second.confirmed) {
        statements_.erase(found);  // the server holds no such statement (or one jitgate did not see)
    }
}

void Relay::note_sql_effects(const guardrails::Classification* classification) noexcept {
    if (classification == nullptr) return;
    if (classification->prepares) sql_prepare_seen_ = true;
    if (classification->deallocates) {  // DEALLOCATE / DISCARD: which names are gone is not known
        statements_.clear();
        portals_.clear();
    }
    if (classification->drops_portals) portals_.clear();  // DECLARE, CLOSE, COMMIT, ROLLBACK [TO]
}

std::optional<StatementTrace> Relay::begin_trace(const guardrails::Decision& decision, guardrails::CommandKind kind,
                                                std::string_view sql) const {
    if (context_.statements == nullptr) return std::nullopt;
    StatementTrace trace;
    trace.kind = kind;
    trace.sql = sql;
    trace.risk = decision.risk;
    trace.verdict = decision.verdict;
    trace.rule = decision.rule;
    trace.grant = decision.grant;
    trace.at = std::chrono::system_clock::now();
    trace.started = std::chrono::steady_clock::now();
    return trace;
}

void Relay::keep_trace(std::optional<StatementTrace>& trace, bool pushed) {
    if (!trace || !pushed) return;
    traces_.push_back(std::move(*trace));
    pending_.back().traced = true;
}

void Relay::capture(char type, Bytes body) {
    StatementTrace& trace = traces_.front();
    switch (type) {
    case 'C': {
        Reader reader(body);
        const auto tag = reader.cstring();
        if (!tag) return;
        if (!trace.tag.empty()) trace.tag += "; ";
        trace.tag += *tag;
        trace.rows += rows_of_tag(*tag);
        return;
    }
    case 'T':
        if (!decode_column_names(body, trace.columns)) trace.columns.clear();
        return;
    case 'D':
        if (trace.result.size() < context_.record_rows) {
            Row row;
            if (decode_data_row(body, row)) trace.result.push_back(std::move(row));
        }
        return;
    default:
        return;
    }
}

std::shared_ptr<const guardrails::Classification> Relay::bound_class(std::string_view statement) const {
    const auto found = statements_.find(statement);
    if (found == statements_.end()) return nullptr;
    if (!found->second.confirmed && sql_prepare_seen_ && !statement.empty()) return nullptr;
    return found->second.classification;
}

void Relay::drop_until_sync() {
    while (!pending_.empty() && pending_.front().kind != Expect::sync) pop_front();
    if (pending_.empty()) server_skipping_ = true;  // the client has not sent its Sync yet
}

template <typename Substitute>
bool Relay::enforce(guardrails::Decision decision, Expect kind, bool skipped, std::size_t offset, std::size_t size,
                    Output& upstream, Substitute write_substitute) {
    const bool is_blocked = decision.blocks();
    if (is_blocked) {
        ++blocked;
        const std::size_t start = upstream.bytes().size();
        write_substitute(upstream.scratch());
        upstream.emitted(start);
    } else {
        upstream.forward(offset, size);
    }
    if (skipped) return true;  // the server will skip it, so it owes no reply
    if (is_blocked) blocked_decisions_.push_back(std::move(decision));
    return push(kind, is_blocked);
}

guardrails::Decision Relay::decide(guardrails::CommandKind kind, std::string_view text, std::string_view statement,
                                  const guardrails::Classification* classification) {
    ++statements;
    guardrails::Command command;
    command.session_id = context_.session_id;
    command.user = context_.user;
    command.target = context_.target;
    command.protocol = guardrails::Protocol::postgres;
    command.kind = kind;
    command.text = text;
    command.statement_name = statement;
    command.classification = classification;
    guardrails::Decision decision = pipeline_->evaluate(command);
    refuse_commit_after_revoke(decision, classification != nullptr ? classification : decision.classification.get());
    if (context_.observer != nullptr && !context_.observer->on_decision(command, decision) && !decision.blocks()) {
        decision.verdict = guardrails::Verdict::block;
        decision.rule = guardrails::audit_failure_rule;
        decision.reason = "the audit log or the session recording cannot be written, so jitgate lets nothing through";
        decision.hint = "an administrator must fix the audit log or the recordings directory (see jitgate's log)";
        decision.grant.clear();
    }
    note_transaction_grant(decision);
    return decision;
}

void Relay::refuse_commit_after_revoke(guardrails::Decision& decision, const guardrails::Classification* classification) const {
    if (decision.blocks() || classification == nullptr || !classification->commits || context_.revokes == nullptr) return;
    for (const TransactionGrant& grant : transaction_grants_) {
        if (!context_.revokes->revoked(grant.id, grant.until)) continue;
        decision.verdict = guardrails::Verdict::block;
        decision.rule = grant_revoked_rule;
        decision.reason = fmt::format("grant {} was revoked while this transaction relied on it, and a revoke is an "
                                      "emergency stop: the transaction does not commit (the server rolls it back)",
                                      grant.id);
        decision.hint = "ROLLBACK; what the transaction did under the grant is undone";
        decision.grant.clear();
        decision.grant_until.reset();
        return;
    }
}

void Relay::note_transaction_grant(const guardrails::Decision& decision) {
    if (decision.blocks() || decision.grant.empty()) return;
    for (TransactionGrant& known : transaction_grants_) {
        if (known.id == decision.grant && known.until == decision.grant_until) {
            known.epoch = ready_sent_;  // the latest statement that relied on it
            return;
        }
    }
    transaction_grants_.push_back({decision.grant, decision.grant_until, ready_sent_});
}

bool Relay::refuse_sync_after_revoke(Output& upstream) {
    if (context_.revokes == nullptr) return true;
    const auto revoked = std::find_if(transaction_grants_.begin(), transaction_grants_.end(), [this](const TransactionGrant& grant) {
        return grant.epoch == ready_sent_ && context_.revokes->revoked(grant.id, grant.until);
    });
    if (revoked == transaction_grants_.end()) return true;
    guardrails::Decision decision;
    decision.verdict = guardrails::Verdict::block;
    decision.risk = config::RiskClass::unknown;
    decision.rule = grant_revoked_rule;
    decision.reason = fmt::format("grant {} was revoked while this pipeline relied on it, and a revoke is an emergency "
                                  "stop: its Sync does not commit (the server rolls the pipeline back)",
                                  revoked->id);
    decision.hint = "what the pipeline did under the grant is undone";
    guardrails::Command command;
    command.session_id = context_.session_id;
    command.user = context_.user;
    command.target = context_.target;
    command.kind = guardrails::CommandKind::execute;
    if (context_.observer != nullptr) (void)context_.observer->on_decision(command, decision);  // it blocks anyway
    ++blocked;
    const std::size_t start = upstream.bytes().size();
    write_substitute_execute(upstream.scratch());  // fails, so the Sync behind it rolls back
    upstream.emitted(start);
    blocked_decisions_.push_back(std::move(decision));
    return push(Expect::execute, true);
}

StepResult Relay::on_client_bytes(Bytes input, Output& upstream) {
    StepResult step;
    std::size_t pos = 0;
    while (pos < input.size()) {
        if (client_stream_remaining_ > 0) {
            const std::size_t n = std::min(client_stream_remaining_, input.size() - pos);
            upstream.forward(pos, n);
            pos += n;
            client_stream_remaining_ -= n;
            continue;
        }
        const Bytes rest = input.subspan(pos);
        const FrameResult header = parse_header(rest);
        if (header.status == ParseStatus::need_more) break;
        if (header.status == ParseStatus::invalid) {
            step.consumed = pos;
            return fail_client(std::move(step), sqlstate::protocol_violation, "invalid message length");
        }
        const char type = header.frame.type;
        if (!is_frontend_type(type)) {
            step.consumed = pos;
            return fail_client(std::move(step), sqlstate::protocol_violation,
                               fmt::format("invalid frontend message type {}", static_cast<int>(static_cast<unsigned char>(type))));
        }
        if (type == 'd') {  // CopyData streams through; it carries rows, not commands
            const std::size_t n = std::min(header.frame.size(), rest.size());
            upstream.forward(pos, n);
            client_stream_remaining_ = header.frame.size() - n;
            pos += n;
            continue;
        }
        const FrameResult whole = parse_frame(rest, context_.max_message_bytes);
        if (whole.status == ParseStatus::need_more) break;
        if (whole.status == ParseStatus::invalid) {
            step.consumed = pos;
            // As PostgreSQL answers an over-long message: a protocol violation (08P01), not a limit.
            return fail_client(std::move(step), sqlstate::protocol_violation,
                               fmt::format("invalid message length: {} bytes is over the limit of {} bytes",
                                           header.frame.size(), context_.max_message_bytes));
        }
        const Frame& frame = whole.frame;
        const bool skipped = server_skipping_ && type != 'S';
        bool ok = true;
        switch (type) {
        case 'Q': {
            const auto query = decode_query(frame.body);
            if (!query) { step.consumed = pos; return fail_client(std::move(step), sqlstate::protocol_violation, "malformed Query message"); }
            guardrails::Decision decision = decide(guardrails::CommandKind::query, query->text, {});
            if (!decision.blocks()) note_sql_effects(decision.classification.get());
            std::optional<StatementTrace> trace =
                skipped ? std::nullopt : begin_trace(decision, guardrails::CommandKind::query, query->text);
            ok = enforce(std::move(decision), Expect::query, skipped, pos, frame.size(), upstream,
                         [](std::string& out) { write_substitute_query(out); });
            keep_trace(trace, ok && !skipped);
            break;
        }
        case 'P': {
            const auto parse = decode_parse(frame.body);
            if (!parse) { step.consumed = pos; return fail_client(std::move(step), sqlstate::protocol_violation, "malformed Parse message"); }
            const std::string_view statement = parse->statement;
            if (is_reserved(statement)) { step.consumed = pos; return refuse_reserved(std::move(step), "Parse"); }
            if (statements_.size() >= max_named && !statements_.contains(statement)) {
                step.consumed = pos;
                return fail_client(std::move(step), sqlstate::program_limit_exceeded, "too many prepared statements");
            }
            guardrails::Decision decision = decide(guardrails::CommandKind::parse, parse->text, statement);
            if (!decision.blocks()) note_sql_effects(decision.classification.get());
            std::shared_ptr<const guardrails::Classification> cls = decision.classification;
            std::optional<StatementTrace> trace =  // an allowed Parse is recorded with its Execute
                skipped || !decision.blocks() ? std::nullopt : begin_trace(decision, guardrails::CommandKind::parse, parse->text);
            ok = enforce(std::move(decision), Expect::parse, skipped, pos, frame.size(), upstream,
                         [statement](std::string& out) { write_substitute_parse(out, statement); });
            keep_trace(trace, ok && !skipped);
            // A named statement that exists already makes the server refuse the Parse: keep what it holds.
            if (ok && !skipped && !pending_.back().blocked && (statement.empty() || !statements_.contains(statement))) {
                std::shared_ptr<const std::string> sql;
                if (context_.statements != nullptr) sql = std::make_shared<const std::string>(parse->text);
                statements_.insert_or_assign(std::string(statement), Prepared{cls, false, std::move(sql)});
                pending_.back().classification = std::move(cls);
                pending_.back().name = statement;
            }
            break;
        }
        case 'B': {
            const auto bind = decode_bind(frame.body);
            if (!bind) { step.consumed = pos; return fail_client(std::move(step), sqlstate::protocol_violation, "malformed Bind message"); }
            if (is_reserved(bind->portal) || is_reserved(bind->statement)) {
                step.consumed = pos;
                return refuse_reserved(std::move(step), "Bind");
            }
            if (portals_.size() >= max_named && !portals_.contains(bind->portal)) {
                step.consumed = pos;
                return fail_client(std::move(step), sqlstate::program_limit_exceeded, "too many portals");
            }
            upstream.forward(pos, frame.size());
            if (!skipped) {
                // Provisional until BindComplete: Executes behind it in the pipeline run what it binds.
                Bound bound{bound_class(bind->statement), nullptr, {}, ++next_generation_};
                if (context_.statements != nullptr) {
                    if (const auto statement = statements_.find(bind->statement); statement != statements_.end())
                        bound.sql = statement->second.sql;
                    if (context_.record_params && !decode_bind_values(frame.body, bound.params)) bound.params.clear();
                }
                std::optional<Bound> previous;
                if (const auto found = portals_.find(bind->portal); found != portals_.end()) {
                    previous = std::move(found->second);
                    found->second = std::move(bound);
                } else {
                    portals_.emplace(std::string(bind->portal), std::move(bound));
                }
                ok = push(Expect::bind, false);
                if (ok) {
                    pending_.back().name = bind->portal;
                    pending_.back().generation = next_generation_;
                    pending_.back().previous = std::move(previous);
                }
            }
            break;
        }
        case 'E': {
            const auto execute = decode_execute(frame.body);
            if (!execute) { step.consumed = pos; return fail_client(std::move(step), sqlstate::protocol_violation, "malformed Execute message"); }
            if (is_reserved(execute->portal)) { step.consumed = pos; return refuse_reserved(std::move(step), "Execute"); }
            if (skipped) {  // the server skips it until Sync: nothing runs, nothing to decide
                upstream.forward(pos, frame.size());
                break;
            }
            const auto portal = portals_.find(execute->portal);
            const Bound* bound = portal == portals_.end() ? nullptr : &portal->second;
            guardrails::Decision decision = decide(guardrails::CommandKind::execute, {}, execute->portal,
                                                   bound != nullptr ? bound->classification.get() : nullptr);
            std::optional<StatementTrace> trace = begin_trace(
                decision, guardrails::CommandKind::execute, bound != nullptr && bound->sql ? *bound->sql : std::string_view{});
            if (trace && bound != nullptr) trace->params = bound->params;
            // What the portal's statement does to the session's names happens now (DEALLOCATE, COMMIT…).
            const std::shared_ptr<const guardrails::Classification> effects =
                decision.blocks() || bound == nullptr ? nullptr : bound->classification;
            ok = enforce(std::move(decision), Expect::execute, skipped, pos, frame.size(), upstream,
                         [](std::string& out) { write_substitute_execute(out); });
            keep_trace(trace, ok);
            note_sql_effects(effects.get());
            break;
        }
        case 'C': {
            const auto close = decode_close(frame.body);
            if (!close) { step.consumed = pos; return fail_client(std::move(step), sqlstate::protocol_violation, "malformed Close message"); }
            if (is_reserved(close->name)) { step.consumed = pos; return refuse_reserved(std::move(step), "Close"); }
            // Forgotten at once: whatever happens to the Close, the name no longer vouches for anything.
            if (close->kind == 'S') {
                if (const auto found = statements_.find(close->name); found != statements_.end()) statements_.erase(found);
            } else if (const auto found = portals_.find(close->name); found != portals_.end()) {
                portals_.erase(found);
            }
            upstream.forward(pos, frame.size());
            if (!skipped) ok = push(Expect::close, false);
            break;
        }
        case 'F': {
            guardrails::Decision decision = decide(guardrails::CommandKind::function_call, {}, {});
            std::optional<StatementTrace> trace =
                skipped ? std::nullopt : begin_trace(decision, guardrails::CommandKind::function_call, {});
            ok = enforce(std::move(decision), Expect::function_call, skipped, pos, frame.size(), upstream,
                         [](std::string& out) { write_substitute_function_call(out); });
            keep_trace(trace, ok && !skipped);
            break;
        }
        case 'D': {
            const auto describe = decode_describe(frame.body);
            if (!describe) { step.consumed = pos; return fail_client(std::move(step), sqlstate::protocol_violation, "malformed Describe message"); }
            if (is_reserved(describe->name)) { step.consumed = pos; return refuse_reserved(std::move(step), "Describe"); }
            upstream.forward(pos, frame.size());
            if (!skipped) ok = push(Expect::describe, false);
            break;
        }
        case 'S':
            if (!copy_in_ && !server_skipping_) ok = refuse_sync_after_revoke(upstream);
            upstream.forward(pos, frame.size());
            if (copy_in_) break;  // the server in COPY IN mode ignores it: no reply
            server_skipping_ = false;
            ok = ok && push(Expect::sync, false);
            break;
        case 'H':  // Flush: no reply of its own
            upstream.forward(pos, frame.size());
            break;
        case 'c': case 'f':  // CopyDone, CopyFail: no reply of their own; COPY IN mode ends here
            // CopyDone has no body and CopyFail one string; anything else is not one (in COPY or not).
            if (type == 'c' ? !frame.body.empty() : (frame.body.empty() || frame.body.back() != 0 ||
                                                     std::find(frame.body.begin(), frame.body.end(), 0) != frame.body.end() - 1)) {
                step.consumed = pos;
                return fail_client(std::move(step), sqlstate::protocol_violation,
                                   type == 'c' ? "malformed CopyDone message" : "malformed CopyFail message");
            }
            upstream.forward(pos, frame.size());
            if (copy_in_) copy_in_ = false;
            else if (!pending_.empty()) ok = push(Expect::copy_end, false);  // in case the server is copying
            break;
        case 'X':
            upstream.forward(pos, frame.size());
            step.consumed = pos + frame.size();
            step.close = true;
            step.log = "client sent Terminate";
            return step;
        default:
            step.consumed = pos;
            return fail_client(std::move(step), sqlstate::protocol_violation,
                               fmt::format("invalid frontend message type {}", static_cast<int>(static_cast<unsigned char>(type))));
        }
        if (!ok) {
            step.consumed = pos;
            return fail_client(std::move(step), sqlstate::program_limit_exceeded, "too many pipelined messages");
        }
        pos += frame.size();
    }
    step.consumed = pos;
    return step;
}

}  // namespace jitgate::postgres
