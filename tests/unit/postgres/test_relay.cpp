// The relay as message flows: what reaches the server, what reaches the client, and when it closes.
#include "tests/unit/postgres/relay_harness.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace jitgate;
using namespace jitgate::postgres;
namespace t = jitgate::test;
using namespace jitgate::test::relay_harness;

TEST_CASE("an allowed query and its reply pass through byte for byte", "[postgres][relay]") {
    Harness h;
    const std::string q = t::query("SELECT 1");
    CHECK(h.from_client(q) == q);
    CHECK(h.relay.busy());
    const std::string reply = t::row_description() + t::data_row("1") + t::command_complete("SELECT 1") + t::ready('I');
    CHECK(h.from_server(reply) == reply);
    CHECK_FALSE(h.relay.busy());
    CHECK_FALSE(h.last.close);
}

TEST_CASE("traffic fed one byte at a time comes out whole and unchanged", "[postgres][relay]") {
    Harness h;
    const std::string requests = t::parse("s1", "SELECT $1") + t::bind("", "s1") + t::execute("") + t::sync();
    std::string upstream;
    for (const char c : requests) upstream += h.from_client(std::string(1, c));
    CHECK(upstream == requests);
    const std::string replies = t::parse_complete() + t::bind_complete() + t::data_row("x") + t::command_complete("SELECT 1") + t::ready('I');
    std::string client;
    for (const char c : replies) client += h.from_server(std::string(1, c));
    CHECK(client == replies);
    CHECK_FALSE(h.relay.busy());
}

TEST_CASE("a blocked query reaches the server as a failing substitute and the client gets 42501", "[postgres][relay]") {
    Harness h;
    const std::string upstream = h.from_client(t::query("DELETE FROM t -- FORBIDDEN"));
    CHECK(upstream == t::query("JITGATE BLOCKED THIS STATEMENT"));
    CHECK(h.relay.blocked == 1);
    // Inside a transaction the server's syntax error leaves it failed ('E'), as the client will see.
    const std::string client = h.from_server(t::error("42601") + t::ready('E'));
    const auto first = parse_frame(t::bytes_of(client), 1 << 20);
    REQUIRE(first.status == ParseStatus::ok);
    CHECK(sqlstate_of(client.substr(0, first.frame.size())) == "42501");
    CHECK(client.substr(first.frame.size()) == t::ready('E'));
    CHECK_FALSE(h.relay.busy());
}

TEST_CASE("a blocked Parse in a pipeline fails until Sync and the next statement works", "[postgres][relay]") {
    Harness h;
    const std::string blocked = t::parse("", "DROP TABLE FORBIDDEN") + t::bind("", "") + t::execute("") + t::sync();
    const std::string allowed = t::parse("", "SELECT 1") + t::bind("", "") + t::execute("") + t::sync();
    const std::string upstream = h.from_client(blocked + allowed);
    CHECK(upstream == t::parse("", "JITGATE BLOCKED THIS STATEMENT") + t::bind("", "") + t::execute("") + t::sync() + allowed);
    const std::string client = h.from_server(t::error("42601") + t::ready('I') + t::parse_complete() + t::bind_complete() +
                                             t::data_row("1") + t::command_complete("SELECT 1") + t::ready('I'));
    const auto first = parse_frame(t::bytes_of(client), 1 << 20);
    CHECK(sqlstate_of(client.substr(0, first.frame.size())) == "42501");
    CHECK(client.substr(first.frame.size()) == t::ready('I') + t::parse_complete() + t::bind_complete() + t::data_row("1") +
                                                   t::command_complete("SELECT 1") + t::ready('I'));
    CHECK_FALSE(h.relay.busy());
    CHECK_FALSE(h.last.close);
}

TEST_CASE("after an extended-protocol error the server skips to Sync and so does the queue", "[postgres][relay]") {
    Harness h;
    (void)h.from_client(t::parse("", "SELEC 1") + t::bind("", ""));
    CHECK(h.from_server(t::error("42601")) == t::error("42601"));
    // Sent after the error: the server skips these, so no reply is expected for them.
    (void)h.from_client(t::execute("") + t::query("SELECT 2") + t::sync());
    CHECK(h.from_server(t::ready('I')) == t::ready('I'));
    CHECK_FALSE(h.relay.busy());
    CHECK_FALSE(h.last.close);
}

TEST_CASE("a blocked FunctionCall is replaced by a call to function OID 0", "[postgres][relay]") {
    Harness h;
    CHECK(h.from_client(t::function_call(1234)) == t::function_call(0));
    const std::string client = h.from_server(t::error("42883") + t::ready('I'));
    const auto first = parse_frame(t::bytes_of(client), 1 << 20);
    CHECK(sqlstate_of(client.substr(0, first.frame.size())) == "42501");
}

