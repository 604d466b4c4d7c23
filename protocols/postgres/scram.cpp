// SCRAM-SHA-256 server and client state machines (RFC 5802 §3 algorithm, §5.1 attributes, §7 grammar;
// RFC 7677), the salted-password cache, md5 authentication and verifier formatting; see scram.hpp.
// Message checks follow what PostgreSQL's auth-scram.c (server) and fe-auth-scram.c (client) accept.
#include "protocols/postgres/scram.hpp"

#include "protocols/postgres/crypto.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

namespace jitgate::postgres {

namespace {

using crypto::bytes_of;
using crypto::Digest;
using Status = ScramStep::Status;

constexpr std::size_t nonce_random_bytes = 18;   // as PostgreSQL: 24 base64 characters
constexpr std::size_t verifier_salt_bytes = 16;  // as PostgreSQL's default salt length

[[nodiscard]] ScramStep ok(std::string message) { return {Status::ok, std::move(message)}; }

// Splits on ','. Exact for SCRAM: no attribute value may contain a raw ',' (RFC 5802 §7).
[[nodiscard]] std::vector<std::string_view> split_fields(std::string_view message) {
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = message.find(',', start);
        if (comma == std::string_view::npos) {
            fields.push_back(message.substr(start));
            return fields;
        }
        fields.push_back(message.substr(start, comma - start));
        start = comma + 1;
    }
}

// "x=..." with the given attribute letter.
[[nodiscard]] bool has_attr(std::string_view field, char attr) noexcept {
    return field.size() >= 2 && field[0] == attr && field[1] == '=';
}

// The value of "x=value" (call after has_attr).
[[nodiscard]] std::string_view value_of(std::string_view field) noexcept { return field.substr(2); }

// attr-val = ALPHA "=" value (RFC 5802 §7): an optional extension, which must be ignored.
[[nodiscard]] bool is_extension(std::string_view field) noexcept {
    if (field.size() < 2 || field[1] != '=') return false;
    const char c = field[0];
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// printable = %x21-2B / %x2D-7E (RFC 5802 §7), non-empty: the grammar of a nonce.
[[nodiscard]] bool is_printable(std::string_view text) noexcept {
    if (text.empty()) return false;
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x21 && c <= 0x7e && c != ','; });
}

[[nodiscard]] bool has_nul(std::string_view text) noexcept { return text.find('\0') != std::string_view::npos; }

// saslname (RFC 5802 §5.1): ',' and '=' are sent as "=2C" and "=3D".
[[nodiscard]] std::string escape_saslname(std::string_view name) {
    std::string out;
    for (const char c : name) {
        if (c == ',') {
            out += "=2C";
        } else if (c == '=') {
            out += "=3D";
        } else {
            out.push_back(c);
        }
    }
    return out;
}

// A fresh nonce: 18 random bytes in base64, or the test nonce when one is set.
[[nodiscard]] std::optional<std::string> make_nonce(std::string_view test_nonce) {
    if (!test_nonce.empty()) {
        if (!is_printable(test_nonce)) return std::nullopt;
        return std::string{test_nonce};
    }
    std::array<std::uint8_t, nonce_random_bytes> random{};
    if (!crypto::random_bytes(random)) return std::nullopt;
    return crypto::base64_encode(random);
}

[[nodiscard]] Digest xor_digests(const Digest& a, const Digest& b) noexcept {
    Digest out{};
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(a[i] ^ b[i]);
    return out;
}

// Parses an iteration count: decimal digits only, within [1, max].
[[nodiscard]] std::optional<std::uint32_t> parse_iterations(std::string_view text, std::uint32_t max) noexcept {
    if (text.empty() || text.size() > 10) return std::nullopt;
    if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    if (value < 1 || value > max) return std::nullopt;
    return static_cast<std::uint32_t>(value);
}

// A server-sent error text, cut down to something safe to put in a log line.
[[nodiscard]] std::string sanitize_for_log(std::string_view text) {
    std::string out;
    for (const char c : text.substr(0, 100)) out.push_back(c >= 0x20 && c <= 0x7e ? c : '?');
    return out;
}

