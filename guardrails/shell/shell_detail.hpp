// Internal to the shell classifier: the verdict on one command, the recursion context handlers use to
// classify the commands they run, option scanning and path risk. Not part of jitgate_guardrails' API.
#pragma once

#include "guardrails/shell/shell_types.hpp"
#include "guardrails/shell/shell_lexer.hpp"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace jitgate::guardrails::shell {

using config::RiskClass;

[[nodiscard]] constexpr int risk_rank(RiskClass risk) noexcept { return static_cast<int>(risk); }

// What a command may do to the stdin it is given.
enum class StdinCode : std::uint8_t { none, shell, interpreter };

struct Verdict {
    RiskClass risk = RiskClass::read;
    std::string reason;
    StdinCode stdin_code = StdinCode::none;  // the program runs code it reads on stdin
    RiskClass stdin_floor = RiskClass::read; // with stdin_code: the class of what wraps the interpreter

    // Keeps the higher of the two (ties keep *this, so the first reason found stays).
    void raise(const Verdict& other);
    void raise(RiskClass risk_, std::string reason_);
};

[[nodiscard]] Verdict verdict(RiskClass risk, std::string reason);

using Args = std::span<const Word>;

// The classifier's recursion, handed to handlers: classify an argv or a whole shell text one level deeper.
class Context {
public:
    // `cwd`: the directory relative paths resolve against: "" for the login directory (relative paths are
    // ordinary files), an absolute path after `cd DIR`, or "?" after a `cd` the classifier cannot follow.
    Context(const ShellProgramTables& tables, int depth, std::string cwd = {})
        : tables_(tables), depth_(depth), cwd_(std::move(cwd)) {}

    // argv[0] is the program. Returns unknown beyond max_depth.
    [[nodiscard]] Verdict argv(Args argv) const;
    // A whole shell text (sh -c, ssh HOST CMD, watch CMD, su -c); `via` prefixes the reason ("bash -c").
    [[nodiscard]] Verdict script(std::string_view text, std::string_view via) const;
    // The risk of writing to (or removing) `path`, resolved against the working directory.
    [[nodiscard]] Verdict write_risk(const Word& path, std::string_view doing, bool can_destroy = true) const;
    [[nodiscard]] int depth() const noexcept { return depth_; }
    [[nodiscard]] const std::string& cwd() const noexcept { return cwd_; }
    [[nodiscard]] const ShellProgramTables& tables() const noexcept { return tables_; }

private:
    const ShellProgramTables& tables_;
    int depth_;
    std::string cwd_;
};

// Classifies every simple command of `text` at `depth`, appending one effect per command (and per
// substitution) to `out`. Lexing or parsing errors append one unknown effect.
void classify_text(std::string_view text, const ShellProgramTables& tables, int depth, std::vector<ShellEffect>& out,
                   std::string cwd = {});
// The highest effect, as a verdict (read "no command" when there is none).
[[nodiscard]] Verdict summarize(const std::vector<ShellEffect>& effects);

// getopt-style scanning of arguments: clusters (-rf), attached and separate values (-n5, -n 5),
// --long[=value], "--" ending the options.
struct Option {
    std::string name;       // "r" or "recursive"
    std::string value;      // when the option takes one
    bool has_value = false;
    bool value_literal = true;
};

struct ScannedArgs {
    std::vector<Option> options;
    std::vector<const Word*> operands;
    std::size_t rest = 0;       // with stop_at_operand: index in args of the first operand (args.size() when none)
    bool dynamic = false;       // some argument may expand into options the scan cannot see
    bool dashdash = false;      // "--" was seen

    [[nodiscard]] const Option* find(std::string_view name) const noexcept;
    [[nodiscard]] bool has(std::string_view name) const noexcept { return find(name) != nullptr; }
    // Whether any option is one of the space-separated names.
    [[nodiscard]] const Option* find_any(std::string_view names) const noexcept;
};

struct OptionSpec {
    std::string_view short_with_value;   // e.g. "unC": -u USER
    std::string_view long_with_value;    // space-separated: "user chdir"
    std::string_view short_optional;     // value only when attached: sed's -i[SUFFIX]
    bool stop_at_operand = false;        // wrappers: the first operand starts the command
};

[[nodiscard]] ScannedArgs scan_args(Args args, const OptionSpec& spec);

