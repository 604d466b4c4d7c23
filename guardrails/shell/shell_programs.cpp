// The shell classifier's rules for programs whose class depends on their arguments: subcommands
// (systemctl, kubectl, docker, git, apt ...), options (rm -r, sed -i, curl -o, find -exec ...), the
// commands that wrappers run (sudo, env, timeout, xargs, watch, ssh, sh -c ...) and where files are
// written. Plain programs are in data/shell_programs.tsv. One named handler per program family, found
// through one table (`rules`).
#include "guardrails/shell/shell_detail.hpp"

#include <algorithm>
#include <array>

namespace jitgate::guardrails::shell {
namespace {

constexpr RiskClass R = RiskClass::read;
constexpr RiskClass W = RiskClass::write;
constexpr RiskClass A = RiskClass::admin;
constexpr RiskClass X = RiskClass::destructive;
constexpr RiskClass U = RiskClass::unknown;

std::string str(std::string_view s) { return std::string(s); }

bool one_of(std::string_view word, std::initializer_list<std::string_view> list) {
    return std::find(list.begin(), list.end(), word) != list.end();
}

// The first operand that is a literal word, its index among operands, or nullptr.
const Word* first_operand(const ScannedArgs& scanned) { return scanned.operands.empty() ? nullptr : scanned.operands.front(); }

// A subcommand that cannot be read statically: the program's worst case.
Verdict dynamic_subcommand(std::string_view program, const Word& word, RiskClass worst) {
    return verdict(worst, str(program) + " with a subcommand `" + word.raw + "` not known statically");
}

// Everything after index `from` in `args`, as its own argv (a wrapped command).
Args tail(Args args, std::size_t from) { return from >= args.size() ? Args{} : args.subspan(from); }

// At least `floor`; the inner command's reason when it is as high (sudo systemctl restart names systemctl).
Verdict lift(RiskClass floor, std::string floor_reason, const Verdict& inner) {
    Verdict v = inner;
    if (risk_rank(inner.risk) < risk_rank(floor)) {
        v.risk = floor;
        v.reason = std::move(floor_reason);
    }
    if (risk_rank(v.stdin_floor) < risk_rank(floor)) v.stdin_floor = floor;
    return v;
}

// The context a wrapper's --chdir DIR (env -C, sudo -D) runs its command in.
Context moved_to(const Context& ctx, const Option* chdir) {
    if (chdir == nullptr) return ctx;
    if (!chdir->value_literal || chdir->value.empty()) return Context(ctx.tables(), ctx.depth(), "?");
    if (chdir->value.front() == '/') return Context(ctx.tables(), ctx.depth(), chdir->value);
    return Context(ctx.tables(), ctx.depth(), "?");
}

Verdict wrapped(std::string_view program, Args command, const Context& ctx) {
    Verdict inner = ctx.argv(command);
    if (!command.empty()) inner.reason = str(program) + " → " + inner.reason;
    return inner;
}

// Joins words as the remote or inner shell sees them (ssh and watch join their arguments with spaces).
bool join_literal(Args words, std::string& out) {
    for (const Word& word : words) {
        if (!word.literal()) return false;
        if (!out.empty()) out += ' ';
        out += word.value;
    }
    return true;
}

// Whether `name` is one of the space-separated `names`.
bool in_names(std::string_view names, std::string_view name) {
    while (!names.empty()) {
        const std::size_t space = names.find(' ');
        if (names.substr(0, space) == name) return true;
        names = space == std::string_view::npos ? std::string_view{} : names.substr(space + 1);
    }
    return false;
}

// A word made from an option's value (-v NAME, -o FILE), for the checks that take words.
Word option_word(const Option& o) {
    Word word;
    word.value = o.value;
    word.raw = o.value;
    word.expands = !o.value_literal;
    return word;
}

// ---------------------------------------------------------------- files

Verdict handle_rm(std::string_view program, Args args, const Context& ctx) {
    const ScannedArgs s = scan_args(args, {});
    if (s.find_any("r R recursive")) {
        std::string written = "-r";  // the option as written: -rf, -R, --recursive
        for (const Word& w : args) {
            if (w.value == "--recursive" || (w.value.size() > 1 && w.value[0] == '-' && w.value[1] != '-' &&
                                             w.value.find_first_of("rR") != std::string::npos)) {
                written = w.value;
                break;
            }
        }
        return verdict(X, str(program) + " " + written + " removes recursively");
    }
    if (s.has("no-preserve-root")) return verdict(X, str(program) + " --no-preserve-root removes the root");
    if (s.dynamic) return verdict(X, str(program) + " with an argument that may expand to options such as -r");
    if (s.operands.empty() && s.find_any("help version")) return verdict(R, str(program) + " --help");
    // DESIGN §4: every deletion is destructive, even of one temp file; a system path says so in the reason.
    Verdict v = verdict(X, str(program) + " deletes files (every deletion is destructive)");
    for (const Word* operand : s.operands) {
        const Verdict path = ctx.write_risk(*operand, str(program) + " of");
        if (path.risk == X && v.reason.ends_with("destructive)")) v.reason = path.reason;
    }
    return v;
}

// cp, mv, install, ln: the destination (-t DIR or the last operand) is written; mv also removes its sources.
Verdict handle_copy(std::string_view program, Args args, const Context& ctx) {
    const ScannedArgs s = scan_args(args, {"tSbm", "target-directory suffix backup mode owner group context", "", false});
    Verdict v = verdict(W, str(program) + " writes files");
    if (s.dynamic) v.raise(X, str(program) + " with an argument that may expand to several paths");
    if (const Option* t = s.find_any("t target-directory")) {
        Word target;
        target.value = t->value;
        target.raw = t->value;
        target.expands = !t->value_literal;
        v.raise(ctx.write_risk(target, str(program) + " into"));
    } else if (!s.operands.empty()) {
        v.raise(ctx.write_risk(*s.operands.back(), str(program) + " onto"));
    }
    if (program == "mv") {
        for (std::size_t i = 0; i + 1 < s.operands.size(); ++i) v.raise(ctx.write_risk(*s.operands[i], "mv moving away"));
    }
    // mv, ln -f and install put a new file where the destination was: onto /dev/null (which a write
    // leaves alone) that replaces the device node. mv away from /dev removes one. cp /dev/null FILE
    // empties FILE, a truncation (DESIGN §4).
    const bool replaces = program == "mv" || program == "install" || (program == "ln" && s.find_any("f force"));
    const auto device = [](const Word* w) {
        if (w == nullptr || !w->literal()) return false;
        const std::string path = normalize_path(w->value);
        return path.starts_with("/dev/") && !path.starts_with("/dev/shm/") && !path.starts_with("/dev/mqueue/");
    };
    const Word* destination = s.operands.empty() ? nullptr : s.operands.back();
    if (replaces && device(destination) && !s.find_any("t target-directory")) {
        v.raise(X, str(program) + " onto " + destination->value + " replaces a device node");
    }
    if (program == "mv") {
        for (std::size_t i = 0; i + 1 < s.operands.size(); ++i) {
            if (device(s.operands[i])) v.raise(X, "mv of " + s.operands[i]->value + " removes a device node");
        }
    }
    if (program == "cp" && s.operands.size() == 2 && s.operands.front()->literal() &&
        one_of(normalize_path(s.operands.front()->value), {"/dev/null", "/dev/zero"}) && !device(destination)) {
        v.raise(X, "cp " + s.operands.front()->value + " onto " + destination->raw + " empties it");
    }
    return v;
}

// touch, mkdir, tee, truncate ...: every operand is written.
Verdict handle_create(std::string_view program, Args args, const Context& ctx) {
    const ScannedArgs s = scan_args(args, {"srdtmZ", "size reference date mode context", "", false});
    const bool overwrites = program == "tee" || program == "truncate";
    Verdict v = program == "tee" ? verdict(R, "tee writes only to stdout") : verdict(W, str(program) + " writes files");
    for (const Word* operand : s.operands) v.raise(ctx.write_risk(*operand, str(program), overwrites));
    if (program == "truncate" && !s.operands.empty()) {
        // Truncation deletes what was in the file (DESIGN §4); only growing it (-s +N, -s >N) keeps the data.
        const Option* size = s.find_any("s size");
        const bool grows = size != nullptr && size->value_literal && (size->value.starts_with("+") || size->value.starts_with(">"));
        if (!grows) v.raise(X, str(program) + " cuts files, deleting their contents");
    }
    return v;
}

Verdict handle_chmod(std::string_view program, Args args, const Context& ctx) {
    const ScannedArgs s = scan_args(args, {"", "reference from", "", false});
    Verdict v = verdict(A, str(program) + " changes ownership or permissions");
    if (s.find_any("R recursive")) {
        for (const Word* operand : s.operands) {
            const Verdict p = ctx.write_risk(*operand, str(program) + " -R on");
            if (p.risk == X) v.raise(p);
        }
    }
    return v;
}

// ---------------------------------------------------------------- text tools

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

// ---------------------------------------------------------------- wrappers

// Programs that run the command that follows their options, inheriting its class.
struct WrapperRule {
    std::string_view name;
    OptionSpec options;
    std::size_t skip_operands;  // operands before the command (timeout's DURATION, chroot's NEWROOT)
    RiskClass floor;            // the wrapper's own class
    std::string_view floor_reason;
    RiskClass without_command;  // when nothing follows
    std::string_view without_reason;
};

const WrapperRule wrapper_rules[] = {
    {"nohup", {"", "", "", true}, 0, R, "", U, "nohup without a command"},
    {"nice", {"n", "adjustment", "", true}, 0, R, "", R, "nice prints the niceness"},
    {"timeout", {"sk", "signal kill-after", "", true}, 1, R, "", U, "timeout without a command"},
    {"stdbuf", {"ioe", "input output error", "", true}, 0, R, "", U, "stdbuf without a command"},
    {"time", {"fo", "format output", "", true}, 0, R, "", R, "time of nothing"},
    {"nocache", {"", "", "", true}, 0, R, "", U, "nocache without a command"},
    {"unbuffer", {"", "", "", true}, 0, R, "", U, "unbuffer without a command"},
    {"chronic", {"", "", "", true}, 0, R, "", U, "chronic without a command"},
    {"catchsegv", {"", "", "", true}, 0, R, "", U, "catchsegv without a command"},
    {"setsid", {"", "", "", true}, 0, R, "", U, "setsid without a command"},
    {"torsocks", {"auP", "user pass port address", "", true}, 0, R, "", U, "torsocks without a command"},
    {"proxychains", {"f", "", "", true}, 0, R, "", U, "proxychains without a command"},
    {"proxychains4", {"f", "", "", true}, 0, R, "", U, "proxychains4 without a command"},
    {"faketime", {"f", "", "", true}, 1, R, "", U, "faketime without a command"},
    {"valgrind", {"", "", "", true}, 0, R, "", U, "valgrind without a command"},
    {"caffeinate", {"tw", "", "", true}, 0, R, "", R, "caffeinate keeps the machine awake"},
    {"cpulimit", {"lpe", "limit pid exe", "", true}, 0, R, "", A, "cpulimit on a running process"},
    {"taskset", {"", "", "", true}, 1, R, "", A, "taskset on a running process"},
    {"chrt", {"", "", "", true}, 1, R, "", A, "chrt on a running process"},
    {"flock", {"wEs", "timeout conflict-exit-code", "", true}, 1, R, "", R, "flock on a descriptor"},
    {"sshpass", {"pfde", "", "", true}, 0, R, "", U, "sshpass without a command"},
    {"firejail", {"", "", "", true}, 0, R, "", U, "firejail runs a shell"},
    {"xvfb-run", {"nslfe", "server-num server-args auth-file error-file", "", true}, 0, R, "", U, "xvfb-run without a command"},
    {"chroot", {"", "userspec groups", "", true}, 1, A, "chroot runs a command in another root", U,
     "chroot without a command runs a shell"},
    {"nsenter", {"tSGnmuipUCTr", "target setuid setgid", "", true}, 0, A, "nsenter enters another namespace", U,
     "nsenter without a command runs a shell"},
    {"unshare", {"", "", "", true}, 0, A, "unshare runs a command in new namespaces", U,
     "unshare without a command runs a shell"},
    {"systemd-run", {"upMEH", "unit property machine setenv host description slice uid gid working-directory", "", true},
     0, A, "systemd-run runs a command as a system service", U, "systemd-run without a command"},
    {"pkexec", {"", "user", "", true}, 0, A, "pkexec runs a command as another user", U,
     "pkexec without a command runs a root shell"},
    {"strace", {"eopsuEIPabXS", "output", "", true}, 0, R, "", A, "strace attaches to a running process"},
    {"ionice", {"cnpPu", "class classdata pid pgid uid", "", true}, 0, R, "", R, "ionice prints the I/O class"},
    {"ltrace", {"eopsuEanS", "output", "", true}, 0, R, "", A, "ltrace attaches to a running process"},
    {"numactl", {"imNCpPwbSfLMIu", "interleave membind cpunodebind physcpubind preferred preferred-many "
                 "weighted-interleave shm file length mode shmid", "", true}, 0, R, "", R, "numactl shows the memory policy"},
};

const WrapperRule* find_wrapper(std::string_view name) {
    for (const WrapperRule& rule : wrapper_rules) {
        if (rule.name == name) return &rule;
    }
    return nullptr;
}

Verdict handle_wrapper(std::string_view program, Args args, const Context& ctx) {
    const WrapperRule* rule = find_wrapper(program);
    if (rule == nullptr) return verdict(U, str(program) + " is not in the program table");
    const ScannedArgs s = scan_args(args, rule->options);
    std::size_t start = s.rest + rule->skip_operands;
    if (program == "flock" && s.rest < args.size() && s.rest + 1 < args.size()) {
        // flock FILE -c 'command' runs a shell command
        if (args[s.rest + 1].value == "-c" || args[s.rest + 1].value == "--command") {
            if (s.rest + 2 >= args.size()) return verdict(U, "flock -c without a command");
            if (!args[s.rest + 2].literal()) return verdict(U, "flock -c with a command not known statically");
            return ctx.script(args[s.rest + 2].value, "flock -c");
        }
    }
    Verdict v = rule->floor_reason.empty() ? verdict(rule->floor, {}) : verdict(rule->floor, str(rule->floor_reason));
    if ((program == "strace" || program == "ltrace") && s.find("p")) v.raise(A, str(program) + " -p attaches to a running process");
    if (program == "ionice" && s.find_any("p P u pid pgid uid")) return verdict(A, "ionice -p changes a running process");
    if ((program == "time" || program == "strace" || program == "ltrace") && s.find_any("o output")) {
        const Option* o = s.find_any("o output");
        Word target;
        target.value = o->value;
        target.raw = o->value;
        target.expands = !o->value_literal;
        v.raise(ctx.write_risk(target, str(program) + " -o writing"));
    }
    if (start >= args.size()) {
        v.raise(rule->without_command, str(rule->without_reason));
        return v;
    }
    v.raise(wrapped(program, tail(args, start), ctx));
    return v;
}

Verdict handle_sudo(std::string_view program, Args args, const Context& ctx) {
    const bool doas = program == "doas";
    const OptionSpec spec = doas ? OptionSpec{"uC", "", "", true}
                                 : OptionSpec{"ugpCDRrtTUhc",
                                              "user group prompt close-from chdir chroot role type other-user "
                                              "command-timeout host login-class",
                                              "", true};
    const ScannedArgs s = scan_args(args, spec);
    const std::string floor_reason = str(program) + " runs a command as another user";
    if (program == "sudoedit" || (!doas && s.find_any("e edit"))) return verdict(A, str(program) + " edits files as root");
    // sudo -l [COMMAND] lists (or checks) what sudo allows, running nothing (DESIGN §4: read).
    if (!doas && s.find_any("l list")) return verdict(R, str(program) + " -l lists what sudo allows, running nothing");
    if (!doas && s.rest >= args.size() && s.find_any("V version h help")) return verdict(R, str(program) + " --version");
    if (s.rest >= args.size()) {
        if (s.find_any("i s login shell")) return verdict(U, str(program) + " -i/-s opens a root shell");
        if (doas && s.find("C")) return verdict(R, "doas -C checks a config file");
        return verdict(A, floor_reason);
    }
    return lift(A, floor_reason, wrapped(program, tail(args, s.rest), moved_to(ctx, doas ? nullptr : s.find_any("D chdir"))));
}

Verdict handle_su(std::string_view program, Args args, const Context& ctx) {
    const ScannedArgs s = scan_args(args, {"csgGwu", "command session-command shell group supp-group whitelist-environment user", "", false});
    const std::string floor_reason = str(program) + " switches to another user";
    if (const Option* c = s.find_any("c command session-command")) {
        if (!c->value_literal) return verdict(U, str(program) + " -c with a command not known statically");
        return lift(A, floor_reason, ctx.script(c->value, str(program) + " -c"));
    }
    if (program == "runuser" && s.find_any("u user") && s.dashdash) {
        // runuser -u USER -- COMMAND...
        std::size_t i = 0;
        while (i < args.size() && args[i].value != "--") ++i;
        if (i + 1 < args.size()) return lift(A, floor_reason, wrapped(program, tail(args, i + 1), ctx));
    }
    return verdict(U, str(program) + " without -c opens a shell as another user");
}

Verdict handle_env(std::string_view program, Args args, const Context& ctx) {
    const ScannedArgs s = scan_args(args, {"uCS", "unset chdir split-string", "", true});
    if (s.find_any("S split-string")) return verdict(U, "env -S splits a string into a command");
    std::size_t i = s.rest;
    Verdict v = verdict(R, {});
    for (; i < args.size(); ++i) {
        const Word& word = args[i];
        if (word.value == "-") continue;
        if (!word.is_assignment()) break;
        const std::string_view name = word.assignment_name();
        if (is_dangerous_variable(name)) v.raise(U, "env setting " + str(name) + " changes what the command runs");
        const std::string_view value = std::string_view(word.value).substr(word.value.find('=') + 1);
        if (Verdict history = history_variable_risk("env setting", name, value, word.literal()); history.risk != R) {
            v.raise(history);
        }
    }
    if (i >= args.size()) {
        v.raise(R, str(program) + " prints the environment");
        return v;
    }
    v.raise(wrapped(program, tail(args, i), moved_to(ctx, s.find_any("C chdir"))));
    return v;
}

Verdict handle_command(std::string_view program, Args args, const Context& ctx) {
    // command [-pVv] NAME, builtin NAME, exec [-cl] [-a NAME] NAME
    const ScannedArgs s = scan_args(args, {program == "exec" ? "a" : "", "", "", true});
    if (program == "command" && s.find_any("v V")) return verdict(R, "command -v looks a name up");
    if (s.rest >= args.size()) return verdict(R, str(program) + " without a command");
    return wrapped(program, tail(args, s.rest), ctx);
}

Verdict handle_busybox(std::string_view program, Args args, const Context& ctx) {
    if (args.empty() || args.front().value.starts_with("-")) return verdict(R, str(program) + " lists its applets");
    return wrapped(program, args, ctx);
}

Verdict handle_xargs(std::string_view, Args args, const Context& ctx) {
    const ScannedArgs s = scan_args(args, {"aEdILnPs",
                                           "arg-file eof delimiter max-lines max-args max-procs max-chars "
                                           "process-slot-var",
                                           "iel", true});
    if (s.rest >= args.size()) return verdict(R, "xargs runs echo");
    // The items read from stdin become arguments that are not known statically: appended (split on
    // blanks, so they may hold options), or put in place of the -I replace string.
    std::vector<Word> argv(args.begin() + static_cast<std::ptrdiff_t>(s.rest), args.end());
    const Option* replace = s.find_any("I i replace");
    if (replace == nullptr) {
        Word item;
        item.value = "$ITEM";
        item.raw = "ITEMS...";
        item.expands = true;
        item.splits = true;
        item.starts_with_expansion = true;
        argv.push_back(item);
    } else {
        const std::string marker = replace->has_value && !replace->value.empty() ? replace->value : std::string("{}");
        for (Word& w : argv) {
            if (w.value.find(marker) != std::string::npos) {
                w.expands = true;
                w.starts_with_expansion = w.starts_with_expansion || w.value.starts_with(marker);
            }
        }
    }
    Verdict inner = ctx.argv(argv);
    inner.reason = "xargs → " + inner.reason;
    if (inner.stdin_code != StdinCode::none) inner = verdict(U, "xargs runs an interpreter on its items");
    return inner;
}

Verdict handle_watch(std::string_view program, Args args, const Context& ctx) {
    const ScannedArgs s = scan_args(args, {"nq", "interval equexit", "d", true});
    if (s.rest >= args.size()) return verdict(R, "watch without a command");
    if (s.find_any("x exec")) return wrapped(program, tail(args, s.rest), ctx);
    std::string text;
    if (!join_literal(tail(args, s.rest), text)) return verdict(U, "watch with a command not known statically");
    return ctx.script(text, "watch");
}

// ---------------------------------------------------------------- interpreters

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

// Builtins that take variable names. bash evaluates an array subscript in a name as arithmetic, and
// arithmetic expands `$(...)` inside it: `printf -v 'a[$(rm -rf d)]' x` runs rm. So a name must be a plain
// NAME or NAME[CONSTANT] (name_operand_risk); an argument that may split into options is not known.

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

// ---------------------------------------------------------------- remote

// DESIGN §4: a hop to another host leaves the target the grant names, so it is at least admin whatever it
// runs there. The server side of a transfer that a client runs on this target (scp -t/-f, rsync --server,
// git-upload-pack/git-receive-pack) is not a hop: it is judged by direction.
constexpr char hop_reason[] = " leaves the target (a hop to another host)";

Verdict handle_ssh(std::string_view program, Args args, const Context& ctx) {
    const ScannedArgs s = scan_args(args, {"BbcDEeFIiJLlmOoPpQRSWw", "", "", true});
    for (const Option& o : s.options) {
        if (o.name == "o") {
            std::string lower = o.value;
            std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
            if (!o.value_literal || lower.find("command") != std::string::npos) {
                return verdict(U, str(program) + " -o " + o.value + " runs a local command");
            }
        }
    }
    if (s.rest >= args.size()) {
        if (s.find_any("V G Q")) return verdict(R, str(program) + " -V/-G/-Q only prints");
        return verdict(U, str(program) + " without a host");
    }
    const std::string hop = str(program) + " " + args[s.rest].raw + hop_reason;
    const Args remote = tail(args, s.rest + 1);
    if (remote.empty()) {
        if (s.find("N")) return verdict(A, str(program) + " -N forwards ports");
        return verdict(U, str(program) + " without a command opens a remote shell");
    }
    std::string text;
    if (!join_literal(remote, text)) return verdict(U, str(program) + " with a remote command not known statically");
    Verdict v = lift(A, hop, ctx.script(text, str(program) + " " + args[s.rest].raw));
    if (s.find_any("L R D W")) v.raise(A, str(program) + " forwards ports");
    return v;
}

// An scp or rsync operand on another host: user@host:path, host:path, [v6]:path (a colon before any slash),
// host::module, scp:// and rsync:// URLs; or one whose value is not known statically and may be one.
bool remote_operand(const Word& word) {
    const std::string& v = word.value;
    if (v.starts_with("scp://") || v.starts_with("rsync://")) return true;
    const std::size_t colon = v.find(':');
    if (colon != std::string::npos && colon < v.find('/')) return true;
    return !word.literal() && !v.starts_with("/") && !v.starts_with("./") && !v.starts_with("~/");
}

// scp -t DIR / scp -f FILE...: the server side an scp client runs on the target (-O, the legacy protocol):
// -t receives files into DIR (write, with the path rules), -f sends them (read). The proxy still asks the
// role for ssh.sftp (protocols/ssh is_scp_transfer). As a client, scp copies locally (write) or to or from
// another host (at least admin).
Verdict handle_scp(std::string_view program, Args args, const Context& ctx) {
    const ScannedArgs s = scan_args(args, {"cFiJloPSDX", "", "", false});
    for (const Option& o : s.options) {
        if (o.name == "S" || (o.name == "o" && o.value.find("ommand") != std::string::npos)) {
            return verdict(U, str(program) + " -" + o.name + " runs a local command");
        }
    }
    if (s.dynamic) return verdict(U, str(program) + " with an argument that may expand to options");
    const bool to = s.has("t");
    const bool from = s.has("f");
    if (to || from) {
        if (to && from) return verdict(U, str(program) + " -t and -f at once");
        if (s.operands.empty()) return verdict(U, str(program) + (to ? " -t" : " -f") + " without a path");
        if (from) return verdict(R, str(program) + " -f sends files to the client (a download)");
        Verdict v = verdict(W, str(program) + " -t receives files from the client (an upload)");
        v.raise(ctx.write_risk(*s.operands.back(), str(program) + " -t into"));
        return v;
    }
    Verdict v = verdict(W, str(program) + " copies files");
    for (const Word* operand : s.operands) {
        if (remote_operand(*operand)) v.raise(A, str(program) + " " + operand->raw + hop_reason);
    }
    if (!s.operands.empty() && !remote_operand(*s.operands.back())) {
        v.raise(ctx.write_risk(*s.operands.back(), str(program) + " onto"));
    }
    return v;
}

// rsync --server [--sender] OPTIONS . PATH...: what an rsync client runs on the target over ssh. Its option
// cluster ends in `e` and the protocol's capability letters (-vlogDtpre.iLsfxCIvu), not a remote shell.
// --sender sends PATH to the client (a download: read); otherwise the server receives into the last PATH (an
// upload: write, with the path rules). Deleting (--delete*, --remove-source-files) is destructive either way.
Verdict handle_rsync_server(std::string_view program, Args args, const Context& ctx) {
    const ScannedArgs s = scan_args(args, {"eB", "temp-dir backup-dir partial-dir compare-dest copy-dest link-dest "
                                                 "files-from log-file suffix", "", false});
    if (s.dynamic) return verdict(U, str(program) + " --server with an argument that may expand to options");
    if (s.find_any("daemon config")) return verdict(U, str(program) + " --server --daemon runs as configured elsewhere");
    const bool sender = s.has("sender");
    Verdict v = sender ? verdict(R, str(program) + " --server --sender sends files to the client (a download)")
                       : verdict(W, str(program) + " --server receives files from the client (an upload)");
    if (s.operands.empty()) return verdict(U, str(program) + " --server without a path");
    if (!sender) v.raise(ctx.write_risk(*s.operands.back(), str(program) + " --server into"));
    for (const Option& o : s.options) {
        if (o.name.starts_with("delete") || o.name == "remove-source-files" || o.name == "del" || o.name == "write-devices") {
            v.raise(X, str(program) + " --" + o.name + " removes or overwrites files");
        } else if (one_of(o.name, {"temp-dir", "backup-dir", "partial-dir", "log-file"}) && o.has_value) {
            v.raise(ctx.write_risk(option_word(o), str(program) + " --" + o.name + " writing"));
        }
    }
    return v;
}

Verdict handle_rsync(std::string_view program, Args args, const Context& ctx) {
    if (std::any_of(args.begin(), args.end(), [](const Word& w) { return w.value == "--server"; })) {
        return handle_rsync_server(program, args, ctx);
    }
    const ScannedArgs s = scan_args(args, {"eBfT", "rsh rsync-path filter exclude include exclude-from include-from files-from "
                                                    "temp-dir partial-dir backup-dir suffix chmod chown log-file password-file",
                                           "", false});
    Verdict v = verdict(W, str(program) + " copies files");
    if (const Option* e = s.find_any("e rsh")) {
        if (!e->value_literal || !(e->value == "ssh" || e->value.starts_with("ssh "))) {
            return verdict(U, str(program) + " -e runs a command other than ssh");
        }
    }
    if (s.find_any("rsync-path")) return verdict(U, str(program) + " --rsync-path runs a remote command");
    for (const Option& o : s.options) {
        if (o.name.starts_with("delete") || o.name == "remove-source-files" || o.name == "del") {
            v.raise(X, str(program) + " --" + o.name + " removes files");
        }
    }
    for (const Word* operand : s.operands) {
        if (remote_operand(*operand)) v.raise(A, str(program) + " " + operand->raw + hop_reason);
    }
    if (!s.operands.empty() && !remote_operand(*s.operands.back())) {
        v.raise(ctx.write_risk(*s.operands.back(), str(program) + " onto"));
    }
    return v;
}

// git-upload-pack DIR (clone, fetch), git-upload-archive DIR (archive --remote): what a git client runs on
// the target over ssh to read a repository; git-receive-pack DIR (push) writes into it.
Verdict handle_git_transport(std::string_view program, Args args, const Context& ctx) {
    const ScannedArgs s = scan_args(args, {"", "timeout", "", false});
    if (s.operands.empty() && s.find_any("help h version")) return verdict(R, str(program) + " --help");
    if (s.dynamic) return verdict(U, str(program) + " with an argument that may expand to options");
    if (s.operands.size() != 1) return verdict(U, str(program) + " takes one repository");
    if (program.ends_with("receive-pack")) {
        Verdict v = verdict(W, str(program) + " receives a push into the repository");
        v.raise(ctx.write_risk(*s.operands.front(), str(program) + " into"));
        return v;
    }
    return verdict(R, str(program) + " sends the repository to the client (clone, fetch)");
}

// nc / ncat / netcat HOST PORT: a connection to another host (at least admin). Running a command on the
// connection (-e, -c, --exec, --sh-exec, --lua-exec) is unknown, and so is a listener (-l), which takes in
// whatever connects, or a unix socket (-U), which reaches a local service such as docker's.
Verdict handle_netcat(std::string_view program, Args args, const Context& ctx) {
    const ScannedArgs s = scan_args(args, {"ceGgIiMmOoPpqsTVwXx",
                                           "exec sh-exec lua-exec output hex-dump append-output source proxy proxy-type "
                                           "proxy-auth proxy-dns wait idle-timeout", "", false});
    for (const Option& o : s.options) {
        if (one_of(o.name, {"e", "c", "exec", "sh-exec", "lua-exec"})) return verdict(U, str(program) + " -" + o.name + " runs a command on the connection");
        if (one_of(o.name, {"l", "listen"})) return verdict(U, str(program) + " -l listens for whatever connects");
        if (one_of(o.name, {"U", "unixsock"})) return verdict(U, str(program) + " -U talks to a local socket");
    }
    if (s.dynamic) return verdict(U, str(program) + " with an argument that may expand to options");
    if (s.operands.empty()) return verdict(U, str(program) + " without an address");
    Verdict v = verdict(A, str(program) + " " + s.operands.front()->raw + hop_reason);
    for (const Option& o : s.options) {
        if (one_of(o.name, {"o", "output", "hex-dump", "append-output"}) && o.has_value) {
            v.raise(ctx.write_risk(option_word(o), str(program) + " -" + o.name + " writing"));
        }
    }
    return v;
}

// socat [OPTIONS] ADDRESS ADDRESS: a network address (TCP:, UDP:, OPENSSL:, SOCKS4:, PROXY: ...) is a hop to
// another host (at least admin); EXEC: and SYSTEM: run a command, a listener (TCP-LISTEN: ...) takes in
// whatever connects and a unix socket reaches a local service: unknown. A file (OPEN:, CREATE:, a path) is
// written, with the path rules; - and STDIO only relay.
Verdict handle_socat(std::string_view program, Args args, const Context& ctx) {
    Verdict v = verdict(R, {});
    std::size_t addresses = 0;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const Word& w = args[i];
        if (!w.literal()) return verdict(U, str(program) + " with an address not known statically");
        const std::string& a = w.value;
        if (a.size() > 1 && a.front() == '-') {
            if (one_of(a, {"-b", "-t", "-T", "-lp", "-S", "-L", "-W", "-lf"}) && i + 1 < args.size()) {
                if (one_of(a, {"-lf", "-L", "-W"})) v.raise(ctx.write_risk(args[i + 1], str(program) + " " + a + " writing"));
                ++i;
            }
            continue;
        }
        ++addresses;
        std::string type = a.substr(0, std::min(a.find(':'), a.find(',')));
        std::transform(type.begin(), type.end(), type.begin(), [](char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); });
        const std::string params = a.find(':') == std::string::npos ? std::string() : a.substr(a.find(':') + 1);
        const std::string path = params.substr(0, params.find(','));
        if (one_of(type, {"-", "STDIO", "STDIN", "STDOUT", "STDERR"})) continue;
        if (a.starts_with("/") || a.starts_with("./") || one_of(type, {"OPEN", "CREATE", "CREAT", "GOPEN", "PIPE"})) {
            Word file = w;
            file.value = a.starts_with("/") || a.starts_with("./") ? a.substr(0, a.find(',')) : path;
            v.raise(ctx.write_risk(file, str(program) + " writing"));
        } else if (one_of(type, {"TCP", "TCP4", "TCP6", "TCP-CONNECT", "TCP4-CONNECT", "TCP6-CONNECT", "UDP", "UDP4",
                                 "UDP6", "UDP-CONNECT", "UDP4-CONNECT", "UDP6-CONNECT", "UDP-SENDTO", "UDP4-SENDTO",
                                 "UDP6-SENDTO", "UDP-DATAGRAM", "SCTP-CONNECT", "DCCP-CONNECT", "OPENSSL",
                                 "OPENSSL-CONNECT", "SSL", "SOCKS", "SOCKS4", "SOCKS4A", "SOCKS5", "SOCKS5-CONNECT",
                                 "PROXY", "PROXY-CONNECT", "IP-SENDTO", "IP4-SENDTO", "IP6-SENDTO"})) {
            v.raise(A, str(program) + " " + a + hop_reason);
        } else if (type.find("LISTEN") != std::string::npos || type.find("RECV") != std::string::npos ||
                   type.find("ACCEPT") != std::string::npos) {
            return verdict(U, str(program) + " " + a + " listens for whatever connects");
        } else if (one_of(type, {"EXEC", "SYSTEM", "SHELL"})) {
            return verdict(U, str(program) + " " + a + " runs a command");
        } else {
            return verdict(U, str(program) + " " + a + " is an address the classifier does not read");
        }
    }
    if (addresses != 2) return verdict(U, str(program) + " takes two addresses");
    if (v.reason.empty()) v.reason = str(program) + " relays its standard streams";
    return v;
}