// The fake verifier of an unknown user: stable per (server secret, user name), indistinguishable in
// shape from a real one (16-byte salt, the default iteration count), and matching no password.
[[nodiscard]] config::ScramVerifier fake_verifier(std::span<const std::uint8_t> server_secret,
                                                  std::string_view username) {
    auto derive = [&](std::string_view purpose) {
        std::string input{purpose};
        input.push_back('\0');
        input.append(username);
        return crypto::hmac_sha256(server_secret, bytes_of(input));
    };
    config::ScramVerifier verifier;
    verifier.iterations = default_scram_iterations;
    const Digest salt = derive("jitgate scram mock salt");
    verifier.salt.assign(reinterpret_cast<const char*>(salt.data()), verifier_salt_bytes);
    verifier.stored_key = derive("jitgate scram mock stored key");
    verifier.server_key = derive("jitgate scram mock server key");
    return verifier;
}

// The LRU cache behind salted_password().
class SaltedPasswordCache {
public:
    SaltedPasswordCache() { keyed_ = crypto::random_bytes(key_); }
    ~SaltedPasswordCache() {
        clear();
        crypto::wipe(key_);
    }
    SaltedPasswordCache(const SaltedPasswordCache&) = delete;
    SaltedPasswordCache& operator=(const SaltedPasswordCache&) = delete;

    [[nodiscard]] std::optional<Digest> get_or_compute(std::string_view password, std::span<const std::uint8_t> salt,
                                                       std::uint32_t iterations) {
        if (!keyed_) return crypto::pbkdf2_sha256(bytes_of(password), salt, iterations);
        const Digest key = cache_key(password, salt, iterations);
        {
            const std::lock_guard lock{mutex_};
            if (auto it = entries_.find(key); it != entries_.end()) {
                it->second.last_used = ++tick_;
                return it->second.value;
            }
        }
        // PBKDF2 runs outside the lock, so different passwords do not wait for each other.
        std::optional<Digest> value = crypto::pbkdf2_sha256(bytes_of(password), salt, iterations);
        if (!value) return std::nullopt;
        const std::lock_guard lock{mutex_};
        if (entries_.size() >= salted_password_cache_capacity && !entries_.contains(key)) evict_oldest();
        entries_[key] = Entry{*value, ++tick_};
        return value;
    }

    [[nodiscard]] std::size_t size() {
        const std::lock_guard lock{mutex_};
        return entries_.size();
    }

    void clear() {
        const std::lock_guard lock{mutex_};
        for (auto& [key, entry] : entries_) crypto::wipe(entry.value);
        entries_.clear();
    }

private:
    struct Entry {
        Digest value{};
        std::uint64_t last_used = 0;
    };

    // HMAC(process key, len(password) || password || len(salt) || salt || iterations): lengths make the
    // encoding unambiguous; the random key keeps the plain password out of reach of a fast offline guess
    // from the key alone.
    [[nodiscard]] Digest cache_key(std::string_view password, std::span<const std::uint8_t> salt,
                                   std::uint32_t iterations) const {
        std::string input;
        auto put_u64 = [&input](std::uint64_t value) {
            for (int shift = 56; shift >= 0; shift -= 8) input.push_back(static_cast<char>((value >> shift) & 0xff));
        };
        put_u64(password.size());
        input.append(password);
        put_u64(salt.size());
        input.append(reinterpret_cast<const char*>(salt.data()), salt.size());
        put_u64(iterations);
        const Digest key = crypto::hmac_sha256(key_, bytes_of(input));
        crypto::wipe(input);
        return key;
    }

    void evict_oldest() {
        auto oldest = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
            return a.second.last_used < b.second.last_used;
        });
        if (oldest == entries_.end()) return;
        crypto::wipe(oldest->second.value);
        entries_.erase(oldest);
    }

    std::mutex mutex_;
    std::map<Digest, Entry> entries_;
    std::uint64_t tick_ = 0;
    Digest key_{};
    bool keyed_ = false;
};