// The risk of writing to (or removing) `path`: /dev/null and friends read, system paths destructive,
// anything else write. A path not known statically is destructive when `can_destroy`, else write.
[[nodiscard]] Verdict path_write_risk(const Word& path, std::string_view doing, bool can_destroy = true);
// The risk of a literal path, as above.
[[nodiscard]] Verdict literal_path_risk(std::string_view path, std::string_view doing, bool is_glob);

// The handler for a program whose class depends on its arguments, or nullptr.
using Handler = Verdict (*)(std::string_view program, Args args, const Context& ctx);
struct ProgramRule {
    std::string_view name;
    Handler handler;
    // A wrapper, shell or runner whose verdict includes the commands it runs (sudo, sh -c, xargs, find,
    // ssh, kubectl exec ...): config sets the program's own class but never hides what it runs. For the
    // others (git, tar, python ...) a config entry replaces the rule outright.
    bool runs_commands;
};
[[nodiscard]] const ProgramRule* find_rule(std::string_view program) noexcept;
// The rule table is sorted by name (find_rule searches it); a unit test checks.
[[nodiscard]] bool rules_are_sorted() noexcept;

// Environment variables that make another program run code: assigning them is unknown.
[[nodiscard]] bool is_dangerous_variable(std::string_view name) noexcept;
// The variables that decide what bash's history records (HISTFILE, HISTSIZE, HISTFILESIZE, HISTCONTROL,
// HISTIGNORE).
[[nodiscard]] bool is_history_variable(std::string_view name) noexcept;
// DESIGN §4: hiding one's tracks is admin. Assigning `value` to a history variable (`known`: the value is
// literal; an unset passes known = false) is admin unless it keeps recording: HISTSIZE / HISTFILESIZE set to a
// positive number, HISTCONTROL without ignorespace/ignoreboth, an empty HISTIGNORE. Read otherwise, with an
// empty reason.
[[nodiscard]] Verdict history_variable_risk(std::string_view doing, std::string_view name, std::string_view value,
                                            bool known);
// Shell variables with the integer attribute from the start (RANDOM, SRANDOM, OPTIND, HISTCMD, BASHPID):
// bash evaluates a value assigned to them as arithmetic, so only a literal number is harmless.
[[nodiscard]] bool is_integer_variable(std::string_view name) noexcept;

// Arithmetic text that is a constant: numbers (0x1f, 8#17, 64#@_ included), operators, blanks,
// parentheses and the expansions that are always a number ($# $? $$ $! ${#NAME}), and no name, other `$`,
// quote or bracket. Anything else may name a variable, whose value bash
// evaluates again as arithmetic (and an array subscript there runs `$(...)`), so it is not known.
[[nodiscard]] bool constant_arithmetic(std::string_view text) noexcept;
// The length of `$#`, `$?`, `$$`, `$!` or `${#NAME}` at the start of `text`, else 0.
[[nodiscard]] std::size_t integer_expansion_length(std::string_view text) noexcept;
// [A-Za-z_][A-Za-z0-9_]*
[[nodiscard]] bool is_plain_name(std::string_view text) noexcept;
// Unknown when the word holds arithmetic that is not constant, assigns a dangerous variable through
// ${NAME:=...}, or reads a value as a name or a prompt (${!x}, ${x@P}); read with an empty reason otherwise.
[[nodiscard]] Verdict evaluation_risk(const Evaluation& evaluation);
// A word a builtin takes as a variable name (printf -v NAME, read NAME, declare NAME=VALUE, unset NAME,
// test -v NAME ...): bash evaluates a subscript in it as arithmetic, so only NAME, NAME[CONSTANT] (and with
// `with_value`, either followed by = or += and a value) is known. Checks the name against the dangerous
// and integer variables too when the builtin `assigns` to it (an integer variable only takes a literal
// number written in the word).
[[nodiscard]] Verdict name_operand_risk(std::string_view program, const Word& word, bool with_value,
                                        bool assigns = true);

// Collapses "//", "/./" and "dir/.." (never above the root): "/usr/bin/../bin/rm" → "/usr/bin/rm".
[[nodiscard]] std::string normalize_path(std::string_view path);

// "rm -rf /tmp/x" from words as written, shortened for reasons and effects.
[[nodiscard]] std::string describe(Args argv, std::size_t max_chars = 120);

}  // namespace jitgate::guardrails::shell
