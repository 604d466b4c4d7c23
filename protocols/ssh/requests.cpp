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

bool env_value_allowed(std::string_view name, std::string_view value) noexcept {
    const auto plain = [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
               c == '@' || c == '+' || c == '-';
    };
    for (const char c : value) {
        if (!plain(c)) return false;
    }
    if (name == "TERM") return !value.empty();
    // Only these decide how bytes form characters; LC_MESSAGES, LC_TERMINAL=iTerm2 … need plain text only.
    if (name != "LANG" && name != "LC_ALL" && name != "LC_CTYPE") return true;
    if (value.empty() || value == "C" || value == "POSIX") return true;
    // language[_territory][.codeset][@modifier]: the codeset must say UTF-8 (a missing one means the
    // language's default, which is BIG5 for zh_TW).
    const std::size_t dot = value.find('.');
    if (dot == std::string_view::npos) return false;
    std::string_view codeset = value.substr(dot + 1);
    codeset = codeset.substr(0, codeset.find('@'));
    constexpr std::string_view utf8 = "utf8";  // compared without case and dashes: UTF-8, utf8, utf-8
    std::size_t matched = 0;
    for (const char c : codeset) {
        if (c == '-') continue;
        const char lower = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
        if (matched == utf8.size() || lower != utf8[matched]) return false;
        ++matched;
    }
    return matched == utf8.size();
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
