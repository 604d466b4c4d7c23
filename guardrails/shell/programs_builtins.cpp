// The shell classifier's rules for shells, interpreters and bash builtins that assign or evaluate (sh -c,
// python, declare, read, printf -v, set, shopt, history ...).
#include "guardrails/shell/shell_programs.hpp"

#include <algorithm>
#include <array>

namespace jitgate::guardrails::shell::programs {

Verdict handle_shell(std::string_view program, Args args, const Context& ctx) {
    const bool posix = !one_of(program, {"fish", "csh", "tcsh", "nu", "xonsh", "elvish"});
    const ScannedArgs s = scan_args(args, {"oO", "rcfile init-file", "", true});
    if (s.find_any("version help")) return verdict(R, str(program) + " --version");
    const bool dash_c = std::any_of(s.options.begin(), s.options.end(), [](const Option& o) { return o.name == "c" || o.name == "command"; });
    if (dash_c) {
        const Word* code = s.rest < args.size() ? &args[s.rest] : nullptr;
        if (code == nullptr) return verdict(U, str(program) + " -c without a command");
        if (!code->literal()) return verdict(U, str(program) + " -c is given code that is not known statically");
        if (!posix) return verdict(U, str(program) + " -c runs code in a syntax the classifier does not read");
        return ctx.script(code->value, str(program) + " -c");
    }
    if (s.rest < args.size() && !s.has("s")) {
        return verdict(U, str(program) + " runs the script file " + args[s.rest].raw + ", which the classifier cannot read");
    }
    Verdict v = verdict(U, str(program) + " reads commands from its input");
    v.stdin_code = posix ? StdinCode::shell : StdinCode::interpreter;
    return v;
}

Verdict handle_interpreter(std::string_view program, Args args, const Context&) {
    if (args.size() == 1 && one_of(args.front().value, {"--version", "-V", "-v", "--help", "-h", "version"})) {
        return verdict(R, str(program) + " " + args.front().value + " prints its version");
    }
    if (args.empty() || (args.size() == 1 && args.front().value == "-")) {
        Verdict v = verdict(U, str(program) + " reads code from its input");
        v.stdin_code = StdinCode::interpreter;
        return v;
    }
    return verdict(U, str(program) + " runs code (-c/-e or a script) the classifier cannot read");
}

Verdict handle_builtin_assign(std::string_view program, Args args, const Context& ctx) {
    if (program == "alias") {
        for (const Word& word : args) {
            if (word.value.find('=') != std::string::npos) return verdict(U, "alias changes what a later word runs");
        }
        return verdict(R, "alias lists aliases");
    }
    if (program == "trap") {
        const ScannedArgs s = scan_args(args, {"", "", "", true});
        if (s.find_any("l p") || s.rest >= args.size() || args[s.rest].value == "-" || args[s.rest].value.empty()) {
            return verdict(R, "trap lists or resets traps");
        }
        if (!args[s.rest].literal()) return verdict(U, "trap with a command not known statically");
        // The string runs later (on a signal, at EXIT, before every command with DEBUG), wherever cd has gone.
        return Context(ctx.tables(), ctx.depth(), "?").script(args[s.rest].value, "trap");
    }
    if (program == "enable") return verdict(U, "enable changes which builtins run");
    if (program == "hash") {
        for (const Word& word : args) {
            if (word.value.starts_with("-") && word.value.find('p') != std::string::npos) {
                return verdict(U, "hash -p changes which program a name runs");
            }
        }
        return verdict(R, "hash only reads");
    }
    return verdict(U, str(program) + " is not in the program table");
}

namespace {

// Builtins that take variable names. bash evaluates an array subscript in a name as arithmetic, and
// arithmetic expands `$(...)` inside it: `printf -v 'a[$(rm -rf d)]' x` runs rm. So a name must be a plain
// NAME or NAME[CONSTANT] (name_operand_risk); an argument that may split into options is not known.

}  // namespace

// printf [-v NAME] FORMAT [ARGUMENTS]
Verdict handle_printf(std::string_view program, Args args, const Context&) {
    const ScannedArgs s = scan_args(args, {"v", "", "", true});
    if (s.dynamic) return verdict(U, str(program) + " with a format that may expand to -v NAME");
    Verdict v = verdict(R, str(program) + " only reads");
    if (const Option* name = s.find("v")) v.raise(name_operand_risk(str(program) + " -v", option_word(*name), false));
    return v;
}

// read [-ers] [-a ARRAY] [-d DELIM] [-i TEXT] [-n N] [-N N] [-p PROMPT] [-t T] [-u FD] [NAME...]
Verdict handle_read(std::string_view program, Args args, const Context&) {
    const ScannedArgs s = scan_args(args, {"adinNptu", "", "", false});
    if (s.dynamic) return verdict(U, str(program) + " with an argument that may expand to variable names");
    Verdict v = verdict(R, str(program) + " only reads");
    if (const Option* array = s.find("a")) v.raise(name_operand_risk(str(program) + " -a", option_word(*array), false));
    for (const Word* name : s.operands) v.raise(name_operand_risk(program, *name, false));
    return v;
}

// mapfile/readarray [-d DELIM] [-n COUNT] [-O ORIGIN] [-s COUNT] [-t] [-u FD] [-C CALLBACK [-c QUANTUM]] [ARRAY]
Verdict handle_mapfile(std::string_view program, Args args, const Context&) {
    const ScannedArgs s = scan_args(args, {"dnOsuCc", "", "", false});
    if (s.find("C")) return verdict(U, str(program) + " -C runs its CALLBACK as shell code");
    if (s.dynamic) return verdict(U, str(program) + " with an argument that may expand to -C CALLBACK");
    Verdict v = verdict(R, str(program) + " only reads");
    for (const Word* name : s.operands) v.raise(name_operand_risk(program, *name, false));
    return v;
}

// let EXPRESSION...: each argument is arithmetic; NAME=CONSTANT and constants are known.
Verdict handle_let(std::string_view program, Args args, const Context&) {
    for (const Word& word : args) {
        if (!word.literal()) return verdict(U, str(program) + " evaluates `" + word.raw + "` as arithmetic, which is not known statically");
        const std::string& text = word.value;
        std::size_t i = 0;
        while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) != 0 || text[i] == '_')) ++i;
        const bool assignment = i > 0 && i < text.size() && text[i] == '=' && (i + 1 >= text.size() || text[i + 1] != '=');
        if (assignment && is_plain_name(std::string_view(text).substr(0, i))) {
            Verdict name = name_operand_risk(program, word, true);
            if (name.risk != R) return name;
            if (constant_arithmetic(std::string_view(text).substr(i + 1))) continue;
        } else if (constant_arithmetic(text)) {
            continue;
        }
        return verdict(U, str(program) + " evaluates `" + word.raw + "` as arithmetic, and a variable there can run code");
    }
    return verdict(R, str(program) + " computes constants");
}

