// The relay state machine, server side: replies are matched against the queue of what the server owes
// ("Extended Query", "Pipelining"); a reply that does not fit closes the session (see relay.cpp).
#include "protocols/postgres/relay.hpp"

#include "guardrails/sql/sql_tree.hpp"

#include "guardrails/sql/sql_classifier.hpp"
#include "protocols/postgres/messages.hpp"
#include "protocols/postgres/startup.hpp"

#include <fmt/format.h>

namespace jitgate::postgres {
namespace {

bool is_fatal(std::string_view severity) { return severity == "FATAL" || severity == "PANIC"; }

}  // namespace

bool Relay::on_reply(char type) {
    if (type == 'N' || type == 'A') return true;  // asynchronous: never a reply
    if (pending_.empty()) return false;
    const Pending& front = pending_.front();  // a reference: pop_front() below ends its life, read it first
    if (front.blocked) {  // a blocked entry's only reply is an error: anything else means it ran
        blocked_ran_ = true;
        return false;
    }
    const Expect kind = front.kind;
    const bool in_statement = kind == Expect::query || kind == Expect::execute;
    switch (type) {
    case '1':
        if (kind != Expect::parse) return false;
        parse_done(front, true);
        pending_.front().classification.reset();  // confirmed: pop_front() must not take it back
        pop_front();
        return true;
    case '2': {
        if (kind != Expect::bind) return false;
        pending_.front().previous.reset();  // confirmed: pop_front() must not put the old entry back
        pending_.front().generation = 0;
        pop_front();
        return true;
    }
    case '3': if (kind != Expect::close) return false; pop_front(); return true;
    case 't': return kind == Expect::describe;
    case 'T':
        if (kind == Expect::describe) { pop_front(); return true; }
        return kind == Expect::query;
    case 'n': if (kind != Expect::describe) return false; pop_front(); return true;
    case 'C': case 'I': case 's':
        if (kind == Expect::execute) { pop_front(); return true; }
        return kind == Expect::query && type != 's';
    case 'G':
        if (!in_statement) return false;
        copy_in_started();
        return true;
    case 'D': case 'H': case 'd': case 'c':
        return in_statement;
    case 'V': return kind == Expect::function_call;
    default: return false;
    }
}

void Relay::write_policy_error(Output& client) {
    const guardrails::Decision& decision = blocked_decisions_.front();
    // Valid UTF-8 whatever the reason quotes: a client decodes the message as its encoding, UTF8.
    const std::string message = guardrails::detail::valid_utf8(
        fmt::format("jitgate blocked this {} statement: {}", config::to_string(decision.risk), decision.reason));
    const std::string detail = decision.rule.empty() ? std::string() : fmt::format("decided by: {}", decision.rule);
    const std::size_t start = client.bytes().size();
    write_error(client.scratch(), "ERROR", sqlstate::insufficient_privilege, message, detail, decision.hint);
    client.emitted(start);
}

bool Relay::handle_server_message(const Frame& frame, std::size_t offset, Output& client, StepResult& step) {
    switch (frame.type) {
    case 'Z': {
        if (pending_.empty()) return false;
        if (pending_.front().blocked) {  // its error never came
            blocked_ran_ = true;
            return false;
        }
        const Expect kind = pending_.front().kind;
        if (kind != Expect::query && kind != Expect::sync && kind != Expect::function_call) return false;
        if (frame.body.size() != 1) return false;
        ++ready_seen_;
        if (frame.body[0] == 'I') {  // no transaction open: the grants of the statements before it are done
            std::erase_if(transaction_grants_, [this](const TransactionGrant& grant) { return grant.epoch < ready_seen_; });
        }
        pop_front();
        client.forward(offset, frame.size());
        return true;
    }
    case 'E': {
        const auto fields = decode_error(frame.body);
        if (!fields) return false;
        if (is_fatal(fields->severity)) {  // the server is ending the session
            client.forward(offset, frame.size());
            step.close = true;
            step.log = fmt::format("server ended the session: {} {}", fields->code, fields->message);
            return true;
        }
        copy_in_ = false;  // an error ends COPY IN mode
        if (pending_.empty()) return false;
        Pending& front = pending_.front();
        if (front.traced) {
            StatementTrace& trace = traces_.front();
            trace.error_code = front.blocked ? sqlstate::insufficient_privilege : fields->code;
            trace.error_message = front.blocked ? blocked_decisions_.front().reason : std::string(fields->message);
        }
        if (front.blocked) {
            write_policy_error(client);
            if (front.kind == Expect::query || front.kind == Expect::function_call) {
                blocked_decisions_.pop_front();
                front.blocked = false;  // the ReadyForQuery that follows ends the entry
                return true;
            }
        } else {
            client.forward(offset, frame.size());
        }
        switch (front.kind) {
        case Expect::query: case Expect::function_call: case Expect::sync: return true;
        default: drop_until_sync(); return true;
        }
    }
    case 'S': {
        Reader reader(frame.body);
        const auto name = reader.cstring();
        const auto value = reader.cstring();
        if (!name || !value) return false;
        if (breaks_lexing(*name, *value)) {
            step.log = "the server turned standard_conforming_strings off";
            write_error(step.client_reply, "FATAL", sqlstate::protocol_violation,
                        "jitgate closed the session: the server turned standard_conforming_strings off");
            client.emit(step.client_reply);
            step.client_reply.clear();
            step.close = true;
            return true;
        }
        client.forward(offset, frame.size());
        return true;
    }
    default:
        return false;
    }
}

StepResult Relay::on_server_bytes(Bytes input, Output& client) {
    StepResult step;
    std::size_t pos = 0;
    const auto lost_sync = [&](std::string why) {
        step.consumed = pos;
        step.close = true;
        step.log = std::move(why);
        if (blocked_ran_) {
            step.blocked_ran = true;
            step.log = fmt::format("a blocked statement ran: the server answered its substitute with {}", step.log);
        }
        std::string reply;
        write_error(reply, "FATAL", sqlstate::protocol_violation,
                    "jitgate closed the session: the server's reply did not match the protocol state");
        client.emit(reply);
        return step;
    };
    while (pos < input.size() && !step.close) {
        if (server_stream_remaining_ > 0) {
            const std::size_t n = std::min(server_stream_remaining_, input.size() - pos);
            client.forward(pos, n);
            pos += n;
            server_stream_remaining_ -= n;
            continue;
        }
        const Bytes rest = input.subspan(pos);
        const FrameResult header = parse_header(rest);
        if (header.status == ParseStatus::need_more) break;
        if (header.status == ParseStatus::invalid) return lost_sync("invalid message length from the server");
        const char type = header.frame.type;
        if (type == 'E' || type == 'S' || type == 'Z') {  // inspected: need the whole message
            const FrameResult whole = parse_frame(rest, context_.max_message_bytes);
            if (whole.status == ParseStatus::need_more) break;
            if (whole.status == ParseStatus::invalid) return lost_sync("oversized message from the server");
            if (!handle_server_message(whole.frame, pos, client, step))
                return lost_sync(fmt::format("unexpected server message '{}'", type));
            pos += whole.frame.size();
            continue;
        }
        const bool traced = !pending_.empty() && pending_.front().traced &&
                            (type == 'C' || (type == 'T' && context_.record_rows > 0) ||
                             (type == 'D' && traces_.front().result.size() < context_.record_rows));
        if (traced) {  // a reply the recording reads: needs the whole message
            const FrameResult whole = parse_frame(rest, context_.max_message_bytes);
            if (whole.status == ParseStatus::need_more) break;
            if (whole.status == ParseStatus::invalid) return lost_sync("oversized message from the server");
            capture(type, whole.frame.body);
        }
        if (!on_reply(type)) {
            if (type == 'W') return lost_sync("the server started COPY BOTH (replication), which jitgate refuses");
            return lost_sync(fmt::format("unexpected server message type {}", static_cast<int>(static_cast<unsigned char>(type))));
        }
        const std::size_t n = std::min(header.frame.size(), rest.size());
        client.forward(pos, n);
        server_stream_remaining_ = header.frame.size() - n;
        pos += n;
    }
    step.consumed = pos;
    return step;
}

}  // namespace jitgate::postgres
