// ShellClassifier: the checks made before lexing (length, NUL bytes), the walk over every simple command
// (program lookup, wrappers, redirections, substitutions, pipelines into interpreters) and the reduction
// of all effects to one class and one reason. The per-program rules live in programs_*.cpp, found through
// the table in shell_programs.cpp.
#include "guardrails/shell/shell_classifier.hpp"

#include "guardrails/sql/sql_tree.hpp"

#include "guardrails/shell/shell_detail.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cctype>
#include <cstdlib>
#include <exception>

namespace jitgate::guardrails {
namespace data {
extern const std::string_view shell_programs_tsv;
}  // namespace data

namespace shell {
namespace {

// Lines of NAME<TAB>CLASS<TAB>REASON; '#' starts a comment line. The data is ours, so a bad line is skipped.
struct BuiltinEntry {
    RiskClass risk;
    std::string_view reason;
};

const std::unordered_map<std::string_view, BuiltinEntry>& builtin_table() {
    static const auto table = [] {
        std::unordered_map<std::string_view, BuiltinEntry> out;
        std::string_view tsv = data::shell_programs_tsv;
        while (!tsv.empty()) {
            const std::size_t end = tsv.find('\n');
            const std::string_view line = tsv.substr(0, end);
            tsv = end == std::string_view::npos ? std::string_view{} : tsv.substr(end + 1);
            if (line.empty() || line.front() == '#') continue;
            const std::size_t tab1 = line.find('\t');
            const std::size_t tab2 = tab1 == std::string_view::npos ? tab1 : line.find('\t', tab1 + 1);
            if (tab2 == std::string_view::npos) continue;
            if (const auto risk = config::parse_risk_class(line.substr(tab1 + 1, tab2 - tab1 - 1))) {
                out.emplace(line.substr(0, tab1), BuiltinEntry{*risk, line.substr(tab2 + 1)});
            }
        }
        return out;
    }();
    return table;
}

constexpr std::array<std::string_view, 6> standard_dirs = {"/bin", "/usr/bin", "/sbin", "/usr/sbin", "/usr/local/bin",
                                                           "/usr/local/sbin"};

struct Program {
    std::string name;      // what the tables are keyed by: the basename, or the path for config
    std::string path;      // as written, normalized
    std::string problem;   // set when the program cannot be named statically
};

Program resolve_program(const Word& word) {
    Program program;
    if (!word.literal()) {
        program.problem = "the program name `" + word.raw + "` is not known statically";
        return program;
    }
    if (word.value.empty()) {
        program.problem = "an empty program name";
        return program;
    }
    if (word.value.find('/') == std::string::npos) {
        program.name = word.value;
        return program;
    }
    program.path = normalize_path(word.value);
    const std::size_t slash = program.path.rfind('/');
    const std::string_view dir = slash == 0 ? std::string_view("/") : std::string_view(program.path).substr(0, slash);
    program.name = program.path.substr(slash + 1);
    if (word.value.front() != '/') {
        program.problem = "`" + word.value + "` runs a program by a relative path";
        return program;
    }
    for (const std::string_view standard : standard_dirs) {
        if (dir == standard) return program;
    }
    program.problem = "`" + word.value + "` is a program outside the standard directories";
    return program;
}

// The working directory after `cd ARGS` from `cwd` (see Context).
std::string change_directory(const std::string& cwd, Args args) {
    std::size_t i = 0;
    while (i < args.size() && args[i].value.size() > 1 && args[i].value.front() == '-' && args[i].literal()) {
        if (args[i].value == "--") {
            ++i;
            break;
        }
        ++i;
    }
    if (i >= args.size()) return {};
    const Word& target = args[i];
    if (!target.literal() || target.value == "-") return "?";
    const std::string& dir = target.value;
    if (dir.front() == '~') return dir.find("..") == std::string::npos ? std::string() : std::string("?");
    if (dir.front() == '/') return normalize_path(dir);
    if (cwd == "?") return "?";
    if (cwd.empty()) return dir.find("..") == std::string::npos ? std::string() : std::string("?");
    return normalize_path(cwd + "/" + dir);
}

}  // namespace

Verdict summarize(const std::vector<ShellEffect>& effects) {
    Verdict out = verdict(RiskClass::read, "no command");
    bool first = true;
    for (const ShellEffect& effect : effects) {
        if (first || risk_rank(effect.risk) > risk_rank(out.risk)) {
            out.risk = effect.risk;
            out.reason = effect.reason;
            first = false;
        }
    }
    return out;
}

namespace {

void add_substitution_effects(const std::vector<Substitution>& subs, const ShellProgramTables& tables, int depth,
                              std::vector<ShellEffect>& out, const std::string& cwd) {
    for (const Substitution& sub : subs) {
        std::vector<ShellEffect> inner;
        classify_text(sub.source, tables, depth + 1, inner, cwd);
        const char* where = sub.kind == Substitution::Kind::process_in    ? "in <(...): "
                            : sub.kind == Substitution::Kind::process_out ? "in >(...): "
                            : sub.kind == Substitution::Kind::backtick    ? "in `...`: "
                                                                          : "in $(...): ";
        for (ShellEffect& effect : inner) {
            effect.reason = where + effect.reason;
            out.push_back(std::move(effect));
        }
    }
}

// Brace expansion of an unquoted literal word, as bash does it before anything else: a{b,c}d → abd acd,
// {1..3} → 1 2 3, {a..c} → a b c. False when the result would exceed `limit` words (left unexpanded, and
// so not known statically).
enum class Sequence : std::uint8_t { none, ok, too_long };

Sequence brace_sequence(std::string_view body, std::vector<std::string>& alternatives, std::size_t limit) {
    const std::size_t dots = body.find("..");
    if (dots == std::string_view::npos || dots == 0) return Sequence::none;
    const std::string_view from = body.substr(0, dots);
    std::string_view to = body.substr(dots + 2);
    const auto is_number = [](std::string_view t) {
        const std::string_view digits = !t.empty() && (t.front() == '-' || t.front() == '+') ? t.substr(1) : t;
        return !digits.empty() && digits.size() <= 9 && digits.find_first_not_of("0123456789") == std::string_view::npos;
    };
    long step = 1;
    if (const std::size_t more = to.find(".."); more != std::string_view::npos) {
        const std::string_view step_text = to.substr(more + 2);
        to = to.substr(0, more);
        if (!is_number(step_text)) return Sequence::none;
        step = std::labs(std::stol(std::string(step_text)));
        if (step == 0) step = 1;
    }
    if (is_number(from) && is_number(to)) {
        const long a = std::stol(std::string(from));
        const long b = std::stol(std::string(to));
        if (static_cast<std::size_t>(std::labs(b - a) / step) + 1 > limit) return Sequence::too_long;
        for (long v = a; a <= b ? v <= b : v >= b; v += a <= b ? step : -step) alternatives.push_back(std::to_string(v));
        return Sequence::ok;
    }
    if (from.size() == 1 && to.size() == 1 && std::isalpha(static_cast<unsigned char>(from[0])) != 0 &&
        std::isalpha(static_cast<unsigned char>(to[0])) != 0) {
        const int a = from[0];
        const int b = to[0];
        for (int v = a; a <= b ? v <= b : v >= b; v += a <= b ? static_cast<int>(step) : -static_cast<int>(step)) {
            alternatives.emplace_back(1, static_cast<char>(v));
        }
        return Sequence::ok;
    }
    return Sequence::none;
}

bool expand_braces(std::string_view text, std::vector<std::string>& out, std::size_t limit, int depth = 0) {
    if (depth > 64) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '{') continue;
        int level = 0;
        std::size_t close = std::string_view::npos;
        std::vector<std::size_t> commas;
        for (std::size_t j = i; j < text.size(); ++j) {
            if (text[j] == '{') {
                ++level;
            } else if (text[j] == '}') {
                if (--level == 0) {
                    close = j;
                    break;
                }
            } else if (text[j] == ',' && level == 1) {
                commas.push_back(j);
            }
        }
        if (close == std::string_view::npos) break;
        std::vector<std::string> alternatives;
        if (!commas.empty()) {
            std::size_t start = i + 1;
            commas.push_back(close);
            for (const std::size_t comma : commas) {
                alternatives.emplace_back(text.substr(start, comma - start));
                start = comma + 1;
            }
        } else if (const Sequence seq = brace_sequence(text.substr(i + 1, close - i - 1), alternatives, limit);
                   seq != Sequence::ok) {
            if (seq == Sequence::too_long) return false;
            continue;  // `{x}` is not an expansion
        }
        const std::string pre(text.substr(0, i));
        const std::string post(text.substr(close + 1));
        for (const std::string& alternative : alternatives) {
            if (!expand_braces(pre + alternative + post, out, limit, depth + 1) || out.size() > limit) return false;
        }
        return true;
    }
    out.emplace_back(text);
    return out.size() <= limit;
}

// The command's words after brace expansion of the unquoted literal words that have one.
std::vector<Word> expand_words(const std::vector<Word>& words) {
    std::vector<Word> out;
    for (const Word& word : words) {
        std::vector<std::string> expanded;
        // Bounded: at most 256 words from a word of at most 4 KiB (longer ones stay not known statically).
        if (!word.brace || word.quoted || word.expands || word.value.size() > 4096 ||
            !expand_braces(word.value, expanded, 256)) {
            out.push_back(word);
            continue;
        }
        for (std::string& value : expanded) {
            Word piece = word;
            piece.brace = false;
            piece.raw = value;
            piece.value = std::move(value);
            piece.glob = piece.value.find_first_of("*?[") != std::string::npos;
            out.push_back(std::move(piece));
        }
    }
    return out;
}

bool is_stdin(const Redirect& r) { return r.fd == -1 || r.fd == 0; }

bool one_of_names(std::string_view word, std::initializer_list<std::string_view> names) {
    for (const std::string_view name : names) {
        if (word == name) return true;
    }
    return false;
}

// [[ ... ]]: the operands of -eq -ne -lt -le -gt -ge are arithmetic (`x='a[$(rm f)]'; [[ $x -eq 1 ]]`
// runs rm), and -v takes a variable name whose subscript is arithmetic.
Verdict conditional_risk(const std::vector<Word>& words) {
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string& op = words[i].value;
        if (op == "-eq" || op == "-ne" || op == "-lt" || op == "-le" || op == "-gt" || op == "-ge") {
            for (const std::size_t k : {i - 1, i + 1}) {
                if (k >= words.size()) continue;  // i - 1 wraps when i == 0
                const Word& operand = words[k];
                // Expansions are kept as written, so a word made of numbers, operators and $#, $?, ${#x}
                // reads the same as raw text: constant_arithmetic judges either.
                if (!constant_arithmetic(operand.literal() ? operand.value : operand.raw) ||
                    (!operand.literal() && operand.quoted)) {
                    return verdict(RiskClass::unknown, "[[ " + operand.raw + " " + op +
                                                           " ]] evaluates its operand as arithmetic, which can run code");
                }
            }
        } else if (op == "-v" && i + 1 < words.size()) {
            Verdict v = name_operand_risk("[[ -v", words[i + 1], false, false);
            if (v.risk != RiskClass::read) return v;
        }
    }
    return {};
}