[[nodiscard]] SaltedPasswordCache& salted_password_cache() {
    static SaltedPasswordCache cache;
    return cache;
}

}  // namespace

// ---- server side ------------------------------------------------------------------------------------

ScramServer::ScramServer(const config::ScramVerifier* verifier, std::string_view username,
                         std::span<const std::uint8_t> server_secret, std::string_view test_nonce)
    : verifier_{fake_verifier(server_secret, username)}, test_nonce_{test_nonce} {
    // The fake is derived for known users too, so both cost the same three HMACs here.
    if (verifier != nullptr && verifier->iterations != 0) {
        crypto::wipe(verifier_.stored_key);
        crypto::wipe(verifier_.server_key);
        verifier_ = *verifier;
    } else {
        doomed_ = true;
    }
}

ScramServer::~ScramServer() {
    crypto::wipe(verifier_.stored_key);
    crypto::wipe(verifier_.server_key);
}

ScramStep ScramServer::fail(Status status, std::string reason) {
    state_ = State::done;
    return {status, std::move(reason)};
}

ScramStep ScramServer::on_client_first(std::string_view client_first) {
    if (state_ != State::want_client_first) return fail(Status::malformed, "SCRAM client-first-message out of order");
    if (client_first.empty() || has_nul(client_first)) {
        return fail(Status::malformed, "malformed SCRAM client-first-message (empty or NUL byte)");
    }
    const std::vector<std::string_view> fields = split_fields(client_first);
    if (fields.size() < 4) return fail(Status::malformed, "malformed SCRAM client-first-message (too few attributes)");

    // gs2-header = gs2-cbind-flag "," [ authzid ] ","
    const std::string_view flag = fields[0];
    if (flag == "n" || flag == "y") {
        // "y": the client could bind but thinks we cannot; right, we offer no -PLUS mechanism.
        cbind_flag_ = flag[0];
    } else if (has_attr(flag, 'p')) {
        return fail(Status::malformed, "SCRAM client requires channel binding, which is not offered");
    } else {
        return fail(Status::malformed, "malformed SCRAM client-first-message (bad gs2-cbind-flag)");
    }
    if (!fields[1].empty()) {
        return fail(Status::malformed, has_attr(fields[1], 'a')
                                           ? "SCRAM authorization identity is not supported"
                                           : "malformed SCRAM client-first-message (bad authzid)");
    }
    // client-first-message-bare = [reserved-mext ","] username "," nonce ["," extensions]
    if (has_attr(fields[2], 'm')) return fail(Status::malformed, "SCRAM client requires an unsupported extension");
    if (!has_attr(fields[2], 'n')) return fail(Status::malformed, "malformed SCRAM client-first-message (no n=)");
    // The user name is ignored, as PostgreSQL does: the StartupMessage's user is the one that counts.
    if (!has_attr(fields[3], 'r')) return fail(Status::malformed, "malformed SCRAM client-first-message (no r=)");
    const std::string_view client_nonce = value_of(fields[3]);
    if (!is_printable(client_nonce)) return fail(Status::malformed, "malformed SCRAM client nonce");
    for (std::size_t i = 4; i < fields.size(); ++i) {
        if (!is_extension(fields[i])) return fail(Status::malformed, "malformed SCRAM client-first-message extension");
    }

    const std::optional<std::string> server_nonce = make_nonce(test_nonce_);
    if (!server_nonce) return fail(Status::failed, "could not generate a SCRAM nonce");
    client_first_bare_.assign(client_first.substr(fields[0].size() + fields[1].size() + 2));
    nonce_.assign(client_nonce);
    nonce_ += *server_nonce;
    server_first_ = "r=" + nonce_ + ",s=" + crypto::base64_encode(bytes_of(verifier_.salt)) +
                    ",i=" + std::to_string(verifier_.iterations);
    state_ = State::want_client_final;
    return ok(server_first_);
}

