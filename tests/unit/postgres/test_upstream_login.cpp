// jitgate's login to a target as message flows against a scripted server: trust, cleartext, md5 and a
// real SCRAM-SHA-256 exchange, fed whole and one byte at a time with the same outcome, and every server
// answer that fails the login (never with the target's password in the error).
#include "tests/unit/postgres/pg_frames.hpp"
#include "protocols/postgres/scram.hpp"
#include "protocols/postgres/upstream_login.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <vector>

using namespace jitgate;
using namespace jitgate::postgres;
using LoginStatus = UpstreamLoginStep::Status;

namespace {

constexpr std::string_view password = "s3cret-upstream-pw";

std::string auth(std::int32_t code, std::string_view data = {}) {
    std::string o;
    write_auth_request(o, code, data);
    return o;
}
std::string key_data(std::int32_t pid, std::int32_t secret) {
    std::string o;
    write_backend_key_data(o, pid, secret);
    return o;
}

const std::string after_auth = auth(0) + test::parameter_status("server_version", "15.4") +
                               test::parameter_status("standard_conforming_strings", "on") + test::notice() +
                               key_data(4242, -77) + test::ready('I');
const std::string expected_to_client = test::parameter_status("server_version", "15.4") +
                                       test::parameter_status("standard_conforming_strings", "on") + test::notice();

// A scripted server: what it answers to each message jitgate sends (the StartupMessage first).
using Server = std::function<std::string(const std::string& sent)>;

struct Outcome {
    LoginStatus status = LoginStatus::need_more;
    std::string error;
    std::string to_client;
    std::string ready;
    std::int32_t pid = 0;
    std::int32_t secret = 0;
    std::vector<std::string> sent;
};

Outcome run(const Server& server, bool byte_at_a_time) {
    UpstreamLogin login("app", std::string(password), "orders", {{"client_encoding", "UTF8"}});
    Outcome outcome;
    outcome.sent.push_back(login.start());
    std::string queued = server(outcome.sent.back());
    std::string buffer;
    while (!queued.empty()) {
        const std::size_t n = byte_at_a_time ? 1 : queued.size();
        buffer += queued.substr(0, n);
        queued.erase(0, n);
        while (true) {
            UpstreamLoginStep step = login.on_server_bytes(test::bytes_of(buffer));
            REQUIRE(step.consumed <= buffer.size());
            buffer.erase(0, step.consumed);
            if (step.status == LoginStatus::need_more) break;
            if (step.status == LoginStatus::send) {
                outcome.sent.push_back(step.to_server);
                queued += server(step.to_server);
                continue;
            }
            outcome.status = step.status;
            outcome.error = step.error;
            outcome.to_client = step.to_client;
            outcome.ready = step.ready;
            outcome.pid = step.pid;
            outcome.secret = step.secret;
            return outcome;
        }
    }
    return outcome;  // the server fell silent: need more
}

// A server that answers the StartupMessage with `first`, and each later message with the next reply.
Server scripted(std::vector<std::string> replies) {
    auto left = std::make_shared<std::vector<std::string>>(std::move(replies));
    return [left](const std::string&) {
        if (left->empty()) return std::string();
        std::string reply = left->front();
        left->erase(left->begin());
        return reply;
    };
}

std::string body_text(const std::string& message) {
    const auto frame = parse_frame(test::bytes_of(message), 1 << 20);
    REQUIRE(frame.status == ParseStatus::ok);
    return std::string(reinterpret_cast<const char*>(frame.frame.body.data()), frame.frame.body.size());
}

// A real SCRAM-SHA-256 server (jitgate's own ScramServer) holding a verifier of `server_password`.
Server scram_server(std::string_view server_password) {
    static const std::array<std::uint8_t, 16> salt = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    static const std::array<std::uint8_t, 32> secret{};
    auto verifier = std::make_shared<config::ScramVerifier>(*derive_scram_verifier(server_password, salt, 4096));
    auto scram = std::make_shared<ScramServer>(verifier.get(), "app", secret, "servernonce");
    auto round = std::make_shared<int>(0);
    return [verifier, scram, round](const std::string& sent) -> std::string {
        switch ((*round)++) {
        case 0: return auth(10, std::string("SCRAM-SHA-256\0\0", 15));
        case 1: {  // SASLInitialResponse: mechanism, length, client-first
            const std::string body = body_text(sent);
            const std::string data = body.substr(body.find('\0') + 1 + 4);
            const ScramStep step = scram->on_client_first(data);
            return step.ok() ? auth(11, step.message) : test::error("08P01", "FATAL");
        }
        case 2: {
            const ScramStep step = scram->on_client_final(body_text(sent));
            return step.ok() ? auth(12, step.message) + after_auth : test::error("28P01", "FATAL");
        }
        default: return {};
        }
    };
}

}  // namespace

TEST_CASE("the StartupMessage names the target's user and database, then the given parameters", "[postgres][login]") {
    const UpstreamLogin login("app", "pw", "orders", {{"client_encoding", "UTF8"}, {"application_name", "psql"}});
    std::string expected;
    write_startup_message(expected, {{"user", "app"}, {"database", "orders"}, {"client_encoding", "UTF8"},
                                     {"application_name", "psql"}});
    CHECK(login.start() == expected);
}