Verdict classify_redirect(const Redirect& r, const Context& ctx) {
    const std::string& op = r.op;
    // bash opens a connection for /dev/tcp/HOST/PORT and /dev/udp/HOST/PORT itself (there is no such file):
    // a hop to another host, at least admin like nc (DESIGN §4), in either direction.
    const std::string device = r.target.literal() ? normalize_path(r.target.value) : std::string();
    if (!r.is_heredoc() && op != "<<<" && (device.starts_with("/dev/tcp/") || device.starts_with("/dev/udp/"))) {
        return verdict(RiskClass::admin, "redirection " + op + " " + r.target.value + " opens a network connection");
    }
    if (op == "<" || op == "<<" || op == "<<-" || op == "<<<" || op == "<&") return verdict(RiskClass::read, {});
    if (op == ">&" || op == "<&") {
        const std::string& t = r.target.value;
        const bool descriptor = r.target.literal() && !t.empty() &&
                                (t == "-" || t.find_first_not_of("0123456789") == std::string::npos ||
                                 (t.back() == '-' && t.find_first_not_of("0123456789") == t.size() - 1));
        if (descriptor) return verdict(RiskClass::read, {});
    }
    if (!r.target.substitutions.empty() && (r.target.raw.starts_with("<(") || r.target.raw.starts_with(">("))) {
        return verdict(RiskClass::read, {});  // into a process substitution, classified on its own
    }
    return ctx.write_risk(r.target, "redirection onto");
}

