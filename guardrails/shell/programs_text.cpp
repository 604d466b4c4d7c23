// The shell classifier's rules for text and file tools whose options may write or run code (sed, awk, find,
// sort, split, xxd, pagers, man, yq ...).
#include "guardrails/shell/shell_programs.hpp"

#include <algorithm>
#include <array>

namespace jitgate::guardrails::shell::programs {

namespace {

// A sed script: e commands and s///e run commands, w writes files.
Verdict sed_script_risk(std::string_view script) {
    Verdict v = verdict(R, "sed only reads");
    std::size_t i = 0;
    const std::size_t n = script.size();
    const auto skip_delimited = [&](char delim) {  // past the next unescaped delim
        while (i < n && script[i] != delim) {
            if (script[i] == '\\') ++i;
            ++i;
        }
        ++i;
    };
    const auto to_line_end = [&] {
        while (i < n && script[i] != '\n') ++i;
    };
    while (i < n) {
        char c = script[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '{' || c == '}' || c == '!') {
            ++i;
            continue;
        }
        // address: numbers, $, /regex/, \cREGEXc, ranges and steps
        while (i < n) {
            c = script[i];
            if ((c >= '0' && c <= '9') || c == '$' || c == ',' || c == '~' || c == '+' || c == ' ') {
                ++i;
            } else if (c == '/') {
                ++i;
                skip_delimited('/');
            } else if (c == '\\' && i + 1 < n) {
                const char d = script[i + 1];
                i += 2;
                skip_delimited(d);
            } else {
                break;
            }
        }
        if (i >= n) break;
        c = script[i++];
        if (c == '!' || c == '{' || c == '}' || c == ';') continue;
        if (c == '#') {
            to_line_end();
        } else if (c == 's' || c == 'y') {
            if (i >= n) break;
            const char delim = script[i++];
            skip_delimited(delim);
            skip_delimited(delim);
            if (c == 's') {
                while (i < n && script[i] != ';' && script[i] != '\n' && script[i] != '}') {
                    if (script[i] == 'e') v.raise(U, "sed s///e runs the pattern space as a command");
                    if (script[i] == 'w') {
                        ++i;
                        while (i < n && (script[i] == ' ' || script[i] == '\t')) ++i;
                        const std::size_t start = i;
                        to_line_end();
                        v.raise(literal_path_risk(script.substr(start, i - start), "sed s///w writing", false));
                        v.raise(W, "sed s///w writes a file");
                        break;
                    }
                    ++i;
                }
            }
        } else if (c == 'e') {
            v.raise(U, "sed e runs a command");
            to_line_end();
        } else if (c == 'w' || c == 'W') {
            while (i < n && (script[i] == ' ' || script[i] == '\t')) ++i;
            const std::size_t start = i;
            to_line_end();
            v.raise(literal_path_risk(script.substr(start, i - start), "sed w writing", false));
        } else if (c == 'a' || c == 'i' || c == 'c' || c == 'r' || c == 'R' || c == ':' || c == 'b' || c == 't' ||
                   c == 'T' || c == 'q' || c == 'Q' || c == 'l' || c == 'L') {
            while (i < n && script[i] != '\n' && script[i] != ';') ++i;
        }
    }
    return v;
}

}  // namespace

Verdict handle_sed(std::string_view program, Args args, const Context& ctx) {
    const ScannedArgs s = scan_args(args, {"efl", "expression file line-length", "i", false});
    if (s.find_any("f file")) return verdict(U, str(program) + " -f runs a script file the classifier cannot read");
    Verdict v = verdict(R, str(program) + " only reads");
    std::vector<const Word*> files = s.operands;
    bool have_script = false;
    for (const Option& o : s.options) {
        if (o.name == "e" || o.name == "expression") {
            have_script = true;
            if (!o.value_literal) return verdict(U, str(program) + " with a script not known statically");
            v.raise(sed_script_risk(o.value));
        }
    }
    if (!have_script && !files.empty()) {
        if (!files.front()->literal()) return verdict(U, str(program) + " with a script not known statically");
        v.raise(sed_script_risk(files.front()->value));
        files.erase(files.begin());
    }
    if (s.find_any("i in-place")) {
        v.raise(W, str(program) + " -i edits files in place");
        for (const Word* file : files) v.raise(ctx.write_risk(*file, str(program) + " -i editing"));
    }
    if (s.dynamic) v.raise(W, str(program) + " with an argument that may expand to options such as -i");
    return v;
}

namespace {

// Whether a print or printf statement in an awk program redirects its output (`print > "f"`, `>>`); a `>`
// elsewhere, or inside parentheses, is a comparison.
bool awk_prints_to_file(std::string_view text) {
    std::size_t at = 0;
    while ((at = text.find("print", at)) != std::string_view::npos) {
        int depth = 0;
        bool in_string = false;
        for (std::size_t i = at + 5; i < text.size(); ++i) {
            const char c = text[i];
            if (in_string) {
                if (c == '\\') ++i;
                else if (c == '"') in_string = false;
                continue;
            }
            if (c == '"') in_string = true;
            else if (c == '(') ++depth;
            else if (c == ')') --depth;
            else if (c == ';' || c == '}' || c == '\n') break;
            else if (c == '>' && depth <= 0) return true;
        }
        at += 5;
    }
    return false;
}

}  // namespace

Verdict handle_awk(std::string_view program, Args args, const Context& ctx) {
    const ScannedArgs s = scan_args(args, {"FvfieElW", "field-separator assign file include source exec load", "opd", false});
    if (s.find_any("f file i include E exec")) return verdict(U, str(program) + " runs a program file the classifier cannot read");
    if (s.find_any("l load")) return verdict(U, str(program) + " -l loads a shared library");
    // gawk -o[FILE] (--pretty-print), -p[FILE] (--profile), -d[FILE] (--dump-variables) write a file.
    if (const Option* o = s.find_any("o p d pretty-print profile dump-variables")) {
        if (o->has_value && !o->value.empty()) return ctx.write_risk(option_word(*o), str(program) + " -" + o->name + " writing");
        return verdict(W, str(program) + " -" + o->name + " writes a file");
    }
    std::vector<std::string> programs;
    for (const Option& o : s.options) {
        if (o.name == "e" || o.name == "source") {
            if (!o.value_literal) return verdict(U, str(program) + " with a program not known statically");
            programs.push_back(o.value);
        }
    }
    if (programs.empty()) {
        const Word* text = first_operand(s);
        if (text == nullptr) return verdict(U, str(program) + " without a program");
        if (!text->literal()) return verdict(U, str(program) + " with a program not known statically");
        programs.push_back(text->value);
    }
    for (const std::string& text : programs) {
        if (text.find("system") != std::string::npos || text.find('|') != std::string::npos) {
            return verdict(U, str(program) + " program runs commands (system or a pipe)");
        }
        if (awk_prints_to_file(text)) return verdict(U, str(program) + " program writes files (print > FILE)");
        if (text.find("inplace") != std::string::npos) return verdict(W, str(program) + " edits files in place");
    }
    if (s.dynamic) return verdict(U, str(program) + " with an argument that may expand to options");
    return verdict(R, str(program) + " only reads");
}

Verdict handle_find(std::string_view program, Args args, const Context& ctx) {
    Verdict v = verdict(R, str(program) + " only reads");
    for (std::size_t i = 0; i < args.size(); ++i) {
        const Word& word = args[i];
        if (word.may_be_option()) v.raise(X, str(program) + " with an argument that may expand to -delete or -exec");
        const std::string& a = word.value;
        if (a == "-exec" || a == "-execdir" || a == "-ok" || a == "-okdir") {
            std::size_t end = i + 1;
            while (end < args.size() && args[end].value != ";" && args[end].value != "+") ++end;
            if (end >= args.size()) return verdict(U, str(program) + " " + a + " without a terminating ; or +");
            // {} stands for every match: a path the classifier does not know.
            std::vector<Word> argv(args.begin() + static_cast<std::ptrdiff_t>(i + 1), args.begin() + static_cast<std::ptrdiff_t>(end));
            for (Word& w : argv) {
                if (w.value.find("{}") != std::string::npos) {
                    w.expands = true;
                    w.starts_with_expansion = w.value.starts_with("{}");
                }
            }
            Verdict inner = ctx.argv(argv);
            inner.reason = str(program) + " " + a + " → " + inner.reason;
            if (inner.stdin_code != StdinCode::none) inner = verdict(U, str(program) + " " + a + " runs an interpreter");
            v.raise(inner);
            i = end;
        } else if (a == "-delete") {
            v.raise(X, str(program) + " -delete removes every match");
        } else if (a == "-fprint" || a == "-fprint0" || a == "-fprintf" || a == "-fls") {
            if (i + 1 < args.size()) v.raise(ctx.write_risk(args[i + 1], str(program) + " " + a));
            else v.raise(W, str(program) + " " + a + " writes a file");
        }
    }
    return v;
}

Verdict handle_sort(std::string_view program, Args args, const Context& ctx) {
    const ScannedArgs s = scan_args(args, {"oktSTF", "output key field-separator buffer-size temporary-directory files0-from "
                                                    "compress-program random-source batch-size parallel", "", false});
    if (s.find("compress-program")) return verdict(U, str(program) + " --compress-program runs the program it names");
    if (const Option* o = s.find_any("o output")) {
        Word target;
        target.value = o->value;
        target.raw = o->value;
        target.expands = !o->value_literal;
        return ctx.write_risk(target, str(program) + " -o writing");
    }
    if (program == "uniq" && s.operands.size() >= 2) return ctx.write_risk(*s.operands[1], "uniq writing");
    return verdict(R, str(program) + " only reads");
}

namespace {

// Programs of the read table whose options write files, change the system or run commands (issue 10
// item 6): one row each, from their man pages. An option in `writes` names a file it writes (judged by
// path); `writes_default` writes a file it names itself (file -C, tree -R with -H); `admin` changes the
// system; `runs` runs a command or an editor. Anything else only reads.
struct OptionRule {
    std::string_view name;
    OptionSpec spec;
    std::string_view writes;
    std::string_view writes_default;
    std::string_view admin;
    std::string_view runs;
};

const OptionRule option_rules[] = {
    {"ack", {"ABCgm", "output pager match type ignore-dir ignore-file", "", false}, "", "", "", "output pager"},
    {"ag", {"ABCGgm", "pager path-to-ignore ignore file-search-regex depth", "", false}, "", "", "", "pager"},
    {"arp", {"HiAtf", "hw-type device file", "", false}, "", "", "d s f delete set file", ""},
    {"atop", {"wr", "", "", false}, "w", "", "", ""},
    {"diff3", {"L", "label diff-program", "", false}, "", "", "", "diff-program"},
    {"dmidecode", {"dtsH", "dev-mem type string handle dump-bin from-dump", "", false}, "dump-bin", "", "", ""},
    {"dstat", {"", "output", "", false}, "output", "", "", ""},
    {"blkid", {"cLUoOsStunSp", "cache-file label uuid output offset match-tag match-token usages probe-size", "", false},
     "c cache-file", "g garbage-collect", "", ""},
    {"file", {"mfFeP", "magic-file files-from separator exclude parameter", "", false}, "", "C compile", "", ""},
    {"glances", {"BpCt", "bind port config time export export-csv-file export-json-file", "", false},
     "export-csv-file export-json-file", "export", "w s webserver server", "C config"},
    {"hwinfo", {"", "log save-config show-config db", "", false}, "log", "save-config", "", ""},
    {"iconv", {"fto", "from-code to-code output", "", false}, "o output", "", "", ""},
    {"info", {"dfnoO", "directory file node output index-search", "", false}, "o output", "", "", ""},
    {"inxi", {"", "debug", "", false}, "", "", "U update", ""},
    {"lastlog", {"btuR", "before time user root", "", false}, "", "", "C S clear set", ""},
    {"lshw", {"", "", "", false}, "", "dump", "", ""},
    {"rg", {"eEfgjmMtTABC", "regexp file glob type type-not max-count threads pre pre-glob encoding context "
                            "after-context before-context", "", false},
     "", "", "", "pre"},
    {"sdiff", {"ow", "output width diff-program", "", false}, "", "", "", "o output diff-program"},
    {"sensors", {"c", "config-file", "", false}, "", "", "s set", ""},
    {"shuf", {"ino", "input-range head-count output random-source", "", false}, "o output", "", "", ""},
    {"ss", {"fANFD", "family query net filter diag", "", false}, "D diag", "", "K kill", ""},
    {"tree", {"LPIoHT", "charset filelimit timefmt sort", "", false}, "o", "R", "", ""},
};

const OptionRule* find_option_rule(std::string_view name) {
    for (const OptionRule& rule : option_rules) {
        if (rule.name == name) return &rule;
    }
    return nullptr;
}

// lshw writes with a one-dash long option (-dump FILE) that getopt-style scanning would split.
bool has_word(Args args, std::string_view word) {
    return std::any_of(args.begin(), args.end(), [&](const Word& w) { return w.value == word; });
}

}  // namespace

Verdict handle_options(std::string_view program, Args args, const Context& ctx) {
    const OptionRule* rule = find_option_rule(program);
    if (rule == nullptr) return verdict(U, str(program) + " is not in the program table");
    if (program == "lshw" && (has_word(args, "-dump") || has_word(args, "--dump"))) {
        for (std::size_t i = 0; i + 1 < args.size(); ++i) {
            if (args[i].value == "-dump" || args[i].value == "--dump") return ctx.write_risk(args[i + 1], "lshw -dump writing");
        }
        return verdict(W, "lshw -dump writes a database");
    }
    const ScannedArgs s = scan_args(args, rule->spec);
    Verdict v = verdict(R, str(program) + " only reads");
    for (const Option& o : s.options) {
        const std::string flag = (o.name.size() > 1 ? "--" : "-") + o.name;
        if (in_names(rule->runs, o.name)) {
            if (program == "sdiff" && (o.name == "o" || o.name == "output")) {
                return verdict(U, "sdiff -o merges interactively, and its `e` command runs an editor that can run commands");
            }
            return verdict(U, str(program) + " " + flag + " runs a command");
        }
        if (in_names(rule->admin, o.name)) v.raise(A, str(program) + " " + flag + " changes the system");
        if (in_names(rule->writes_default, o.name)) v.raise(W, str(program) + " " + flag + " writes a file");
        if (in_names(rule->writes, o.name)) {
            if (o.has_value) v.raise(ctx.write_risk(option_word(o), str(program) + " " + flag + " writing"));
            else v.raise(W, str(program) + " " + flag + " writes a file");
        }
    }
    if (s.dynamic && v.risk == R) return verdict(U, str(program) + " with an argument that may expand to an option that writes");
    return v;
}

// split [OPTIONS] [INPUT [PREFIX]] and csplit [-f PREFIX] INPUT PATTERN...: the pieces are PREFIXaa ...,
// so the prefix's path decides (`split big /etc/cron.d/x`).
Verdict handle_split(std::string_view program, Args args, const Context& ctx) {
    const bool c = program == "csplit";
    const ScannedArgs s = scan_args(args, c ? OptionSpec{"bfn", "suffix-format prefix digits", "", false}
                                            : OptionSpec{"abCdlnt", "suffix-length additional-suffix bytes line-bytes "
                                                                    "lines number separator numeric-suffixes hex-suffixes filter",
                                                         "", false});
    if (!c && s.find("filter")) return verdict(U, "split --filter runs a shell command");
    Verdict v = verdict(W, str(program) + " writes files");
    if (s.dynamic) v.raise(X, str(program) + " with an argument that may expand to a prefix");
    Word prefix;
    prefix.value = "x";
    prefix.raw = "x";
    if (const Option* f = c ? s.find_any("f prefix") : nullptr) prefix = option_word(*f);
    else if (!c && s.operands.size() >= 2) prefix = *s.operands[1];
    else if (c) prefix.value = prefix.raw = "xx";
    v.raise(ctx.write_risk(prefix, str(program) + " writing pieces at"));
    return v;
}

// xxd [OPTIONS] [INFILE [OUTFILE]]: a second operand is written (with -r, the binary rebuilt from a dump).
// Options are one-dash words (-cols 8, -c8, -seek +10), read by hand.
Verdict handle_xxd(std::string_view program, Args args, const Context& ctx) {
    std::vector<const Word*> operands;
    bool options_done = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const Word& w = args[i];
        const std::string& a = w.value;
        if (!options_done && w.may_be_option()) return verdict(U, str(program) + " with an argument that may expand to options");
        if (!options_done && a == "--") {
            options_done = true;
        } else if (!options_done && a.size() > 1 && a.front() == '-' && !w.starts_with_expansion) {
            if (one_of(a, {"-c", "-cols", "-g", "-groupsize", "-l", "-len", "-n", "-name", "-o", "-s", "-seek", "-R"})) ++i;
        } else {
            operands.push_back(&w);
        }
    }
    if (operands.size() >= 2 && operands[1]->value != "-") return ctx.write_risk(*operands[1], str(program) + " writing");
    return verdict(R, str(program) + " only reads");
}

