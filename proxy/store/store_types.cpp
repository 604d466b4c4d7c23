// The session protocol's names as the index stores and prints them.
#include "proxy/store/store_types.hpp"

namespace jitgate::proxy {

std::string_view to_string(SessionProtocol protocol) noexcept {
    switch (protocol) {
        case SessionProtocol::postgres: return "postgres";
        case SessionProtocol::ssh: return "ssh";
    }
    return "postgres";
}

std::optional<SessionProtocol> parse_session_protocol(std::string_view text) noexcept {
    if (text == "postgres") return SessionProtocol::postgres;
    if (text == "ssh") return SessionProtocol::ssh;
    return std::nullopt;
}

}  // namespace jitgate::proxy
