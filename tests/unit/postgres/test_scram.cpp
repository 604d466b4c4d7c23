// Unit tests of SCRAM-SHA-256 (RFC 5802, RFC 7677 §3 test vector), md5 authentication and the verifier
// maker in protocols/postgres/scram.hpp and crypto.hpp.
#include "protocols/postgres/crypto.hpp"
#include "protocols/postgres/scram.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

using jitgate::config::ScramVerifier;
using jitgate::postgres::ScramClient;
using jitgate::postgres::ScramClientOptions;
using jitgate::postgres::ScramServer;
using jitgate::postgres::ScramStep;
namespace crypto = jitgate::postgres::crypto;
namespace pg = jitgate::postgres;
using Status = ScramStep::Status;

namespace {

// RFC 7677 §3: user "user", password "pencil".
constexpr std::string_view rfc_client_nonce = "rOprNGfwEbeRWgbNEkqO";
constexpr std::string_view rfc_server_nonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
constexpr std::string_view rfc_client_first = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
constexpr std::string_view rfc_server_first =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr std::string_view rfc_client_final =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr std::string_view rfc_server_final = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";
// The same verifier in PostgreSQL's text form (computed independently with Python's hashlib).
constexpr std::string_view rfc_verifier_text =
    "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
    "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=";

constexpr std::array<std::uint8_t, 32> server_secret{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                                     17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

// A tiny local reader of the verifier text, so these tests do not depend on config's parser.
ScramVerifier parse_verifier(std::string_view text) {
    constexpr std::string_view prefix = "SCRAM-SHA-256$";
    REQUIRE(text.substr(0, prefix.size()) == prefix);
    text.remove_prefix(prefix.size());
    const auto colon1 = text.find(':');
    const auto dollar = text.find('$');
    const auto colon2 = text.find(':', dollar);
    REQUIRE(colon1 != std::string_view::npos);
    REQUIRE(dollar != std::string_view::npos);
    REQUIRE(colon2 != std::string_view::npos);
    ScramVerifier verifier;
    verifier.iterations = static_cast<std::uint32_t>(std::stoul(std::string{text.substr(0, colon1)}));
    const auto salt = crypto::base64_decode(text.substr(colon1 + 1, dollar - colon1 - 1));
    const auto stored = crypto::base64_decode(text.substr(dollar + 1, colon2 - dollar - 1));
    const auto server = crypto::base64_decode(text.substr(colon2 + 1));
    REQUIRE(salt);
    REQUIRE(stored);
    REQUIRE(server);
    REQUIRE(stored->size() == 32);
    REQUIRE(server->size() == 32);
    verifier.salt = *salt;
    std::copy(stored->begin(), stored->end(), verifier.stored_key.begin());
    std::copy(server->begin(), server->end(), verifier.server_key.begin());
    return verifier;
}

ScramVerifier rfc_verifier() { return parse_verifier(rfc_verifier_text); }

// One whole exchange between our client and our server; returns the first step that was not ok, or the
// client's final ok step.
struct Exchange {
    ScramStep server_first;
    ScramStep server_final;
    ScramStep client_done;
};

Exchange run_exchange(ScramServer& server, ScramClient& client) {
    Exchange result;
    const ScramStep first = client.client_first();
    REQUIRE(first.ok());
    result.server_first = server.on_client_first(first.message);
    if (!result.server_first.ok()) return result;
    const ScramStep client_final = client.on_server_first(result.server_first.message);
    REQUIRE(client_final.ok());
    result.server_final = server.on_client_final(client_final.message);
    if (!result.server_final.ok()) return result;
    result.client_done = client.on_server_final(result.server_final.message);
    return result;
}

}  // namespace

TEST_CASE("the RFC 7677 test vector: the server answers exactly as the RFC", "[scram]") {
    const ScramVerifier verifier = rfc_verifier();
    ScramServer server{&verifier, "user", server_secret, rfc_server_nonce};
    const ScramStep first = server.on_client_first(rfc_client_first);
    REQUIRE(first.ok());
    CHECK(first.message == rfc_server_first);
    const ScramStep final_step = server.on_client_final(rfc_client_final);
    REQUIRE(final_step.ok());
    CHECK(final_step.message == rfc_server_final);
}

TEST_CASE("the RFC 7677 test vector: the client sends exactly what the RFC sends and accepts the server",
          "[scram]") {
    ScramClient client{"pencil", ScramClientOptions{"user", pg::max_scram_iterations, std::string{rfc_client_nonce}}};
    const ScramStep first = client.client_first();
    REQUIRE(first.ok());
    CHECK(first.message == rfc_client_first);
    const ScramStep client_final = client.on_server_first(rfc_server_first);
    REQUIRE(client_final.ok());
    CHECK(client_final.message == rfc_client_final);
    const ScramStep done = client.on_server_final(rfc_server_final);
    CHECK(done.ok());
    CHECK(done.message.empty());
}

TEST_CASE("the verifier derived from the RFC password matches the RFC's salt and keys", "[scram]") {
    const ScramVerifier expected = rfc_verifier();
    const auto derived = pg::derive_scram_verifier("pencil", crypto::bytes_of(expected.salt), 4096);
    REQUIRE(derived);
    CHECK(derived->stored_key == expected.stored_key);
    CHECK(derived->server_key == expected.server_key);
    CHECK(pg::format_scram_verifier(*derived) == rfc_verifier_text);
}

TEST_CASE("the client sends an empty user name and a 24-character random nonce, as libpq", "[scram]") {
    ScramClient client{"pencil"};
    const ScramStep first = client.client_first();
    REQUIRE(first.ok());
    REQUIRE(first.message.substr(0, 8) == "n,,n=,r=");
    CHECK(first.message.size() == 8 + 24);
    ScramClient other{"pencil"};
    CHECK(other.client_first().message != first.message);
}

TEST_CASE("the client escapes ',' and '=' in a user name it is given", "[scram]") {
    ScramClient client{"pw", ScramClientOptions{"a,b=c", pg::max_scram_iterations, "nonce"}};
    CHECK(client.client_first().message == "n,,n=a=2Cb=3Dc,r=nonce");
}

TEST_CASE("our client authenticates to our server with the right password, both ways verified", "[scram]") {
    const ScramVerifier verifier = rfc_verifier();
    ScramServer server{&verifier, "alice", server_secret};
    ScramClient client{"pencil"};
    const Exchange exchange = run_exchange(server, client);
    REQUIRE(exchange.server_first.ok());
    CHECK(exchange.server_first.message.find(",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096") != std::string::npos);
    REQUIRE(exchange.server_final.ok());
    CHECK(exchange.client_done.ok());
}

TEST_CASE("a wrong password fails with failed, not malformed", "[scram]") {
    const ScramVerifier verifier = rfc_verifier();
    ScramServer server{&verifier, "alice", server_secret};
    ScramClient client{"pencil2"};
    const Exchange exchange = run_exchange(server, client);
    REQUIRE(exchange.server_first.ok());
    CHECK(exchange.server_final.status == Status::failed);
    CHECK(exchange.server_final.message == "SCRAM proof did not verify");
}

TEST_CASE("an unknown user fails exactly like a wrong password and leaks nothing in the salt", "[scram]") {
    // The same client nonce and server nonce for both, so the replies can be compared byte for byte in shape.
    const ScramVerifier verifier = rfc_verifier();
    ScramServer known{&verifier, "alice", server_secret, "servernonce"};
    ScramServer unknown{nullptr, "mallory", server_secret, "servernonce"};

    const std::string client_first = "n,,n=,r=clientnonce";
    const ScramStep known_first = known.on_client_first(client_first);
    const ScramStep unknown_first = unknown.on_client_first(client_first);
    REQUIRE(known_first.ok());
    REQUIRE(unknown_first.ok());
    // Same shape: nonce, a 16-byte salt, the default iteration count.
    CHECK(unknown_first.message.size() == known_first.message.size());
    CHECK(unknown_first.message.starts_with("r=clientnonceservernonce,s="));
    CHECK(unknown_first.message.ends_with(",i=4096"));

    // The fake salt is stable per user name across attempts (a random one would give the game away) ...
    ScramServer unknown_again{nullptr, "mallory", server_secret, "servernonce"};
    CHECK(unknown_again.on_client_first(client_first).message == unknown_first.message);
    // ... and differs between user names and between server secrets.
    ScramServer other_user{nullptr, "trudy", server_secret, "servernonce"};
    CHECK(other_user.on_client_first(client_first).message != unknown_first.message);
    const std::array<std::uint8_t, 32> other_secret{};
    ScramServer other_secret_server{nullptr, "mallory", other_secret, "servernonce"};
    CHECK(other_secret_server.on_client_first(client_first).message != unknown_first.message);

    // A client that follows the protocol with some password gets the same answer from both.
    ScramClient client_known{"wrong", ScramClientOptions{{}, pg::max_scram_iterations, "clientnonce"}};
    ScramClient client_unknown{"wrong", ScramClientOptions{{}, pg::max_scram_iterations, "clientnonce"}};
    REQUIRE(client_known.client_first().ok());
    REQUIRE(client_unknown.client_first().ok());
    const ScramStep final_known = client_known.on_server_first(known_first.message);
    const ScramStep final_unknown = client_unknown.on_server_first(unknown_first.message);
    REQUIRE(final_known.ok());
    REQUIRE(final_unknown.ok());
    const ScramStep known_result = known.on_client_final(final_known.message);
    const ScramStep unknown_result = unknown.on_client_final(final_unknown.message);
    CHECK(known_result.status == Status::failed);
    CHECK(unknown_result.status == Status::failed);
    CHECK(known_result.message == unknown_result.message);
}

TEST_CASE("an unknown user fails even with a proof computed against its fake salt", "[scram]") {
    // Whatever password the client tries, the fake StoredKey is no SHA-256 of a ClientKey it can derive.
    ScramServer server{nullptr, "mallory", server_secret};
    ScramClient client{""};
    const Exchange exchange = run_exchange(server, client);
    REQUIRE(exchange.server_first.ok());
    CHECK(exchange.server_final.status == Status::failed);
}

TEST_CASE("an unknown user costs about the same server time as a wrong password", "[scram]") {
    // The server side never runs PBKDF2; both paths do one HMAC, one SHA-256 and one comparison. Timing
    // is noisy, so this only guards against an accidental early return (which would be ~100x faster).
    const ScramVerifier verifier = rfc_verifier();
    ScramClient client_for_known{"wrong", ScramClientOptions{{}, pg::max_scram_iterations, "c"}};
    ScramServer probe_known{&verifier, "alice", server_secret, "s"};
    REQUIRE(client_for_known.client_first().ok());
    const std::string known_final =
        client_for_known.on_server_first(probe_known.on_client_first("n,,n=,r=c").message).message;
    ScramClient client_for_unknown{"wrong", ScramClientOptions{{}, pg::max_scram_iterations, "c"}};
    ScramServer probe_unknown{nullptr, "mallory", server_secret, "s"};
    REQUIRE(client_for_unknown.client_first().ok());
    const std::string unknown_final =
        client_for_unknown.on_server_first(probe_unknown.on_client_first("n,,n=,r=c").message).message;

    // The best of five rounds, so that other processes on a shared machine do not decide the result.
    auto time_of = [&](const ScramVerifier* v, std::string_view user, const std::string& client_final) {
        auto best = std::chrono::steady_clock::duration::max();
        for (int round = 0; round < 5; ++round) {
            const auto start = std::chrono::steady_clock::now();
            for (int i = 0; i < 500; ++i) {
                ScramServer server{v, user, server_secret, "s"};
                (void)server.on_client_first("n,,n=,r=c");
                const ScramStep step = server.on_client_final(client_final);
                REQUIRE(step.status == Status::failed);
            }
            best = std::min(best, std::chrono::steady_clock::now() - start);
        }
        return best;
    };
    const auto known_time = time_of(&verifier, "alice", known_final);
    const auto unknown_time = time_of(nullptr, "mallory", unknown_final);
    CHECK(unknown_time * 4 > known_time);
    CHECK(known_time * 4 > unknown_time);
}

TEST_CASE("malformed client-first-messages are refused as malformed", "[scram]") {
    const std::vector<std::pair<std::string, std::string>> rows{
        {"", "empty"},
        {"n,,n=,", "no nonce"},
        {"n,,n=", "no nonce, no comma"},
        {"n,,n=,r=", "empty nonce"},
        {"n,,n=,r=abc,", "trailing comma"},
        {"p=tls-server-end-point,,n=,r=abc", "channel binding required"},
        {"x,,n=,r=abc", "unknown gs2 flag"},
        {"nn,,n=,r=abc", "long gs2 flag"},
        {"n,a=alice,n=,r=abc", "authorization identity"},
        {"n,zz,n=,r=abc", "garbage authzid"},
        {"n,,m=ext,n=,r=abc", "mandatory extension"},
        {"n,,r=abc,n=", "attributes swapped"},
        {"n,,n=,x=abc", "nonce attribute missing"},
        {"n,,n=,r=ab c", "space in nonce"},
        {"n,,n=,r=ab\x7f", "DEL in nonce"},
        {"n,,n=,r=ab\xc3\xa9", "non-ASCII in nonce"},
        {std::string{"n,,n=,r=ab\0c", 12}, "NUL byte"},
        {"n,,n=,r=abc,1=ext", "extension with a non-letter name"},
        {"n,,n=,r=abc,x", "extension without ="},
        {"n,,", "only the gs2 header"},
        {"SCRAM-SHA-256", "the mechanism name instead of a message"},
    };
    const ScramVerifier verifier = rfc_verifier();
    for (const auto& [message, why] : rows) {
        INFO(why);
        ScramServer server{&verifier, "alice", server_secret};
        const ScramStep step = server.on_client_first(message);
        CHECK(step.status == Status::malformed);
        CHECK_FALSE(step.message.empty());
    }
}

TEST_CASE("acceptable client-first-messages: y flag, any user name, extensions after the nonce", "[scram]") {
    const std::vector<std::string> rows{
        "n,,n=,r=abc",
        "y,,n=,r=abc",
        "n,,n=alice,r=abc",
        "n,,n=*,r=abc",
        "n,,n=al=2Cice,r=abc",
        "n,,n=,r=abc,x=ignored",
        "n,,n=,r=%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
    };
    const ScramVerifier verifier = rfc_verifier();
    for (const auto& message : rows) {
        INFO(message);
        ScramServer server{&verifier, "alice", server_secret};
        CHECK(server.on_client_first(message).ok());
    }
}

TEST_CASE("malformed client-final-messages are refused as malformed", "[scram]") {
    const std::string good_proof = "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    const std::string nonce = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    const std::vector<std::pair<std::string, std::string>> rows{
        {"", "empty"},
        {"c=biws," + nonce, "no proof"},
        {"c=biws," + good_proof, "no nonce"},
        {nonce + "," + good_proof, "no channel binding"},
        {"c=eSws," + nonce + "," + good_proof, "y binding after an n header"},
        {"c=cD10bHMtc2VydmVyLWVuZC1wb2ludCwsAAAA," + nonce + "," + good_proof, "channel binding data"},
        {"c=biws,r=rOprNGfwEbeRWgbNEkqO," + good_proof, "only the client half of the nonce"},
        {"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k1," + good_proof, "wrong server nonce"},
        {"c=biws," + nonce + ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndV", "proof not base64"},
        {"c=biws," + nonce + ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7A=", "short proof"},
        {"c=biws," + nonce + ",p=", "empty proof"},
        {"c=biws," + nonce + "," + good_proof + ",x=after", "attribute after the proof"},
        {"c=biws," + nonce + "," + good_proof + ",", "trailing comma"},
        {"c=biws," + nonce + ",p=x," + good_proof, "two proofs"},
        {"c=biws," + nonce + ",1=x," + good_proof, "bad extension"},
        {"c=biws," + nonce + "," + good_proof.substr(0, 10) + " " + good_proof.substr(10), "space in proof"},
        {std::string{"c=biws,\0", 8} + nonce + "," + good_proof, "NUL byte"},
    };
    const ScramVerifier verifier = rfc_verifier();
    for (const auto& [message, why] : rows) {
        INFO(why);
        ScramServer server{&verifier, "user", server_secret, rfc_server_nonce};
        REQUIRE(server.on_client_first(rfc_client_first).ok());
        const ScramStep step = server.on_client_final(message);
        CHECK(step.status == Status::malformed);
    }
}

TEST_CASE("an extension before the proof is ignored, as RFC 5802 says, and then the proof fails", "[scram]") {
    // The extension is part of client-final-message-without-proof, so the RFC proof no longer matches.
    const ScramVerifier verifier = rfc_verifier();
    ScramServer server{&verifier, "user", server_secret, rfc_server_nonce};
    REQUIRE(server.on_client_first(rfc_client_first).ok());
    const ScramStep step = server.on_client_final(
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,x=ext,"
        "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
    CHECK(step.status == Status::failed);
}

TEST_CASE("a tampered proof fails; so does a replayed proof under a new server nonce", "[scram]") {
    const ScramVerifier verifier = rfc_verifier();
    SECTION("one bit flipped in the proof") {
        ScramServer server{&verifier, "user", server_secret, rfc_server_nonce};
        REQUIRE(server.on_client_first(rfc_client_first).ok());
        std::string tampered{rfc_client_final};
        tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'V' ? 'W' : 'V';
        CHECK(server.on_client_final(tampered).status == Status::failed);
    }
    SECTION("a recorded exchange replayed against a fresh random server nonce") {
        ScramServer server{&verifier, "user", server_secret};
        REQUIRE(server.on_client_first(rfc_client_first).ok());
        CHECK(server.on_client_final(rfc_client_final).status == Status::malformed);
    }
    SECTION("a tampered client-first-message bare part changes the AuthMessage") {
        ScramServer server{&verifier, "user", server_secret, rfc_server_nonce};
        REQUIRE(server.on_client_first("n,,n=someone,r=rOprNGfwEbeRWgbNEkqO").ok());
        CHECK(server.on_client_final(rfc_client_final).status == Status::failed);
    }
}

TEST_CASE("server steps out of order are malformed, and a failed exchange stays failed", "[scram]") {
    const ScramVerifier verifier = rfc_verifier();
    SECTION("final before first") {
        ScramServer server{&verifier, "user", server_secret, rfc_server_nonce};
        CHECK(server.on_client_final(rfc_client_final).status == Status::malformed);
        CHECK(server.on_client_first(rfc_client_first).status == Status::malformed);
    }
    SECTION("first twice") {
        ScramServer server{&verifier, "user", server_secret, rfc_server_nonce};
        REQUIRE(server.on_client_first(rfc_client_first).ok());
        CHECK(server.on_client_first(rfc_client_first).status == Status::malformed);
    }
    SECTION("a retry after a wrong proof is refused") {
        ScramServer server{&verifier, "user", server_secret, rfc_server_nonce};
        REQUIRE(server.on_client_first(rfc_client_first).ok());
        std::string tampered{rfc_client_final};
        tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'V' ? 'W' : 'V';
        REQUIRE(server.on_client_final(tampered).status == Status::failed);
        CHECK(server.on_client_final(rfc_client_final).status == Status::malformed);
    }
    SECTION("a success cannot be repeated") {
        ScramServer server{&verifier, "user", server_secret, rfc_server_nonce};
        REQUIRE(server.on_client_first(rfc_client_first).ok());
        REQUIRE(server.on_client_final(rfc_client_final).ok());
        CHECK(server.on_client_final(rfc_client_final).status == Status::malformed);
    }
}

TEST_CASE("the y flag is accepted and must be echoed as c=eSws", "[scram]") {
    const ScramVerifier verifier = rfc_verifier();
    ScramServer server{&verifier, "user", server_secret, "s"};
    REQUIRE(server.on_client_first("y,,n=,r=c").ok());
    CHECK(server.on_client_final("c=biws,r=cs,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=").status ==
          Status::malformed);
    ScramServer server2{&verifier, "user", server_secret, "s"};
    REQUIRE(server2.on_client_first("y,,n=,r=c").ok());
    CHECK(server2.on_client_final("c=eSws,r=cs,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=").status ==
          Status::failed);
}

TEST_CASE("the client refuses a bad server-first-message", "[scram]") {
    const std::vector<std::pair<std::string, std::string>> rows{
        {"", "empty"},
        {"r=other%hvYDpW,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "nonce does not start with ours"},
        {"r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "nonce with no server half"},
        {"r=rOprNGfwEbeRWgbNEkqO%hv YD,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "unprintable nonce"},
        {"r=rOprNGfwEbeRWgbNEkqOxyz,s=,i=4096", "empty salt"},
        {"r=rOprNGfwEbeRWgbNEkqOxyz,s=W22Z!J0SNY7soEsUEjb6gQ==,i=4096", "salt not base64"},
        {"r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0", "zero iterations"},
        {"r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=-1", "negative iterations"},
        {"r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=+4096", "signed iterations"},
        {"r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=10000001", "absurd iterations"},
        {"r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=99999999999999999999", "overflowing iterations"},
        {"r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=", "empty iterations"},
        {"r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096x", "garbage after iterations"},
        {"r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==", "no iterations"},
        {"m=ext,r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "mandatory extension"},
        {"r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,", "trailing comma"},
        {"e=other-error", "an error instead of a challenge"},
    };
    for (const auto& [message, why] : rows) {
        INFO(why);
        ScramClient client{"pencil", ScramClientOptions{{}, pg::max_scram_iterations, std::string{rfc_client_nonce}}};
        REQUIRE(client.client_first().ok());
        CHECK(client.on_server_first(message).status == Status::malformed);
    }
}

TEST_CASE("the client's iteration cap is an option", "[scram]") {
    ScramClient client{"pencil", ScramClientOptions{{}, 1000, std::string{rfc_client_nonce}}};
    REQUIRE(client.client_first().ok());
    CHECK(client.on_server_first("r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096").status ==
          Status::malformed);
}

TEST_CASE("the client refuses a server that cannot prove it knows the verifier (mutual authentication)",
          "[scram]") {
    auto client_at_final = [] {
        auto client = std::make_unique<ScramClient>(
            "pencil", ScramClientOptions{"user", pg::max_scram_iterations, std::string{rfc_client_nonce}});
        REQUIRE(client->client_first().ok());
        REQUIRE(client->on_server_first(rfc_server_first).ok());
        return client;
    };
    CHECK(client_at_final()->on_server_final("v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=").status == Status::failed);
    CHECK(client_at_final()->on_server_final("e=invalid-proof").status == Status::failed);
    CHECK(client_at_final()->on_server_final("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G").status ==
          Status::malformed);
    CHECK(client_at_final()->on_server_final("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=,").status ==
          Status::malformed);
    CHECK(client_at_final()->on_server_final("").status == Status::malformed);
    CHECK(client_at_final()->on_server_final("x=1").status == Status::malformed);
    // A server that answers with a signature for a different password is refused as well.
    const ScramVerifier other = *pg::derive_scram_verifier("other", crypto::bytes_of(rfc_verifier().salt), 4096);
    ScramServer impostor{&other, "user", server_secret, rfc_server_nonce};
    REQUIRE(impostor.on_client_first(rfc_client_first).ok());
    // The impostor cannot verify our proof; even if it skipped that and forged a reply it would have to
    // know ServerKey of the real verifier, which it does not.
    CHECK(impostor.on_client_final(rfc_client_final).status == Status::failed);
    const std::string forged =
        "v=" + crypto::base64_encode(crypto::hmac_sha256(other.server_key, crypto::bytes_of("anything")));
    CHECK(client_at_final()->on_server_final(forged).status == Status::failed);
}

TEST_CASE("client steps out of order are malformed", "[scram]") {
    ScramClient client{"pencil"};
    CHECK(client.on_server_first(rfc_server_first).status == Status::malformed);
    ScramClient client2{"pencil"};
    REQUIRE(client2.client_first().ok());
    CHECK(client2.on_server_final(rfc_server_final).status == Status::malformed);
    ScramClient client3{"pencil"};
    REQUIRE(client3.client_first().ok());
    CHECK(client3.client_first().status == Status::malformed);
}

TEST_CASE("salted passwords are cached per password, salt and iterations, and bounded", "[scram]") {
    pg::clear_salted_password_cache();
    const std::string salt = "0123456789abcdef";
    const auto a = pg::salted_password("pencil", crypto::bytes_of(salt), 4096);
    REQUIRE(a);
    CHECK(pg::salted_password_cache_size() == 1);
    CHECK(pg::salted_password("pencil", crypto::bytes_of(salt), 4096) == a);
    CHECK(pg::salted_password_cache_size() == 1);
    CHECK(pg::salted_password("pencil", crypto::bytes_of(salt), 4097) != a);
    CHECK(pg::salted_password("pencil2", crypto::bytes_of(salt), 4096) != a);
    CHECK(pg::salted_password("pencil", crypto::bytes_of("0123456789abcdeg"), 4096) != a);
    // Length-prefixed key: moving a byte from the password into the salt is a different entry.
    CHECK(pg::salted_password("pencil0", crypto::bytes_of("123456789abcdef"), 4096) != a);
    CHECK(pg::salted_password_cache_size() == 5);
    CHECK(*a == *crypto::pbkdf2_sha256(crypto::bytes_of("pencil"), crypto::bytes_of(salt), 4096));
    for (int i = 0; i < 300; ++i) {
        (void)pg::salted_password("p" + std::to_string(i), crypto::bytes_of(salt), 1);
    }
    CHECK(pg::salted_password_cache_size() == pg::salted_password_cache_capacity);
    CHECK_FALSE(pg::salted_password("pencil", crypto::bytes_of(salt), 0));
    pg::clear_salted_password_cache();
    CHECK(pg::salted_password_cache_size() == 0);
}

TEST_CASE("md5 authentication answers md5(md5(password + user) + salt) in hex", "[scram]") {
    // Expected values from Python: "md5" + md5(md5(b"secret" + b"alice").hexdigest().encode() + salt).
    const std::array<std::uint8_t, 4> salt1{1, 2, 3, 4};
    CHECK(pg::md5_password_response("alice", "secret", salt1) == "md598a0412b9c31436fc53776e863350083");
    const std::array<std::uint8_t, 4> salt2{0xde, 0xad, 0xbe, 0xef};
    CHECK(pg::md5_password_response("user", "pencil", salt2) == "md50f5b636d891e9860623ac8ca91fc9dfc");
}

TEST_CASE("make_scram_verifier prints PostgreSQL's format with a fresh 16-byte salt", "[scram]") {
    const std::string text = pg::make_scram_verifier("correct horse", 4096);
    REQUIRE(text.starts_with("SCRAM-SHA-256$4096:"));
    const ScramVerifier verifier = parse_verifier(text);
    CHECK(verifier.iterations == 4096);
    CHECK(verifier.salt.size() == 16);
    // base64 of 16 bytes is 24 characters, of 32 bytes 44: the whole line has a fixed length.
    CHECK(text.size() == std::string_view{"SCRAM-SHA-256$4096:"}.size() + 24 + 1 + 44 + 1 + 44);
    CHECK(pg::make_scram_verifier("correct horse", 4096) != text);
    CHECK(pg::make_scram_verifier("x", 10).starts_with("SCRAM-SHA-256$10:"));
    CHECK(pg::make_scram_verifier("x", 0).empty());

    ScramServer server{&verifier, "alice", server_secret};
    ScramClient client{"correct horse"};
    const Exchange good = run_exchange(server, client);
    REQUIRE(good.server_final.ok());
    CHECK(good.client_done.ok());

    ScramServer server2{&verifier, "alice", server_secret};
    ScramClient wrong{"correct horse "};
    CHECK(run_exchange(server2, wrong).server_final.status == Status::failed);
}

TEST_CASE("make_scram_verifier's output is read back by config's parser", "[scram]") {
    const std::string text = pg::make_scram_verifier("pencil", 4096);
    const auto parsed = jitgate::config::parse_scram_verifier(text);
    REQUIRE(parsed);
    const ScramVerifier local = parse_verifier(text);
    CHECK(parsed->iterations == local.iterations);
    CHECK(parsed->salt == local.salt);
    CHECK(parsed->stored_key == local.stored_key);
    CHECK(parsed->server_key == local.server_key);
    const auto rfc = jitgate::config::parse_scram_verifier(rfc_verifier_text);
    REQUIRE(rfc);
    CHECK(rfc->stored_key == rfc_verifier().stored_key);
}

TEST_CASE("non-ASCII passwords are used as raw UTF-8 bytes on both sides", "[scram]") {
    const std::string password = "p\xc3\xa4ssw\xc3\xb6rd";  // "pässwörd", already NFC
    const std::string text = pg::make_scram_verifier(password, 4096);
    const ScramVerifier verifier = parse_verifier(text);
    ScramServer server{&verifier, "alice", server_secret};
    ScramClient client{password};
    CHECK(run_exchange(server, client).client_done.ok());
}

TEST_CASE("base64 decoding is strict", "[scram]") {
    CHECK(crypto::base64_decode("") == std::string{});
    CHECK(crypto::base64_decode("YQ==") == std::string{"a"});
    CHECK(crypto::base64_decode("YWI=") == std::string{"ab"});
    CHECK(crypto::base64_decode("YWJj") == std::string{"abc"});
    CHECK_FALSE(crypto::base64_decode("YQ"));
    CHECK_FALSE(crypto::base64_decode("YQ="));
    CHECK_FALSE(crypto::base64_decode("Y==="));
    CHECK_FALSE(crypto::base64_decode("===="));
    CHECK_FALSE(crypto::base64_decode("Y=Q="));
    CHECK_FALSE(crypto::base64_decode("YW J"));
    CHECK_FALSE(crypto::base64_decode("YWJ\n"));
    CHECK_FALSE(crypto::base64_decode("YW-_"));
    CHECK(crypto::base64_encode(crypto::bytes_of("abcd")) == "YWJjZA==");
    CHECK(crypto::base64_encode({}).empty());
}

TEST_CASE("password_matches accepts the demo password against its verifier and nothing else", "[scram]") {
    const std::optional<jitgate::config::ScramVerifier> alice = jitgate::config::parse_scram_verifier(
        "SCRAM-SHA-256$4096:UAd01XGJsppBparPXcBeCg==$RNda8iWfQlO1S/q179NsBaCbT8KuZLoxUjtymgMMVo8=:"
        "bSGXO6gaIm8Wn4q+ojD8LaeK5ELrh9eued+LGOwORng=");
    REQUIRE(alice);
    CHECK(jitgate::postgres::password_matches(*alice, "alice-demo"));
    for (const char* wrong : {"", "alice-demo ", "Alice-demo", "bob-demo", "alice-dem"}) {
        INFO(wrong);
        CHECK_FALSE(jitgate::postgres::password_matches(*alice, wrong));
    }
    jitgate::config::ScramVerifier broken = *alice;
    broken.iterations = 0;
    CHECK_FALSE(jitgate::postgres::password_matches(broken, "alice-demo"));
}
