// `jitgate token new NAME`: prints a fresh random service token (256 bits from OpenSSL's CSPRNG, as
// "jgt_" + 64 hex digits) and the `services:` entry that admits it: the token's SHA-256, never the token
// (DESIGN §8.1). The token is shown once; the config keeps only its hash, so a leaked config grants nothing.
#include "proxy/api/login_service.hpp"
#include "proxy/app/commands.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

namespace jitgate::proxy {
namespace {

[[nodiscard]] bool valid_name(const std::string& name) {
    return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
               c == '.';
    });
}

[[nodiscard]] int run_token_new(const std::string& name) {
    if (!valid_name(name)) {
        fmt::print(stderr, "jitgate token new: the service name must be 1-64 letters, digits, '-', '_' or '.'\n");
        return 2;
    }
    std::optional<std::string> fresh = random_token(service_token_prefix);
    if (!fresh) {
        fmt::print(stderr, "jitgate token new: the random generator failed; no token was made\n");
        return 1;
    }
    std::string token = std::move(*fresh);
    const std::string hash = token_sha256_hex(token);
    if (hash.empty()) {
        OPENSSL_cleanse(token.data(), token.size());
        fmt::print(stderr, "jitgate token new: SHA-256 failed; no token was made\n");
        return 1;
    }
    fmt::print("token: {}\n", token);
    fmt::print("# Give the token to the service (it sends `Authorization: Bearer <token>`); it is not shown again.\n");
    fmt::print("# Add this to `services:` in the config (groups decide which access rules apply):\n");
    fmt::print("  - {{ name: {}, groups: [], token_sha256: \"{}\" }}\n", name, hash);
    OPENSSL_cleanse(token.data(), token.size());
    return 0;
}

}  // namespace

void add_token(CLI::App& app, Run& run) {
    CLI::App* token = app.add_subcommand("token", "Service tokens for CI/CD (DESIGN §8.1)");
    token->require_subcommand(1);
    CLI::App* make = token->add_subcommand("new", "Print a fresh random service token and its `services:` config line");
    make->footer("\nThe config keeps only the token's SHA-256; keep the token itself in the service's secret store.\n");
    auto name = std::make_shared<std::string>();
    make->add_option("NAME", *name, "The service's name, as in services[].name")->required();
    make->callback([&run, name] { run = [name] { return run_token_new(*name); }; });
}

}  // namespace jitgate::proxy