// unset [-fvn] NAME...
Verdict handle_unset(std::string_view program, Args args, const Context&) {
    const ScannedArgs s = scan_args(args, {"", "", "", false});
    if (s.dynamic) return verdict(U, str(program) + " with an argument that may expand to names");
    Verdict v = verdict(R, str(program) + " removes shell variables");
    const bool functions = s.has("f");
    for (const Word* name : s.operands) {
        v.raise(name_operand_risk(program, *name, false, false));
        if (!functions) v.raise(history_variable_risk(program, name->value, {}, false));
    }
    return v;
}

// declare/typeset/local/readonly/export [-aAfFgiIlnprtux] [NAME[=VALUE]...]. -i makes later assignments to
// NAME arithmetic, -n makes NAME a reference to another name (subscript included), and -a/-A with a value
// reads it as a compound assignment whose subscripts are arithmetic: unknown whatever follows.
Verdict handle_declare(std::string_view program, Args args, const Context&) {
    std::string attributes;
    std::size_t i = 0;
    for (; i < args.size(); ++i) {
        const Word& word = args[i];
        if (word.may_be_option()) return verdict(U, str(program) + " with an argument that may expand to options");
        const std::string& a = word.value;
        if (a == "--") {
            ++i;
            break;
        }
        if (a.size() < 2 || (a.front() != '-' && a.front() != '+') || word.starts_with_expansion) break;
        if (a.front() == '-') attributes += a.substr(1);
    }
    const Args operands = tail(args, i);
    bool any_value = false;
    for (const Word& word : operands) any_value = any_value || word.value.find('=') != std::string::npos;
    if (!operands.empty() && attributes.find_first_of("in") != std::string::npos) {
        return verdict(U, str(program) + " -" + (attributes.find('i') != std::string::npos ? "i" : "n") +
                              " makes bash evaluate what is later assigned as arithmetic or as a name");
    }
    if (any_value && attributes.find_first_of("aA") != std::string::npos) {
        return verdict(U, str(program) + " -a/-A with a value reads it as a compound assignment, subscripts included");
    }
    Verdict v = verdict(R, str(program) + " sets shell variables");
    for (const Word& word : operands) {
        if (word.value == "-" && program == "local") continue;  // local -: saves the shell options
        v.raise(name_operand_risk(program, word, true));
    }
    return v;
}

// getopts OPTSTRING NAME [ARGS]
Verdict handle_getopts(std::string_view program, Args args, const Context&) {
    if (args.size() < 2) return verdict(R, str(program) + " without a name");
    Verdict v = verdict(R, str(program) + " parses options");
    v.raise(name_operand_risk(program, args[1], false));
    return v;
}

