// Who an API caller is (DESIGN §8.1): a password login against the user's SCRAM-SHA-256 verifier (no
// second password store), throttled by failed logins counted in the state store per user and per client
// address (ten within 10 minutes → refused for 10 minutes, across restarts and proxies); random 256-bit
// login tokens kept only as SHA-256 with their expiry; service tokens matched against `services:`'
// token_sha256. Front ends (the HTTP API, the console) parse and render; this decides and writes.
#pragma once

#include "config/config.hpp"
#include "proxy/store/login_store.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace jitgate::proxy {

// Failed logins allowed per key within the window before the key is refused for the lockout.
inline constexpr std::uint32_t max_login_failures = 10;
inline constexpr config::Seconds login_failure_window{600};
inline constexpr config::Seconds login_lockout{600};

// An authenticated caller: a configured user or service, by name.
struct Identity {
    std::string name;
    bool service = false;
};

enum class LoginRefusal : std::uint8_t {
    none,
    unauthenticated,  // unknown user, wrong password, a user without a password: the same answer
    throttled,        // too many failures for the user or the address; retry_after says when to try
    store,            // the state store did not answer: nobody signs in (fail closed)
};

struct LoginOutcome {
    std::string token;  // set on success: the only time it exists outside the client
    Identity identity;
    config::TimePoint expires_at;
    LoginRefusal refusal = LoginRefusal::none;
    config::Seconds retry_after{0};
    std::string error;  // one sentence for the log, never the password or the token
    [[nodiscard]] explicit operator bool() const noexcept { return refusal == LoginRefusal::none; }
};

class LoginService {
public:
    using Clock = std::function<config::TimePoint()>;

    LoginService(std::shared_ptr<const config::Config> config, LoginStore& store, Clock now);

    // Checks `password` for `user`, from `address` (the client's IP, no port), and issues a token.
    [[nodiscard]] LoginOutcome login(std::string_view user, std::string_view password, std::string_view address);
    // The identity a bearer token proves: a live login token of a user still in the config, or a
    // service token whose SHA-256 a `services:` entry names. Unauthenticated is an empty identity with
    // no error; a store that does not answer is an error (the caller answers 503, never lets it in).
    [[nodiscard]] Result<std::optional<Identity>> authenticate(std::string_view token);
    // Ends a login token; service tokens end by removing them from the config.
    [[nodiscard]] Result<bool> logout(std::string_view token);

private:
    [[nodiscard]] std::optional<config::Seconds> locked_for(std::string_view key, config::TimePoint now,
                                                            std::string& error);

    std::shared_ptr<const config::Config> config_;
    LoginStore& store_;
    Clock now_;
};

// Login tokens ("jgu_…") and service tokens ("jgt_…", from `jitgate token new`) are a prefix and 64 hex
// digits of OpenSSL's CSPRNG.
inline constexpr std::string_view user_token_prefix = "jgu_";
inline constexpr std::string_view service_token_prefix = "jgt_";
// A fresh token with `prefix`; nullopt when the random generator fails.
[[nodiscard]] std::optional<std::string> random_token(std::string_view prefix);
// The lowercase hex SHA-256 of a token's text: how tokens are stored and compared.
[[nodiscard]] std::string token_sha256_hex(std::string_view token);

}  // namespace jitgate::proxy
