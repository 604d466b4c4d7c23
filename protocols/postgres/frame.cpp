// Framing of PostgreSQL protocol 3.0 messages; validates a header before a byte is consumed.
#include "protocols/postgres/frame.hpp"

namespace jitgate::postgres {

FrameResult parse_header(Bytes input) noexcept {
    FrameResult result;
    if (input.size() < header_size) return result;
    result.frame.type = static_cast<char>(input[0]);
    result.frame.length = read_u32(input.data() + 1);
    if (result.frame.length < 4) {
        result.status = ParseStatus::invalid;
        result.error = "message length below 4";
        return result;
    }
    result.status = ParseStatus::ok;
    return result;
}

FrameResult parse_frame(Bytes input, std::size_t max_size) noexcept {
    FrameResult result = parse_header(input);
    if (result.status != ParseStatus::ok) return result;
    if (result.frame.size() > max_size) {
        result.status = ParseStatus::invalid;
        result.error = "message exceeds the size limit";
        return result;
    }
    if (input.size() < result.frame.size()) {
        result.status = ParseStatus::need_more;
        return result;
    }
    result.frame.body = input.subspan(header_size, result.frame.length - 4);
    return result;
}

StartupFrameResult parse_startup_frame(Bytes input) noexcept {
    StartupFrameResult result;
    if (input.size() < 4) return result;
    const std::uint32_t length = read_u32(input.data());
    if (length < 8 || length > max_startup_packet) {
        result.status = ParseStatus::invalid;
        result.error = length < 8 ? "startup packet too short" : "startup packet too long";
        return result;
    }
    if (input.size() < length) return result;
    result.status = ParseStatus::ok;
    result.frame.code = read_u32(input.data() + 4);
    result.frame.payload = input.subspan(8, length - 8);
    result.frame.size = length;
    return result;
}

}  // namespace jitgate::postgres
