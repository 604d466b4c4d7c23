// The SSH bridge's pure parts: which channel requests pass (env, scp as file transfer) and the byte ring
// that holds one direction of a channel while the other side's window is closed.
#include "protocols/ssh/byte_ring.hpp"
#include "protocols/ssh/requests.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <string_view>

using jitgate::ssh::ByteRing;
using jitgate::ssh::env_allowed;
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
