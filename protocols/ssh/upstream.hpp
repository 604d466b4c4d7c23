// The back of the proxy (RFC 4252 client): connects to an SSH target as the target's user with its
// key_file, and refuses the target unless it shows the pinned host_key (DESIGN §3). libssh reads no
// ~/.ssh/config (no ProxyCommand) and no known_hosts: the pin is the only trust.
#pragma once

#include "config/config.hpp"
#include "protocols/ssh/libssh_util.hpp"

#include <chrono>
#include <string>

namespace jitgate::ssh {

struct Upstream {
    SessionPtr session;  // connected and authenticated, blocking mode; null on error
    std::string error;   // one sentence, safe to show the engineer (no secrets)
    bool host_key_mismatch = false;
};

[[nodiscard]] Upstream connect_upstream(const config::Target& target, std::chrono::seconds timeout);

}  // namespace jitgate::ssh