// Builds the effect for one simple command.
void classify_command(const SimpleCommand& command, const ShellProgramTables& tables, int depth,
                      std::vector<ShellEffect>& out, const std::string& cwd) {
    for (const Word& word : command.assignments) add_substitution_effects(word.substitutions, tables, depth, out, cwd);
    for (const Word& word : command.words) add_substitution_effects(word.substitutions, tables, depth, out, cwd);
    for (const Redirect& r : command.redirects) {
        add_substitution_effects(r.target.substitutions, tables, depth, out, cwd);
        add_substitution_effects(r.body_substitutions, tables, depth, out, cwd);
    }
    const Context ctx(tables, depth, cwd);

    const std::vector<Word> words = expand_words(command.words);
    ShellEffect effect;
    effect.command = describe(command.words);
    if (effect.command.empty()) effect.command = describe(command.assignments);
    Verdict v;
    if (command.arithmetic) {
        v = verdict(RiskClass::read, "a constant arithmetic command");
    } else if (command.data_only) {
        v = verdict(RiskClass::read, "a loop or test header");
    } else if (words.empty()) {
        v = verdict(RiskClass::read, command.assignments.empty() ? "redirections only" : "assignments only");
    } else {
        v = ctx.argv(words);
    }
    if (v.stdin_code != StdinCode::none && v.risk != RiskClass::unknown) v.stdin_code = StdinCode::none;
    if (v.stdin_code != StdinCode::none) {
        // The program runs code from its stdin: classify it when the text holds it, else unknown.
        const Redirect* source = nullptr;
        for (const Redirect& r : command.redirects) {
            if (is_stdin(r) && (r.op == "<" || r.op == "<<" || r.op == "<<-" || r.op == "<<<" || r.op == "<&" || r.op == "<>")) {
                source = &r;
            }
        }
        const std::string program = words.empty() ? std::string() : words.front().value;
        if (source && (source->is_heredoc() || source->op == "<<<") && v.stdin_code == StdinCode::shell) {
            const bool literal = source->is_heredoc()
                                     ? (source->body_quoted || source->body.find_first_of("$`\\") == std::string::npos)
                                     : source->target.literal();
            if (literal) {
                const Verdict inner =
                    ctx.script(source->is_heredoc() ? source->body : source->target.value, program + " <<");
                v.risk = risk_rank(inner.risk) >= risk_rank(v.stdin_floor) ? inner.risk : v.stdin_floor;
                v.reason = inner.reason;
            } else {
                v.reason = program + " runs a script on stdin that is not known statically";
            }
        } else if (source) {
            v.reason = program + " runs code read from its stdin, which the classifier cannot read";
        } else if (command.piped_input) {
            v.reason = "a pipeline into an interpreter (" + program + ") runs code the classifier cannot read";
        } else {
            v.reason = program + " without a script runs whatever is typed next";
        }
    }
    for (const Word& word : command.assignments) {
        const std::string_view name = word.assignment_name();
        if (is_dangerous_variable(name)) {
            v.raise(RiskClass::unknown, "assigning " + std::string(name) + " changes what later commands run");
        } else if (is_integer_variable(name)) {
            v.raise(name_operand_risk("assigning", word, true));
        } else {
            const std::string_view value = std::string_view(word.value).substr(word.value.find('=') + 1);
            Verdict history = history_variable_risk("assigning", name, value, word.literal());
            if (history.risk != RiskClass::read) v.raise(history);
        }
    }
    if (!command.loop_variable.empty() &&
        (is_dangerous_variable(command.loop_variable) || is_integer_variable(command.loop_variable))) {
        v.raise(RiskClass::unknown, "a loop assigning " + command.loop_variable + " changes what later commands run");
    }
    if (command.conditional) v.raise(conditional_risk(command.words));
    // Arithmetic, ${!x} and ${x@P} anywhere in the command: bash evaluates them whatever the program.
    for (const Word& word : command.assignments) v.raise(evaluation_risk(word.evaluation));
    for (const Word& word : command.words) v.raise(evaluation_risk(word.evaluation));
    for (const Redirect& r : command.redirects) {
        v.raise(evaluation_risk(r.target.evaluation));
        v.raise(evaluation_risk(r.body_evaluation));
    }
    // A redirection with nothing written into it (`> f`, `: > f`, `true > f`, `cat /dev/null > f`) only
    // empties the file: truncation is a deletion, destructive (DESIGN §4). Output written into a file is a write.
    const bool writes_nothing =
        !command.group_redirect && !command.data_only &&
        (words.empty() ||
         (words.front().literal() && one_of_names(words.front().value, {":", "true", "false"}) && words.size() == 1) ||
         (words.size() == 2 && words[0].literal() && words[0].value == "cat" && words[1].literal() &&
          normalize_path(words[1].value) == "/dev/null"));
    for (const Redirect& r : command.redirects) {
        Verdict rv = classify_redirect(r, ctx);
        if (writes_nothing && (r.op == ">" || r.op == ">|" || r.op == "&>") && r.fd != 0 &&
            risk_rank(rv.risk) >= risk_rank(RiskClass::write) && rv.risk != RiskClass::unknown) {
            rv.raise(verdict(RiskClass::destructive, "redirection " + r.op + " " + r.target.raw +
                                                         " with nothing written empties the file (truncation)"));
        }
        if (!rv.reason.empty()) v.raise(rv);
    }
    effect.risk = v.risk;
    effect.reason = v.reason.empty() ? std::string(config::to_string(v.risk)) : v.reason;
    out.push_back(std::move(effect));
}

}  // namespace

