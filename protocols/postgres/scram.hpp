// SCRAM-SHA-256 (RFC 5802 §3, §5 and §7 grammar; RFC 7677) as PostgreSQL speaks it inside SASL
// authentication (PostgreSQL docs, "Frontend/Backend Protocol" → "SASL Authentication"): the server side
// that checks an engineer's proof against a config verifier, the client side that logs in upstream, md5
// upstream authentication, and the verifier maker behind `jitgate passwd`. Pure: no sockets, no logging;
// every reply and reason it returns is safe to send or log.
//
// Limits, stated plainly:
// - No channel binding: the server offers only "SCRAM-SHA-256" (never -PLUS); a client that demands
//   binding ("p=") is refused, "n" and "y" are accepted. The client always sends "n".
// - No authorization identity ("a=" in the GS2 header) and no mandatory extensions ("m=").
// - SASLprep (RFC 4013) is only partly applied to passwords: a pure-ASCII password is used as is (which
//   is exactly what SASLprep yields for it); any other password is used as its raw bytes, which is what
//   PostgreSQL does when SASLprep fails, but differs from PostgreSQL for non-ASCII passwords that
//   SASLprep would change (NFKC-normalisable characters, non-ASCII spaces, soft hyphens ...). Such a
//   password works between jitgate's own client and server, but a verifier made by PostgreSQL or libpq
//   for it may not match. Use ASCII (or already NFKC-normalised UTF-8 without mapped characters).
#pragma once

#include "config/config.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace jitgate::postgres {

// The only SASL mechanism jitgate offers in AuthenticationSASL, and the one it picks upstream.
inline constexpr std::string_view scram_mechanism = "SCRAM-SHA-256";
// The iteration count `jitgate passwd` uses unless told otherwise (PostgreSQL's default).
inline constexpr std::uint32_t default_scram_iterations = 4096;
// The client refuses a server asking for more PBKDF2 rounds than this (a slow-down attack guard).
inline constexpr std::uint32_t max_scram_iterations = 10'000'000;

// The outcome of one SCRAM step.
//   ok:        `message` is the next message to send (server-first, client-final, server-final), or
//              empty after the client has verified the server-final message.
//   failed:    the credentials are wrong (bad proof, bad server signature, server-sent "e="): answer
//              like PostgreSQL's 28P01 invalid_password. `message` is a reason for logs only.
//   malformed: the peer broke the protocol (bad grammar, nonce or channel-binding mismatch, a step out
//              of order): answer like 08P01 protocol_violation. `message` is a reason for logs only.
// Reasons never contain a password, key, proof or signature.
struct ScramStep {
    enum class Status : std::uint8_t { ok, failed, malformed };
    Status status = Status::malformed;
    std::string message;

    [[nodiscard]] bool ok() const noexcept { return status == Status::ok; }
};

// Server side (jitgate <- client): one object per authentication attempt, driven by the SASL messages
// of the startup phase. Not thread-safe (one connection owns it).
class ScramServer {
public:
    // `verifier` may be null (unknown user, or a user without a password): a fake verifier is then
    // derived deterministically from HMAC(server_secret, username), so the salt and iteration count an
    // unknown user sees are stable across attempts, the exchange does the same work and gives the same
    // answers as a wrong password, and it always ends in `failed` (no user enumeration, as PostgreSQL's
    // mock authentication). `server_secret` should be random per process (see make_server_secret) and
    // at least 32 bytes. The verifier and secret are copied, so the caller need not keep them alive.
    // `test_nonce`, for tests only: the server's half of the nonce, instead of 18 random bytes in
    // base64. Must be printable (RFC 5802 §7) or on_client_first fails.
    ScramServer(const config::ScramVerifier* verifier, std::string_view username,
                std::span<const std::uint8_t> server_secret, std::string_view test_nonce = {});
    ~ScramServer();
    ScramServer(const ScramServer&) = delete;
    ScramServer& operator=(const ScramServer&) = delete;

    // The data of SASLInitialResponse (the client-first-message, "n,,n=,r=<nonce>") -> the
    // server-first-message to send in AuthenticationSASLContinue ("r=<nonce>,s=<salt>,i=<iterations>").
    [[nodiscard]] ScramStep on_client_first(std::string_view client_first);
    // The data of SASLResponse (the client-final-message, "c=biws,r=<nonce>,p=<proof>") -> on success
    // the server-final-message for AuthenticationSASLFinal ("v=<signature>"); the session then sends
    // AuthenticationOk. A proof that does not verify (or an unknown user) gives `failed`.
    [[nodiscard]] ScramStep on_client_final(std::string_view client_final);

private:
    enum class State : std::uint8_t { want_client_first, want_client_final, done };
    [[nodiscard]] ScramStep fail(ScramStep::Status status, std::string reason);

    config::ScramVerifier verifier_;
    bool doomed_ = false;             // the verifier is fake: never succeed
    std::string test_nonce_;
    State state_ = State::want_client_first;
    char cbind_flag_ = 'n';
    std::string client_first_bare_;
    std::string server_first_;
    std::string nonce_;               // client nonce + server nonce
};