// telnet HOST [PORT]: a connection to another host (at least admin). Without a host it reads telnet
// commands from its input, where `!` runs a shell: unknown. -n FILE writes a trace.
Verdict handle_telnet(std::string_view program, Args args, const Context& ctx) {
    const ScannedArgs s = scan_args(args, {"lenbXk", "", "", false});
    if (s.dynamic) return verdict(U, str(program) + " with an argument that may expand to options");
    if (s.operands.empty()) return verdict(U, str(program) + " without a host reads commands from its input");
    Verdict v = verdict(A, str(program) + " " + s.operands.front()->raw + hop_reason);
    if (const Option* n = s.find("n"); n != nullptr && n->has_value) v.raise(ctx.write_risk(option_word(*n), str(program) + " -n writing"));
    return v;
}

Verdict handle_curl(std::string_view program, Args args, const Context& ctx) {
    const ScannedArgs s = scan_args(args, {"oOTdFXHuAeEbcDKrwxyYzCmQtUhs",
                                           "output upload-file data data-raw data-binary data-urlencode form request header user "
                                           "user-agent referer cert cacert cookie cookie-jar dump-header config range "
                                           "write-out proxy max-time connect-timeout output-dir trace trace-ascii libcurl "
                                           "stderr url",
                                           "", false});
    Verdict v = verdict(R, str(program) + " only downloads to stdout");
    if (s.find("K") || s.find("config")) return verdict(U, str(program) + " -K reads options from a file");
    // telnet://, gopher://, dict:// ... carry raw bytes to any port (a tunnel); scp:// and sftp:// log in to
    // another host: at least admin, as nc (DESIGN §4).
    std::vector<const std::string*> urls;
    for (const Word* operand : s.operands) urls.push_back(&operand->value);
    for (const Option& o : s.options) {
        if (o.name == "url") urls.push_back(&o.value);
    }
    for (const std::string* url : urls) {
        std::string scheme = url->substr(0, url->find("://") == std::string::npos ? 0 : url->find("://"));
        std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
        if (one_of(scheme, {"telnet", "gopher", "gophers", "dict", "mqtt", "scp", "sftp", "smb", "smbs", "tftp", "ldap", "ldaps"})) {
            v.raise(A, str(program) + " " + *url + " is a raw connection to another host (a tunnel)");
        }
    }
    for (const Option& o : s.options) {
        const std::string& n = o.name;
        if (n == "o" || n == "output" || n == "c" || n == "cookie-jar" || n == "D" || n == "dump-header" ||
            n == "trace" || n == "trace-ascii" || n == "libcurl" || n == "stderr") {
            if (o.value == "-" || o.value == "/dev/null" || o.value == "/dev/stdout" || o.value == "/dev/stderr") continue;
            Word target;
            target.value = o.value;
            target.raw = o.value;
            target.expands = !o.value_literal;
            v.raise(ctx.write_risk(target, str(program) + " -" + (n.size() > 1 ? "-" : "") + n + " writing"));
        } else if (n == "O" || n == "remote-name" || n == "remote-name-all" || n == "J" || n == "remote-header-name") {
            v.raise(W, str(program) + " -O saves a file");
        } else if (n == "T" || n == "upload-file" || n == "d" || n.starts_with("data") || n == "F" || n == "form" ||
                   n == "json") {
            v.raise(W, str(program) + " -" + (n.size() > 1 ? "-" : "") + n + " sends data to a server");
        } else if ((n == "X" || n == "request") && !one_of(o.value, {"GET", "HEAD", "OPTIONS", "get", "head"})) {
            v.raise(W, str(program) + " -X " + o.value + " changes data on a server");
        }
    }
    return v;
}

