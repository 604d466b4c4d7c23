// The LoginStore contract (DESIGN §8.1): tokens are found by hash only while unexpired and end on
// logout; failed logins are counted per key within a window, forgotten when old, and cleared on demand.
#include "tests/contract/store_factory.hpp"

#include <string>

using namespace jitgate;
using namespace jitgate::proxy;
using jitgate::contract::for_each_store;
using namespace std::chrono_literals;

namespace {

const config::TimePoint start = config::TimePoint{} + 1'795'852'800s;  // 2026-11-28T08:00:00Z

TokenRow token(char fill, std::string user, config::TimePoint created, config::Seconds ttl) {
    return TokenRow{std::string(64, fill), std::move(user), created, created + ttl};
}

}  // namespace

TEST_CASE("a stored token is found by its hash until it expires, and logout ends it") {
    for_each_store([](Store& store) {
        REQUIRE(store.add_token(token('a', "alice", start, 1h)));
        REQUIRE(store.add_token(token('b', "bob", start, 2h)));
        Result<std::optional<TokenRow>> found = store.find_token(std::string(64, 'a'), start + 59min);
        REQUIRE(found);
        REQUIRE(found.value->has_value());
        CHECK((*found.value)->user == "alice");
        CHECK((*found.value)->expires_at == start + 1h);
        CHECK_FALSE(store.find_token(std::string(64, 'a'), start + 1h).value->has_value());
        CHECK_FALSE(store.find_token(std::string(64, 'c'), start).value->has_value());
        CHECK(*store.remove_token(std::string(64, 'b')).value);
        CHECK_FALSE(*store.remove_token(std::string(64, 'b')).value);
        CHECK_FALSE(store.find_token(std::string(64, 'b'), start).value->has_value());
    });
}

TEST_CASE("a hash already stored is refused, and expired tokens are swept when a new one is stored") {
    for_each_store([](Store& store) {
        REQUIRE(store.add_token(token('a', "alice", start, 1h)));
        CHECK_FALSE(store.add_token(token('a', "mallory", start, 1h)));
        CHECK((*store.find_token(std::string(64, 'a'), start).value)->user == "alice");
        // A new token stored after alice's expired sweeps hers; stored again, the hash is free.
        REQUIRE(store.add_token(token('d', "dave", start + 2h, 1h)));
        CHECK(store.add_token(token('a', "alice", start + 2h, 1h)));
    });
}

TEST_CASE("failed logins are counted per key within the window, old ones forgotten, and cleared") {
    for_each_store([](Store& store) {
        for (int i = 0; i < 3; ++i) REQUIRE(store.add_login_failure("user:alice", start + i * 1min, start - 10min));
        REQUIRE(store.add_login_failure("address:192.0.2.7", start, start - 10min));
        Result<LoginFailures> alice = store.login_failures("user:alice", start - 10min);
        REQUIRE(alice);
        CHECK(alice.value->count == 3);
        CHECK(alice.value->newest == start + 2min);
        CHECK(store.login_failures("user:alice", start + 1min).value->count == 2);
        CHECK(store.login_failures("user:bob", start).value->count == 0);
        CHECK_FALSE(store.login_failures("user:bob", start).value->newest);
        // A failure much later forgets the ones before its window.
        REQUIRE(store.add_login_failure("user:alice", start + 1h, start + 50min));
        CHECK(store.login_failures("user:alice", start - 1h).value->count == 1);
        REQUIRE(store.clear_login_failures("user:alice"));
        CHECK(store.login_failures("user:alice", start - 1h).value->count == 0);
        CHECK(store.login_failures("address:192.0.2.7", start - 1h).value->count == 1);
    });
}
