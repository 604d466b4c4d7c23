// Authentication as state machines over messages ("Start-up", "SASL Authentication"): ClientAuth checks
// an engineer's SCRAM-SHA-256 proof against the config verifier; UpstreamAuth logs jitgate in to the
// target with the target's stored credentials (SCRAM-SHA-256, md5, cleartext or trust).
#pragma once

#include "protocols/postgres/frame.hpp"
#include "protocols/postgres/scram.hpp"

#include <memory>
#include <string>

namespace jitgate::postgres {

struct AuthStep {
    enum class Status : std::uint8_t { send, done, failed };
    Status status = Status::failed;
    std::string bytes;  // messages to send to the peer (send, done), or the FATAL for the client (failed)
    std::string log;    // why it failed, safe to log
};

class ClientAuth {
public:
    // verifier null: unknown user or no password; the exchange then fails like a wrong password.
    ClientAuth(const config::ScramVerifier* verifier, std::string user, std::span<const std::uint8_t> server_secret);
    // The AuthenticationSASL request that opens the exchange.
    [[nodiscard]] std::string start() const;
    // Feeds one client message (a 'p'); done carries AuthenticationSASLFinal + AuthenticationOk.
    [[nodiscard]] AuthStep on_message(const Frame& frame);

private:
    [[nodiscard]] AuthStep reject(std::string log) const;
    ScramServer scram_;
    std::string user_;
    bool got_first_ = false;
};

class UpstreamAuth {
public:
    UpstreamAuth(std::string user, std::string password);
    ~UpstreamAuth();
    // Feeds one server message during authentication ('R' or 'E'); done after AuthenticationOk.
    [[nodiscard]] AuthStep on_message(const Frame& frame);

private:
    std::string user_;
    std::string password_;
    std::unique_ptr<ScramClient> scram_;
    bool scram_verified_ = false;
};

}  // namespace jitgate::postgres
