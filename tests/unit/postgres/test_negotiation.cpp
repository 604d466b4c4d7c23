// The start-up negotiation as message flows: SSLRequest, GSSENCRequest, CancelRequest and StartupMessage
// fed whole and one byte at a time give the same actions, and every rule that closes the connection holds.
#include "tests/unit/postgres/pg_frames.hpp"
#include "protocols/postgres/negotiation.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace jitgate;
using namespace jitgate::postgres;
using Action = NegotiationStep::Action;

namespace {

std::string packet(std::uint32_t code, std::string_view payload = {}) {
    std::string out;
    Writer(out).int32(static_cast<std::int32_t>(payload.size() + 8)).int32(static_cast<std::int32_t>(code)).raw(payload);
    return out;
}

std::string startup(const Parameters& parameters, std::uint32_t code = protocol_3_0) {
    std::string payload;
    Writer w(payload);
    for (const auto& [k, v] : parameters) w.cstring(k).cstring(v);
    payload.push_back('\0');
    return packet(code, payload);
}

const std::string ssl_request = packet(ssl_request_code);
const std::string gssenc_request = packet(gssenc_request_code);
const std::string alice = startup({{"user", "alice"}, {"database", "orders-db"}, {"application_name", "psql"}});

// One step, as text, so whole flows compare at a glance.
std::string describe(const NegotiationStep& step) {
    switch (step.action) {
    case Action::need_more: return "need more";
    case Action::answer: return std::string("answer ") + step.answer + (step.start_tls ? " and start TLS" : "");
    case Action::cancel:
        return step.cancel ? "cancel " + std::to_string(step.cancel->pid) + "/" + std::to_string(step.cancel->secret)
                           : "cancel without a key";
    case Action::startup:
        return "startup " + step.request->user + "@" + step.request->database +
               (step.reply.empty() ? "" : " negotiating " + std::to_string(step.reply.size()) + " bytes");
    case Action::invalid: return "invalid " + (step.sqlstate.empty() ? std::string("(silent)") : step.sqlstate + " " + step.message);
    }
    return "?";
}

// Feeds each client message (the client waits for an answer between messages), whole or one byte at a
// time, and lists every step that is not `need more`, until the negotiation ends.
std::vector<std::string> run(Negotiation negotiation, const std::vector<std::string>& messages, bool byte_at_a_time) {
    std::vector<std::string> steps;
    std::string buffer;
    for (const std::string& message : messages) {
        const std::size_t pieces = byte_at_a_time ? message.size() : 1;
        for (std::size_t i = 0; i < pieces; ++i) {
            buffer += byte_at_a_time ? message.substr(i, 1) : message;
            while (true) {
                const NegotiationStep step = negotiation.on_client_bytes(test::bytes_of(buffer));
                REQUIRE(step.consumed <= buffer.size());
                buffer.erase(0, step.consumed);
                if (step.action == Action::need_more) break;
                steps.push_back(describe(step));
                if (step.action != Action::answer) return steps;
                if (buffer.empty()) break;
            }
        }
    }
    return steps;
}

struct Flow {
    std::string name;
    bool tls_available;
    bool tls_required;
    std::vector<std::string> messages;
    std::vector<std::string> expected;
};

}  // namespace

TEST_CASE("start-up flows give the same actions fed whole and one byte at a time", "[postgres][negotiation]") {
    std::string key;
    Writer(key).int32(1234).int32(-5678);
    const std::vector<Flow> flows = {
        {"a plain StartupMessage", false, false, {alice}, {"startup alice@orders-db"}},
        {"SSLRequest with TLS configured is answered S and starts TLS", true, false, {ssl_request, alice},
         {"answer S and start TLS", "startup alice@orders-db"}},
        {"SSLRequest without TLS is answered N", false, false, {ssl_request, alice}, {"answer N", "startup alice@orders-db"}},
        {"GSSENCRequest is answered N, then SSL may follow", true, false, {gssenc_request, ssl_request, alice},
         {"answer N", "answer S and start TLS", "startup alice@orders-db"}},
        {"a second SSLRequest closes silently", false, false, {ssl_request, ssl_request}, {"answer N", "invalid (silent)"}},
        {"a second GSSENCRequest closes silently", false, false, {gssenc_request, gssenc_request},
         {"answer N", "invalid (silent)"}},
        {"a CancelRequest carries its key", false, false, {packet(cancel_request_code, key)}, {"cancel 1234/-5678"}},
        {"a CancelRequest of the wrong size has no key", false, false, {packet(cancel_request_code, "1234")},
         {"cancel without a key"}},
        {"protocol 2.0 is refused", false, false, {startup({{"user", "alice"}}, 0x20000)},
         {"invalid 0A000 unsupported frontend protocol 2.0: jitgate speaks 3.0"}},
        {"a newer 3.x minor is answered with NegotiateProtocolVersion", false, false,
         {startup({{"user", "alice"}}, protocol_3_0 + 2)}, {"startup alice@alice negotiating 13 bytes"}},
        {"_pq_ options are named in NegotiateProtocolVersion", false, false,
         {startup({{"user", "alice"}, {"_pq_.compression", "on"}})}, {"startup alice@alice negotiating 30 bytes"}},
        {"tls.require refuses a plain StartupMessage", true, true, {alice},
         {"invalid 28000 jitgate requires an SSL connection (tls.require)"}},
        {"tls.require takes a StartupMessage after TLS", true, true, {ssl_request, alice},
         {"answer S and start TLS", "startup alice@orders-db"}},
        {"tls.require without TLS configured still refuses after N", false, true, {ssl_request, alice},
         {"answer N", "invalid 28000 jitgate requires an SSL connection (tls.require)"}},
        {"a replication connection is refused", false, false, {startup({{"user", "alice"}, {"replication", "true"}})},
         {"invalid 0A000 replication connections are not supported by jitgate"}},
        {"a StartupMessage without a user is refused", false, false, {startup({{"database", "orders-db"}})},
         {"invalid 28000 no PostgreSQL user name specified in startup packet"}},
    };
    for (const Flow& flow : flows) {
        INFO(flow.name);
        const Negotiation negotiation(flow.tls_available, flow.tls_required);
        CHECK(run(negotiation, flow.messages, false) == flow.expected);
        CHECK(run(negotiation, flow.messages, true) == flow.expected);
    }
}