// less: +COMMANDS run at start (`+!cmd` runs a shell command, `+|`, `+v` and `+s` pipe, edit, save), log
// files (-o/-O) are written, and a lesskey file can set LESSOPEN (a command less runs).
Verdict handle_pager(std::string_view program, Args args, const Context& ctx) {
    const ScannedArgs s = scan_args(args, {"bhjkoOpPtTxyz#",
                                           "log-file LOG-FILE lesskey-file lesskey-src lesskey-content pattern prompt tag "
                                           "tag-file tabs shift max-back-scroll window",
                                           "", false});
    Verdict v = verdict(R, str(program) + " only reads");
    for (const Option& o : s.options) {
        if (one_of(o.name, {"k", "lesskey-file", "lesskey-src", "lesskey-content"})) {
            return verdict(U, str(program) + " -k reads key bindings that can set LESSOPEN, a command it runs");
        }
        if (one_of(o.name, {"o", "O", "log-file", "LOG-FILE"})) {
            if (o.has_value) v.raise(ctx.write_risk(option_word(o), str(program) + " -o writing"));
            else v.raise(W, str(program) + " -o writes a log file");
        }
    }
    for (const Word* w : s.operands) {
        if (!w->value.starts_with("+")) continue;
        const std::string_view command = std::string_view(w->value).substr(1);
        // +F, +G, +g, +NUMBER, +NUMBERg/G/%/p, +/pattern and +?pattern only move or search.
        const bool moves = command.empty() || command.find_first_not_of("0123456789FGgp%") == std::string_view::npos;
        const bool searches = command.starts_with("/") || command.starts_with("?");
        if (!w->literal() || !(moves || searches)) return verdict(U, str(program) + " " + w->raw + " runs a command at start");
    }
    if (s.dynamic) return verdict(U, str(program) + " with an argument that may expand to options");
    return v;
}

