// The shell tokenizer and command grammar for the shell classifier (DESIGN §4 "Shell"): POSIX sh / bash
// text → tokens (words with their quoting and expansions, operators, redirections, heredocs) → simple
// commands grouped into pipelines. Pure, no I/O, no regexes.
//
// Limits, stated plainly: this is the subset of bash that an exec request or a typed command line uses.
// `case`, function definitions, `coproc`, arithmetic `for ((...))`, array assignments `a=(...)` and extglob
// patterns `@(...)` are not parsed: they are errors, so the classifier answers unknown. An arithmetic
// command `(( ))` is read as bash reads it (arithmetic when its parentheses close with `))`, else nested
// subshells) and kept as text for the classifier to judge, like every other place bash evaluates as
// arithmetic. Words keep expansions as written (`$HOME` stays `$HOME`); what a word may expand to is
// reported as flags, never guessed. Aliases and history expansion (`!!`) are not expanded; a `{ }` group's
// redirection is reported as a command of its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace jitgate::guardrails::shell {

// Nesting bound for `$( )`, backticks, `${ }`, process substitutions and (in the classifier) `sh -c`,
// `ssh host CMD` and the like: deeper input is refused.
inline constexpr int max_depth = 16;

// Code inside a word that the shell runs: its source text, to be classified on its own.
struct Substitution {
    enum class Kind : std::uint8_t { command, backtick, process_in, process_out };
    Kind kind = Kind::command;
    std::string source;  // `$(SOURCE)`, `` `SOURCE` `` (backslash escapes already removed), `<(SOURCE)`
};

// What bash evaluates inside a word beyond its command substitutions. Arithmetic evaluates the value of
// every variable it names as arithmetic again, and expands `$(...)` in an array subscript found there, so
// `x='a[$(rm f)]'; echo $((x))` runs rm: text here is code unless it is a constant.
struct Evaluation {
    // Text bash evaluates as arithmetic, as written: the bodies of $(( )) and $[ ], the subscript of
    // ${a[i]} and the offset and length of ${x:off:len}; an arithmetic command (( )) is one too.
    std::vector<std::string> arithmetic;
    std::vector<std::string> assigned;  // names that ${NAME:=word} / ${NAME=word} assign
    // ${!name} (the value is read as a parameter name, subscript included), ${name@P} (the value is
    // expanded as a prompt, command substitutions included), or a ${ } form the lexer does not read.
    bool value_is_code = false;

    void merge(const Evaluation& other);
    [[nodiscard]] bool empty() const noexcept { return arithmetic.empty() && assigned.empty() && !value_is_code; }
};

struct Word {
    std::string value;  // after quote removal; expansions kept as written ("$HOME", "$(id)")
    std::string raw;    // as written
    bool quoted = false;                 // some part was quoted or backslash-escaped
    bool expands = false;                // holds a parameter, command or arithmetic expansion
    bool splits = false;                 // holds an unquoted expansion: may become several words, or none
    bool starts_with_expansion = false;  // its first character comes from an expansion
    bool glob = false;                   // an unquoted * ? or [ (pathname expansion)
    bool brace = false;                  // an unquoted {a,b} or {1..3} (brace expansion)
    std::vector<Substitution> substitutions;
    Evaluation evaluation;

    // The value is exactly `value`: no expansion of any kind changes it.
    [[nodiscard]] bool literal() const noexcept { return !expands && !glob && !brace; }
    // The word may turn into an option (a leading '-') or into several words: an unquoted expansion (word
    // splitting), a brace expansion, or a glob starting with '-'. A quoted "$x" stays one word; it is not
    // taken as an option. A glob that does not start with '-' is taken to name files, not options (a file
    // named "-rf" matched by `*` is not modelled).
    [[nodiscard]] bool may_be_option() const noexcept {
        return splits || brace || (glob && !value.empty() && value.front() == '-');
    }
    // NAME=VALUE or NAME+=VALUE with NAME unquoted (an assignment when it precedes the command name).
    [[nodiscard]] bool is_assignment() const noexcept;
    [[nodiscard]] std::string_view assignment_name() const noexcept;
};

struct Redirect {
    int fd = -1;          // the explicit descriptor (2>), or -1
    std::string op;       // < > >> >| <> <& >& &> &>> << <<- <<<
    Word target;          // the path, descriptor, here-string, or heredoc delimiter
    std::string body;     // heredoc body (without the delimiter line)
    bool body_quoted = false;                  // the delimiter was quoted: the body is taken literally
    std::vector<Substitution> body_substitutions;  // `$( )` and backticks in an unquoted heredoc body
    Evaluation body_evaluation;                    // arithmetic and ${ } forms in an unquoted heredoc body
    [[nodiscard]] bool is_heredoc() const noexcept { return op == "<<" || op == "<<-"; }
};

// arithmetic: an arithmetic command `(( EXPR ))`; its word holds the text, and EXPR in evaluation.arithmetic.
enum class TokenKind : std::uint8_t { word, op, redirect, arithmetic };

struct Token {
    TokenKind kind = TokenKind::word;
    std::string op;  // ; & && || | |& ( ) ;; ;& ;;& and "\n"
    Word word;
    Redirect redirect;
};

struct LexResult {
    std::vector<Token> tokens;
    std::string error;  // empty when the text was read whole
    [[nodiscard]] bool ok() const noexcept { return error.empty(); }
};

// Reads `text` whole. `depth` is the nesting level of `text` itself (0 for the outermost input).
[[nodiscard]] LexResult lex(std::string_view text, int depth = 0);

// One simple command: assignments, words (program and arguments) and redirections.
struct SimpleCommand {
    std::vector<Word> assignments;
    std::vector<Word> words;
    std::vector<Redirect> redirects;
    bool piped_input = false;   // its stdin is a pipe from an earlier command
    bool data_only = false;     // words that are not a command (`for x in WORDS`, `[[ ... ]]`, `(( ))`):
                                // only their substitutions, evaluations and redirections run
    bool conditional = false;   // the words of a `[[ ... ]]` test (with data_only)
    bool arithmetic = false;    // an arithmetic command `(( ))` (with data_only)
    std::string loop_variable;  // `for NAME in` / `select NAME in`: the variable the loop assigns
    // Redirections after a closing `}`, `)`, `done` or `fi`: they take the group's output (`{ ls; } > f`),
    // unlike a bare `> f`, which runs nothing and only empties f.
    bool group_redirect = false;
};

struct ParseResult {
    std::vector<SimpleCommand> commands;  // in text order
    std::string error;
    [[nodiscard]] bool ok() const noexcept { return error.empty(); }
};

// Groups tokens into simple commands: lists (; & && || newline), pipelines (| |&), subshells ( ),
// groups { }, arithmetic commands (( )), and the words of if/while/until/for/do/done/then/else/elif/fi/!.
// Refuses what it does not read (case, function definitions, unbalanced parentheses, a dangling operator).
[[nodiscard]] ParseResult parse(const std::vector<Token>& tokens);

}  // namespace jitgate::guardrails::shell
