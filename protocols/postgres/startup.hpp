// The StartupMessage ("Message Flow" → "Start-up"): who is connecting to which target, and which of the
// client's parameters may pass upstream. Parameters that could switch off what the guardrails rely on
// (replication, arbitrary `options`, standard_conforming_strings) are refused here.
#pragma once

#include "protocols/postgres/frame.hpp"
#include "protocols/postgres/messages.hpp"

#include <string>

namespace jitgate::postgres {

struct StartupRequest {
    std::string user;
    std::string database;         // the target's name
    Parameters upstream;          // allow-listed parameters to pass on, in the client's order
    // `_pq_.*` protocol options, as named: none is supported, so NegotiateProtocolVersion names them.
    std::vector<std::string> unsupported_options;
};

struct StartupRefusal {
    std::string sqlstate;
    std::string message;
};

struct StartupResult {
    std::optional<StartupRequest> request;
    StartupRefusal refusal;       // set when request is empty
};

// Decodes and vets the payload of a protocol-3.0 StartupMessage (after the length and version code).
[[nodiscard]] StartupResult decode_startup(Bytes payload);

// The parameters jitgate always sets upstream: the SQL classifier lexes under exactly these rules.
[[nodiscard]] const Parameters& forced_upstream_parameters();

// True when a server parameter's reported value breaks the lexing rules forced_upstream_parameters()
// pins (standard_conforming_strings off): the one place that rule is checked, at login and in the relay.
[[nodiscard]] bool breaks_lexing(std::string_view name, std::string_view value) noexcept;

// True when a session setting may be passed through `options=-c name=value` or as a startup parameter.
[[nodiscard]] bool is_allowed_setting(std::string_view name) noexcept;

}  // namespace jitgate::postgres