// man: -P/--pager and -H/--html run the program they name.
Verdict handle_man(std::string_view program, Args args, const Context&) {
    const ScannedArgs s = scan_args(args, {"CMPrLmSsep", "config-file manpath pager prompt locale systems sections extension "
                                                       "preprocessor encoding", "HTX", false});
    for (const Option& o : s.options) {
        if (one_of(o.name, {"P", "pager", "H", "html", "X", "gxditview", "browser"})) {
            return verdict(U, str(program) + " -" + o.name + " runs the program it names");
        }
    }
    if (s.dynamic) return verdict(U, str(program) + " with an argument that may expand to -P PAGER");
    return verdict(R, str(program) + " only reads");
}

// yq -i edits its files in place.
Verdict handle_yq(std::string_view program, Args args, const Context& ctx) {
    const ScannedArgs s = scan_args(args, {"wfL", "width yaml-output-grammar-version yml-out-ver indent from-file arg argjson "
                                                  "slurpfile rawfile", "", false});
    if (s.find_any("i in-place inplace")) {
        Verdict v = verdict(W, str(program) + " -i edits files in place");
        for (std::size_t k = 1; k < s.operands.size(); ++k) v.raise(ctx.write_risk(*s.operands[k], str(program) + " -i editing"));
        return v;
    }
    if (s.dynamic) return verdict(U, str(program) + " with an argument that may expand to -i");
    return verdict(R, str(program) + " only reads");
}