Verdict handle_wget(std::string_view program, Args args, const Context& ctx) {
    const ScannedArgs s = scan_args(args, {"OoaPeiBtTwUYQ",
                                           "output-document output-file append-output directory-prefix execute input-file "
                                           "base tries timeout wait user-agent post-data post-file header user password",
                                           "", false});
    if (s.find_any("e execute")) return verdict(U, str(program) + " -e runs wgetrc commands");
    if (s.find_any("spider")) return verdict(R, str(program) + " --spider only checks");
    Verdict v = verdict(W, str(program) + " saves the download to a file");
    if (const Option* o = s.find_any("O output-document")) {
        if (o->value == "-" || o->value == "/dev/null") {
            v = verdict(R, str(program) + " -O - downloads to stdout");
        } else {
            Word target;
            target.value = o->value;
            target.raw = o->value;
            target.expands = !o->value_literal;
            v = ctx.write_risk(target, str(program) + " -O writing");
            v.raise(W, str(program) + " saves the download to a file");
        }
    }
    if (const Option* p = s.find_any("P directory-prefix")) {
        Word target;
        target.value = p->value;
        target.raw = p->value;
        target.expands = !p->value_literal;
        v.raise(ctx.write_risk(target, str(program) + " -P writing into"));
    }
    if (s.find_any("post-data post-file method body-data body-file")) v.raise(W, str(program) + " sends data to a server");
    return v;
}

