// Client-side and upstream-side authentication exchanges of the PostgreSQL path.
#include "protocols/postgres/auth.hpp"

#include "protocols/postgres/messages.hpp"

#include <fmt/format.h>

namespace jitgate::postgres {
namespace {

enum AuthCode : std::int32_t { auth_ok = 0, auth_cleartext = 3, auth_md5 = 5, auth_sasl = 10,
                               auth_sasl_continue = 11, auth_sasl_final = 12 };

AuthStep upstream_failure(std::string log) {
    AuthStep step;
    step.status = AuthStep::Status::failed;
    step.log = std::move(log);
    return step;
}

}  // namespace

ClientAuth::ClientAuth(const config::ScramVerifier* verifier, std::string user, std::span<const std::uint8_t> server_secret)
    : scram_(verifier, user, server_secret), user_(std::move(user)) {}

std::string ClientAuth::start() const {
    std::string out;
    std::string mechanisms(scram_mechanism);
    mechanisms.push_back('\0');
    mechanisms.push_back('\0');
    write_auth_request(out, auth_sasl, mechanisms);
    return out;
}

AuthStep ClientAuth::reject(std::string log) const {
    AuthStep step;
    step.status = AuthStep::Status::failed;
    write_error(step.bytes, "FATAL", sqlstate::invalid_password,
                fmt::format("password authentication failed for user \"{}\"", user_));
    step.log = std::move(log);
    return step;
}

AuthStep ClientAuth::on_message(const Frame& frame) {
    if (frame.type != 'p') return reject("expected a SASL response from the client");
    Reader reader(frame.body);
    if (!got_first_) {
        got_first_ = true;
        const auto mechanism = reader.cstring();
        const auto length = reader.int32();
        if (!mechanism || !length) return reject("malformed SASLInitialResponse");
        if (*mechanism != scram_mechanism) return reject(fmt::format("client chose SASL mechanism {:?}", *mechanism));
        if (*length < 0 || static_cast<std::size_t>(*length) != reader.remaining()) return reject("malformed SASLInitialResponse length");
        const auto data = reader.bytes(reader.remaining());
        const ScramStep scram = scram_.on_client_first(
            std::string_view(reinterpret_cast<const char*>(data->data()), data->size()));
        if (!scram.ok()) return reject(scram.message);
        AuthStep step;
        step.status = AuthStep::Status::send;
        write_auth_request(step.bytes, auth_sasl_continue, scram.message);
        return step;
    }
    const auto data = reader.bytes(reader.remaining());
    const ScramStep scram = scram_.on_client_final(std::string_view(reinterpret_cast<const char*>(data->data()), data->size()));
    if (!scram.ok()) return reject(scram.message);
    AuthStep step;
    step.status = AuthStep::Status::done;
    write_auth_request(step.bytes, auth_sasl_final, scram.message);
    write_auth_request(step.bytes, auth_ok);
    return step;
}

UpstreamAuth::UpstreamAuth(std::string user, std::string password)
    : user_(std::move(user)), password_(std::move(password)) {}

UpstreamAuth::~UpstreamAuth() = default;

AuthStep UpstreamAuth::on_message(const Frame& frame) {
    if (frame.type == 'E') {
        const auto fields = decode_error(frame.body);
        return upstream_failure(fields ? fmt::format("the server refused the login: {} {}", fields->code, fields->message)
                                       : std::string("the server refused the login"));
    }
    if (frame.type != 'R') return upstream_failure(fmt::format("unexpected message '{}' during authentication", frame.type));
    Reader reader(frame.body);
    const auto code = reader.int32();
    if (!code) return upstream_failure("malformed authentication request");
    AuthStep step;
    step.status = AuthStep::Status::send;
    switch (*code) {
    case auth_ok:
        if (scram_ && !scram_verified_) return upstream_failure("the server skipped SCRAM's final signature");
        if (!reader.at_end()) return upstream_failure("malformed AuthenticationOk");
        step.status = AuthStep::Status::done;
        return step;
    case auth_cleartext:
        write_password_message(step.bytes, password_);
        return step;
    case auth_md5: {
        const auto salt = reader.bytes(4);
        if (!salt || !reader.at_end()) return upstream_failure("malformed md5 request");
        write_password_message(step.bytes, md5_password_response(user_, password_, salt->first<4>()));
        return step;
    }
    case auth_sasl: {
        bool offered = false;
        while (const auto mechanism = reader.cstring()) {
            if (mechanism->empty()) break;
            if (*mechanism == scram_mechanism) offered = true;
        }
        if (!offered || scram_) return upstream_failure("the server did not offer SCRAM-SHA-256");
        scram_ = std::make_unique<ScramClient>(password_);
        const ScramStep first = scram_->client_first();
        if (!first.ok()) return upstream_failure(first.message);
        write_sasl_initial_response(step.bytes, scram_mechanism, first.message);
        return step;
    }
    case auth_sasl_continue: {
        if (!scram_) return upstream_failure("SASL continue without SASL");
        const auto data = reader.bytes(reader.remaining());
        const ScramStep final_message = scram_->on_server_first(std::string_view(reinterpret_cast<const char*>(data->data()), data->size()));
        if (!final_message.ok()) return upstream_failure(final_message.message);
        write_sasl_response(step.bytes, final_message.message);
        return step;
    }
    case auth_sasl_final: {
        if (!scram_) return upstream_failure("SASL final without SASL");
        const auto data = reader.bytes(reader.remaining());
        const ScramStep verified = scram_->on_server_final(std::string_view(reinterpret_cast<const char*>(data->data()), data->size()));
        if (!verified.ok()) return upstream_failure(verified.message);
        scram_verified_ = true;
        step.bytes.clear();
        return step;
    }
    default:
        return upstream_failure(fmt::format("the server asked for unsupported authentication method {}", *code));
    }
}

}  // namespace jitgate::postgres