void classify_text(std::string_view text, const ShellProgramTables& tables, int depth, std::vector<ShellEffect>& out,
                   std::string cwd) {
    if (depth > max_depth) {
        out.push_back({RiskClass::unknown, "nested deeper than " + std::to_string(max_depth) + " levels", {}});
        return;
    }
    const LexResult lexed = lex(text, depth);
    if (!lexed.ok()) {
        out.push_back({RiskClass::unknown, lexed.error, {}});
        return;
    }
    const ParseResult parsed = parse(lexed.tokens);
    if (!parsed.ok()) {
        out.push_back({RiskClass::unknown, parsed.error, {}});
        return;
    }
    for (const SimpleCommand& command : parsed.commands) {
        classify_command(command, tables, depth, out, cwd);
        // cd moves where relative paths point for the commands after it (a subshell's cd is followed too,
        // which can only make a later relative path look more dangerous, never less).
        if (!command.words.empty() && !command.data_only && command.words.front().literal()) {
            const std::string& name = command.words.front().value;
            if (name == "cd" || name == "pushd") cwd = change_directory(cwd, Args(command.words).subspan(1));
            else if (name == "popd") cwd = "?";
        }
    }
}

Verdict Context::script(std::string_view text, std::string_view via) const {
    std::vector<ShellEffect> effects;
    classify_text(text, tables_, depth_ + 1, effects, cwd_);
    Verdict v = summarize(effects);
    v.reason = std::string(via) + " → " + v.reason;
    return v;
}