ScramStep ScramServer::on_client_final(std::string_view client_final) {
    if (state_ != State::want_client_final) return fail(Status::malformed, "SCRAM client-final-message out of order");
    if (client_final.empty() || has_nul(client_final)) {
        return fail(Status::malformed, "malformed SCRAM client-final-message (empty or NUL byte)");
    }
    // client-final-message = channel-binding "," nonce ["," extensions] "," proof
    const std::vector<std::string_view> fields = split_fields(client_final);
    if (fields.size() < 3) return fail(Status::malformed, "malformed SCRAM client-final-message (too few attributes)");
    if (!has_attr(fields[0], 'c')) return fail(Status::malformed, "malformed SCRAM client-final-message (no c=)");
    const std::string_view expected_binding = cbind_flag_ == 'y' ? "eSws" : "biws";  // base64 of "y,," / "n,,"
    if (value_of(fields[0]) != expected_binding) {
        return fail(Status::malformed, "SCRAM channel binding check failed");
    }
    if (!has_attr(fields[1], 'r')) return fail(Status::malformed, "malformed SCRAM client-final-message (no r=)");
    if (value_of(fields[1]) != nonce_) return fail(Status::malformed, "SCRAM nonce mismatch");
    for (std::size_t i = 2; i + 1 < fields.size(); ++i) {
        if (!is_extension(fields[i]) || has_attr(fields[i], 'p')) {
            return fail(Status::malformed, "malformed SCRAM client-final-message extension");
        }
    }
    const std::string_view proof_field = fields.back();
    if (!has_attr(proof_field, 'p')) return fail(Status::malformed, "malformed SCRAM client-final-message (no p=)");
    const std::optional<std::string> proof = crypto::base64_decode(value_of(proof_field));
    if (!proof || proof->size() != Digest{}.size()) return fail(Status::malformed, "malformed SCRAM client proof");

    const std::string_view without_proof = client_final.substr(0, client_final.size() - proof_field.size() - 1);
    const std::string auth_message = client_first_bare_ + "," + server_first_ + "," + std::string{without_proof};

    // ClientSignature := HMAC(StoredKey, AuthMessage); ClientKey := ClientProof XOR ClientSignature;
    // the proof verifies when H(ClientKey) == StoredKey. A fake verifier does the same work, then fails.
    const Digest client_signature = crypto::hmac_sha256(verifier_.stored_key, bytes_of(auth_message));
    Digest client_proof{};
    std::copy(proof->begin(), proof->end(), client_proof.begin());
    Digest client_key = xor_digests(client_proof, client_signature);
    const Digest computed_stored_key = crypto::sha256(client_key);
    crypto::wipe(client_key);
    const bool verified = crypto::equal_constant_time(computed_stored_key, verifier_.stored_key);
    if (!verified || doomed_) return fail(Status::failed, "SCRAM proof did not verify");

    const Digest server_signature = crypto::hmac_sha256(verifier_.server_key, bytes_of(auth_message));
    state_ = State::done;
    return ok("v=" + crypto::base64_encode(server_signature));
}

// ---- client side ------------------------------------------------------------------------------------

ScramClient::ScramClient(std::string_view password, ScramClientOptions options)
    // SASLprep: an ASCII password is its own SASLprep; any other is used as raw bytes (see scram.hpp).
    : password_{password}, options_{std::move(options)} {}

ScramClient::~ScramClient() {
    crypto::wipe(password_);
    crypto::wipe(server_key_);
}

ScramStep ScramClient::fail(Status status, std::string reason) {
    state_ = State::done;
    crypto::wipe(server_key_);
    return {status, std::move(reason)};
}

ScramStep ScramClient::client_first() {
    if (state_ != State::initial) return fail(Status::malformed, "SCRAM client-first-message already sent");
    const std::optional<std::string> nonce = make_nonce(options_.test_nonce);
    if (!nonce) return fail(Status::failed, "could not generate a SCRAM nonce");
    client_nonce_ = *nonce;
    client_first_bare_ = "n=" + escape_saslname(options_.user) + ",r=" + client_nonce_;
    state_ = State::sent_first;
    return ok("n,," + client_first_bare_);
}

