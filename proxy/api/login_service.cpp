// Password checks, the failed-login throttle and tokens (see login_service.hpp).
#include "proxy/api/login_service.hpp"

#include "protocols/postgres/scram.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>

namespace jitgate::proxy {
namespace {

[[nodiscard]] std::string hex(const unsigned char* bytes, std::size_t size) {
    std::string text;
    text.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) text += fmt::format("{:02x}", bytes[i]);
    return text;
}

[[nodiscard]] std::optional<std::array<std::uint8_t, 32>> sha256(std::string_view text) {
    std::array<std::uint8_t, 32> digest{};
    unsigned int length = 0;
    if (EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1 || length != 32) {
        return std::nullopt;
    }
    return digest;
}

// Checked for unknown users and users without a password, so a refusal takes as long whoever asked.
const config::ScramVerifier& decoy_verifier() {
    static const config::ScramVerifier decoy = [] {
        config::ScramVerifier v;
        v.iterations = 4096;
        v.salt = "jitgate-decoy-salt";
        v.stored_key.fill(0);
        return v;
    }();
    return decoy;
}

}  // namespace

std::optional<std::string> random_token(std::string_view prefix) {
    std::array<unsigned char, 32> secret{};
    if (RAND_bytes(secret.data(), static_cast<int>(secret.size())) != 1) return std::nullopt;
    std::string token = std::string{prefix} + hex(secret.data(), secret.size());
    OPENSSL_cleanse(secret.data(), secret.size());
    return token;
}

std::string token_sha256_hex(std::string_view token) {
    const std::optional<std::array<std::uint8_t, 32>> digest = sha256(token);
    return digest ? hex(digest->data(), digest->size()) : std::string{};
}

LoginService::LoginService(std::shared_ptr<const config::Config> config, LoginStore& store, Clock now)
    : config_(std::move(config)), store_(store), now_(std::move(now)) {}

std::optional<config::Seconds> LoginService::locked_for(std::string_view key, config::TimePoint now,
                                                        std::string& error) {
    const Result<LoginFailures> failures = store_.login_failures(key, now - login_failure_window);
    if (!failures) {
        error = failures.error;
        return std::nullopt;
    }
    if (failures.value->count < max_login_failures || !failures.value->newest) return config::Seconds{0};
    const auto left = std::chrono::ceil<config::Seconds>(*failures.value->newest + login_lockout - now);
    return std::max(left, config::Seconds{1});
}

LoginOutcome LoginService::login(std::string_view user, std::string_view password, std::string_view address) {
    const config::TimePoint now = std::chrono::floor<config::Seconds>(now_());
    LoginOutcome out;
    const std::string user_key = fmt::format("user:{}", user);
    const std::string address_key = fmt::format("address:{}", address);
    for (const std::string& key : {user_key, address_key}) {
        std::string error;
        const std::optional<config::Seconds> locked = locked_for(key, now, error);
        if (!locked) {
            out.refusal = LoginRefusal::store;
            out.error = fmt::format("the state store did not answer: {}", error);
            return out;
        }
        if (locked->count() > 0) {
            out.refusal = LoginRefusal::throttled;
            out.retry_after = *locked;
            out.error = fmt::format("too many failed logins for {}", key);
            return out;
        }
    }
    const config::User* found = config_->find_user(user);
    const bool has_password = found != nullptr && !found->service && found->password.has_value();
    const bool matches = postgres::password_matches(has_password ? *found->password : decoy_verifier(), password);
    if (!has_password || !matches) {
        for (const std::string& key : {user_key, address_key}) {
            if (const Status counted = store_.add_login_failure(key, now, now - login_failure_window); !counted) {
                out.refusal = LoginRefusal::store;
                out.error = fmt::format("cannot count a failed login: {}", counted.error);
                return out;
            }
        }
        out.refusal = LoginRefusal::unauthenticated;
        out.error = found == nullptr ? "unknown user" : has_password ? "wrong password" : "the user has no password";
        return out;
    }
    std::optional<std::string> fresh = random_token(user_token_prefix);
    if (!fresh) {
        out.refusal = LoginRefusal::store;
        out.error = "the random generator failed";
        return out;
    }
    std::string token = std::move(*fresh);
    const TokenRow row{token_sha256_hex(token), found->name, now, now + config_->api.session_ttl};
    if (const Status stored = store_.add_token(row); !stored) {
        OPENSSL_cleanse(token.data(), token.size());
        out.refusal = LoginRefusal::store;
        out.error = fmt::format("cannot store the login token: {}", stored.error);
        return out;
    }
    (void)store_.clear_login_failures(user_key);  // best effort: a stale count only delays a lockout's end
    out.token = std::move(token);
    out.identity = Identity{found->name, false};
    out.expires_at = row.expires_at;
    return out;
}

Result<std::optional<Identity>> LoginService::authenticate(std::string_view token) {
    const std::optional<std::array<std::uint8_t, 32>> digest = sha256(token);
    if (!digest) return {std::nullopt, "SHA-256 failed"};
    if (token.starts_with(service_token_prefix)) {
        const config::User* service = config_->find_service_by_token(*digest);
        if (service == nullptr) return {std::optional<Identity>{}, {}};
        return {std::optional<Identity>{Identity{service->name, true}}, {}};
    }
    if (!token.starts_with(user_token_prefix)) return {std::optional<Identity>{}, {}};
    const config::TimePoint now = now_();
    Result<std::optional<TokenRow>> row = store_.find_token(hex(digest->data(), digest->size()), now);
    if (!row) return {std::nullopt, std::move(row.error)};
    if (!row.value->has_value()) return {std::optional<Identity>{}, {}};
    const config::User* user = config_->find_user((*row.value)->user);
    // A user removed from the config (or turned into a service) no longer signs in with an old token.
    if (user == nullptr || user->service) return {std::optional<Identity>{}, {}};
    return {std::optional<Identity>{Identity{user->name, false}}, {}};
}

Result<bool> LoginService::logout(std::string_view token) {
    if (!token.starts_with(user_token_prefix)) return {false, {}};
    return store_.remove_token(token_sha256_hex(token));
}

}  // namespace jitgate::proxy
