// `jitgate passwd [USER]`: reads a password (twice, without echo, from a terminal; else one line of
// stdin) and prints its SCRAM-SHA-256 verifier in PostgreSQL's text form (RFC 5802 §3, RFC 7677) for
// users[].password in the config, or with USER a ready-to-paste users entry. The password itself is
// never printed and is wiped from memory after use.
#include "protocols/postgres/crypto.hpp"
#include "protocols/postgres/scram.hpp"
#include "proxy/app/commands.hpp"

#include <fmt/format.h>

#include <termios.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace jitgate::proxy {
namespace {

namespace pg = jitgate::postgres;

struct PasswdOptions {
    std::string user;
    std::uint32_t iterations = pg::default_scram_iterations;
};

// The terminal settings to put back if a signal arrives while echo is off.
struct termios saved_termios {};
volatile std::sig_atomic_t echo_is_off = 0;

extern "C" void restore_echo_and_reraise(int signal_number) {
    if (echo_is_off != 0) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_termios);
    std::signal(signal_number, SIG_DFL);
    std::raise(signal_number);
}

// Turns terminal echo off for its lifetime; Ctrl-C and friends restore it before the process dies.
class EchoOff {
public:
    EchoOff() {
        if (tcgetattr(STDIN_FILENO, &saved_termios) != 0) return;
        struct sigaction action {};
        action.sa_handler = restore_echo_and_reraise;
        sigemptyset(&action.sa_mask);
        for (std::size_t i = 0; i < signals_.size(); ++i) sigaction(signals_[i], &action, &previous_[i]);
        struct termios quiet = saved_termios;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        quiet.c_lflag |= ECHONL;  // still echo the Enter, so the next prompt starts on a new line
        ok_ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        echo_is_off = ok_ ? 1 : 0;
    }
    ~EchoOff() {
        if (echo_is_off != 0) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_termios);
        echo_is_off = 0;
        for (std::size_t i = 0; i < signals_.size(); ++i) sigaction(signals_[i], &previous_[i], nullptr);
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;
    [[nodiscard]] bool ok() const noexcept { return ok_; }

private:
    std::array<int, 4> signals_{SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    std::array<struct sigaction, 4> previous_{};
    bool ok_ = false;
};

// One line of stdin without its line ending ("\n" or "\r\n"); nullopt at end of input.
[[nodiscard]] std::optional<std::string> read_line() {
    std::string line;
    if (!std::getline(std::cin, line) && line.empty()) return std::nullopt;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

[[nodiscard]] std::optional<std::string> prompt_without_echo(const char* prompt) {
    std::fputs(prompt, stderr);
    std::fflush(stderr);
    const EchoOff echo_off;
    if (!echo_off.ok()) {
        std::fputs("\njitgate passwd: cannot turn off terminal echo\n", stderr);
        return std::nullopt;
    }
    return read_line();
}

// The password from the terminal (asked twice) or from stdin; nullopt after printing why not.
[[nodiscard]] std::optional<std::string> read_password() {
    if (isatty(STDIN_FILENO) == 0) {
        std::optional<std::string> password = read_line();
        if (!password) fmt::print(stderr, "jitgate passwd: no password on stdin\n");
        return password;
    }
    std::optional<std::string> first = prompt_without_echo("Password: ");
    if (!first) return std::nullopt;
    if (first->empty()) return first;  // refused by the caller; no need to ask again
    std::optional<std::string> second = prompt_without_echo("Password again: ");
    if (!second || *second != *first) {
        if (second) fmt::print(stderr, "jitgate passwd: the passwords do not match\n");
        pg::crypto::wipe(*first);
        if (second) pg::crypto::wipe(*second);
        return std::nullopt;
    }
    pg::crypto::wipe(*second);
    return first;
}

// A YAML double-quoted scalar; nullopt for names with control characters, which no user name has.
[[nodiscard]] std::optional<std::string> yaml_quoted(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return std::nullopt;
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

[[nodiscard]] int run_passwd(const PasswdOptions& options) {
    std::optional<std::string> user_yaml;
    if (!options.user.empty()) {
        user_yaml = yaml_quoted(options.user);
        if (!user_yaml) {
            fmt::print(stderr, "jitgate passwd: the user name contains control characters\n");
            return 2;
        }
    }
    std::optional<std::string> password = read_password();
    if (!password) return 1;
    if (password->empty()) {
        fmt::print(stderr, "jitgate passwd: refusing an empty password\n");
        return 1;
    }
    const std::string verifier = pg::make_scram_verifier(*password, options.iterations);
    pg::crypto::wipe(*password);
    if (verifier.empty()) {
        fmt::print(stderr, "jitgate passwd: could not compute the verifier (random generator failed)\n");
        return 1;
    }
    if (user_yaml) {
        fmt::print("  - name: {}\n    password: \"{}\"\n", *user_yaml, verifier);
    } else {
        fmt::print("{}\n", verifier);
    }
    return 0;
}

}  // namespace

void add_passwd(CLI::App& app, Run& run) {
    CLI::App* passwd =
        app.add_subcommand("passwd", "Read a password, print its SCRAM-SHA-256 verifier for users[].password");
    passwd->footer(
        "From a terminal the password is asked twice without echo; otherwise one line is read from stdin\n"
        "(its line ending stripped). Prints one line, SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>,\n"
        "or with USER a users entry to paste into the config:\n"
        "  - name: \"USER\"\n"
        "    password: \"SCRAM-SHA-256$...\"\n"
        "PostgreSQL stores the same format: ALTER ROLE r PASSWORD 'SCRAM-SHA-256$...' works too.");
    auto options = std::make_shared<PasswdOptions>();
    passwd->add_option("USER", options->user, "Print a users entry for this user name instead of a bare verifier");
    passwd->add_option("--iterations", options->iterations, "PBKDF2 iteration count")
        ->check(CLI::Range(std::uint32_t{1}, pg::max_scram_iterations))
        ->capture_default_str();
    passwd->callback([&run, options] { run = [options] { return run_passwd(*options); }; });
}

}  // namespace jitgate::proxy
