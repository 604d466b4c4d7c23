// LoginStore: what the API's sign-in keeps in the state store (DESIGN §8.1) — login tokens by their
// SHA-256 (never the token) with their expiry, and failed-login counts per key ("user:alice",
// "address:192.0.2.7"), so a restart does not reset a lockout and every proxy on one store sees the same
// counts. Expected failures come back as values; nothing here throws. tests/contract/ states the promises.
#pragma once

#include "proxy/store/store_types.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jitgate::proxy {

// One login token as stored: the hex SHA-256 of the token the client holds, whose it is, and when it lapses.
struct TokenRow {
    std::string sha256;  // 64 lowercase hex digits
    std::string user;
    config::TimePoint created_at;
    config::TimePoint expires_at;
};

// The failed logins of one key at or after a moment.
struct LoginFailures {
    std::uint32_t count = 0;
    std::optional<config::TimePoint> newest;  // the latest failure counted, when count > 0
};

class LoginStore {
public:
    virtual ~LoginStore() = default;

    // Stores a new token; a hash already stored is an error (tokens are 256 random bits: it never happens
    // by chance). Tokens that expired before `row.created_at` are deleted on the way.
    [[nodiscard]] virtual Status add_token(const TokenRow& row) = 0;
    // The token with this hash when it expires after `now`; an empty optional when there is none or it
    // has expired (an expired token never authenticates, whatever the clock of the proxy that wrote it).
    [[nodiscard]] virtual Result<std::optional<TokenRow>> find_token(std::string_view sha256,
                                                                     config::TimePoint now) = 0;
    // Ends a token (logout); whether one was there to end.
    [[nodiscard]] virtual Result<bool> remove_token(std::string_view sha256) = 0;

    // Counts one failed login for `key` at `at`; failures older than `forget_before` are deleted.
    [[nodiscard]] virtual Status add_login_failure(std::string_view key, config::TimePoint at,
                                                   config::TimePoint forget_before) = 0;
    // How many failures `key` has at or after `since`, and the newest of them.
    [[nodiscard]] virtual Result<LoginFailures> login_failures(std::string_view key, config::TimePoint since) = 0;
    // Forgets every failure of `key` (a successful login clears its user's count).
    [[nodiscard]] virtual Status clear_login_failures(std::string_view key) = 0;

protected:
    LoginStore() = default;
    LoginStore(const LoginStore&) = default;
    LoginStore& operator=(const LoginStore&) = default;
};

}  // namespace jitgate::proxy