ScramStep ScramClient::on_server_first(std::string_view server_first) {
    if (state_ != State::sent_first) return fail(Status::malformed, "SCRAM server-first-message out of order");
    if (server_first.empty() || has_nul(server_first)) {
        return fail(Status::malformed, "malformed SCRAM server-first-message (empty or NUL byte)");
    }
    // server-first-message = [reserved-mext ","] nonce "," salt "," iteration-count ["," extensions]
    const std::vector<std::string_view> fields = split_fields(server_first);
    if (fields.size() < 3 || !has_attr(fields[0], 'r') || !has_attr(fields[1], 's') || !has_attr(fields[2], 'i')) {
        return fail(Status::malformed, "malformed SCRAM server-first-message");
    }
    for (std::size_t i = 3; i < fields.size(); ++i) {
        if (!is_extension(fields[i])) return fail(Status::malformed, "malformed SCRAM server-first-message extension");
    }
    const std::string_view nonce = value_of(fields[0]);
    if (!is_printable(nonce) || nonce.size() <= client_nonce_.size() || !nonce.starts_with(client_nonce_)) {
        return fail(Status::malformed, "SCRAM server nonce does not extend the client nonce");
    }
    const std::optional<std::string> salt = crypto::base64_decode(value_of(fields[1]));
    if (!salt || salt->empty()) return fail(Status::malformed, "malformed SCRAM salt");
    const std::optional<std::uint32_t> iterations = parse_iterations(value_of(fields[2]), options_.max_iterations);
    if (!iterations) return fail(Status::malformed, "SCRAM iteration count missing or out of range");

    std::optional<Digest> salted = salted_password(password_, bytes_of(*salt), *iterations);
    if (!salted) return fail(Status::failed, "could not derive the SCRAM salted password");
    Digest client_key = crypto::hmac_sha256(*salted, bytes_of("Client Key"));
    const Digest stored_key = crypto::sha256(client_key);
    server_key_ = crypto::hmac_sha256(*salted, bytes_of("Server Key"));
    crypto::wipe(*salted);

    const std::string without_proof = "c=biws,r=" + std::string{nonce};
    auth_message_ = client_first_bare_ + "," + std::string{server_first} + "," + without_proof;
    const Digest client_signature = crypto::hmac_sha256(stored_key, bytes_of(auth_message_));
    const Digest proof = xor_digests(client_key, client_signature);
    crypto::wipe(client_key);
    state_ = State::sent_final;
    return ok(without_proof + ",p=" + crypto::base64_encode(proof));
}

ScramStep ScramClient::on_server_final(std::string_view server_final) {
    if (state_ != State::sent_final) return fail(Status::malformed, "SCRAM server-final-message out of order");
    if (has_nul(server_final)) return fail(Status::malformed, "malformed SCRAM server-final-message (NUL byte)");
    // server-final-message = (server-error / verifier) ["," extensions]
    const std::vector<std::string_view> fields = split_fields(server_final);
    if (has_attr(fields[0], 'e')) {
        return fail(Status::failed, "SCRAM server error: " + sanitize_for_log(value_of(fields[0])));
    }
    if (!has_attr(fields[0], 'v')) return fail(Status::malformed, "malformed SCRAM server-final-message");
    for (std::size_t i = 1; i < fields.size(); ++i) {
        if (!is_extension(fields[i])) return fail(Status::malformed, "malformed SCRAM server-final-message extension");
    }
    const std::optional<std::string> signature = crypto::base64_decode(value_of(fields[0]));
    if (!signature || signature->size() != Digest{}.size()) {
        return fail(Status::malformed, "malformed SCRAM server signature");
    }
    // ServerSignature := HMAC(ServerKey, AuthMessage): the server proves it knows the verifier too.
    const Digest expected = crypto::hmac_sha256(server_key_, bytes_of(auth_message_));
    if (!crypto::equal_constant_time(expected, bytes_of(*signature))) {
        return fail(Status::failed, "SCRAM server signature did not verify");
    }
    state_ = State::done;
    crypto::wipe(server_key_);
    return ok({});
}

