// Unit tests of sign-in against a real SQLite store: the demo password logs in, wrong password, unknown
// user and a password-less user get the same refusal, the tenth failure locks the user and the address
// for 10 minutes (and a fresh service on the same store still sees it), tokens expire and end on
// logout, and service tokens authenticate by their SHA-256.
#include "proxy/api/login_service.hpp"

#include "proxy/store/open_store.hpp"
#include "tests/unit/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <memory>
#include <string>

using namespace jitgate;
using namespace jitgate::proxy;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view alice_verifier =
    "SCRAM-SHA-256$4096:UAd01XGJsppBparPXcBeCg==$RNda8iWfQlO1S/q179NsBaCbT8KuZLoxUjtymgMMVo8=:"
    "bSGXO6gaIm8Wn4q+ojD8LaeK5ELrh9eued+LGOwORng=";
constexpr std::string_view service_token = "jgt_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

std::shared_ptr<const config::Config> world() {
    auto c = std::make_shared<config::Config>();
    config::User alice;
    alice.name = "alice";
    alice.password = config::parse_scram_verifier(alice_verifier);
    config::User sshonly;
    sshonly.name = "sshonly";
    config::User ci;
    ci.name = "migrate-ci";
    ci.service = true;
    const std::string hash = token_sha256_hex(service_token);
    for (std::size_t i = 0; i < 32; ++i) ci.token_sha256[i] = static_cast<std::uint8_t>(std::stoi(hash.substr(2 * i, 2), nullptr, 16));
    c->users = {alice, sshonly, ci};
    c->api.session_ttl = 1h;
    return c;
}

struct Fixture {
    testing::TempDir dir{"jitgate-login-service"};
    std::unique_ptr<Store> store;
    config::TimePoint clock = config::TimePoint{} + 1'795'852'800s;
    std::unique_ptr<LoginService> service;
    Fixture() {
        Result<std::unique_ptr<Store>> opened = open_store("sqlite:" + (dir.path / "state.db").string());
        INFO(opened.error);
        REQUIRE(opened);
        store = std::move(*opened.value);
        service = std::make_unique<LoginService>(world(), *store, [this] { return clock; });
    }
};

}  // namespace

TEST_CASE("the right password gets a token that authenticates until it expires or logs out", "[login]") {
    Fixture f;
    const LoginOutcome ok = f.service->login("alice", "alice-demo", "192.0.2.7");
    INFO(ok.error);
    REQUIRE(ok);
    CHECK(ok.token.starts_with("jgu_"));
    CHECK(ok.token.size() == 4 + 64);
    CHECK(ok.expires_at == f.clock + 1h);
    const Result<std::optional<Identity>> who = f.service->authenticate(ok.token);
    REQUIRE(who);
    REQUIRE(who.value->has_value());
    CHECK((*who.value)->name == "alice");
    CHECK_FALSE((*who.value)->service);
    // The store keeps only the hash.
    CHECK(f.store->find_token(token_sha256_hex(ok.token), f.clock).value->has_value());
    CHECK_FALSE(f.store->find_token(ok.token, f.clock).value->has_value());
    f.clock += 1h;
    CHECK_FALSE(f.service->authenticate(ok.token).value->has_value());
    f.clock -= 30min;
    CHECK(*f.service->logout(ok.token).value);
    CHECK_FALSE(f.service->authenticate(ok.token).value->has_value());
}

TEST_CASE("unknown user, wrong password and a user without a password are refused alike", "[login]") {
    Fixture f;
    for (const auto& [user, password] : {std::pair{"alice", "wrong"}, std::pair{"nobody", "alice-demo"},
                                         std::pair{"sshonly", ""}, std::pair{"migrate-ci", ""}}) {
        INFO(user);
        const LoginOutcome refused = f.service->login(user, password, "192.0.2.7");
        CHECK(refused.refusal == LoginRefusal::unauthenticated);
        CHECK(refused.token.empty());
    }
    CHECK_FALSE(f.service->authenticate("jgu_" + std::string(64, '0')).value->has_value());
    CHECK_FALSE(f.service->authenticate("").value->has_value());
}

TEST_CASE("ten failures lock the user for 10 minutes, across a restart, and the right password waits too",
          "[login]") {
    Fixture f;
    for (int i = 0; i < 10; ++i) {
        CHECK(f.service->login("alice", "wrong", fmt::format("192.0.2.{}", i)).refusal == LoginRefusal::unauthenticated);
        f.clock += 10s;
    }
    LoginService restarted{world(), *f.store, [&f] { return f.clock; }};
    LoginOutcome locked = restarted.login("alice", "alice-demo", "198.51.100.1");
    CHECK(locked.refusal == LoginRefusal::throttled);
    CHECK(locked.retry_after == 590s);   // 10 minutes from the tenth failure, 10 s ago
    f.clock += 590s;
    CHECK(restarted.login("alice", "alice-demo", "198.51.100.1"));
}

TEST_CASE("ten failures from one address lock that address for every user", "[login]") {
    Fixture f;
    for (int i = 0; i < 10; ++i) (void)f.service->login(fmt::format("user{}", i), "x", "203.0.113.9");
    CHECK(f.service->login("alice", "alice-demo", "203.0.113.9").refusal == LoginRefusal::throttled);
    CHECK(f.service->login("alice", "alice-demo", "203.0.113.10"));
}

TEST_CASE("a service token authenticates as its service by SHA-256; another does not", "[login]") {
    Fixture f;
    const Result<std::optional<Identity>> who = f.service->authenticate(service_token);
    REQUIRE(who);
    REQUIRE(who.value->has_value());
    CHECK((*who.value)->name == "migrate-ci");
    CHECK((*who.value)->service);
    std::string other{service_token};
    other.back() = 'e';
    CHECK_FALSE(f.service->authenticate(other).value->has_value());
    CHECK_FALSE(*f.service->logout(service_token).value);
}
