// The client's start-up negotiation as a pure state machine over bytes ("Message Flow" → "Start-up",
// "SSL Session Encryption", "GSSAPI Session Encryption", "Canceling Requests in Progress"): SSLRequest,
// GSSENCRequest, CancelRequest and the StartupMessage, each answered by an action the session performs.
#pragma once

#include "protocols/postgres/frame.hpp"
#include "protocols/postgres/startup.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace jitgate::postgres {

struct CancelKey {
    std::int32_t pid = 0;
    std::int32_t secret = 0;
};

struct NegotiationStep {
    enum class Action : std::uint8_t {
        need_more,  // read more client bytes and feed the whole buffer again
        answer,     // write `answer` ('S' or 'N'); with start_tls, then the TLS handshake; then feed again
        cancel,     // a CancelRequest: `cancel` holds its key when well-formed; close without a reply
        startup,    // a StartupMessage: `request`; write `reply` (a NegotiateProtocolVersion, or nothing)
        invalid,    // close: after a FATAL with `sqlstate` and `message`, or silently when sqlstate is empty
    };
    Action action = Action::need_more;
    std::size_t consumed = 0;  // bytes of the input to drop, whatever the action
    char answer = 'N';
    bool start_tls = false;
    std::optional<CancelKey> cancel;
    std::optional<StartupRequest> request;
    std::string reply;
    std::string sqlstate;
    std::string message;
    std::string log;    // invalid: why, safe to log
    bool warn = false;  // invalid: worth a warning, not only an info line
};

class Negotiation {
public:
    // tls_available: an SSLRequest may be answered 'S'; tls_required: a StartupMessage over plain TCP is refused.
    Negotiation(bool tls_available, bool tls_required) noexcept
        : tls_available_(tls_available), tls_required_(tls_required) {}

    // Feeds every client byte received and not yet consumed. After `startup` or `invalid` it is over.
    [[nodiscard]] NegotiationStep on_client_bytes(Bytes input);

private:
    bool tls_available_;
    bool tls_required_;
    bool encrypted_ = false;
    bool ssl_answered_ = false;
    bool gss_answered_ = false;
    bool over_ = false;
};

}  // namespace jitgate::postgres
