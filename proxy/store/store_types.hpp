// The values every state store speaks in, whatever holds them: the session index's rows, protocols and
// filters (DESIGN §6 store/); results are config/result.hpp's Result<T> and Status.
#pragma once

#include "config/result.hpp"
#include "config/config.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace jitgate::proxy {

enum class SessionProtocol : std::uint8_t { postgres, ssh };
[[nodiscard]] std::string_view to_string(SessionProtocol protocol) noexcept;
[[nodiscard]] std::optional<SessionProtocol> parse_session_protocol(std::string_view text) noexcept;

// One session in the index: written when it starts, completed when it ends. Times are whole seconds.
struct SessionRow {
    std::string id;  // the proxy's session id, "s-…"; the same id names it in its recording and the audit log
    std::string user;
    std::string target;
    SessionProtocol protocol = SessionProtocol::postgres;
    std::string client;  // the client's address, "192.0.2.7:51234"
    config::TimePoint started_at;
    std::optional<config::TimePoint> ended_at;  // empty while the session is open (or its proxy died)
    std::uint64_t statements = 0;
    std::uint64_t blocked = 0;
    std::filesystem::path recording;  // empty when nothing was recorded
    std::string end_reason;           // empty while open
};

// Which sessions to list; empty fields match everything.
struct SessionFilter {
    std::string user;
    std::string target;
    std::optional<config::TimePoint> since;  // only sessions started at or after this
    std::size_t limit = 0;                   // at most this many, newest first; 0 means all
};

}  // namespace jitgate::proxy