Verdict Context::argv(Args argv) const {
    if (depth_ > max_depth) return verdict(RiskClass::unknown, "nested deeper than " + std::to_string(max_depth) + " levels");
    if (argv.empty()) return verdict(RiskClass::read, "no command");
    const Program program = resolve_program(argv.front());
    const std::string_view name = program.name;
    const Args args = argv.subspan(1);
    const Context inner(tables_, depth_ + 1, cwd_);

    // Config first: a path in config names that exact path (even outside the standard directories),
    // a plain name matches the basename of a program the classifier could name.
    const config::RiskClass* configured = nullptr;
    if (!program.path.empty()) {
        if (auto it = tables_.configured.find(program.path); it != tables_.configured.end()) configured = &it->second;
    }
    if (configured == nullptr && program.problem.empty()) {
        if (auto it = tables_.configured.find(program.name); it != tables_.configured.end()) configured = &it->second;
    }
    if (!program.problem.empty() && configured == nullptr) return verdict(RiskClass::unknown, program.problem);
    const ProgramRule* rule = find_rule(name);
    if (rule == nullptr && name.starts_with("mkfs.")) rule = find_rule("mkfs");  // mkfs.ext4, mkfs.xfs ...
    if (configured) {
        Verdict v = verdict(*configured, std::string(name) + " is " + std::string(config::to_string(*configured)) +
                                             " in config (classify.programs)");
        if (rule && rule->runs_commands) v.raise(rule->handler(name, args, inner));
        return v;
    }
    if (rule) return rule->handler(name, args, inner);
    const auto& table = builtin_table();
    if (auto it = table.find(name); it != table.end()) {
        return verdict(it->second.risk, std::string(name) + " " + std::string(it->second.reason));
    }
    return verdict(RiskClass::unknown, std::string(name) + " is not in the program table");
}

}  // namespace shell