// ---------------------------------------------------------------- services and packages

// Subcommand tables: the first operand names what the program does.
struct SubcommandRule {
    std::string_view names;  // space-separated
    RiskClass risk;
    std::string_view what;
};

const SubcommandRule* match_subcommand(std::span<const SubcommandRule> rules, std::string_view sub) {
    for (const SubcommandRule& rule : rules) {
        std::string_view names = rule.names;
        while (!names.empty()) {
            const std::size_t space = names.find(' ');
            const std::string_view name = names.substr(0, space);
            if (name == sub || (name.ends_with("*") && sub.starts_with(name.substr(0, name.size() - 1)))) return &rule;
            names = space == std::string_view::npos ? std::string_view{} : names.substr(space + 1);
        }
    }
    return nullptr;
}

Verdict by_subcommand(std::string_view program, const ScannedArgs& s, std::span<const SubcommandRule> rules,
                      RiskClass worst, RiskClass none, std::string_view none_reason) {
    const Word* sub = first_operand(s);
    if (sub == nullptr) return verdict(none, str(program) + " " + str(none_reason));
    if (!sub->literal()) return dynamic_subcommand(program, *sub, worst);
    if (const SubcommandRule* rule = match_subcommand(rules, sub->value)) {
        return verdict(rule->risk, str(program) + " " + sub->value + " " + str(rule->what));
    }
    return verdict(U, str(program) + " " + sub->value + " is not a known subcommand");
}

constexpr SubcommandRule systemctl_rules[] = {
    {"status show cat list-* is-active is-enabled is-failed is-system-running help show-environment get-default "
     "--version version",
     R, "only reads"},
    {"start stop restart reload try-restart reload-or-restart try-reload-or-restart condrestart force-reload "
     "enable disable reenable preset preset-all mask unmask link revert daemon-reload daemon-reexec set-property edit "
     "set-environment unset-environment import-environment kill clean freeze thaw isolate set-default reset-failed "
     "add-wants add-requires bind mount-image default rescue emergency condreload condstop",
     A, "changes a running service"},
    {"poweroff reboot halt kexec suspend hibernate hybrid-sleep suspend-then-hibernate soft-reboot switch-root exit",
     X, "stops the machine"},
};

Verdict handle_systemctl(std::string_view program, Args args, const Context&) {
    const ScannedArgs s = scan_args(args, {"tpsHMnoP", "type property signal host machine state lines output root kill-whom what job-mode boot-loader-entry", "", false});
    return by_subcommand(program, s, systemctl_rules, X, R, "lists units");
}

Verdict handle_service(std::string_view program, Args args, const Context&) {
    if (args.size() == 1 && args.front().value == "--status-all") return verdict(R, "service --status-all only reads");
    if (args.size() < 2) return verdict(U, "service without an action");
    const Word& action = args[1];
    if (!action.literal()) return dynamic_subcommand(program, action, U);
    if (action.value == "status") return verdict(R, "service status only reads");
    if (one_of(action.value, {"start", "stop", "restart", "reload", "force-reload", "try-restart", "condrestart", "graceful", "configtest"})) {
        return verdict(A, "service " + action.value + " changes a running service");
    }
    return verdict(U, "service " + action.value + " is not a known action");
}

constexpr SubcommandRule ctl_status_rules[] = {
    {"status show list* --help help --version", R, "only reads"},
};

Verdict handle_ctl(std::string_view program, Args args, const Context&) {
    const ScannedArgs s = scan_args(args, {"HMpo", "host machine property output", "", false});
    const Word* sub = first_operand(s);
    if (sub == nullptr) return verdict(R, str(program) + " shows the status");
    if (!sub->literal()) return dynamic_subcommand(program, *sub, A);
    if (match_subcommand(ctl_status_rules, sub->value)) return verdict(R, str(program) + " " + sub->value + " only reads");
    if (program == "loginctl" && one_of(sub->value, {"terminate-session", "terminate-user", "kill-session", "kill-user", "poweroff", "reboot"})) {
        return verdict(A, str(program) + " " + sub->value + " ends sessions");
    }
    return verdict(A, str(program) + " " + sub->value + " changes the system");
}

