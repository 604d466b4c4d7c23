// Channel request rules (see requests.hpp).
#include "protocols/ssh/requests.hpp"

namespace jitgate::ssh {
namespace {

bool blank(char c) noexcept { return c == ' ' || c == '\t' || c == '\n'; }

}  // namespace

bool env_allowed(std::string_view name) noexcept {
    // A name is [A-Za-z_][A-Za-z0-9_]* (POSIX); "LC_A=B" or "LC_\n..." would reach the target's environ
    // as something else than a locale setting.
    const auto name_char = [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    };
    for (const char c : name) {
        if (!name_char(c)) return false;
    }
    return name == "LANG" || name == "TERM" || (name.starts_with("LC_") && name.size() > 3);
}

bool is_scp_transfer(std::string_view command) noexcept {
    std::size_t i = 0;
    const auto next_word = [&]() -> std::string_view {
        while (i < command.size() && blank(command[i])) ++i;
        const std::size_t start = i;
        while (i < command.size() && !blank(command[i])) ++i;
        return command.substr(start, i - start);
    };
    std::string_view program = next_word();
    if (const auto slash = program.rfind('/'); slash != std::string_view::npos) program.remove_prefix(slash + 1);
    if (program != "scp") return false;
    for (std::string_view word = next_word(); !word.empty(); word = next_word()) {
        if (word == "--") break;
        if (word.size() < 2 || word[0] != '-' || word[1] == '-') continue;
        if (word.find_first_of("tf", 1) != std::string_view::npos) return true;
    }
    return false;
}

}  // namespace jitgate::ssh
