// Validates the credentials written in jitgate.yaml: OpenSSH public key lines (RFC 4253 §6.6 blobs)
// and PostgreSQL SCRAM-SHA-256 verifiers. Only their form is checked; no message repeats key material.
#include "config/config.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

namespace jitgate::config {
namespace {

template <class T>
[[nodiscard]] Result<T> fail(std::string message) {
    return Result<T>{std::nullopt, std::move(message)};
}

// Strict standard base64 (RFC 4648 §4, padded); nullopt on any other character or a bad length.
[[nodiscard]] std::optional<std::string> decode_base64(std::string_view text) {
    if (text.empty() || text.size() % 4 != 0) return std::nullopt;
    std::size_t padding = 0;
    while (padding < 2 && !text.empty() && text[text.size() - 1 - padding] == '=') ++padding;
    for (std::size_t i = 0; i + padding < text.size(); ++i) {
        const char c = text[i];
        const bool alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                              (c >= '0' && c <= '9') || c == '+' || c == '/';
        if (!alphabet) return std::nullopt;
    }
    std::string out(text.size() / 4 * 3, '\0');
    const int decoded = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                        reinterpret_cast<const unsigned char*>(text.data()),
                                        static_cast<int>(text.size()));
    if (decoded < 0) return std::nullopt;
    // EVP_DecodeBlock counts the padding as zero bytes; drop them.
    out.resize(static_cast<std::size_t>(decoded) - padding);
    return out;
}

// One RFC 4251 §5 "string": a big-endian uint32 length and that many bytes.
[[nodiscard]] std::optional<std::string_view> take_ssh_string(std::string_view& blob) {
    if (blob.size() < 4) return std::nullopt;
    std::uint32_t length = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        length = (length << 8) | static_cast<unsigned char>(blob[i]);
    }
    blob.remove_prefix(4);
    if (length > blob.size()) return std::nullopt;
    const std::string_view value = blob.substr(0, length);
    blob.remove_prefix(length);
    return value;
}

struct KeyType {
    std::string_view name;
    std::size_t fields;   // length-prefixed fields after the type name
};
constexpr std::array<KeyType, 7> key_types{{
    {"ssh-ed25519", 1},                         // key (32 bytes)
    {"ssh-rsa", 2},                             // e, n
    {"ecdsa-sha2-nistp256", 2},                 // curve, point
    {"ecdsa-sha2-nistp384", 2},
    {"ecdsa-sha2-nistp521", 2},
    {"sk-ssh-ed25519@openssh.com", 2},          // key, application
    {"sk-ecdsa-sha2-nistp256@openssh.com", 3},  // curve, point, application
}};

}  // namespace

std::string SshPublicKey::key_text() const {
    std::string encoded(4 * ((blob.size() + 2) / 3) + 1, '\0');
    const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                       reinterpret_cast<const unsigned char*>(blob.data()),
                                       static_cast<int>(blob.size()));
    encoded.resize(static_cast<std::size_t>(std::max(length, 0)));
    return type + " " + encoded;
}