Verdict handle_journalctl(std::string_view program, Args args, const Context&) {
    const ScannedArgs s = scan_args(args, {"unpoScSUbDMgtFIkKT", "unit user-unit priority output since until boot directory file identifier grep cursor lines field namespace machine root image", "n", false});
    // DESIGN §4: deleting logs (journalctl --vacuum-*) is destructive.
    if (const Option* o = s.find_any("vacuum-size vacuum-time vacuum-files")) {
        return verdict(X, str(program) + " --" + o->name + " deletes journal files");
    }
    if (const Option* o = s.find_any("rotate flush sync relinquish-var smart-relinquish-var setup-keys update-catalog")) {
        return verdict(A, str(program) + " --" + o->name + " changes the journal");
    }
    return verdict(R, str(program) + " only reads");
}

constexpr SubcommandRule kubectl_rules[] = {
    {"get describe logs log top explain api-resources api-versions version cluster-info events diff wait completion "
     "options help plugin kustomize",
     R, "only reads"},
    {"apply create patch label annotate set edit replace cp expose run autoscale", W, "changes cluster objects"},
    {"scale cordon uncordon drain taint certificate port-forward proxy debug", A, "changes how the cluster runs"},
    {"delete", X, "deletes cluster objects"},
    {"attach", U, "attaches to a container's process"},
};

Verdict handle_kubectl(std::string_view program, Args args, const Context& ctx) {
    const ScannedArgs s = scan_args(args, {"nslcfoLp",
                                           "namespace server cluster context kubeconfig user token as as-group "
                                           "request-timeout cache-dir certificate-authority client-certificate "
                                           "client-key selector filename output container v tls-server-name",
                                           "", false});
    const Word* sub = first_operand(s);
    if (sub == nullptr) return verdict(R, str(program) + " prints its help");
    if (!sub->literal()) return dynamic_subcommand(program, *sub, U);
    const std::string& name = sub->value;
    if (name == "exec") {
        std::size_t i = 0;
        while (i < args.size() && args[i].value != "--") ++i;
        if (i + 1 >= args.size()) return verdict(U, str(program) + " exec without `-- COMMAND`");
        Verdict inner = ctx.argv(tail(args, i + 1));
        if (inner.stdin_code != StdinCode::none) return verdict(U, str(program) + " exec runs a shell in the container");
        inner.reason = str(program) + " exec → " + inner.reason;
        return inner;
    }
    if (name == "rollout") {
        const Word* action = s.operands.size() > 1 ? s.operands[1] : nullptr;
        if (action && one_of(action->value, {"status", "history"})) return verdict(R, str(program) + " rollout " + action->value + " only reads");
        return verdict(A, str(program) + " rollout changes a deployment");
    }
    if (name == "config") {
        const Word* action = s.operands.size() > 1 ? s.operands[1] : nullptr;
        if (action && (action->value.starts_with("get-") || one_of(action->value, {"view", "current-context"}))) {
            return verdict(R, str(program) + " config " + action->value + " only reads");
        }
        return verdict(W, str(program) + " config changes the kubeconfig");
    }
    if (name == "auth") {
        const Word* action = s.operands.size() > 1 ? s.operands[1] : nullptr;
        if (action && one_of(action->value, {"can-i", "whoami"})) return verdict(R, str(program) + " auth " + action->value + " only reads");
        return verdict(W, str(program) + " auth reconcile changes RBAC objects");
    }
    if (name == "replace" && s.has("force")) return verdict(X, str(program) + " replace --force deletes and recreates objects");
    if (name == "apply" && s.has("prune")) return verdict(X, str(program) + " apply --prune deletes objects");
    return by_subcommand(program, s, kubectl_rules, U, R, "");
}

Verdict handle_compose(std::string_view program, Args args, const Context& ctx);

constexpr SubcommandRule docker_rules[] = {
    {"ps logs inspect images version info stats top port diff history events search ls", R, "only reads"},
    {"pull build buildx tag create cp commit push save load import login logout export", W, "writes images or files"},
    {"start stop restart kill pause unpause update rename wait attach network volume swarm service stack node config secret context plugin", A, "changes running containers"},
    {"run exec", A, "runs a container"},
    {"rm rmi prune", X, "removes containers or images"},
};

Verdict handle_docker(std::string_view program, Args args, const Context& ctx) {
    const ScannedArgs s = scan_args(args, {"Hcl", "host context log-level config tlscacert tlscert tlskey", "", true});
    if (s.rest >= args.size()) return verdict(R, str(program) + " prints its help");
    const Args rest = tail(args, s.rest);
    const Word& sub = rest.front();
    if (!sub.literal()) return dynamic_subcommand(program, sub, U);
    std::string name = sub.value;
    Args sub_args = tail(rest, 1);
    if (name == "compose") return handle_compose(program, rest, ctx);  // docker compose ...: the compose table
    // docker container ls / image rm / system prune / volume rm: the object's verb decides.
    if (one_of(name, {"container", "image", "system", "volume", "network", "builder", "buildx"}) && !sub_args.empty()) {
        const std::string& verb = sub_args.front().value;
        if (one_of(verb, {"ls", "list", "inspect", "df", "info", "events", "history", "logs", "top", "stats", "port", "diff"})) {
            return verdict(R, str(program) + " " + name + " " + verb + " only reads");
        }
        if (one_of(verb, {"rm", "remove", "prune", "delete"})) return verdict(X, str(program) + " " + name + " " + verb + " removes data");
        if (one_of(verb, {"run", "exec"})) name = verb;
        else return verdict(A, str(program) + " " + name + " " + verb + " changes the container host");
        sub_args = tail(sub_args, 1);
    }
    if (name == "exec" || name == "run") {
        // docker run [OPTIONS] IMAGE [COMMAND]: container access is root on the host; the command counts too.
        const ScannedArgs o = scan_args(sub_args, {"euwvplhmca", "env env-file user workdir volume publish label hostname memory name network "
                                                                     "entrypoint mount cpus restart platform device add-host log-driver",
                                                  "", true});
        Verdict v = verdict(A, str(program) + " " + name + " runs a container");
        if (o.find("entrypoint")) v.raise(U, str(program) + " " + name + " --entrypoint runs a program the classifier cannot read");
        if (o.rest + 1 < sub_args.size()) {
            Verdict inner = ctx.argv(tail(sub_args, o.rest + 1));
            if (inner.stdin_code != StdinCode::none) inner = verdict(U, str(program) + " " + name + " runs a shell in the container");
            else inner.reason = str(program) + " " + name + " → " + inner.reason;
            v.raise(inner);
        } else if (name == "exec") {
            v.raise(U, str(program) + " exec without a command");
        }
        return v;
    }
    if (const SubcommandRule* rule = match_subcommand(docker_rules, name)) {
        return verdict(rule->risk, str(program) + " " + name + " " + str(rule->what));
    }
    return verdict(U, str(program) + " " + name + " is not a known subcommand");
}

constexpr SubcommandRule compose_rules[] = {
    {"ps logs config ls images top version port events", R, "only reads"},
    {"pull build create push cp", W, "writes images or files"},
    {"up start stop restart kill pause unpause scale", A, "changes running services"},
    {"down rm", X, "removes containers"},
    {"run exec", U, "runs a command in a service container"},
};

Verdict handle_compose(std::string_view program, Args args, const Context&) {
    const ScannedArgs s = scan_args(args, {"fpc", "file project-name env-file profile project-directory context", "", false});
    const Word* sub = first_operand(s);
    if (sub && sub->literal() && sub->value == "compose") {
        ScannedArgs shifted = s;
        shifted.operands.erase(shifted.operands.begin());
        Verdict v = by_subcommand("docker compose", shifted, compose_rules, U, R, "prints its help");
        if (shifted.operands.size() > 0 && shifted.operands.front()->value == "down" && (s.has("v") || s.has("volumes"))) {
            v.raise(X, "docker compose down -v removes volumes");
        }
        return v;
    }
    return by_subcommand(program, s, compose_rules, U, R, "prints its help");
}

constexpr SubcommandRule helm_rules[] = {
    {"list ls status get history show search template version lint env help verify dependency repo completion", R, "only reads"},
    {"pull package push fetch", W, "writes charts"},
    {"install upgrade rollback test plugin registry", A, "changes a release"},
    {"uninstall delete del un", X, "removes a release"},
};

Verdict handle_helm(std::string_view program, Args args, const Context&) {
    const ScannedArgs s = scan_args(args, {"nf", "namespace kube-context kubeconfig values set set-string version repo", "", false});
    return by_subcommand(program, s, helm_rules, U, R, "prints its help");
}

constexpr SubcommandRule terraform_rules[] = {
    {"plan show validate output version providers graph fmt console help", R, "only reads"},
    {"init get login logout workspace", W, "writes local state"},
    {"apply import taint untaint refresh force-unlock", A, "changes infrastructure"},
    {"destroy", X, "destroys infrastructure"},
};

Verdict handle_terraform(std::string_view program, Args args, const Context&) {
    const ScannedArgs s = scan_args(args, {"", "chdir var var-file target", "", false});
    const Word* sub = first_operand(s);
    if (sub && sub->literal() && sub->value == "apply" && s.has("destroy")) return verdict(X, str(program) + " apply -destroy destroys infrastructure");
    if (sub && sub->literal() && sub->value == "state" && s.operands.size() > 1) {
        const std::string& verb = s.operands[1]->value;
        if (one_of(verb, {"list", "show", "pull"})) return verdict(R, str(program) + " state " + verb + " only reads");
        return verdict(A, str(program) + " state " + verb + " changes the state");
    }
    return by_subcommand(program, s, terraform_rules, U, R, "prints its help");
}

