// Small RAII owners and helpers around libssh's C handles, shared by the front, the back and the bridge.
#pragma once

#include <libssh/libssh.h>

#include <memory>
#include <string>

namespace jitgate::ssh {

struct KeyFree {
    void operator()(ssh_key key) const noexcept { ssh_key_free(key); }
};
using KeyPtr = std::unique_ptr<std::remove_pointer_t<ssh_key>, KeyFree>;

struct SessionFree {
    void operator()(ssh_session session) const noexcept {
        ssh_disconnect(session);
        ssh_free(session);
    }
};
using SessionPtr = std::unique_ptr<std::remove_pointer_t<ssh_session>, SessionFree>;

// "SHA256:..." of a public key, as OpenSSH prints it; "?" when it cannot be computed.
[[nodiscard]] std::string fingerprint(ssh_key key);
// The base64 blob of a public key as it appears in an OpenSSH line; empty on error.
[[nodiscard]] std::string key_base64(ssh_key key);

}  // namespace jitgate::ssh