Result<SshPublicKey> parse_ssh_public_key(std::string_view line) {
    const auto bad = [](std::string_view why) {
        return fail<SshPublicKey>(fmt::format(
            "bad SSH public key: {} (expected \"TYPE BASE64 [comment]\" as in id_ed25519.pub)", why));
    };
    const auto is_space = [](char c) { return c == ' ' || c == '\t'; };
    const auto skip_spaces = [&](std::string_view& text) {
        while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    };
    const auto take_word = [&](std::string_view& text) {
        std::size_t end = 0;
        while (end < text.size() && !is_space(text[end])) ++end;
        const std::string_view word = text.substr(0, end);
        text.remove_prefix(end);
        return word;
    };
    std::string_view rest = line;
    skip_spaces(rest);
    const std::string_view type = take_word(rest);
    skip_spaces(rest);
    const std::string_view encoded = take_word(rest);
    skip_spaces(rest);
    while (!rest.empty() && (is_space(rest.back()) || rest.back() == '\n' || rest.back() == '\r')) {
        rest.remove_suffix(1);
    }
    if (type.empty()) return bad("it is empty");
    const auto* known = std::find_if(key_types.begin(), key_types.end(),
                                     [&](const KeyType& k) { return k.name == type; });
    if (known == key_types.end()) {
        return bad(fmt::format("unknown key type \"{}\" (use ssh-ed25519, ssh-rsa or ecdsa-sha2-nistp256)",
                               type.substr(0, 40)));
    }
    if (encoded.empty()) return bad("the base64 key data is missing");
    std::optional<std::string> blob = decode_base64(encoded);
    if (!blob) return bad("the key data is not valid base64");
    std::string_view fields = *blob;
    const std::optional<std::string_view> embedded = take_ssh_string(fields);
    if (!embedded) return bad("the key data is truncated");
    if (*embedded != type) {
        return bad(fmt::format("the key data is a {} key, not {}",
                               std::string_view{embedded->substr(0, 40)}, type));
    }
    for (std::size_t i = 0; i < known->fields; ++i) {
        const std::optional<std::string_view> field = take_ssh_string(fields);
        if (!field) return bad("the key data is truncated");
        if (i == 0 && known->name.find("ed25519") != std::string_view::npos && field->size() != 32) {
            return bad("an ed25519 key must be 32 bytes");
        }
    }
    if (!fields.empty()) return bad("the key data has trailing bytes");
    return Result<SshPublicKey>{SshPublicKey{std::string{type}, std::move(*blob), std::string{rest}}, {}};
}

Result<ScramVerifier> parse_scram_verifier_detailed(std::string_view text) {
    const auto bad = [](std::string_view why) {
        return fail<ScramVerifier>(fmt::format(
            "bad SCRAM verifier: {} (expected SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>, "
            "as printed by `jitgate passwd`)",
            why));
    };
    constexpr std::string_view prefix = "SCRAM-SHA-256$";
    if (text.substr(0, prefix.size()) != prefix) return bad("it must start with SCRAM-SHA-256$");
    text.remove_prefix(prefix.size());
    const std::size_t dollar = text.find('$');
    if (dollar == std::string_view::npos) return bad("missing $ before the keys");
    const std::string_view iteration_salt = text.substr(0, dollar);
    const std::string_view keys = text.substr(dollar + 1);
    const std::size_t colon = iteration_salt.find(':');
    if (colon == std::string_view::npos) return bad("missing : between iterations and salt");
    const std::string_view iterations_text = iteration_salt.substr(0, colon);
    ScramVerifier verifier;
    const auto [end, ec] = std::from_chars(iterations_text.data(),
                                           iterations_text.data() + iterations_text.size(),
                                           verifier.iterations);
    if (iterations_text.empty() || ec != std::errc{} || end != iterations_text.data() + iterations_text.size() ||
        verifier.iterations == 0) {
        return bad("the iteration count must be a positive number");
    }
    std::optional<std::string> salt = decode_base64(iteration_salt.substr(colon + 1));
    if (!salt || salt->empty()) return bad("the salt is not valid base64");
    verifier.salt = std::move(*salt);

    const std::size_t key_colon = keys.find(':');
    if (key_colon == std::string_view::npos) return bad("missing : between StoredKey and ServerKey");
    const std::optional<std::string> stored = decode_base64(keys.substr(0, key_colon));
    if (!stored || stored->size() != verifier.stored_key.size()) {
        return bad("StoredKey must be 32 bytes of base64");
    }
    const std::optional<std::string> server = decode_base64(keys.substr(key_colon + 1));
    if (!server || server->size() != verifier.server_key.size()) {
        return bad("ServerKey must be 32 bytes of base64");
    }
    std::memcpy(verifier.stored_key.data(), stored->data(), verifier.stored_key.size());
    std::memcpy(verifier.server_key.data(), server->data(), verifier.server_key.size());
    return Result<ScramVerifier>{std::move(verifier), {}};
}

std::optional<ScramVerifier> parse_scram_verifier(std::string_view text) {
    return parse_scram_verifier_detailed(text).value;
}

}  // namespace jitgate::config
