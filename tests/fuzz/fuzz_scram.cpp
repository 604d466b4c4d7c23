// libFuzzer target for SCRAM-SHA-256 message parsing (RFC 5802 §7 grammar) on both sides: the input is
// split at its first '\n' into two messages, fed to a ScramServer (with the RFC 7677 verifier, and with
// no verifier) as client-first/client-final, and to a ScramClient as server-first/server-final. Checks
// invariants: an unknown user never succeeds, and success replies have the documented shape.
#include "protocols/postgres/crypto.hpp"
#include "protocols/postgres/scram.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

namespace pg = jitgate::postgres;

constexpr std::uint8_t server_secret[32] = {7};

const jitgate::config::ScramVerifier& rfc_verifier() {
    static const jitgate::config::ScramVerifier verifier = [] {
        const auto salt = pg::crypto::base64_decode("W22ZaJ0SNY7soEsUEjb6gQ==");
        return *pg::derive_scram_verifier("pencil", pg::crypto::bytes_of(*salt), 4096);
    }();
    return verifier;
}

void run_server(const jitgate::config::ScramVerifier* verifier, std::string_view first, std::string_view second) {
    pg::ScramServer server{verifier, "user", server_secret, "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"};
    const pg::ScramStep reply = server.on_client_first(first);
    if (!reply.ok()) return;
    if (!reply.message.starts_with("r=")) __builtin_trap();
    const pg::ScramStep done = server.on_client_final(second);
    if (done.ok() && (verifier == nullptr || !done.message.starts_with("v="))) __builtin_trap();
}

void run_client(std::string_view first, std::string_view second) {
    // Capped at the RFC seed's 4096 so PBKDF2 does not dominate (and the cache absorbs repeats).
    pg::ScramClient client{"pencil", pg::ScramClientOptions{"user", 4096, "rOprNGfwEbeRWgbNEkqO"}};
    if (!client.client_first().ok()) __builtin_trap();
    const pg::ScramStep reply = client.on_server_first(first);
    if (!reply.ok()) return;
    if (!reply.message.starts_with("c=biws,r=rOprNGfwEbeRWgbNEkqO")) __builtin_trap();
    const pg::ScramStep done = client.on_server_final(second);
    if (done.ok() && !done.message.empty()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input{reinterpret_cast<const char*>(data), size};
    const std::size_t newline = input.find('\n');
    const std::string_view first = input.substr(0, newline);
    const std::string_view second = newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);
    run_server(&rfc_verifier(), first, second);
    run_server(nullptr, first, second);
    run_client(first, second);
    return 0;
}
