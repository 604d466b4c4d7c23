// libssh helpers: fingerprints and key blobs.
#include "protocols/ssh/libssh_util.hpp"

namespace jitgate::ssh {

std::string fingerprint(ssh_key key) {
    unsigned char* hash = nullptr;
    size_t length = 0;
    if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &length) != SSH_OK) return "?";
    char* text = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, length);
    ssh_clean_pubkey_hash(&hash);
    if (text == nullptr) return "?";
    std::string out(text);
    ssh_string_free_char(text);
    return out;
}

std::string key_base64(ssh_key key) {
    char* b64 = nullptr;
    if (ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK || b64 == nullptr) return {};
    std::string out(b64);
    ssh_string_free_char(b64);
    return out;
}

}  // namespace jitgate::ssh
