// OpenSSL-backed primitives for SCRAM-SHA-256 (RFC 5802 §2.2, RFC 7677) and md5 authentication; see
// crypto.hpp. Base64 is validated strictly here before OpenSSL's lenient EVP_DecodeBlock sees it.
#include "protocols/postgres/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <climits>
#include <cstdlib>

namespace jitgate::postgres::crypto {

namespace {

[[nodiscard]] bool is_base64_char(char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

[[nodiscard]] int to_int(std::size_t size) noexcept {
    return size > static_cast<std::size_t>(INT_MAX) ? -1 : static_cast<int>(size);
}

[[nodiscard]] unsigned char* as_uchar(char* data) noexcept {
    return reinterpret_cast<unsigned char*>(data);
}

}  // namespace

std::span<const std::uint8_t> bytes_of(std::string_view text) noexcept {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

std::string base64_encode(std::span<const std::uint8_t> data) {
    if (data.empty()) return {};
    // Inputs here are protocol fields and keys, far below the limit; past it the output would overflow int.
    if (data.size() > static_cast<std::size_t>(INT_MAX / 4 * 3)) std::abort();
    std::string out((data.size() + 2) / 3 * 4 + 1, '\0');
    const int written = EVP_EncodeBlock(as_uchar(out.data()), data.data(), static_cast<int>(data.size()));
    out.resize(written < 0 ? 0 : static_cast<std::size_t>(written));
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.empty()) return std::string{};
    if (text.size() % 4 != 0 || to_int(text.size()) < 0) return std::nullopt;
    std::size_t padding = 0;
    if (text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
    for (std::size_t i = 0; i < text.size() - padding; ++i) {
        if (!is_base64_char(text[i])) return std::nullopt;
    }
    std::string out(text.size() / 4 * 3, '\0');
    const int written = EVP_DecodeBlock(as_uchar(out.data()), reinterpret_cast<const unsigned char*>(text.data()),
                                        static_cast<int>(text.size()));
    if (written < 0 || static_cast<std::size_t>(written) != out.size()) return std::nullopt;
    out.resize(out.size() - padding);  // EVP_DecodeBlock counts the padding as zero bytes
    return out;
}

Digest sha256(std::span<const std::uint8_t> data) {
    Digest out{};
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), out.data(), &length, EVP_sha256(), nullptr) != 1 ||
        length != out.size()) {
        std::abort();  // SHA-256 from the default provider cannot fail short of memory corruption
    }
    return out;
}

Digest hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data) {
    Digest out{};
    unsigned int length = 0;
    const int key_length = to_int(key.size());
    if (key_length < 0 ||
        HMAC(EVP_sha256(), key.data(), key_length, data.data(), data.size(), out.data(), &length) == nullptr ||
        length != out.size()) {
        std::abort();  // as for sha256: an invariant, not an expected failure
    }
    return out;
}

std::optional<Digest> pbkdf2_sha256(std::span<const std::uint8_t> password, std::span<const std::uint8_t> salt,
                                    std::uint32_t iterations) {
    const int password_length = to_int(password.size());
    const int salt_length = to_int(salt.size());
    if (password_length < 0 || salt_length < 0 || iterations == 0 || iterations > static_cast<std::uint32_t>(INT_MAX)) {
        return std::nullopt;
    }
    Digest out{};
    // An empty span may carry a null pointer; OpenSSL wants a valid one even for length 0.
    static const char empty = '\0';
    const char* password_data = password.empty() ? &empty : reinterpret_cast<const char*>(password.data());
    const unsigned char* salt_data = salt.empty() ? reinterpret_cast<const unsigned char*>(&empty) : salt.data();
    if (PKCS5_PBKDF2_HMAC(password_data, password_length, salt_data, salt_length, static_cast<int>(iterations),
                          EVP_sha256(), static_cast<int>(out.size()), out.data()) != 1) {
        return std::nullopt;
    }
    return out;
}

std::string md5_hex(std::span<const std::uint8_t> data) {
    std::array<std::uint8_t, 16> digest{};
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_md5(), nullptr) != 1 ||
        length != digest.size()) {
        std::abort();  // MD5 is in OpenSSL 3's default provider; missing only in a FIPS-only build
    }
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(32);
    for (const std::uint8_t byte : digest) {
        out.push_back(hex[byte >> 4]);
        out.push_back(hex[byte & 0x0f]);
    }
    return out;
}

bool random_bytes(std::span<std::uint8_t> out) noexcept {
    if (out.empty()) return true;
    const int length = to_int(out.size());
    return length >= 0 && RAND_bytes(out.data(), length) == 1;
}

bool equal_constant_time(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept {
    if (a.size() != b.size()) return false;
    if (a.empty()) return true;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void wipe(std::span<std::uint8_t> secret) noexcept {
    if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
}

void wipe(std::string& secret) noexcept {
    if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
    secret.clear();
}

}  // namespace jitgate::postgres::crypto