Verdict handle_git(std::string_view program, Args args, const Context& ctx) {
    const ScannedArgs s = scan_args(args, {"Cc", "git-dir work-tree namespace exec-path config-env super-prefix", "", true});
    for (const Option& o : s.options) {
        if (o.name == "c" || o.name == "config-env" || o.name == "exec-path") {
            return verdict(U, str(program) + " -" + (o.name.size() > 1 ? "-" : "") + o.name + " can make git run any command");
        }
    }
    if (s.rest >= args.size()) return verdict(R, str(program) + " prints its help");
    const Args rest = tail(args, s.rest);
    const Word& sub = rest.front();
    if (!sub.literal()) return dynamic_subcommand(program, sub, U);
    const std::string& name = sub.value;
    const ScannedArgs o = scan_args(tail(rest, 1), {"mCcFbBSoe", "message file branch onto strategy strategy-option exec upload-pack "
                                                                "receive-pack", "", false});
    const std::string p = str(program) + " " + name;
    // --upload-pack, --receive-pack (clone, fetch, pull, ls-remote, push) and --exec (archive, rebase) run the
    // program they name.
    if (const Option* runs = o.find_any("upload-pack receive-pack exec")) {
        return verdict(U, p + " --" + runs->name + " runs the program it names");
    }
    if (one_of(name, {"upload-pack", "upload-archive", "receive-pack"})) {
        return handle_git_transport("git-" + name, tail(rest, 1), ctx);
    }
    if (one_of(name, {"status", "log", "diff", "show", "blame", "grep", "ls-files", "ls-tree", "ls-remote", "rev-parse",
                      "describe", "shortlog", "cat-file", "whatchanged", "version", "help", "show-ref", "for-each-ref",
                      "name-rev", "count-objects", "fsck", "rev-list", "show-branch", "var", "verify-commit", "verify-tag",
                      "check-ignore", "check-attr", "merge-base", "archive", "bundle", "annotate", "range-diff", "diff-tree",
                      "diff-files", "diff-index", "cherry", "difftool"})) {
        if (name == "archive" && o.find_any("o output")) return verdict(W, p + " -o writes a file");
        if (name == "difftool") return verdict(U, p + " runs a configured diff program");
        // --output=FILE (diff, log, show ...) writes; grep -O runs a pager; --upload-pack and archive --exec
        // run the program they name; bundle create and fsck --lost-found write into the repository.
        if (name == "grep" && o.find_any("O open-files-in-pager")) return verdict(U, p + " -O runs the program it names");
        if (const Option* out = o.find("output")) return ctx.write_risk(option_word(*out), p + " --output writing");
        if (name == "bundle") {
            const Word* verb = first_operand(o);
            if (verb == nullptr || !one_of(verb->value, {"verify", "list-heads"})) return verdict(W, p + " create/unbundle writes");
        }
        if (name == "fsck" && o.find("lost-found")) return verdict(W, p + " --lost-found writes into the repository");
        return verdict(R, p + " only reads");
    }
    if (name == "push") {
        if (o.find_any("f force force-with-lease force-if-includes mirror delete d prune")) return verdict(X, p + " --force or --delete rewrites remote history");
        for (const Word* w : o.operands) {
            if (w->value.starts_with("+") || w->value.starts_with(":")) return verdict(X, p + " " + w->value + " rewrites or deletes a remote branch");
        }
        return verdict(W, p + " publishes commits");
    }
    if (name == "reset") {
        if (o.find_any("hard merge keep")) return verdict(X, p + " --hard discards changes");
        return verdict(W, p + " moves the branch");
    }
    if (name == "clean") {
        if (o.find_any("n dry-run")) return verdict(R, p + " -n only lists");
        return verdict(X, p + " deletes untracked files");
    }
    if (name == "branch" || name == "tag") {
        if (o.find("D") || (o.find_any("d delete") && o.find_any("f force"))) return verdict(X, p + " -D deletes unmerged work");
        if (o.find_any("d delete m M move c C copy f force s u set-upstream-to unset-upstream edit-description") || !o.operands.empty()) {
            return verdict(W, p + " changes refs");
        }
        return verdict(R, p + " lists");
    }
    if (name == "stash") {
        const Word* verb = first_operand(o);
        if (verb && one_of(verb->value, {"list", "show"})) return verdict(R, p + " " + verb->value + " only reads");
        if (verb && one_of(verb->value, {"drop", "clear"})) return verdict(X, p + " " + verb->value + " discards stashed work");
        return verdict(W, p + " changes the working tree");
    }
    if (name == "checkout" || name == "switch" || name == "restore") {
        if (o.find_any("f force discard-changes")) return verdict(X, p + " --force discards local changes");
        return verdict(W, p + " changes the working tree");
    }
    if (name == "reflog") {
        const Word* verb = first_operand(o);
        if (verb && one_of(verb->value, {"expire", "delete"})) return verdict(X, p + " " + verb->value + " drops history");
        return verdict(R, p + " only reads");
    }
    if (name == "remote" || name == "worktree" || name == "submodule" || name == "notes") {
        const Word* verb = first_operand(o);
        if (verb == nullptr || one_of(verb->value, {"show", "list", "get-url", "status", "-v"})) return verdict(R, p + " only reads");
        if (name == "submodule" && verb->value == "foreach") return verdict(U, p + " foreach runs a command in each submodule");
        return verdict(W, p + " " + verb->value + " changes the repository");
    }
    if (name == "config") {
        if (o.find_any("l list get get-all get-regexp get-urlmatch show-origin show-scope")) return verdict(R, p + " only reads");
        if (o.operands.size() <= 1 && !o.find_any("unset unset-all add replace-all rename-section remove-section e edit")) {
            return verdict(R, p + " reads a value");
        }
        const std::string key = o.operands.empty() ? std::string() : o.operands.front()->value;
        std::string lower = key;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
        for (const std::string_view risky : {"alias.", "pager", "editor", "sshcommand", "hookspath", "fsmonitor", "command",
                                             "filter.", "textconv", "credential", "gitproxy", "askpass", "external", "tool"}) {
            if (lower.find(risky) != std::string::npos) return verdict(U, p + " " + key + " can make git run a command");
        }
        if (o.find_any("e edit")) return verdict(U, p + " --edit opens an editor");
        return verdict(W, p + " changes the configuration");
    }
    if (one_of(name, {"gc", "prune", "repack"})) return verdict(W, p + " rewrites the object store");
    if (one_of(name, {"filter-branch", "filter-repo", "update-ref", "replace"})) {
        if (name == "update-ref" && !o.find("d")) return verdict(W, p + " moves a ref");
        return verdict(X, p + " rewrites history");
    }
    if (one_of(name, {"rebase", "bisect"}) && o.find_any("x exec")) return verdict(U, p + " --exec runs commands");
    if (name == "clone" && std::any_of(rest.begin(), rest.end(), [](const Word& w) { return w.value.starts_with("-u"); })) {
        return verdict(U, p + " -u runs the program it names as upload-pack");
    }
    if (one_of(name, {"add", "commit", "merge", "rebase", "pull", "fetch", "clone", "init", "mv", "rm", "cherry-pick",
                      "revert", "am", "apply", "bisect", "sparse-checkout", "lfs", "maintenance", "mergetool", "format-patch",
                      "send-email", "request-pull"})) {
        if (name == "mergetool") return verdict(U, p + " runs a configured merge program");
        return verdict(W, p + " changes the repository");
    }
    return verdict(U, p + " is not a known git command (an alias or extension runs code)");
}

// apt, yum, pip ...: queries read; everything else installs or removes software.
Verdict handle_package(std::string_view program, Args args, const Context&) {
    const ScannedArgs s = scan_args(args, {"oct", "option config-file target-release", "", false});
    const Word* sub = first_operand(s);
    if (sub == nullptr) {
        if (s.find_any("version V help h")) return verdict(R, str(program) + " --version");
        return verdict(R, str(program) + " prints its help");
    }
    if (!sub->literal()) return dynamic_subcommand(program, *sub, U);
    const std::string& name = sub->value;
    if (one_of(name, {"list", "search", "show", "info", "policy", "depends", "rdepends", "madison", "help", "version",
                      "freeze", "outdated", "ls", "view", "why", "repolist", "provides", "whatprovides", "check-update",
                      "showpkg", "stats", "showsrc", "query", "audit", "explain", "config-get", "download-info",
                      "changelog", "history", "repoquery", "inspect", "whoami", "check", "doctor", "env", "owner"})) {
        return verdict(R, str(program) + " " + name + " only reads");
    }
    if (one_of(program, {"npm", "yarn", "pnpm", "npx", "bun"}) && one_of(name, {"run", "run-script", "exec", "start", "test", "x", "dlx"})) {
        return verdict(U, str(program) + " " + name + " runs a package script");
    }
    if (one_of(name, {"remove", "purge", "autoremove", "erase", "uninstall", "rm", "autopurge"})) {
        return verdict(A, str(program) + " " + name + " removes software");
    }
    return verdict(A, str(program) + " " + name + " installs or changes software");
}

Verdict handle_dpkg(std::string_view program, Args args, const Context&) {
    const ScannedArgs s = scan_args(args, {"", "admindir root instdir", "", false});
    if (program == "rpm") {
        for (const Option& o : s.options) {
            if (o.name == "q" || o.name == "query" || o.name == "V" || o.name == "verify" || o.name == "version") {
                return verdict(R, "rpm -q only reads");
            }
        }
        return verdict(A, "rpm installs or removes software");
    }
    if (program == "pacman") {
        for (const Option& o : s.options) {
            if (o.name == "Q" || o.name == "query" || o.name == "version" || o.name == "h" || o.name == "help") return verdict(R, "pacman -Q only reads");
        }
        if (s.find("S") && (s.find("s") || s.find("i")) && !s.find("y") && !s.find("u")) return verdict(R, "pacman -Ss/-Si only reads");
        return verdict(A, "pacman installs or removes software");
    }
    if (s.find_any("l L s S p c I list listfiles status search print-avail contents info get-selections "
                   "print-architecture print-foreign-architectures compare-versions audit C verify V version help")) {
        return verdict(R, str(program) + " only reads");
    }
    return verdict(A, str(program) + " installs or removes software");
}

// ---------------------------------------------------------------- system

// Whether the signal, given first (-0, -s 0, -n 0, --signal=0, -SIG0), is signal 0: the process is looked
// up, not signalled. Only the first argument counts: in `kill -9 -0` the -0 is process group 0.
bool signal_zero(Args args) {
    if (args.empty() || !args[0].literal()) return false;
    const std::string& a = args[0].value;
    if (a == "-0" || a == "-SIG0" || a == "--signal=0" || a == "-s0" || a == "-n0") return true;
    return (a == "-s" || a == "-n" || a == "--signal") && args.size() > 1 && args[1].literal() && args[1].value == "0";
}

Verdict handle_kill(std::string_view program, Args args, const Context&) {
    if (one_of(program, {"kill", "pkill", "killall"}) && signal_zero(args)) {
        return verdict(R, str(program) + " -0 only checks that a process exists");
    }
    if (program == "kill") {
        bool signal_seen = false;
        bool end = false;
        for (std::size_t i = 0; i < args.size(); ++i) {
            const Word& w = args[i];
            const std::string& a = w.value;
            if (!end && (a == "-l" || a == "-L" || a == "--list" || a == "--table")) return verdict(R, "kill -l lists signals");
            if (!end && a == "--") {
                end = true;
                continue;
            }
            if (!end && (a == "-s" || a == "-n" || a == "--signal")) {
                ++i;
                signal_seen = true;
                continue;
            }
            if (!end && !signal_seen && a.size() > 1 && a.front() == '-') {
                signal_seen = true;
                continue;
            }
            if (w.splits) return verdict(X, "kill with an argument that may expand to -1 (every process)");
            if (a == "-1" || a == "1") return verdict(X, "kill " + a + " signals every process (or init)");
        }
        return verdict(A, "kill signals processes");
    }
    if (program == "fuser") {
        for (const Word& w : args) {
            if (w.value.starts_with("-") && !w.value.starts_with("--") && w.value.find('k') != std::string::npos) {
                return verdict(A, "fuser -k kills the processes using a file");
            }
            if (w.value == "--kill") return verdict(A, "fuser --kill kills the processes using a file");
        }
        return verdict(R, "fuser only reads");
    }
    return verdict(A, str(program) + " signals processes");
}

