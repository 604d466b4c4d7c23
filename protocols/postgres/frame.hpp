// Framing of the PostgreSQL frontend/backend protocol 3.0 ("Message Formats", "Message Flow"): splits a
// byte span into messages without copying. Pure functions over spans; they never touch a socket.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace jitgate::postgres {

using Bytes = std::span<const std::uint8_t>;

enum class ParseStatus : std::uint8_t { ok, need_more, invalid };

// A typed message: one type byte, an Int32 length that counts itself, then the body.
struct Frame {
    char type = 0;
    std::uint32_t length = 0;  // as on the wire: body size + 4
    Bytes body;                // empty unless the whole message is present
    [[nodiscard]] std::size_t size() const noexcept { return std::size_t{length} + 1; }
};

struct FrameResult {
    ParseStatus status = ParseStatus::need_more;
    Frame frame;
    std::string_view error;  // why the frame is invalid
};

inline constexpr std::size_t header_size = 5;

// Reads only the 5-byte header: ok when it is present and sane (length >= 4), even if the body is not.
[[nodiscard]] FrameResult parse_header(Bytes input) noexcept;
// Reads one whole typed message of at most max_size bytes (type byte included).
[[nodiscard]] FrameResult parse_frame(Bytes input, std::size_t max_size) noexcept;

// The untyped first packet of a connection: Int32 length, Int32 code, payload ("Startup" section).
struct StartupFrame {
    std::uint32_t code = 0;
    Bytes payload;  // after the code
    std::size_t size = 0;
};
struct StartupFrameResult {
    ParseStatus status = ParseStatus::need_more;
    StartupFrame frame;
    std::string_view error;
};
inline constexpr std::size_t max_startup_packet = 10000;  // as PostgreSQL's MAX_STARTUP_PACKET_LENGTH
[[nodiscard]] StartupFrameResult parse_startup_frame(Bytes input) noexcept;

inline constexpr std::uint32_t protocol_3_0 = 196608;
inline constexpr std::uint32_t ssl_request_code = 80877103;
inline constexpr std::uint32_t gssenc_request_code = 80877104;
inline constexpr std::uint32_t cancel_request_code = 80877102;

[[nodiscard]] inline std::uint32_t read_u32(const std::uint8_t* p) noexcept {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}
[[nodiscard]] inline std::uint16_t read_u16(const std::uint8_t* p) noexcept {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

}  // namespace jitgate::postgres
