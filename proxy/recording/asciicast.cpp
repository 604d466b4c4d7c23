// asciicast v2 lines and the incremental UTF-8 carry; see asciicast.hpp.
#include "proxy/recording/asciicast.hpp"

#include "proxy/audit/audit_json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <utility>

namespace jitgate::proxy {
namespace {

// How many bytes the character a lead byte starts needs in all (0: not a lead byte).
[[nodiscard]] std::size_t sequence_length(unsigned char lead) noexcept {
    if (lead >= 0xC2 && lead <= 0xDF) return 2;
    if (lead >= 0xE0 && lead <= 0xEF) return 3;
    if (lead >= 0xF0 && lead <= 0xF4) return 4;
    return 0;
}

// Whether `second` may follow `lead` (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).
[[nodiscard]] bool valid_second(unsigned char lead, unsigned char second) noexcept {
    if ((second & 0xC0) != 0x80) return false;
    if (lead == 0xE0) return second >= 0xA0;
    if (lead == 0xED) return second <= 0x9F;
    if (lead == 0xF0) return second >= 0x90;
    if (lead == 0xF4) return second <= 0x8F;
    return true;
}

// Seconds with six places: "1.000250".
void append_seconds(std::string& out, std::chrono::microseconds at) {
    const long long micros = std::max<long long>(0, at.count());
    fmt::format_to(std::back_inserter(out), "{}.{:06}", micros / 1'000'000, micros % 1'000'000);
}

}  // namespace

std::size_t incomplete_utf8_tail(std::string_view text) noexcept {
    const std::size_t look = std::min<std::size_t>(3, text.size());
    for (std::size_t back = 1; back <= look; ++back) {
        const std::size_t at = text.size() - back;
        const auto byte = static_cast<unsigned char>(text[at]);
        if ((byte & 0xC0) == 0x80) continue;  // a continuation byte: its lead is further back
        const std::size_t need = sequence_length(byte);
        if (need <= back) return 0;  // complete (or not a lead byte at all): nothing to hold back
        if (back >= 2 && !valid_second(byte, static_cast<unsigned char>(text[at + 1]))) return 0;
        return back;
    }
    return 0;
}

std::string_view Utf8Carry::feed(std::string_view chunk) {
    std::string_view text = chunk;
    if (held_size_ > 0) {
        joined_.assign(held_.data(), held_size_);
        joined_.append(chunk);
        text = joined_;
    }
    held_size_ = incomplete_utf8_tail(text);
    std::copy_n(text.end() - static_cast<std::ptrdiff_t>(held_size_), held_size_, held_.begin());
    return text.substr(0, text.size() - held_size_);
}

std::string_view Utf8Carry::finish() {
    last_ = held_;
    const std::size_t size = std::exchange(held_size_, 0);
    return {last_.data(), size};
}

std::string cast_header(const CastHeader& header) {
    std::string line = fmt::format(R"({{"version":2,"width":{},"height":{},"timestamp":{})", header.width,
                                   header.height,
                                   std::chrono::duration_cast<std::chrono::seconds>(header.start.time_since_epoch()).count());
    if (!header.title.empty()) {
        line += R"(,"title":)";
        append_json_string(line, header.title);
    }
    if (!header.term.empty()) {
        line += R"(,"env":{"TERM":)";
        append_json_string(line, header.term);
        line += '}';
    }
    line += '}';
    return line;
}

void append_cast_output(std::string& line, std::chrono::microseconds at, std::string_view text) {
    line += '[';
    append_seconds(line, at);
    line += R"(,"o",)";
    append_json_string(line, text);
    line += ']';
}

void append_cast_resize(std::string& line, std::chrono::microseconds at, unsigned width, unsigned height) {
    line += '[';
    append_seconds(line, at);
    fmt::format_to(std::back_inserter(line), R"(,"r","{}x{}"])", width, height);
}

}  // namespace jitgate::proxy