TEST_CASE("describe, close and flush keep the queue in step", "[postgres][relay]") {
    Harness h;
    (void)h.from_client(t::parse("s", "SELECT 1") + t::describe_statement("s") + t::flush());
    const std::string replies = t::parse_complete() + t::parameter_description() + t::row_description();
    CHECK(h.from_server(replies) == replies);
    (void)h.from_client(t::bind("p", "s") + t::describe_portal("p") + t::execute("p") + t::sync());
    const std::string more = t::bind_complete() + t::no_data() + t::command_complete("SELECT 0") + t::ready('I');
    CHECK(h.from_server(more) == more);
    CHECK_FALSE(h.relay.busy());
}

TEST_CASE("asynchronous messages are never mistaken for replies", "[postgres][relay]") {
    Harness h;
    const std::string async = t::notice() + t::notification("jobs") + t::parameter_status("TimeZone", "UTC");
    CHECK(h.from_server(async) == async);
    CHECK_FALSE(h.last.close);
    (void)h.from_client(t::query("SELECT 1"));
    const std::string mixed = t::notification("jobs") + t::command_complete("SELECT 1") + t::notice() + t::ready('I');
    CHECK(h.from_server(mixed) == mixed);
    CHECK_FALSE(h.relay.busy());
}

TEST_CASE("a reply that does not fit the queue closes the session", "[postgres][relay]") {
    Harness h;
    (void)h.from_client(t::query("SELECT 1"));
    const std::string client = h.from_server(t::parse_complete());
    CHECK(h.last.close);
    CHECK(sqlstate_of(client) == "08P01");
}

TEST_CASE("a reply with nothing pending closes the session", "[postgres][relay]") {
    Harness h;
    (void)h.from_server(t::command_complete("SELECT 1"));
    CHECK(h.last.close);
}

TEST_CASE("the server turning standard_conforming_strings off closes the session", "[postgres][relay]") {
    Harness h;
    (void)h.from_server(t::parameter_status("standard_conforming_strings", "off"));
    CHECK(h.last.close);
}

TEST_CASE("COPY BOTH from the server closes the session", "[postgres][relay]") {
    Harness h;
    (void)h.from_client(t::query("START_REPLICATION"));
    (void)h.from_server(t::empty_message('W'));
    CHECK(h.last.close);
}

TEST_CASE("garbage from the client closes the session with a protocol violation", "[postgres][relay]") {
    Harness h;
    CHECK(h.from_client(t::query("SELECT 1") + "GET / HTTP/1.1\r\n") == t::query("SELECT 1"));
    CHECK(h.last.close);
    CHECK(sqlstate_of(h.last.client_reply) == "08P01");
}

TEST_CASE("a message over the size limit closes the session with 08P01, as PostgreSQL does", "[postgres][relay]") {
    Harness h;
    (void)h.from_client(t::query(std::string(70000, 'x')));
    CHECK(h.last.close);
    CHECK(sqlstate_of(h.last.client_reply) == "08P01");
}

TEST_CASE("a length below four from the client closes the session", "[postgres][relay]") {
    Harness h;
    (void)h.from_client(std::string("Q\0\0\0\2", 5));
    CHECK(h.last.close);
    CHECK(sqlstate_of(h.last.client_reply) == "08P01");
}

TEST_CASE("large rows and COPY data stream through without being buffered whole", "[postgres][relay]") {
    Harness h;
    (void)h.from_client(t::query("SELECT big"));
    const std::string row = t::data_row(std::string(200000, 'r'));  // larger than the 64 KiB limit
    std::string client;
    for (std::size_t i = 0; i < row.size(); i += 4096) client += h.from_server(row.substr(i, 4096));
    CHECK(client == row);
    CHECK(h.server_pending.empty());
    CHECK_FALSE(h.last.close);
    const std::string copy = t::copy_data(std::string(100000, 'c'));
    std::string upstream;
    for (std::size_t i = 0; i < copy.size(); i += 1000) upstream += h.from_client(copy.substr(i, 1000));
    CHECK(upstream == copy);
}

TEST_CASE("a FATAL from the server is passed on and ends the session", "[postgres][relay]") {
    Harness h;
    const std::string fatal = t::error("57P01", "FATAL");
    CHECK(h.from_server(fatal) == fatal);
    CHECK(h.last.close);
}

TEST_CASE("Terminate is forwarded and ends the session", "[postgres][relay]") {
    Harness h;
    CHECK(h.from_client(t::terminate()) == t::terminate());
    CHECK(h.last.close);
    CHECK(h.last.client_reply.empty());
}

