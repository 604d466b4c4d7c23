// Unit tests of asciicast v2 lines and the incremental UTF-8 carry: output split at every byte of
// multi-byte characters comes out whole; bytes that can never be UTF-8 become U+FFFD; an incomplete
// character at the end of the stream too; headers and events are the JSON asciinema reads.
#include "proxy/recording/asciicast.hpp"
#include "proxy/audit/audit_json.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace jitgate;
using namespace jitgate::proxy;
using namespace std::chrono_literals;

namespace {

// Feeds `chunks` through a carry and returns the JSON string body asciinema would decode.
std::string through(const std::vector<std::string>& chunks) {
    Utf8Carry carry;
    std::string passed;
    for (const std::string& chunk : chunks) passed += carry.feed(chunk);
    passed += carry.finish();
    std::string json;
    append_json_string(json, passed);
    return json;
}

std::string json_of(std::string_view text) {
    std::string json;
    append_json_string(json, text);
    return json;
}

}  // namespace

TEST_CASE("an incomplete character at the end is held back, a complete one or a broken one is not", "[asciicast]") {
    struct Row {
        std::string text;
        std::size_t tail;
    };
    const std::vector<Row> rows{
        {"", 0},
        {"abc", 0},
        {"a\xC3", 1},             // é's lead
        {"a\xC3\xA9", 0},         // é whole
        {"\xE2\x82", 2},          // € without its last byte
        {"\xE2", 1},
        {"\xE2\x82\xAC", 0},      // € whole
        {"\xF0\x9F\x98", 3},      // 😀 without its last byte
        {"\xF0\x9F", 2},
        {"\xF0", 1},
        {"\xE0\x80", 0},          // an overlong start: never completes, pass it on
        {"\xED\xA0", 0},          // a surrogate start
        {"\xF4\x90", 0},          // above U+10FFFF
        {"\xC0", 0},              // never a lead byte
        {"\xFF", 0},
        {"\x80\x80\x80", 0},      // continuation bytes with no lead
        {"x\xF0\x9F\x98\x80", 0}, // 😀 whole
    };
    for (const Row& row : rows) {
        CAPTURE(row.text);
        CHECK(incomplete_utf8_tail(row.text) == row.tail);
    }
}

TEST_CASE("output split at every byte comes out as the same characters", "[asciicast]") {
    const std::string text = "caf\xC3\xA9 \xE2\x82\xAC 100 \xF0\x9F\x98\x80 \x1B[1mbold\x1B[0m\r\n";
    const std::string whole = through({text});
    CHECK(whole.find("\\ufffd") == std::string::npos);
    for (std::size_t a = 0; a <= text.size(); ++a) {
        for (std::size_t b = a; b <= text.size(); ++b) {
            CAPTURE(a, b);
            REQUIRE(through({text.substr(0, a), text.substr(a, b - a), text.substr(b)}) == whole);
        }
    }
}

TEST_CASE("bytes that can never be UTF-8 become U+FFFD, and so does a character the stream never finishes",
          "[asciicast]") {
    CHECK(through({"a\xFF", "b"}) == json_of("a\xFF" "b"));
    CHECK(json_of("a\xFF" "b") == R"("a\ufffdb")");
    CHECK(through({"x\xE2\x82"}) == R"("x\ufffd\ufffd")");  // cut off at the end
    CHECK(through({"\xE2", "A"}) == R"("\ufffdA")");           // a lead byte the next chunk does not continue
    CHECK(through({"\xC3", "\xA9"}) == "\"\xC3\xA9\"");
}

TEST_CASE("the header and events are asciicast v2 lines", "[asciicast]") {
    const config::TimePoint start = config::TimePoint{} + 1'795'852'800s;
    CHECK(cast_header({120, 40, start, "xterm-256color", "alice@web-1"}) ==
          R"({"version":2,"width":120,"height":40,"timestamp":1795852800,"title":"alice@web-1",)"
          R"("env":{"TERM":"xterm-256color"}})");
    CHECK(cast_header({80, 24, start, "", ""}) == R"({"version":2,"width":80,"height":24,"timestamp":1795852800})");
    std::string line;
    append_cast_output(line, 1'000'250us, "ls\r\n\x1B[0m\"q\"");
    CHECK(line == R"([1.000250,"o","ls\r\n\u001b[0m\"q\""])");
    line.clear();
    append_cast_resize(line, 2s, 100, 30);
    CHECK(line == R"([2.000000,"r","100x30"])");
}