// sar -o [FILE] saves the samples (to FILE, or the system's sa directory).
Verdict handle_sar(std::string_view program, Args args, const Context& ctx) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i].may_be_option()) return verdict(U, str(program) + " with an argument that may expand to -o");
        if (args[i].value == "-o") {
            const bool named = i + 1 < args.size() && !args[i + 1].value.starts_with("-") &&
                               args[i + 1].value.find_first_not_of("0123456789") != std::string::npos;
            if (named) return ctx.write_risk(args[i + 1], str(program) + " -o writing");
            return literal_path_risk("/var/log/sysstat", str(program) + " -o writing into", false);
        }
    }
    return verdict(R, str(program) + " only reads");
}

// systemd-analyze: set-log-level, set-log-target and service-watchdogs with a value change the manager.
Verdict handle_systemd_analyze(std::string_view program, Args args, const Context&) {
    const ScannedArgs s = scan_args(args, {"HM", "host machine root image iterations base-time unit", "", false});
    const Word* sub = first_operand(s);
    if (sub == nullptr) return verdict(R, str(program) + " only reads");
    if (!sub->literal()) return dynamic_subcommand(program, *sub, A);
    if (one_of(sub->value, {"set-log-level", "set-log-target", "log-level", "log-target", "service-watchdogs"}) && s.operands.size() > 1) {
        return verdict(A, str(program) + " " + sub->value + " changes the service manager");
    }
    return verdict(R, str(program) + " " + sub->value + " only reads");
}

}  // namespace jitgate::guardrails::shell::programs