// Options of the client side; the defaults are what the session uses.
struct ScramClientOptions {
    // Sent as "n=" (RFC 5802 saslname-escaped). Empty, as libpq sends it: PostgreSQL uses the user
    // name of the StartupMessage and ignores this one.
    std::string user;
    // The largest iteration count accepted from the server.
    std::uint32_t max_iterations = max_scram_iterations;
    // For tests only: the client nonce instead of 18 random bytes in base64. Must be printable.
    std::string test_nonce;
};

// Client side (jitgate -> upstream PostgreSQL), mutual authentication: the server must prove it knows
// the verifier too. One object per login. Salted passwords are cached (see salted_password), so a new
// upstream connection with the same password and salt does not redo PBKDF2.
class ScramClient {
public:
    explicit ScramClient(std::string_view password, ScramClientOptions options = {});
    ~ScramClient();
    ScramClient(const ScramClient&) = delete;
    ScramClient& operator=(const ScramClient&) = delete;

    // The client-first-message ("n,,n=,r=<nonce>") for SASLInitialResponse, with mechanism
    // scram_mechanism. `failed` only when the random generator fails; call once.
    [[nodiscard]] ScramStep client_first();
    // The server-first-message (AuthenticationSASLContinue data) -> the client-final-message for
    // SASLResponse. `malformed` when the server's nonce does not extend ours, the salt is missing or the
    // iteration count is < 1 or > options.max_iterations.
    [[nodiscard]] ScramStep on_server_first(std::string_view server_first);
    // The server-final-message (AuthenticationSASLFinal data) -> ok with an empty message when the
    // server signature verifies; `failed` when it does not or the server sent "e=<error>".
    [[nodiscard]] ScramStep on_server_final(std::string_view server_final);

private:
    enum class State : std::uint8_t { initial, sent_first, sent_final, done };
    [[nodiscard]] ScramStep fail(ScramStep::Status status, std::string reason);

    std::string password_;            // after the SASLprep described at the top of this file
    ScramClientOptions options_;
    State state_ = State::initial;
    std::string client_nonce_;
    std::string client_first_bare_;
    std::string auth_message_;
    std::array<std::uint8_t, 32> server_key_{};
};

// Makes a per-process secret for ScramServer's fake verifiers (32 random bytes); nullopt when the random
// generator fails.
[[nodiscard]] std::optional<std::array<std::uint8_t, 32>> make_server_secret();

// SaltedPassword := Hi(password, salt, iterations) (RFC 5802 §3) of a password after the SASLprep
// described at the top of this file. PBKDF2 is slow by design, so results are cached per (password,
// salt, iterations): thread-safe, at most salted_password_cache_capacity entries (the least recently
// used goes first). The cache never holds the plain password: its key is an HMAC-SHA-256, under a
// random per-process key, of the length-prefixed password, salt and iterations. nullopt when iterations
// is 0 or OpenSSL fails.
[[nodiscard]] std::optional<std::array<std::uint8_t, 32>> salted_password(std::string_view password,
                                                                          std::span<const std::uint8_t> salt,
                                                                          std::uint32_t iterations);
inline constexpr std::size_t salted_password_cache_capacity = 256;
// For tests: how many salted passwords are cached, and emptying the cache.
[[nodiscard]] std::size_t salted_password_cache_size();
void clear_salted_password_cache();

// md5 upstream authentication (AuthenticationMD5Password): the PasswordMessage payload
// "md5" + md5hex(md5hex(password + user) + salt), 35 characters. `user` is the StartupMessage user.
[[nodiscard]] std::string md5_password_response(std::string_view user, std::string_view password,
                                                std::span<const std::uint8_t, 4> salt);

// The verifier for a password with a given salt and iteration count (StoredKey := H(ClientKey),
// ServerKey := HMAC(SaltedPassword, "Server Key"), RFC 5802 §3). nullopt when iterations is 0 or
// OpenSSL fails. Deterministic: for tests and for make_scram_verifier.
[[nodiscard]] std::optional<config::ScramVerifier> derive_scram_verifier(std::string_view password,
                                                                         std::span<const std::uint8_t> salt,
                                                                         std::uint32_t iterations);
// Whether `password` is the one `verifier` was made from: SaltedPassword (the cached salted_password, so
// the same SASLprep as a psql login) -> ClientKey -> StoredKey, compared in constant time with the
// verifier's (DESIGN §8.1, the API's login). The caller checks unknown users against a verifier too, so
// the time taken does not say whether a user exists.
[[nodiscard]] bool password_matches(const config::ScramVerifier& verifier, std::string_view password);
// PostgreSQL's text form of a verifier: "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>",
// each binary field in base64 — what config::parse_scram_verifier reads and pg_authid stores.
[[nodiscard]] std::string format_scram_verifier(const config::ScramVerifier& verifier);
// For `jitgate passwd`: the text form of a fresh verifier with a random 16-byte salt. Empty when
// iterations is 0 or the random generator fails.
[[nodiscard]] std::string make_scram_verifier(std::string_view password,
                                              std::uint32_t iterations = default_scram_iterations);

}  // namespace jitgate::postgres
