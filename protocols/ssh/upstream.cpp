// Connects the back session and checks the pinned host key (see upstream.hpp).
#include "protocols/ssh/upstream.hpp"

#include <fmt/format.h>

#include <string_view>

namespace jitgate::ssh {
namespace {

// The host key algorithms to offer so the target shows the key type that is pinned.
std::string host_key_algorithms(std::string_view type) {
    if (type == "ssh-rsa") return "rsa-sha2-512,rsa-sha2-256,ssh-rsa";
    return std::string(type);
}

// The back link carries every byte twice through this thread (decrypted from the client, encrypted to
// the target): AES-GCM runs on AES-NI and is markedly faster than libssh's ChaCha20-Poly1305 here.
constexpr const char* ciphers =
    "aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,aes128-ctr,aes256-ctr";

}  // namespace

Upstream connect_upstream(const config::Target& target, std::chrono::seconds timeout) {
    Upstream out;
    const std::string& pinned = target.host_key;
    const auto space = pinned.find(' ');
    const std::string type = pinned.substr(0, space);
    std::string blob = space == std::string::npos ? std::string() : pinned.substr(space + 1);
    if (const auto end = blob.find(' '); end != std::string::npos) blob.resize(end);
    ssh_key pinned_key = nullptr;
    if (ssh_pki_import_pubkey_base64(blob.c_str(), ssh_key_type_from_name(type.c_str()), &pinned_key) != SSH_OK) {
        out.error = fmt::format("the pinned host_key of {} cannot be read", target.name);
        return out;
    }
    const KeyPtr pin(pinned_key);

    SessionPtr session(ssh_new());
    if (!session) {
        out.error = "cannot allocate an SSH session";
        return out;
    }
    ssh_session s = session.get();
    bool process_config = false;
    const long seconds = static_cast<long>(timeout.count());
    const unsigned port = target.address.port;
    const std::string algorithms = host_key_algorithms(type);
    const int yes = 1;
    if (ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &process_config) != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_HOST, target.address.host.c_str()) != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_PORT, &port) != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_USER, target.user.c_str()) != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &seconds) != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, "/dev/null") != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null") != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_HOSTKEYS, algorithms.c_str()) != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_NODELAY, &yes) != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_CIPHERS_C_S, ciphers) != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_CIPHERS_S_C, ciphers) != SSH_OK) {
        out.error = fmt::format("cannot set up the connection to {}: {}", target.name, ssh_get_error(s));
        return out;
    }
    if (ssh_connect(s) != SSH_OK) {
        out.error = fmt::format("cannot connect to {} ({}): {}", target.name, target.address.to_string(), ssh_get_error(s));
        return out;
    }
    ssh_key shown = nullptr;
    if (ssh_get_server_publickey(s, &shown) != SSH_OK) {
        out.error = fmt::format("{} showed no host key", target.name);
        return out;
    }
    const KeyPtr shown_key(shown);
    if (ssh_key_cmp(shown, pinned_key, SSH_KEY_CMP_PUBLIC) != 0) {
        out.host_key_mismatch = true;
        out.error = fmt::format("the host key of {} ({} {}) does not match its pinned host_key ({})", target.name,
                                ssh_key_type_to_char(ssh_key_type(shown)), fingerprint(shown), fingerprint(pinned_key));
        return out;
    }
    ssh_key identity = nullptr;
    if (ssh_pki_import_privkey_file(target.key_file.c_str(), nullptr, nullptr, nullptr, &identity) != SSH_OK) {
        out.error = fmt::format("the key_file of {} cannot be read", target.name);
        return out;
    }
    const KeyPtr identity_key(identity);
    if (ssh_userauth_publickey(s, nullptr, identity) != SSH_AUTH_SUCCESS) {
        out.error = fmt::format("{} refused jitgate's key for {}", target.name, target.user);
        return out;
    }
    out.session = std::move(session);
    return out;
}

}  // namespace jitgate::ssh
