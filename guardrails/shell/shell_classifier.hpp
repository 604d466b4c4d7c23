// The shell risk classifier (DESIGN §4 "Shell"): a command line → the highest RiskClass of every simple
// command in it, including command substitutions, process substitutions, the commands that wrappers run
// (sudo, env, timeout, xargs, find -exec, watch, ssh HOST CMD, sh -c '...') and redirections. Each
// simple command is classified by its program from a built-in table (guardrails/data/shell_programs.tsv
// for plain programs, named handlers in programs_*.cpp for programs whose class depends on their
// subcommand or options) extended by config's `classify.programs`. Pure and thread-safe: no I/O, no
// shared mutable state.
//
// Limits, stated plainly: the classifier reads the text, not the machine. It cannot know what a script
// file, an alias, a shell function, a binary outside the standard directories, or a variable holds, so
// those are unknown; it does not know the working directory (relative paths are taken as ordinary
// files) nor which files exist (every redirection onto a path counts as a write). A glob is taken to
// match file names, not options (`rm *` in a directory holding a file named `-rf` is not modelled).
// Program names are matched by their basename when they live in a standard directory (/bin, /usr/bin,
// /sbin, /usr/sbin, /usr/local/bin, /usr/local/sbin); anything else with a slash is unknown.
// Text bash itself evaluates as code is judged too: arithmetic ($(( )), $[ ], (( )), [[ -eq ]], ${a[i]},
// ${x:off:len}) evaluates variable values again and runs `$(...)` in a subscript, so it is unknown unless
// it is a constant, and a builtin's variable name (printf -v, read, declare, unset, test -v ...) must be
// a plain name or one with a constant subscript.
#pragma once

#include "config/config.hpp"
#include "guardrails/shell/shell_types.hpp"
#include "guardrails/sql/sql_types.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace jitgate::guardrails {

// One line of JSON: {"input", "class", "reason", "effects": [{"class", "reason", "command"}]}; invalid
// UTF-8 in the echoed input is replaced, never an error.
[[nodiscard]] std::string to_json(const ShellClassification& result, std::string_view input);

// The answer in the SQL classifier's shape, for code that takes either (the policy's class source): risk
// and reason, no effects, and literal_sensitive set (a shell answer is about this exact text).
[[nodiscard]] Classification as_classification(const ShellClassification& result);

class ShellClassifier {
public:
    explicit ShellClassifier(const config::ClassifyTables& extra = {}, std::size_t max_input_bytes = 64 * 1024);

    // Never throws for any input; a text it cannot vouch for is unknown.
    [[nodiscard]] ShellClassification classify(std::string_view text) const;

    [[nodiscard]] const ShellProgramTables& tables() const noexcept { return tables_; }
    [[nodiscard]] std::size_t max_input_bytes() const noexcept { return max_input_bytes_; }

private:
    ShellProgramTables tables_;
    std::size_t max_input_bytes_;
};

}  // namespace jitgate::guardrails