TEST_CASE("logins succeed the same fed whole and one byte at a time", "[postgres][login]") {
    struct Case {
        std::string name;
        std::vector<std::string> replies;
        std::size_t messages_sent;
    };
    const std::vector<Case> cases = {
        {"trust", {after_auth}, 1},
        {"cleartext", {auth(3), after_auth}, 2},
        {"md5", {auth(5, "\x01\x02\x03\x04"), after_auth}, 2},
    };
    for (const Case& c : cases) {
        INFO(c.name);
        for (const bool byte_at_a_time : {false, true}) {
            const Outcome outcome = run(scripted(c.replies), byte_at_a_time);
            CHECK(outcome.status == LoginStatus::done);
            CHECK(outcome.to_client == expected_to_client);
            CHECK(outcome.ready == test::ready('I'));
            CHECK(outcome.pid == 4242);
            CHECK(outcome.secret == -77);
            CHECK(outcome.sent.size() == c.messages_sent);
        }
    }
    CHECK(run(scripted({auth(3), after_auth}), false).sent == run(scripted({auth(3), after_auth}), true).sent);
    const Outcome cleartext = run(scripted({auth(3), after_auth}), false);
    std::string password_message;
    write_password_message(password_message, password);
    CHECK(cleartext.sent.at(1) == password_message);
}

TEST_CASE("a real SCRAM-SHA-256 exchange logs in, whole and one byte at a time", "[postgres][login][scram]") {
    for (const bool byte_at_a_time : {false, true}) {
        const Outcome outcome = run(scram_server(password), byte_at_a_time);
        CHECK(outcome.status == LoginStatus::done);
        CHECK(outcome.error.empty());
        CHECK(outcome.to_client == expected_to_client);
        CHECK(outcome.pid == 4242);
        CHECK(outcome.sent.size() == 3);
    }
}

TEST_CASE("a failed login says why and never says the target's password", "[postgres][login]") {
    struct Case {
        std::string name;
        std::function<Server()> server;
        std::string error;  // a prefix of it
    };
    std::string short_length = "R";
    Writer(short_length).int32(3);
    std::string huge = "S";
    Writer(huge).int32(1 << 20);
    const std::vector<Case> cases = {
        {"the server refuses the password", [] { return scripted({auth(3), test::error("28P01", "FATAL")}); },
         "the server refused the login: 28P01"},
        {"SCRAM with another password", [] { return scram_server("not-the-password"); }, "the server refused the login: 28P01"},
        {"an authentication method jitgate does not speak", [] { return scripted({auth(7)}); },
         "the server asked for unsupported authentication method 7"},
        {"SASL without SCRAM-SHA-256", [] { return scripted({auth(10, std::string("OTHER\0\0", 7))}); },
         "the server did not offer SCRAM-SHA-256"},
        {"standard_conforming_strings off", [] {
             return scripted({auth(0) + test::parameter_status("standard_conforming_strings", "off")}); },
         "the server runs with standard_conforming_strings off"},
        {"an error after authentication", [] { return scripted({auth(0) + test::error("53300", "FATAL")}); }, "53300 server error"},
        {"a row before ReadyForQuery", [] { return scripted({auth(0) + test::data_row("x")}); },
         "unexpected message 'D' during start-up"},
        {"a short BackendKeyData", [] {
             std::string k;
             Writer(k).begin('K').int32(1).end();
             return scripted({auth(0) + k});
         }, "malformed BackendKeyData"},
        {"a malformed ParameterStatus", [] {
             std::string s;
             Writer(s).begin('S').raw("no-nul").end();
             return scripted({auth(0) + s});
         }, "malformed ParameterStatus"},
        {"a length below four", [short_length] { return scripted({short_length}); }, "start-up failed: message length below 4"},
        {"a message over the limit", [huge] { return scripted({huge}); }, "start-up failed: message exceeds the size limit"},
        {"a row instead of authentication", [] { return scripted({test::data_row("x")}); },
         "unexpected message 'D' during authentication"},
    };
    for (const Case& c : cases) {
        INFO(c.name);
        for (const bool byte_at_a_time : {false, true}) {
            const Outcome outcome = run(c.server(), byte_at_a_time);
            CHECK(outcome.status == LoginStatus::failed);
            CHECK(outcome.error.starts_with(c.error));
            CHECK(outcome.error.find(password) == std::string::npos);
        }
    }
}

TEST_CASE("a server that falls silent leaves the login needing more", "[postgres][login]") {
    CHECK(run(scripted({auth(0) + test::parameter_status("a", "b")}), true).status == LoginStatus::need_more);
}

TEST_CASE("nothing is taken once the login is over", "[postgres][login]") {
    UpstreamLogin login("app", "pw", "orders", {});
    const std::string bytes = after_auth;
    REQUIRE(login.on_server_bytes(test::bytes_of(bytes)).status == LoginStatus::done);
    CHECK(login.on_server_bytes(test::bytes_of(bytes)).status == LoginStatus::failed);
}