ShellProgramTables ShellProgramTables::with_builtins(const config::ClassifyTables& extra) {
    ShellProgramTables tables;
    for (const auto& [name, entry] : shell::builtin_table()) tables.builtin.emplace(std::string(name), entry.risk);
    for (const auto& [risk, names] : extra.programs) {
        for (const std::string& name : names) tables.configured[name] = risk;
    }
    return tables;
}

std::string to_json(const ShellClassification& result, std::string_view input) {
    nlohmann::json effects = nlohmann::json::array();
    for (const ShellEffect& effect : result.effects) {
        effects.push_back({{"class", config::to_string(effect.risk)}, {"reason", effect.reason}, {"command", effect.command}});
    }
    const nlohmann::json out = {{"input", input},
                                {"class", config::to_string(result.risk)},
                                {"reason", result.reason},
                                {"effects", std::move(effects)}};
    return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Classification as_classification(const ShellClassification& result) {
    Classification out;
    out.risk = result.risk;
    out.reason = result.reason;
    out.literal_sensitive = true;
    return out;
}

ShellClassifier::ShellClassifier(const config::ClassifyTables& extra, std::size_t max_input_bytes)
    : tables_(ShellProgramTables::with_builtins(extra)), max_input_bytes_(max_input_bytes) {}

ShellClassification ShellClassifier::classify(std::string_view text) const {
    ShellClassification result;
    const auto refuse = [&](std::string reason) {
        result.risk = config::RiskClass::unknown;
        result.reason = reason;
        result.effects = {ShellEffect{config::RiskClass::unknown, std::move(reason), {}}};
        return result;
    };
    if (text.size() > max_input_bytes_) {
        return refuse("longer than " + std::to_string(max_input_bytes_) + " bytes, the classifier's limit");
    }
    if (text.find('\0') != std::string_view::npos) return refuse("contains a NUL byte");
    try {
        shell::classify_text(text, tables_, 0, result.effects);
    } catch (const std::exception&) {
        return refuse("the classifier failed on this text");
    }
    // Reasons quote the command's words, which may be any bytes: what jitgate writes back (classify,
    // the block message on stderr, audit and recording) is valid UTF-8 (issue 11 item 4).
    for (ShellEffect& effect : result.effects) {
        if (!detail::is_valid_utf8(effect.reason)) effect.reason = detail::valid_utf8(effect.reason);
        if (!detail::is_valid_utf8(effect.command)) effect.command = detail::valid_utf8(effect.command);
    }
    const shell::Verdict top = shell::summarize(result.effects);
    result.risk = top.risk;
    result.reason = result.effects.empty() ? "empty command" : top.reason;
    if (!detail::is_valid_utf8(result.reason)) result.reason = detail::valid_utf8(result.reason);
    return result;
}

}  // namespace jitgate::guardrails