TEST_CASE("the StartupMessage's parameters come out vetted, with the forced ones left to the login",
          "[postgres][negotiation]") {
    Negotiation negotiation(false, false);
    const NegotiationStep step = negotiation.on_client_bytes(test::bytes_of(alice));
    REQUIRE(step.action == Action::startup);
    CHECK(step.consumed == alice.size());
    CHECK(step.request->user == "alice");
    CHECK(step.request->database == "orders-db");
    CHECK(step.request->upstream == Parameters{{"application_name", "psql"}});
    CHECK(step.reply.empty());
}

TEST_CASE("NegotiateProtocolVersion says minor 0 and names each _pq_ option", "[postgres][negotiation]") {
    Negotiation negotiation(false, false);
    const NegotiationStep step = negotiation.on_client_bytes(
        test::bytes_of(startup({{"user", "alice"}, {"_pq_.a", "1"}, {"_pq_.b", "2"}}, protocol_3_0 + 1)));
    REQUIRE(step.action == Action::startup);
    const auto frame = parse_frame(test::bytes_of(step.reply), 1024);
    REQUIRE(frame.status == ParseStatus::ok);
    CHECK(frame.frame.type == 'v');
    Reader reader(frame.frame.body);
    CHECK(reader.int32() == 0);
    CHECK(reader.int32() == 2);
    CHECK(reader.cstring() == "_pq_.a");
    CHECK(reader.cstring() == "_pq_.b");
    CHECK(reader.at_end());
}

TEST_CASE("bytes sent after SSLRequest before the handshake close the connection (CVE-2021-23214)",
          "[postgres][negotiation]") {
    for (const bool tls : {true, false}) {
        Negotiation negotiation(tls, false);
        const NegotiationStep step = negotiation.on_client_bytes(test::bytes_of(ssl_request + alice));
        CHECK(step.action == Action::invalid);
        CHECK(step.sqlstate.empty());
        CHECK(step.warn);
    }
}

TEST_CASE("a start-up packet of a bad length is a protocol violation", "[postgres][negotiation]") {
    struct Case {
        std::string name;
        std::uint32_t length;
        std::string message;
    };
    const std::vector<Case> cases = {
        {"shorter than its own header", 7, "invalid start-up packet: startup packet too short"},
        {"zero", 0, "invalid start-up packet: startup packet too short"},
        {"over 10000 bytes", 10001, "invalid start-up packet: startup packet too long"},
        {"negative", 0x80000000U, "invalid start-up packet: startup packet too long"},
    };
    for (const Case& c : cases) {
        INFO(c.name);
        std::string bytes;
        Writer(bytes).int32(static_cast<std::int32_t>(c.length));
        Negotiation negotiation(false, false);
        const NegotiationStep step = negotiation.on_client_bytes(test::bytes_of(bytes));
        CHECK(step.action == Action::invalid);
        CHECK(step.sqlstate == "08P01");
        CHECK(step.message == c.message);
    }
}

TEST_CASE("fewer than four bytes, or a packet not yet whole, need more", "[postgres][negotiation]") {
    Negotiation negotiation(false, false);
    for (std::size_t n = 0; n < alice.size(); ++n)
        CHECK(negotiation.on_client_bytes(test::bytes_of(alice.substr(0, n))).action == Action::need_more);
}

TEST_CASE("nothing is taken once the negotiation is over", "[postgres][negotiation]") {
    Negotiation negotiation(false, false);
    REQUIRE(negotiation.on_client_bytes(test::bytes_of(alice)).action == Action::startup);
    CHECK(negotiation.on_client_bytes(test::bytes_of(alice)).action == Action::invalid);
}
