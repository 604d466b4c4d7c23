// The few cryptographic primitives SCRAM-SHA-256 (RFC 5802 §2.2, RFC 7677) and PostgreSQL's md5
// authentication need, as thin value-returning wrappers over OpenSSL: base64 (RFC 4648 §4), SHA-256,
// HMAC-SHA-256, PBKDF2-HMAC-SHA-256 (RFC 8018 §5.2), MD5 hex, random bytes, constant-time comparison
// and wiping. Pure functions, no I/O, no logging.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace jitgate::postgres::crypto {

// A SHA-256 digest or HMAC-SHA-256 output.
using Digest = std::array<std::uint8_t, 32>;

// The bytes of a string (no copy).
[[nodiscard]] std::span<const std::uint8_t> bytes_of(std::string_view text) noexcept;

// Standard base64 with padding (RFC 4648 §4), no line breaks.
[[nodiscard]] std::string base64_encode(std::span<const std::uint8_t> data);
// Strict decoding: only the standard alphabet, length a multiple of 4, '=' padding only at the end,
// no whitespace. The decoded bytes are returned in a std::string (as config::ScramVerifier::salt is);
// nullopt when the text is not valid base64.
[[nodiscard]] std::optional<std::string> base64_decode(std::string_view text);

[[nodiscard]] Digest sha256(std::span<const std::uint8_t> data);
[[nodiscard]] Digest hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data);
// PBKDF2-HMAC-SHA-256 with a 32-byte output (SCRAM's Hi()); nullopt only when OpenSSL fails or the
// inputs do not fit its int-sized parameters. Slow by design: see postgres::salted_password for the
// cached form.
[[nodiscard]] std::optional<Digest> pbkdf2_sha256(std::span<const std::uint8_t> password,
                                                  std::span<const std::uint8_t> salt,
                                                  std::uint32_t iterations);
// Lower-case hex of MD5(data): 32 characters.
[[nodiscard]] std::string md5_hex(std::span<const std::uint8_t> data);

// Fills `out` from OpenSSL's CSPRNG; false when the generator fails (the caller fails closed).
[[nodiscard]] bool random_bytes(std::span<std::uint8_t> out) noexcept;

// Equality whose running time depends only on the lengths, not on where the bytes differ
// (CRYPTO_memcmp). Different lengths compare unequal at once: lengths are not secret here.
[[nodiscard]] bool equal_constant_time(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept;

// Overwrites memory that held a secret, in a way the compiler does not optimise away.
void wipe(std::span<std::uint8_t> secret) noexcept;
void wipe(std::string& secret) noexcept;

}  // namespace jitgate::postgres::crypto