// userdel -r and deluser --remove-home delete the user's home and mail (DESIGN §4: destructive).
Verdict handle_userdel(std::string_view program, Args args, const Context&) {
    const ScannedArgs s = scan_args(args, {"RP", "root prefix conf backup-to", "", false});
    if (s.dynamic) return verdict(X, str(program) + " with an argument that may expand to -r");
    if (s.find_any("r remove remove-home remove-all-files")) return verdict(X, str(program) + " -r deletes the user's home");
    if (s.find_any("h help version")) return verdict(R, str(program) + " --help");
    return verdict(A, str(program) + " removes a user");
}

Verdict handle_shutdown(std::string_view program, Args args, const Context&) {
    if (program == "shutdown") {
        for (const Word& w : args) {
            if (w.value == "-c" || w.value == "--show") return verdict(A, "shutdown -c cancels a shutdown");
        }
        return verdict(X, "shutdown stops the machine");
    }
    // init / telinit RUNLEVEL
    if (args.empty()) return verdict(U, str(program) + " without a runlevel");
    const std::string& level = args.front().value;
    if (one_of(level, {"0", "6", "1", "s", "S", "halt", "poweroff", "reboot"})) return verdict(X, str(program) + " " + level + " stops the machine");
    return verdict(A, str(program) + " " + level + " changes the runlevel");
}

Verdict handle_sysctl(std::string_view program, Args args, const Context&) {
    const ScannedArgs s = scan_args(args, {"", "", "", false});
    if (s.find_any("w write p load system")) return verdict(A, str(program) + " -w changes kernel settings");
    for (const Word* w : s.operands) {
        if (w->value.find('=') != std::string::npos) return verdict(A, str(program) + " " + w->value + " changes a kernel setting");
    }
    return verdict(R, str(program) + " only reads");
}

Verdict handle_hostname(std::string_view program, Args args, const Context&) {
    const ScannedArgs s = scan_args(args, {"F", "file", "", false});
    if (s.find_any("F file b boot") || !s.operands.empty()) return verdict(A, str(program) + " sets the host name");
    return verdict(R, str(program) + " only reads");
}

Verdict handle_date(std::string_view program, Args args, const Context&) {
    const ScannedArgs s = scan_args(args, {"dfrsI", "date file reference set", "", false});
    if (s.find_any("s set")) return verdict(A, str(program) + " -s sets the clock");
    for (const Word* w : s.operands) {
        if (!w->value.starts_with("+")) return verdict(A, str(program) + " " + w->value + " sets the clock");
    }
    return verdict(R, str(program) + " only reads");
}

Verdict handle_ip(std::string_view program, Args args, const Context& ctx) {
    const ScannedArgs s = scan_args(args, {"bfr", "batch family rc netns", "", false});
    // ip takes each option as one word matched by prefix (-b, -ba ... -batch; -br is -brief), not clusters.
    const bool batch = program == "ip" ? std::any_of(args.begin(), args.end(), [](const Word& w) {
        std::string_view o = w.value;
        if (o.starts_with("--")) o.remove_prefix(1);
        return o.size() >= 2 && std::string_view("-batch").starts_with(o);
    }) : s.find_any("b batch") != nullptr;
    if (batch) return verdict(U, str(program) + " -batch runs commands from a file");
    if (program == "ip" && s.operands.size() >= 3 && s.operands[0]->value.starts_with("netns") && s.operands[1]->value == "exec") {
        // ip netns exec NAME COMMAND...: root in another network namespace, running COMMAND
        const Word* name = s.operands[2];
        const std::size_t at = static_cast<std::size_t>(name - args.data()) + 1;
        return lift(A, "ip netns exec runs a command in a network namespace", wrapped(program, tail(args, at), ctx));
    }
    for (const Word* w : s.operands) {
        if (one_of(w->value, {"add", "del", "delete", "set", "change", "replace", "flush", "append", "prepend", "restore", "exec", "attach", "detach"})) {
            return verdict(A, str(program) + " " + w->value + " changes the network");
        }
    }
    if (program == "ifconfig" && s.operands.size() > 1) return verdict(A, "ifconfig changes an interface");
    if (program == "route" && !s.operands.empty()) return verdict(A, "route changes the routing table");
    return verdict(R, str(program) + " only reads");
}

Verdict handle_dmesg(std::string_view program, Args args, const Context&) {
    const ScannedArgs s = scan_args(args, {"nlfF", "console-level level facility file", "", false});
    // Clearing the ring buffer deletes log records (DESIGN §4: deleting logs is destructive).
    if (s.find_any("c C clear read-clear")) return verdict(X, str(program) + " -c/-C clears the kernel log");
    if (s.find_any("D E n console-off console-on console-level")) return verdict(A, str(program) + " configures the kernel log");
    return verdict(R, str(program) + " only reads");
}

Verdict handle_crontab(std::string_view program, Args args, const Context&) {
    const ScannedArgs s = scan_args(args, {"u", "", "", false});
    if (s.find("r")) return verdict(X, str(program) + " -r removes the crontab");
    if (s.find("l")) return verdict(R, str(program) + " -l only reads");
    if (s.find("e")) return verdict(U, str(program) + " -e opens an editor");
    return verdict(U, str(program) + " installs scheduled commands the classifier cannot read");
}

Verdict handle_tar(std::string_view program, Args args, const Context& ctx) {
    std::vector<Word> words(args.begin(), args.end());
    if (!words.empty() && !words.front().value.empty() && words.front().value.front() != '-' && words.front().literal()) {
        words.front().value = "-" + words.front().value;  // old style: tar xzf FILE
    }
    const ScannedArgs s = scan_args(words, {"fCbHKLNgIFTVX",
                                            "file directory blocking-factor format starting-file newer after-date listed-incremental "
                                            "use-compress-program info-script new-volume-script to-command rsh-command exclude "
                                            "exclude-from files-from label transform checkpoint-action owner group mode",
                                            "", false});
    if (s.find_any("I use-compress-program F info-script new-volume-script to-command rsh-command checkpoint-action")) {
        return verdict(U, str(program) + " runs a command given in its options");
    }
    if (s.find_any("t list d diff compare")) return verdict(R, str(program) + " -t only lists");
    if (s.find_any("x extract get")) {
        Verdict v = verdict(W, str(program) + " -x writes extracted files");
        if (const Option* c = s.find_any("C directory")) {
            Word target;
            target.value = c->value;
            target.raw = c->value;
            target.expands = !c->value_literal;
            v.raise(ctx.write_risk(target, str(program) + " -x into"));
        } else {
            Word here;  // the working directory, which a cd before may have moved
            here.value = ".";
            here.raw = ".";
            v.raise(ctx.write_risk(here, str(program) + " -x into"));
        }
        if (s.find_any("recursive-unlink unlink-first overwrite")) v.raise(X, str(program) + " -x removes existing files");
        return v;
    }
    if (s.find_any("c create r append u update A catenate concatenate delete")) {
        Verdict v = verdict(W, str(program) + " writes an archive");
        if (const Option* f = s.find_any("f file")) {
            if (f->value != "-") {
                Word target;
                target.value = f->value;
                target.raw = f->value;
                target.expands = !f->value_literal;
                v.raise(ctx.write_risk(target, str(program) + " writing"));
            }
        }
        if (s.find("remove-files")) v.raise(X, str(program) + " --remove-files deletes the originals");
        return v;
    }
    if (s.find_any("version help")) return verdict(R, str(program) + " --version");
    return verdict(W, str(program) + " without a known mode");
}

Verdict handle_compress(std::string_view program, Args args, const Context& ctx) {
    const ScannedArgs s = scan_args(args, {"dxS", "suffix exclude", "", false});
    if (program == "unzip") {
        if (s.find_any("l t v Z z p")) return verdict(R, "unzip -l only reads");
        Verdict v = verdict(W, "unzip writes extracted files");
        if (const Option* d = s.find("d")) {
            Word target;
            target.value = d->value;
            target.raw = d->value;
            target.expands = !d->value_literal;
            v.raise(ctx.write_risk(target, "unzip into"));
        }
        return v;
    }
    if (program != "zip" && s.find_any("c stdout to-stdout l list t test")) return verdict(R, str(program) + " -c writes to stdout");
    // zip writes its archive (the first operand); the others replace each file with its (de)compressed
    // form, removing the original: `gzip /etc/passwd` takes a system file away.
    Verdict v = verdict(W, str(program) + " writes files");
    if (s.dynamic) v.raise(X, str(program) + " with an argument that may expand to paths");
    if (program == "zip") {
        if (!s.operands.empty()) v.raise(ctx.write_risk(*s.operands.front(), "zip writing"));
        return v;
    }
    for (const Word* file : s.operands) v.raise(ctx.write_risk(*file, str(program) + " replacing"));
    return v;
}

Verdict handle_openssl(std::string_view program, Args args, const Context& ctx) {
    // s_client relays its input to a TLS connection, as nc does to a plain one: a hop (DESIGN §4).
    if (!args.empty() && one_of(args.front().value, {"s_client", "s_time"})) {
        return verdict(A, str(program) + " " + args.front().value + hop_reason);
    }
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i].value;
        if ((a == "-out" || a == "-keyout") && i + 1 < args.size()) return ctx.write_risk(args[i + 1], str(program) + " " + a + " writing");
    }
    return verdict(R, str(program) + " only reads");
}

Verdict handle_dd(std::string_view program, Args args, const Context&) {
    for (const Word& w : args) {
        if (w.value.starts_with("of=")) return verdict(X, str(program) + " " + w.value + " writes raw blocks");
    }
    return verdict(X, str(program) + " copies raw blocks");
}

Verdict handle_mkfs(std::string_view program, Args, const Context&) { return verdict(X, str(program) + " formats a filesystem"); }

Verdict handle_disk_tool(std::string_view program, Args args, const Context&) {
    // fdisk -l / sfdisk -l / parted -l / gdisk -l list; anything else edits a partition table.
    for (const Word& w : args) {
        if (one_of(w.value, {"-l", "--list", "-s", "--show-size", "print", "-V", "--version", "--help"})) return verdict(R, str(program) + " -l only reads");
    }
    return verdict(X, str(program) + " changes a partition table");
}

Verdict handle_at(std::string_view program, Args args, const Context&) {
    if (program == "atq" || (!args.empty() && (args.front().value == "-l" || args.front().value == "-c"))) return verdict(R, str(program) + " lists jobs");
    return verdict(U, str(program) + " schedules commands it reads from its input");
}