// ---- free functions ---------------------------------------------------------------------------------

std::optional<std::array<std::uint8_t, 32>> make_server_secret() {
    std::array<std::uint8_t, 32> secret{};
    if (!crypto::random_bytes(secret)) return std::nullopt;
    return secret;
}

std::optional<std::array<std::uint8_t, 32>> salted_password(std::string_view password,
                                                            std::span<const std::uint8_t> salt,
                                                            std::uint32_t iterations) {
    if (iterations == 0) return std::nullopt;
    return salted_password_cache().get_or_compute(password, salt, iterations);
}

std::size_t salted_password_cache_size() { return salted_password_cache().size(); }

void clear_salted_password_cache() { salted_password_cache().clear(); }

std::string md5_password_response(std::string_view user, std::string_view password,
                                  std::span<const std::uint8_t, 4> salt) {
    std::string inner_input{password};
    inner_input.append(user);
    std::string outer_input = crypto::md5_hex(bytes_of(inner_input));
    crypto::wipe(inner_input);
    outer_input.append(reinterpret_cast<const char*>(salt.data()), salt.size());
    std::string response = "md5" + crypto::md5_hex(bytes_of(outer_input));
    crypto::wipe(outer_input);
    return response;
}

std::optional<config::ScramVerifier> derive_scram_verifier(std::string_view password,
                                                           std::span<const std::uint8_t> salt,
                                                           std::uint32_t iterations) {
    // Not through the cache: a fresh random salt would only push useful entries out.
    std::optional<Digest> salted = crypto::pbkdf2_sha256(bytes_of(password), salt, iterations);
    if (!salted) return std::nullopt;
    Digest client_key = crypto::hmac_sha256(*salted, bytes_of("Client Key"));
    config::ScramVerifier verifier;
    verifier.iterations = iterations;
    verifier.salt.assign(reinterpret_cast<const char*>(salt.data()), salt.size());
    verifier.stored_key = crypto::sha256(client_key);
    verifier.server_key = crypto::hmac_sha256(*salted, bytes_of("Server Key"));
    crypto::wipe(client_key);
    crypto::wipe(*salted);
    return verifier;
}

bool password_matches(const config::ScramVerifier& verifier, std::string_view password) {
    std::optional<std::array<std::uint8_t, 32>> salted = salted_password(password, bytes_of(verifier.salt), verifier.iterations);
    if (!salted) return false;
    Digest client_key = crypto::hmac_sha256(*salted, bytes_of("Client Key"));
    Digest stored_key = crypto::sha256(client_key);
    const bool same = crypto::equal_constant_time(stored_key, verifier.stored_key);
    crypto::wipe(client_key);
    crypto::wipe(stored_key);
    crypto::wipe(*salted);
    return same;
}

std::string format_scram_verifier(const config::ScramVerifier& verifier) {
    return std::string{scram_mechanism} + "$" + std::to_string(verifier.iterations) + ":" +
           crypto::base64_encode(bytes_of(verifier.salt)) + "$" + crypto::base64_encode(verifier.stored_key) + ":" +
           crypto::base64_encode(verifier.server_key);
}

std::string make_scram_verifier(std::string_view password, std::uint32_t iterations) {
    if (iterations == 0) return {};
    std::array<std::uint8_t, verifier_salt_bytes> salt{};
    if (!crypto::random_bytes(salt)) return {};
    std::optional<config::ScramVerifier> verifier = derive_scram_verifier(password, salt, iterations);
    if (!verifier) return {};
    std::string text = format_scram_verifier(*verifier);
    crypto::wipe(verifier->stored_key);
    crypto::wipe(verifier->server_key);
    return text;
}

}  // namespace jitgate::postgres
