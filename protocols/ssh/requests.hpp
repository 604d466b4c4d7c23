// What the bridge lets through from a client's channel requests, as pure functions (RFC 4254 §6.4 env,
// §6.5 exec): which environment variables pass, and which exec requests are file transfer.
#pragma once

#include <string_view>

namespace jitgate::ssh {

// LANG, LC_* and TERM: the locale and the terminal type. Everything else could steer the target's shell
// (LD_PRELOAD, BASH_ENV, PATH, ...).
[[nodiscard]] bool env_allowed(std::string_view name) noexcept;
// The value such a variable may carry. LANG, LC_ALL and LC_CTYPE must be C, POSIX or a UTF-8 locale
// (en_US.UTF-8, de_DE.utf8@euro): under BIG5, GBK, GB18030 or Shift_JIS a backslash or quote byte can be the second
// half of a character, so the target's bash would parse a command other than the one jitgate judged.
// TERM is a plain terminal name. Anything with a byte outside [A-Za-z0-9._@+-] is refused.
[[nodiscard]] bool env_value_allowed(std::string_view name, std::string_view value) noexcept;

// The legacy scp protocol runs as an exec of `scp -t` (upload) or `scp -f` (download), possibly with
// more flags (`scp -v -r -t -- /dir`) or a path (`/usr/bin/scp -f f`): file transfer, like sftp.
[[nodiscard]] bool is_scp_transfer(std::string_view command) noexcept;

}  // namespace jitgate::ssh
