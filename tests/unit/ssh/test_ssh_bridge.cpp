// The SSH bridge's pure parts: which channel requests pass (env, scp as file transfer) and the byte ring
// that holds one direction of a channel while the other side's window is closed.
#include "protocols/ssh/byte_ring.hpp"
#include "protocols/ssh/requests.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <string_view>

using jitgate::ssh::ByteRing;
using jitgate::ssh::env_allowed;
using jitgate::ssh::env_value_allowed;
using jitgate::ssh::is_scp_transfer;

TEST_CASE("only the locale and the terminal type pass as environment variables", "[ssh]") {
    struct Row {
        std::string_view name;
        bool passes;
    };
    const Row rows[] = {
        {"LANG", true},        {"LC_ALL", true},     {"LC_CTYPE", true}, {"TERM", true},
        {"LC_", false},        {"LD_PRELOAD", false}, {"BASH_ENV", false}, {"PATH", false},
        {"lang", false},       {"TERMINFO", false},  {"", false},
        // issue 10 item 11: only a well-formed name, [A-Za-z_][A-Za-z0-9_]*
        {"LC_A=B", false},     {"LC_ALL=C", false},  {"LC_X\nPATH", false}, {"LC_ X", false},
        {"TERM=xterm", false}, {"LC_-", false},      {std::string_view{"LC_\0A", 5}, false}, {"LC_MY_1", true},
    };
    for (const Row& row : rows) {
        INFO(row.name);
        CHECK(env_allowed(row.name) == row.passes);
    }
}

TEST_CASE("a locale passes only as C, POSIX or UTF-8, whose bytes bash reads as jitgate does", "[ssh]") {
    struct Row {
        std::string_view name;
        std::string_view value;
        bool passes;
    };
    const Row rows[] = {
        {"LANG", "C.UTF-8", true},        {"LC_ALL", "en_US.UTF-8", true},  {"LC_CTYPE", "de_DE.utf8@euro", true},
        {"LANG", "C", true},              {"LANG", "POSIX", true},          {"LANG", "", true},
        {"LC_ALL", "C.utf-8", true},      {"TERM", "xterm-256color", true}, {"TERM", "screen.xterm", true},
        // multibyte encodings whose second byte can be a backslash or a quote
        {"LC_ALL", "zh_TW.BIG5", false},  {"LANG", "zh_CN.GBK", false},     {"LC_CTYPE", "zh_CN.GB18030", false},
        {"LANG", "ja_JP.SJIS", false},    {"LANG", "zh_TW", false},         {"LANG", "en_US", false},
        {"LANG", "en_US.ISO-8859-1", false},
        {"LANG", "C.UTF-8;x", false},     {"LANG", "C.UTF-8\n", false},     {"TERM", "xterm$(id)", false},
        {"TERM", "", false},              {"LANG", "../../etc", false},
        // other categories do not decide how bytes form characters: plain text passes
        {"LC_TERMINAL", "iTerm2", true},  {"LC_MESSAGES", "zh_TW.BIG5", true}, {"LC_JG", "a b", false},
    };
    for (const Row& row : rows) {
        INFO(row.name << "=" << row.value);
        CHECK(env_value_allowed(row.name, row.value) == row.passes);
    }
}

TEST_CASE("scp's legacy protocol is recognised as file transfer", "[ssh]") {
    struct Row {
        std::string_view command;
        bool transfer;
    };
    const Row rows[] = {
        {"scp -t /tmp/x", true},
        {"scp -f /tmp/x", true},
        {"scp -v -r -t -- /tmp/dir", true},
        {"/usr/bin/scp -pf file", true},
        {"  scp\t-t x", true},
        {"scp --help", false},
        {"scp -- -t", false},
        {"echo scp -t", false},
        {"scpx -t y", false},
        {"cat > f", false},
        {"", false},
    };
    for (const Row& row : rows) {
        INFO(row.command);
        CHECK(is_scp_transfer(row.command) == row.transfer);
    }
}

TEST_CASE("the byte ring keeps order across the wrap and never holds more than its capacity", "[ssh]") {
    ByteRing ring(8);
    CHECK(ring.empty());
    CHECK(ring.push("abcdef", 6) == 6);
    std::string out(ring.front().begin(), ring.front().end());
    CHECK(out == "abcdef");
    ring.pop(4);
    CHECK(ring.push("ghijklmn", 8) == 6);  // only 6 free
    CHECK(ring.size() == 8);
    CHECK(ring.space() == 0);
    CHECK(ring.free_span().empty());
    std::string all;
    while (!ring.empty()) {
        const auto bytes = ring.front();
        all.append(bytes.begin(), bytes.end());
        ring.pop(bytes.size());
    }
    CHECK(all == "efghijkl");
}

TEST_CASE("bytes pushed while the front is being written do not move", "[ssh]") {
    ByteRing ring(8);
    REQUIRE(ring.push("abcd", 4) == 4);
    const auto front = ring.front();
    const char* before = front.data();
    REQUIRE(ring.push("efgh", 4) == 4);  // what a nested libssh callback may do
    CHECK(ring.front().data() == before);
    CHECK(std::string_view(before, 4) == "abcd");
}
