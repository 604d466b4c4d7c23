// What the bridge lets through from a client's channel requests, as pure functions (RFC 4254 §6.4 env,
// §6.5 exec): which environment variables pass, and which exec requests are file transfer.
#pragma once

#include <string_view>

namespace jitgate::ssh {

// LANG, LC_* and TERM: the locale and the terminal type. Everything else could steer the target's shell
// (LD_PRELOAD, BASH_ENV, PATH, ...).
[[nodiscard]] bool env_allowed(std::string_view name) noexcept;

// The legacy scp protocol runs as an exec of `scp -t` (upload) or `scp -f` (download), possibly with
// more flags (`scp -v -r -t -- /dir`) or a path (`/usr/bin/scp -f f`): file transfer, like sftp.
[[nodiscard]] bool is_scp_transfer(std::string_view command) noexcept;

}  // namespace jitgate::ssh
