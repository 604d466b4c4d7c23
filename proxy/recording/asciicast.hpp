// asciicast v2 for SSH session recordings (DESIGN §5): a header line
// {"version":2,"width":W,"height":H,"timestamp":T,...} and then one event per line, [t,"o","text"] for
// what the terminal showed and [t,"r","WxH"] for a resize, t in seconds since the start. `asciinema play`
// and `asciinema cat` read it.
//
// The trap: SSH delivers output in chunks that split UTF-8 characters anywhere, and one raw split makes
// asciinema refuse the whole file. Utf8Carry holds an incomplete character back until the rest arrives;
// bytes that can never be UTF-8 become U+FFFD (escaped by append_json_string), which asciinema accepts.
#pragma once

#include "config/config.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace jitgate::proxy {

// One direction of a terminal stream, decoded incrementally.
class Utf8Carry {
public:
    // The bytes of `chunk` (after any held back from the last call) that can be written now: everything
    // but an incomplete character at the end, which is kept for the next call. Invalid bytes are passed
    // on (the JSON writer turns each into U+FFFD). The view is valid until the next call.
    [[nodiscard]] std::string_view feed(std::string_view chunk);
    // At the end of the stream: what is still held back (an incomplete character; written as U+FFFD).
    [[nodiscard]] std::string_view finish();

private:
    std::string joined_;             // held-back bytes + the chunk, when something was held back
    std::array<char, 3> held_{};     // at most 3 bytes of an incomplete 4-byte character
    std::size_t held_size_ = 0;
    std::array<char, 3> last_{};     // what finish() returns
};

// The length of the incomplete UTF-8 character at the end of `text` that later bytes could complete
// (0..3): a lead byte followed by fewer continuation bytes than it needs, each valid so far.
[[nodiscard]] std::size_t incomplete_utf8_tail(std::string_view text) noexcept;

struct CastHeader {
    unsigned width = 80;
    unsigned height = 24;
    config::TimePoint start;
    std::string_view term;   // the client's TERM, if it sent one
    std::string_view title;  // e.g. "alice@web-1 (s-…)"
};

// The header line, without its newline.
[[nodiscard]] std::string cast_header(const CastHeader& header);
// Appends an output event [t,"o","text"] (no newline) for text from Utf8Carry.
void append_cast_output(std::string& line, std::chrono::microseconds at, std::string_view text);
// Appends a resize event [t,"r","WxH"] (no newline).
void append_cast_resize(std::string& line, std::chrono::microseconds at, unsigned width, unsigned height);

}  // namespace jitgate::proxy