Verdict handle_eval(std::string_view program, Args args, const Context& ctx) {
    if (program == "eval") {
        // eval re-reads its arguments as shell code: unknown even when they are literal, as DESIGN §4 asks
        // (the literal's own class is in the reason, for the reader).
        if (args.empty()) return verdict(R, "eval of nothing");
        std::string text;
        if (!join_literal(args, text)) return verdict(U, "eval runs code that is not known statically");
        const Verdict inner = ctx.script(text, "eval");
        return verdict(U, "eval runs a string as code (" + std::string(config::to_string(inner.risk)) + ": " + inner.reason + ")");
    }
    return verdict(U, str(program) + " runs a file the classifier cannot read");
}

// Sorted by name for the binary search in find_rule.
constexpr std::array rules = std::to_array<ProgramRule>({
    {".", handle_eval, true},
    {"[", handle_test, false},
    {"ack", handle_options, false},
    {"ag", handle_options, false},
    {"alias", handle_builtin_assign, false},
    {"apk", handle_package, false},
    {"apt", handle_package, false},
    {"apt-get", handle_package, false},
    {"aptitude", handle_package, false},
    {"arp", handle_options, false},
    {"ash", handle_shell, true},
    {"at", handle_at, true},
    {"atop", handle_options, false},
    {"atq", handle_at, false},
    {"awk", handle_awk, false},
    {"bash", handle_shell, true},
    {"batch", handle_at, true},
    {"blkid", handle_options, false},
    {"brew", handle_package, false},
    {"builtin", handle_command, true},
    {"bun", handle_interpreter, false},
    {"bunzip2", handle_compress, false},
    {"busybox", handle_busybox, true},
    {"bzip2", handle_compress, false},
    {"bzless", handle_pager, false},
    {"caffeinate", handle_wrapper, true},
    {"cargo", handle_package, false},
    {"catchsegv", handle_wrapper, true},
    {"chgrp", handle_chmod, false},
    {"chmod", handle_chmod, false},
    {"chown", handle_chmod, false},
    {"chronic", handle_wrapper, true},
    {"chroot", handle_wrapper, true},
    {"chrt", handle_wrapper, true},
    {"command", handle_command, true},
    {"cp", handle_copy, false},
    {"cpulimit", handle_wrapper, true},
    {"crontab", handle_crontab, false},
    {"csh", handle_shell, true},
    {"csplit", handle_split, false},
    {"curl", handle_curl, false},
    {"dash", handle_shell, true},
    {"date", handle_date, false},
    {"dd", handle_dd, false},
    {"declare", handle_declare, false},
    {"deluser", handle_userdel, false},
    {"deno", handle_interpreter, false},
    {"diff3", handle_options, false},
    {"dmesg", handle_dmesg, false},
    {"dmidecode", handle_options, false},
    {"dnf", handle_package, false},
    {"doas", handle_sudo, true},
    {"docker", handle_docker, true},
    {"docker-compose", handle_compose, true},
    {"dpkg", handle_dpkg, false},
    {"dstat", handle_options, false},
    {"enable", handle_builtin_assign, false},
    {"env", handle_env, true},
    {"eval", handle_eval, true},
    {"exec", handle_command, true},
    {"export", handle_declare, false},
    {"faketime", handle_wrapper, true},
    {"fdisk", handle_disk_tool, false},
    {"file", handle_options, false},
    {"find", handle_find, true},
    {"firejail", handle_wrapper, true},
    {"fish", handle_shell, true},
    {"flock", handle_wrapper, true},
    {"fuser", handle_kill, false},
    {"gawk", handle_awk, false},
    {"gdisk", handle_disk_tool, false},
    {"gem", handle_package, false},
    {"getopts", handle_getopts, false},
    {"git", handle_git, false},
    {"git-receive-pack", handle_git_transport, false},
    {"git-upload-archive", handle_git_transport, false},
    {"git-upload-pack", handle_git_transport, false},
    {"glances", handle_options, false},
    {"gunzip", handle_compress, false},
    {"gzip", handle_compress, false},
    {"hash", handle_builtin_assign, false},
    {"helm", handle_helm, false},
    {"history", handle_history, false},
    {"hostname", handle_hostname, false},
    {"hostnamectl", handle_ctl, false},
    {"hwinfo", handle_options, false},
    {"iconv", handle_options, false},
    {"ifconfig", handle_ip, false},
    {"info", handle_options, false},
    {"init", handle_shutdown, false},
    {"install", handle_copy, false},
    {"inxi", handle_options, false},
    {"ionice", handle_wrapper, true},
    {"ip", handle_ip, false},
    {"irb", handle_interpreter, false},
    {"jobs", handle_jobs, true},
    {"journalctl", handle_journalctl, false},
    {"kill", handle_kill, false},
    {"killall", handle_kill, false},
    {"ksh", handle_shell, true},
    {"kubectl", handle_kubectl, true},
    {"lastlog", handle_options, false},
    {"less", handle_pager, false},
    {"let", handle_let, false},
    {"link", handle_copy, false},
    {"ln", handle_copy, false},
    {"local", handle_declare, false},
    {"localectl", handle_ctl, false},
    {"loginctl", handle_ctl, false},
    {"lshw", handle_options, false},
    {"ltrace", handle_wrapper, true},
    {"lua", handle_interpreter, false},
    {"lz4", handle_compress, false},
    {"man", handle_man, false},
    {"mapfile", handle_mapfile, false},
    {"mawk", handle_awk, false},
    {"mkdir", handle_create, false},
    {"mkfs", handle_mkfs, false},
    {"mksh", handle_shell, true},
    {"mktemp", handle_create, false},
    {"more", handle_pager, false},
    {"most", handle_pager, false},
    {"mv", handle_copy, false},
    {"nawk", handle_awk, false},
    {"nc", handle_netcat, false},
    {"ncat", handle_netcat, false},
    {"netcat", handle_netcat, false},
    {"networkctl", handle_ctl, false},
    {"nice", handle_wrapper, true},
    {"nocache", handle_wrapper, true},
    {"node", handle_interpreter, false},
    {"nodejs", handle_interpreter, false},
    {"nohup", handle_wrapper, true},
    {"npm", handle_package, false},
    {"npx", handle_interpreter, false},
    {"nsenter", handle_wrapper, true},
    {"numactl", handle_wrapper, true},
    {"oc", handle_kubectl, true},
    {"openssl", handle_openssl, false},
    {"pacman", handle_dpkg, false},
    {"parted", handle_disk_tool, false},
    {"perl", handle_interpreter, false},
    {"php", handle_interpreter, false},
    {"pip", handle_package, false},
    {"pip3", handle_package, false},
    {"pkexec", handle_wrapper, true},
    {"pkill", handle_kill, false},
    {"pnpm", handle_package, false},
    {"podman", handle_docker, true},
    {"posh", handle_shell, true},
    {"printf", handle_printf, false},
    {"proxychains", handle_wrapper, true},
    {"proxychains4", handle_wrapper, true},
    {"pwsh", handle_interpreter, false},
    {"python", handle_interpreter, false},
    {"python2", handle_interpreter, false},
    {"python3", handle_interpreter, false},
    {"read", handle_read, false},
    {"readarray", handle_mapfile, false},
    {"readonly", handle_declare, false},
    {"resolvectl", handle_ctl, false},
    {"rg", handle_options, false},
    {"rm", handle_rm, false},
    {"rmdir", handle_rm, false},
    {"route", handle_ip, false},
    {"rpm", handle_dpkg, false},
    {"rsync", handle_rsync, false},
    {"ruby", handle_interpreter, false},
    {"runuser", handle_su, true},
    {"sar", handle_sar, false},
    {"scp", handle_scp, false},
    {"sdiff", handle_options, false},
    {"sed", handle_sed, false},
    {"sensors", handle_options, false},
    {"service", handle_service, false},
    {"set", handle_set, false},
    {"setsid", handle_wrapper, true},
    {"sfdisk", handle_disk_tool, false},
    {"sh", handle_shell, true},
    {"shopt", handle_shopt, false},
    {"shuf", handle_options, false},
    {"shutdown", handle_shutdown, false},
    {"snap", handle_package, false},
    {"socat", handle_socat, false},
    {"sort", handle_sort, false},
    {"source", handle_eval, true},
    {"split", handle_split, false},
    {"ss", handle_options, false},
    {"ssh", handle_ssh, true},
    {"sshpass", handle_wrapper, true},
    {"stdbuf", handle_wrapper, true},
    {"strace", handle_wrapper, true},
    {"su", handle_su, true},
    {"sudo", handle_sudo, true},
    {"sudoedit", handle_sudo, true},
    {"sysctl", handle_sysctl, false},
    {"systemctl", handle_systemctl, false},
    {"systemd-analyze", handle_systemd_analyze, false},
    {"systemd-run", handle_wrapper, true},
    {"tar", handle_tar, false},
    {"taskset", handle_wrapper, true},
    {"tcsh", handle_shell, true},
    {"tee", handle_create, false},
    {"telinit", handle_shutdown, false},
    {"telnet", handle_telnet, false},
    {"terraform", handle_terraform, false},
    {"test", handle_test, false},
    {"time", handle_wrapper, true},
    {"timedatectl", handle_ctl, false},
    {"timeout", handle_wrapper, true},
    {"torsocks", handle_wrapper, true},
    {"touch", handle_create, false},
    {"trap", handle_builtin_assign, true},
    {"tree", handle_options, false},
    {"truncate", handle_create, false},
    {"typeset", handle_declare, false},
    {"unbuffer", handle_wrapper, true},
    {"uniq", handle_sort, false},
    {"unlink", handle_rm, false},
    {"unset", handle_unset, false},
    {"unshare", handle_wrapper, true},
    {"unxz", handle_compress, false},
    {"unzip", handle_compress, false},
    {"userdel", handle_userdel, false},
    {"valgrind", handle_wrapper, true},
    {"wait", handle_wait, false},
    {"watch", handle_watch, true},
    {"wget", handle_wget, false},
    {"xargs", handle_xargs, true},
    {"xvfb-run", handle_wrapper, true},
    {"xxd", handle_xxd, false},
    {"xz", handle_compress, false},
    {"xzless", handle_pager, false},
    {"yarn", handle_package, false},
    {"yq", handle_yq, false},
    {"yum", handle_package, false},
    {"zip", handle_compress, false},
    {"zless", handle_pager, false},
    {"zmore", handle_pager, false},
    {"zsh", handle_shell, true},
    {"zstd", handle_compress, false},
    {"zypper", handle_package, false},
});

}  // namespace

const ProgramRule* find_rule(std::string_view program) noexcept {
    const auto it = std::lower_bound(rules.begin(), rules.end(), program,
                                     [](const ProgramRule& rule, std::string_view name) { return rule.name < name; });
    if (it == rules.end() || it->name != program) return nullptr;
    return &*it;
}

bool rules_are_sorted() noexcept {
    return std::is_sorted(rules.begin(), rules.end(), [](const ProgramRule& a, const ProgramRule& b) { return a.name < b.name; });
}

}  // namespace jitgate::guardrails::shell
