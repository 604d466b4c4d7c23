// Framing and start-up vetting of the PostgreSQL protocol, fed whole and one byte at a time.
#include "tests/unit/postgres/pg_frames.hpp"
#include "protocols/postgres/frame.hpp"
#include "protocols/postgres/startup.hpp"

#include <catch2/catch.hpp>

using namespace jitgate;
using namespace jitgate::postgres;

namespace {

std::string startup_packet(const std::vector<std::pair<std::string, std::string>>& parameters, std::uint32_t code = protocol_3_0) {
    std::string body;
    Writer w(body);
    w.int32(static_cast<std::int32_t>(code));
    for (const auto& [k, v] : parameters) w.cstring(k).cstring(v);
    body.push_back('\0');
    std::string out;
    Writer(out).int32(static_cast<std::int32_t>(body.size() + 4)).raw(body);
    return out;
}

StartupResult decode(const std::vector<std::pair<std::string, std::string>>& parameters) {
    const std::string packet = startup_packet(parameters);
    const auto frame = parse_startup_frame(test::bytes_of(packet));
    REQUIRE(frame.status == ParseStatus::ok);
    return decode_startup(frame.frame.payload);
}

}  // namespace

TEST_CASE("a message fed one byte at a time needs more until its last byte arrives", "[postgres][frame]") {
    const std::string message = test::query("SELECT 1");
    for (std::size_t n = 0; n < message.size(); ++n) {
        const auto result = parse_frame(test::bytes_of(message.substr(0, n)), 1024);
        CHECK(result.status == ParseStatus::need_more);
    }
    const auto result = parse_frame(test::bytes_of(message), 1024);
    REQUIRE(result.status == ParseStatus::ok);
    CHECK(result.frame.type == 'Q');
    CHECK(result.frame.size() == message.size());
    CHECK(decode_query(result.frame.body)->text == "SELECT 1");
}

TEST_CASE("a length below four is invalid as soon as the header is read", "[postgres][frame]") {
    const std::string bad = std::string("Q") + std::string("\0\0\0\3", 4);
    CHECK(parse_frame(test::bytes_of(bad), 1024).status == ParseStatus::invalid);
    CHECK(parse_header(test::bytes_of(bad)).status == ParseStatus::invalid);
}

TEST_CASE("a message over the size limit is invalid before its body arrives", "[postgres][frame]") {
    const std::string huge = std::string("Q") + std::string("\x7f\xff\xff\xff", 4);
    const auto result = parse_frame(test::bytes_of(huge), 1 << 20);
    CHECK(result.status == ParseStatus::invalid);
    CHECK(result.error == "message exceeds the size limit");
}

TEST_CASE("a start-up packet fed one byte at a time is whole only at its end", "[postgres][frame]") {
    const std::string packet = startup_packet({{"user", "alice"}, {"database", "orders-db"}});
    for (std::size_t n = 0; n < packet.size(); ++n)
        CHECK(parse_startup_frame(test::bytes_of(packet.substr(0, n))).status == ParseStatus::need_more);
    const auto result = parse_startup_frame(test::bytes_of(packet));
    REQUIRE(result.status == ParseStatus::ok);
    CHECK(result.frame.code == protocol_3_0);
}

TEST_CASE("a start-up packet over 10000 bytes or under 8 is invalid", "[postgres][frame]") {
    std::string too_long;
    Writer(too_long).int32(10001);
    CHECK(parse_startup_frame(test::bytes_of(too_long)).status == ParseStatus::invalid);
    std::string too_short;
    Writer(too_short).int32(7);
    CHECK(parse_startup_frame(test::bytes_of(too_short)).status == ParseStatus::invalid);
    std::string http = "GET / HTTP/1.1\r\n";
    CHECK(parse_startup_frame(test::bytes_of(http)).status == ParseStatus::invalid);
}

TEST_CASE("start-up parameters are vetted against the allow-list", "[postgres][startup]") {
    struct Row {
        const char* what;
        std::vector<std::pair<std::string, std::string>> parameters;
        bool accepted;
        const char* sqlstate;
    };
    const std::vector<Row> rows = {
        {"user and target", {{"user", "alice"}, {"database", "orders-db"}}, true, ""},
        {"application_name passes", {{"user", "alice"}, {"application_name", "psql"}}, true, ""},
        {"client_encoding is accepted and forced to UTF8", {{"user", "alice"}, {"client_encoding", "LATIN1"}}, true, ""},
        {"replication is refused", {{"user", "alice"}, {"replication", "database"}}, false, "0A000"},
        {"a duplicated parameter is refused", {{"user", "alice"}, {"user", "bob"}}, false, "08P01"},
        {"an unknown setting is refused", {{"user", "alice"}, {"session_replication_role", "replica"}}, false, "42501"},
        {"options with allow-listed settings pass", {{"user", "alice"}, {"options", "-c statement_timeout=5 --search_path=x"}}, true, ""},
        {"options that turn off standard_conforming_strings are refused", {{"user", "alice"}, {"options", "-c standard_conforming_strings=off"}}, false, "42501"},
        {"options with a bare flag are refused", {{"user", "alice"}, {"options", "-F"}}, false, "42501"},
        {"a setting both direct and in options is refused", {{"user", "alice"}, {"search_path", "a"}, {"options", "-c search_path=b"}}, false, "08P01"},
        {"no user is refused", {{"database", "orders-db"}}, false, "28000"},
    };
    for (const Row& row : rows) {
        INFO(row.what);
        const StartupResult result = decode(row.parameters);
        CHECK(result.request.has_value() == row.accepted);
        if (!row.accepted) CHECK(result.refusal.sqlstate == row.sqlstate);
    }
}

TEST_CASE("options are split like libpq's, with backslash-escaped spaces", "[postgres][startup]") {
    const StartupResult result = decode({{"user", "alice"}, {"options", "-c application_name=a\\ b"}});
    REQUIRE(result.request);
    REQUIRE(result.request->upstream.size() == 1);
    CHECK(result.request->upstream[0].second == "a b");
}

TEST_CASE("the database defaults to the user name, as in PostgreSQL", "[postgres][startup]") {
    const StartupResult result = decode({{"user", "alice"}});
    REQUIRE(result.request);
    CHECK(result.request->database == "alice");
}
