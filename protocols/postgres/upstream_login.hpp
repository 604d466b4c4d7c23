// jitgate's own login to a target as a pure state machine over the server's bytes ("Message Flow" →
// "Start-up"): the StartupMessage, the authentication exchange (UpstreamAuth), then ParameterStatus,
// NoticeResponse and BackendKeyData until ReadyForQuery. It never says the target's password back.
#pragma once

#include "protocols/postgres/auth.hpp"
#include "protocols/postgres/frame.hpp"
#include "protocols/postgres/messages.hpp"

#include <cstdint>
#include <string>

namespace jitgate::postgres {

struct UpstreamLoginStep {
    enum class Status : std::uint8_t {
        need_more,  // read more server bytes and feed the whole buffer again
        send,       // write `to_server`, then feed again (the input may hold more)
        done,       // logged in: `to_client` then `ready` are for the client, `pid`/`secret` the server's key
        failed,     // `error` says why (safe to log and to tell the client); close
    };
    Status status = Status::need_more;
    std::size_t consumed = 0;  // bytes of the input to drop, whatever the status
    std::string to_server;
    std::string to_client;     // done: the ParameterStatus and NoticeResponse messages, in order
    std::string ready;         // done: the ReadyForQuery message, as the server sent it
    std::int32_t pid = 0;
    std::int32_t secret = 0;
    std::string error;
};

// The largest message accepted from the target before it is ready (its authentication and parameters).
inline constexpr std::size_t max_upstream_login_message = 64 * 1024;

class UpstreamLogin {
public:
    // `parameters`: every StartupMessage parameter after user and database, in order.
    UpstreamLogin(std::string user, std::string password, std::string database, Parameters parameters);

    // The StartupMessage to send first.
    [[nodiscard]] std::string start() const;
    // Feeds every server byte received and not yet consumed. After done or failed it is over.
    [[nodiscard]] UpstreamLoginStep on_server_bytes(Bytes input);

private:
    [[nodiscard]] UpstreamLoginStep fail(std::size_t consumed, std::string error);

    std::string user_;
    std::string database_;
    Parameters parameters_;
    std::string password_;  // only to redact it from failures that quote the server
    UpstreamAuth auth_;
    bool authenticated_ = false;
    bool over_ = false;
    std::string to_client_;
    std::int32_t pid_ = 0;
    std::int32_t secret_ = 0;
};

}  // namespace jitgate::postgres