// wait [-fn] [-p NAME] [ID...]
Verdict handle_wait(std::string_view program, Args args, const Context&) {
    const ScannedArgs s = scan_args(args, {"p", "", "", false});
    Verdict v = verdict(R, str(program) + " waits for jobs");
    if (const Option* name = s.find("p")) v.raise(name_operand_risk(str(program) + " -p", option_word(*name), false));
    return v;
}

// test / [: -v NAME evaluates a subscript in NAME; an unquoted expansion may split into `-v NAME`.
Verdict handle_test(std::string_view program, Args args, const Context&) {
    Verdict v = verdict(R, str(program) + " only reads");
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& raw = args[i].raw;
        const bool number = !raw.empty() && integer_expansion_length(raw) == raw.size();  // $#, ${#x}: one word
        if (args[i].splits && !number) return verdict(U, str(program) + " with an unquoted expansion that may split into -v NAME");
        if (args[i].value == "-v" && i + 1 < args.size()) v.raise(name_operand_risk(str(program) + " -v", args[i + 1], false, false));
    }
    return v;
}

// set: -k (-o keyword) turns NAME=VALUE arguments anywhere on later command lines into environment
// assignments (`ls LD_PRELOAD=/tmp/x.so`), which the classifier reads as plain arguments.
Verdict handle_set(std::string_view program, Args args, const Context&) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const Word& word = args[i];
        const std::string& a = word.value;
        if (word.may_be_option()) return verdict(U, str(program) + " with an argument that may expand to options");
        if (a == "--" || a == "-" || a.size() < 2 || (a.front() != '-' && a.front() != '+')) break;
        if (a.front() == '-' && a.find('k') != std::string::npos) {
            return verdict(U, str(program) + " -k makes NAME=VALUE arguments environment assignments");
        }
        if (a.find('o') != std::string::npos && i + 1 < args.size()) {
            const Word& option = args[i + 1];
            if (!option.literal()) return verdict(U, str(program) + " -o with an option not known statically");
            if (a.front() == '-' && option.value == "keyword") {
                return verdict(U, str(program) + " -o keyword makes NAME=VALUE arguments environment assignments");
            }
            if (a.front() == '+' && option.value == "history") {
                return verdict(A, str(program) + " +o history stops recording the shell history");
            }
            ++i;
        }
    }
    return verdict(R, str(program) + " sets shell options");
}

// shopt: -u interactive_comments makes `#` an ordinary word on later typed lines (the lexer would take
// `ls # ; rm f` as ls and a comment); compat* levels change how bash parses and expands; -o names a set -o
// option (keyword as for set).
Verdict handle_shopt(std::string_view program, Args args, const Context& ctx) {
    bool unset = false;
    bool set_options = false;
    for (const Word& word : args) {
        if (!word.literal()) return verdict(U, str(program) + " with an option not known statically");
        const std::string& a = word.value;
        if (a.starts_with("-")) {
            unset = unset || a.find('u') != std::string::npos;
            set_options = set_options || a.find('o') != std::string::npos;
            continue;
        }
        if (unset && a == "interactive_comments") return verdict(U, str(program) + " -u interactive_comments makes # an ordinary word");
        if (unset && set_options && a == "history") return verdict(A, str(program) + " -u -o history stops recording the shell history");
        if (a.starts_with("compat")) return verdict(U, str(program) + " " + a + " changes how bash parses and expands");
    }
    if (set_options && !unset) {
        std::vector<Word> as_set;  // shopt -s -o a b → set -o a -o b
        for (const Word& w : args) {
            if (w.value.starts_with("-")) continue;
            Word dash_o = w;
            dash_o.value = "-o";
            as_set.push_back(dash_o);
            as_set.push_back(w);
        }
        return handle_set("set", as_set, ctx);
    }
    return verdict(R, str(program) + " sets or lists shell options");
}

// jobs -x COMMAND ARGS runs COMMAND (with job specs replaced by process ids).
Verdict handle_jobs(std::string_view program, Args args, const Context& ctx) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i].may_be_option()) return verdict(U, str(program) + " with an argument that may expand to -x");
        if (args[i].value == "--" || !args[i].value.starts_with("-")) break;
        if (args[i].value.find('x') != std::string::npos) {
            if (i + 1 >= args.size()) return verdict(U, str(program) + " -x without a command");
            return wrapped(str(program) + " -x", tail(args, i + 1), ctx);
        }
    }
    return verdict(R, str(program) + " lists jobs");
}

Verdict handle_history(std::string_view program, Args args, const Context&) {
    const ScannedArgs s = scan_args(args, {"d", "", "", false});
    // DESIGN §4: hiding one's tracks is admin: clearing, deleting or forging entries.
    if (const Option* o = s.find_any("c d s")) return verdict(A, str(program) + " -" + o->name + " rewrites the shell history");
    if (s.find_any("w a r n")) return verdict(W, str(program) + " writes or reloads the history file");
    return verdict(R, str(program) + " only reads");
}

}  // namespace jitgate::guardrails::shell::programs
