// The start-up negotiation: every rule PostgreSQL's ProcessStartupPacket applies that jitgate keeps.
#include "protocols/postgres/negotiation.hpp"

#include "protocols/postgres/messages.hpp"

#include <fmt/format.h>

namespace jitgate::postgres {
namespace {

NegotiationStep invalid(std::string_view sqlstate_code, std::string message, std::string log, bool warn = false) {
    NegotiationStep step;
    step.action = NegotiationStep::Action::invalid;
    step.sqlstate = std::string(sqlstate_code);
    step.message = std::move(message);
    step.log = std::move(log);
    step.warn = warn;
    return step;
}

}  // namespace

NegotiationStep Negotiation::on_client_bytes(Bytes input) {
    if (over_) return invalid({}, {}, "bytes after the start-up negotiation ended");
    const StartupFrameResult result = parse_startup_frame(input);
    if (result.status == ParseStatus::need_more) return {};
    over_ = true;  // until a step below says the negotiation goes on
    if (result.status == ParseStatus::invalid) {
        return invalid(sqlstate::protocol_violation, fmt::format("invalid start-up packet: {}", result.error),
                       fmt::format("invalid start-up packet: {}", result.error));
    }
    const StartupFrame& frame = result.frame;
    const std::uint32_t code = frame.code;
    if (code == ssl_request_code || code == gssenc_request_code) {
        const bool ssl = code == ssl_request_code;
        bool& answered = ssl ? ssl_answered_ : gss_answered_;
        if (answered)  // PostgreSQL answers each at most once
            return invalid({}, {}, fmt::format("sent a second {}; closing", ssl ? "SSLRequest" : "GSSENCRequest"));
        answered = true;
        if (input.size() > frame.size)  // CVE-2021-23214: nothing may precede the handshake
            return invalid({}, {}, "sent bytes after SSLRequest before the TLS handshake; closing", true);
        NegotiationStep step;
        step.action = NegotiationStep::Action::answer;
        step.consumed = frame.size;
        step.start_tls = ssl && tls_available_ && !encrypted_;
        step.answer = step.start_tls ? 'S' : 'N';
        if (step.start_tls) encrypted_ = true;
        over_ = false;
        return step;
    }
    if (code == cancel_request_code) {
        NegotiationStep step;
        step.action = NegotiationStep::Action::cancel;
        step.consumed = frame.size;
        if (frame.payload.size() == 8)
            step.cancel = CancelKey{static_cast<std::int32_t>(read_u32(frame.payload.data())),
                                    static_cast<std::int32_t>(read_u32(frame.payload.data() + 4))};
        return step;
    }
    if ((code >> 16) != 3) {
        return invalid(sqlstate::feature_not_supported,
                       fmt::format("unsupported frontend protocol {}.{}: jitgate speaks 3.0", code >> 16, code & 0xffff),
                       fmt::format("unsupported frontend protocol {}.{}", code >> 16, code & 0xffff));
    }
    StartupResult decoded = decode_startup(frame.payload);
    if (!decoded.request) {
        NegotiationStep step = invalid(decoded.refusal.sqlstate, decoded.refusal.message,
                                       fmt::format("start-up refused: {}", decoded.refusal.message));
        step.consumed = frame.size;
        return step;
    }
    if (tls_required_ && !encrypted_) {
        NegotiationStep step = invalid(sqlstate::invalid_authorization, "jitgate requires an SSL connection (tls.require)",
                                       "start-up refused: no SSL connection and tls.require");
        step.consumed = frame.size;
        return step;
    }
    NegotiationStep step;
    step.action = NegotiationStep::Action::startup;
    step.consumed = frame.size;
    // A newer 3.x minor or _pq_.* options: NegotiateProtocolVersion says 3.0 and names the options not
    // taken, as PostgreSQL answers.
    if ((code & 0xffff) != 0 || !decoded.request->unsupported_options.empty()) {
        Writer writer(step.reply);
        writer.begin('v').int32(0).int32(static_cast<std::int32_t>(decoded.request->unsupported_options.size()));
        for (const std::string& option : decoded.request->unsupported_options) writer.cstring(option);
        writer.end();
    }
    step.request = std::move(*decoded.request);
    return step;
}

}  // namespace jitgate::postgres
