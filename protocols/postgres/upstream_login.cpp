// The upstream login: authentication first, then the server's parameters and key until it is ready.
#include "protocols/postgres/upstream_login.hpp"

#include "protocols/postgres/startup.hpp"

#include <fmt/format.h>

namespace jitgate::postgres {

UpstreamLogin::UpstreamLogin(std::string user, std::string password, std::string database, Parameters parameters)
    : user_(user), database_(std::move(database)), parameters_(std::move(parameters)), password_(password),
      auth_(std::move(user), std::move(password)) {}

std::string UpstreamLogin::start() const {
    Parameters all = {{"user", user_}, {"database", database_}};
    all.insert(all.end(), parameters_.begin(), parameters_.end());
    std::string bytes;
    write_startup_message(bytes, all);
    return bytes;
}

UpstreamLoginStep UpstreamLogin::fail(std::size_t consumed, std::string error) {
    over_ = true;
    UpstreamLoginStep step;
    step.status = UpstreamLoginStep::Status::failed;
    step.consumed = consumed;
    // The server's own words may quote anything, the password too (a hostile or broken target): never
    // pass it on.
    if (!password_.empty()) {
        for (std::size_t at = error.find(password_); at != std::string::npos; at = error.find(password_, at))
            error.replace(at, password_.size(), "[redacted]");
    }
    step.error = std::move(error);
    return step;
}

UpstreamLoginStep UpstreamLogin::on_server_bytes(Bytes input) {
    if (over_) return fail(0, "the login is over");
    std::size_t pos = 0;
    while (true) {
        const FrameResult result = parse_frame(input.subspan(pos), max_upstream_login_message);
        if (result.status == ParseStatus::need_more) {
            UpstreamLoginStep step;
            step.consumed = pos;
            return step;
        }
        if (result.status == ParseStatus::invalid) return fail(pos, fmt::format("start-up failed: {}", result.error));
        const Frame& frame = result.frame;
        const std::size_t offset = pos;
        pos += frame.size();
        const auto whole = [&] { return std::string(reinterpret_cast<const char*>(input.data() + offset), frame.size()); };
        if (!authenticated_) {
            AuthStep auth = auth_.on_message(frame);
            if (auth.status == AuthStep::Status::failed) return fail(pos, std::move(auth.log));
            authenticated_ = auth.status == AuthStep::Status::done;
            if (auth.bytes.empty()) continue;
            UpstreamLoginStep step;
            step.status = UpstreamLoginStep::Status::send;
            step.consumed = pos;
            step.to_server = std::move(auth.bytes);
            return step;
        }
        switch (frame.type) {
        case 'S': {
            Reader reader(frame.body);
            const auto name = reader.cstring();
            const auto value = reader.cstring();
            if (!name || !value) return fail(pos, "malformed ParameterStatus");
            if (breaks_lexing(*name, *value)) return fail(pos, "the server runs with standard_conforming_strings off");
            to_client_ += whole();
            break;
        }
        case 'N':
            to_client_ += whole();
            break;
        case 'K': {
            Reader reader(frame.body);
            const auto pid = reader.int32();
            const auto secret = reader.int32();
            if (!pid || !secret) return fail(pos, "malformed BackendKeyData");
            pid_ = *pid;
            secret_ = *secret;
            break;
        }
        case 'E': {
            const auto fields = decode_error(frame.body);
            return fail(pos, fields ? fmt::format("{} {}", fields->code, fields->message) : std::string("error"));
        }
        case 'Z': {
            over_ = true;
            UpstreamLoginStep step;
            step.status = UpstreamLoginStep::Status::done;
            step.consumed = pos;
            step.to_client = std::move(to_client_);
            step.ready = whole();
            step.pid = pid_;
            step.secret = secret_;
            return step;
        }
        default:
            return fail(pos, fmt::format("unexpected message '{}' during start-up", frame.type));
        }
    }
}

}  // namespace jitgate::postgres
