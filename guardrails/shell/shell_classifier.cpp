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

}  // namespace

std::string normalize_path(std::string_view path) {
    const bool absolute = !path.empty() && path.front() == '/';
    std::vector<std::string_view> parts;
    std::size_t i = 0;
    while (i <= path.size()) {
        const std::size_t end = std::min(path.find('/', i), path.size());
        const std::string_view part = path.substr(i, end - i);
        if (part == "..") {
            if (!parts.empty() && parts.back() != "..") parts.pop_back();
            else if (!absolute) parts.push_back(part);
        } else if (!part.empty() && part != ".") {
            parts.push_back(part);
        }
        i = end + 1;
    }
    std::string out = absolute ? "/" : "";
    for (std::size_t k = 0; k < parts.size(); ++k) {
        if (k > 0) out += '/';
        out.append(parts[k]);
    }
    if (out.empty()) out = ".";
    return out;
}

namespace {

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


}  // namespace

void Verdict::raise(const Verdict& other) {
    const RiskClass before = reason.empty() && risk == RiskClass::read ? RiskClass::read : risk;
    if (risk_rank(other.risk) > risk_rank(risk) || (reason.empty() && !other.reason.empty() && other.risk == risk)) {
        risk = other.risk;
        reason = other.reason;
    }
    if (other.stdin_code != StdinCode::none) {
        stdin_floor = risk_rank(before) >= risk_rank(other.stdin_floor) ? before : other.stdin_floor;
        stdin_code = other.stdin_code;
    }
}

void Verdict::raise(RiskClass risk_, std::string reason_) { raise(verdict(risk_, std::move(reason_))); }

Verdict verdict(RiskClass risk, std::string reason) {
    Verdict v;
    v.risk = risk;
    v.reason = std::move(reason);
    return v;
}

std::string describe(Args argv, std::size_t max_chars) {
    std::string out;
    for (const Word& word : argv) {
        if (!out.empty()) out += ' ';
        out += word.raw;
        if (out.size() > max_chars) break;
    }
    for (char& c : out) {
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    }
    if (out.size() > max_chars) out = out.substr(0, max_chars - 3) + "...";
    return out;
}

// IFS is not here: it changes how expansions split, and an expansion is never taken as known anyway.
bool is_dangerous_variable(std::string_view name) noexcept {
    static constexpr std::string_view exact[] = {
        "PATH", "BASH_ENV", "ENV", "PROMPT_COMMAND", "PS0", "PS1", "PS2", "PS4", "SHELLOPTS", "BASHOPTS",
        "PAGER", "GIT_PAGER", "MANPAGER", "SYSTEMD_PAGER", "EDITOR", "VISUAL", "GIT_EDITOR", "SUDO_EDITOR",
        "GIT_SSH", "GIT_SSH_COMMAND", "GIT_EXTERNAL_DIFF", "GIT_ASKPASS", "SSH_ASKPASS", "SUDO_ASKPASS",
        "GIT_EXEC_PATH", "GIT_PROXY_COMMAND", "PERL5OPT", "PERL5LIB", "PERLLIB", "PYTHONPATH", "PYTHONSTARTUP",
        "PYTHONHOME", "NODE_OPTIONS", "NODE_PATH", "RUBYOPT", "RUBYLIB", "LESSOPEN", "LESSCLOSE",
        "KUBECTL_EXTERNAL_DIFF", "KUBE_EDITOR", "BROWSER", "TERMINFO", "GCONV_PATH", "HOSTALIASES",
        "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_DIR", "GIT_TEMPLATE_DIR",
        "SHELL", "CDPATH", "HOME", "BASH_CMDS", "BASH_ALIASES", "BASH_LOADABLES_PATH", "BASH_COMPAT"};
    for (const std::string_view candidate : exact) {
        if (name == candidate) return true;
    }
    return name.starts_with("LD_") || name.starts_with("BASH_FUNC_") || name.starts_with("GIT_CONFIG_") ||
           name.starts_with("DYLD_");
}

bool is_history_variable(std::string_view name) noexcept {
    return name == "HISTFILE" || name == "HISTSIZE" || name == "HISTFILESIZE" || name == "HISTCONTROL" ||
           name == "HISTIGNORE";
}

Verdict history_variable_risk(std::string_view doing, std::string_view name, std::string_view value, bool known) {
    if (!is_history_variable(name)) return {};
    if (known) {
        const bool number = !value.empty() && value.find_first_not_of("0123456789") == std::string_view::npos;
        if ((name == "HISTSIZE" || name == "HISTFILESIZE") && number && value.find_first_not_of('0') != std::string_view::npos) {
            return {};
        }
        if (name == "HISTCONTROL" && value.find("ignorespace") == std::string_view::npos &&
            value.find("ignoreboth") == std::string_view::npos) {
            return {};
        }
        if (name == "HISTIGNORE" && value.empty()) return {};
    }
    return verdict(RiskClass::admin, std::string(doing) + " " + std::string(name) + " hides commands from the shell history");
}

bool is_integer_variable(std::string_view name) noexcept {
    return name == "RANDOM" || name == "SRANDOM" || name == "OPTIND" || name == "HISTCMD" || name == "BASHPID";
}

std::size_t integer_expansion_length(std::string_view text) noexcept {
    if (text.size() >= 2 && text[0] == '$' && std::string_view("#?$!").find(text[1]) != std::string_view::npos) return 2;
    if (text.starts_with("${#") && text.size() > 4) {  // ${#NAME}: a length
        std::size_t i = 3;
        while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) != 0 || text[i] == '_')) ++i;
        if (i < text.size() && text[i] == '}' && is_plain_name(text.substr(3, i - 3))) return i + 1;
    }
    return 0;
}

bool constant_arithmetic(std::string_view text) noexcept {
    static constexpr std::string_view operators = " \t\n+-*/%<>=!&|^~?:,()";
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (const std::size_t n = integer_expansion_length(text.substr(i)); n > 0) {
            i += n;
        } else if (c >= '0' && c <= '9') {  // a number: 10, 0x1f, 017, 2#101, 64#@_ (a name cannot start with a digit)
            while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) != 0 || text[i] == '#' ||
                                       text[i] == '@' || text[i] == '_')) {
                ++i;
            }
        } else if (operators.find(c) != std::string_view::npos) {
            ++i;
        } else {
            return false;
        }
    }
    return true;
}

bool is_plain_name(std::string_view text) noexcept {
    if (text.empty() || !(std::isalpha(static_cast<unsigned char>(text.front())) != 0 || text.front() == '_')) return false;
    for (const char c : text) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_')) return false;
    }
    return true;
}

namespace {
std::string shorten(std::string_view text, std::size_t max_chars = 60) {
    std::string out(text.substr(0, max_chars));
    for (char& c : out) {
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    }
    if (text.size() > max_chars) out += "...";
    return out;
}
}  // namespace

Verdict evaluation_risk(const Evaluation& evaluation) {
    for (const std::string& text : evaluation.arithmetic) {
        if (!constant_arithmetic(text)) {
            return verdict(RiskClass::unknown, "bash evaluates `" + shorten(text) +
                                                   "` as arithmetic, and a variable or subscript there can run code");
        }
    }
    for (const std::string& name : evaluation.assigned) {
        if (is_dangerous_variable(name) || is_integer_variable(name)) {
            return verdict(RiskClass::unknown, "${" + name + ":=...} assigns " + name + ", which changes what later commands run");
        }
    }
    if (evaluation.value_is_code) {
        return verdict(RiskClass::unknown, "a ${!name}, ${name@P} or unread ${ } expansion takes a value as a name or as code");
    }
    return {};
}

Verdict name_operand_risk(std::string_view program, const Word& word, bool with_value, bool assigns) {
    const std::string& v = word.value;
    const auto refuse = [&](std::string_view why) {
        return verdict(RiskClass::unknown, std::string(program) + " takes `" + shorten(word.raw) + "` as a variable name " +
                                               std::string(why));
    };
    std::size_t i = 0;
    while (i < v.size() && (std::isalnum(static_cast<unsigned char>(v[i])) != 0 || v[i] == '_')) ++i;
    const std::string_view name = std::string_view(v).substr(0, i);
    if (!is_plain_name(name)) return refuse("that is not a plain name");
    if (i < v.size() && v[i] == '[') {
        const std::size_t close = v.find(']', i);
        if (close == std::string::npos) return refuse("with an unclosed subscript");
        const std::string_view subscript = std::string_view(v).substr(i + 1, close - i - 1);
        if (subscript != "@" && subscript != "*" && (subscript.empty() || !constant_arithmetic(subscript))) {
            return refuse("and evaluates its subscript as arithmetic, which can run code");
        }
        i = close + 1;
    }
    bool has_value = false;
    std::string_view value;
    if (with_value && i < v.size() && (v[i] == '=' || (v[i] == '+' && i + 1 < v.size() && v[i + 1] == '='))) {
        has_value = true;
        value = std::string_view(v).substr(v[i] == '=' ? i + 1 : i + 2);
        i = v.size();
    }
    if (i != v.size()) return refuse("that is not a plain name");
    if (!has_value && !word.literal()) return refuse("that is not known statically");
    if (!assigns) return {};
    // read NAME, printf -v NAME ... assign what they read; declare NAME alone assigns nothing.
    if (has_value || !with_value) {
        Verdict history = history_variable_risk(program, name, value, has_value && word.literal());
        if (history.risk != RiskClass::read) return history;
    }
    if (is_dangerous_variable(name)) {
        return verdict(RiskClass::unknown, std::string(program) + " " + std::string(name) + " changes what later commands run");
    }
    if (is_integer_variable(name) &&
        !(has_value && word.literal() && !value.empty() && value.find_first_not_of("0123456789") == std::string_view::npos)) {
        return verdict(RiskClass::unknown, std::string(program) + " " + std::string(name) +
                                               ": bash evaluates what is assigned to it as arithmetic");
    }
    return {};
}

const Option* ScannedArgs::find(std::string_view name) const noexcept {
    for (const Option& option : options) {
        if (option.name == name) return &option;
    }
    return nullptr;
}

const Option* ScannedArgs::find_any(std::string_view names) const noexcept {
    while (!names.empty()) {
        const std::size_t space = names.find(' ');
        const std::string_view name = names.substr(0, space);
        if (const Option* option = find(name)) return option;
        names = space == std::string_view::npos ? std::string_view{} : names.substr(space + 1);
    }
    return nullptr;
}

namespace {
bool in_list(std::string_view list, std::string_view name) {
    while (!list.empty()) {
        const std::size_t space = list.find(' ');
        if (list.substr(0, space) == name) return true;
        list = space == std::string_view::npos ? std::string_view{} : list.substr(space + 1);
    }
    return false;
}
}  // namespace

ScannedArgs scan_args(Args args, const OptionSpec& spec) {
    ScannedArgs out;
    out.rest = args.size();
    for (std::size_t i = 0; i < args.size(); ++i) {
        const Word& word = args[i];
        const std::string& value = word.value;
        if (out.dashdash || value.size() < 2 || value.front() != '-' || word.starts_with_expansion) {
            if (word.may_be_option() && !out.dashdash) out.dynamic = true;
            if (spec.stop_at_operand) {
                out.rest = i;
                for (std::size_t k = i; k < args.size(); ++k) out.operands.push_back(&args[k]);
                return out;
            }
            out.operands.push_back(&word);
            continue;
        }
        if (word.may_be_option()) out.dynamic = true;
        if (value == "--") {
            out.dashdash = true;
            if (spec.stop_at_operand) {
                out.rest = i + 1;
                for (std::size_t k = i + 1; k < args.size(); ++k) out.operands.push_back(&args[k]);
                return out;
            }
            continue;
        }
        if (value.starts_with("--")) {
            Option option;
            const std::size_t eq = value.find('=');
            option.name = value.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
            if (eq != std::string::npos) {
                option.value = value.substr(eq + 1);
                option.has_value = true;
                option.value_literal = word.literal();
            } else if (in_list(spec.long_with_value, option.name) && i + 1 < args.size()) {
                option.value = args[i + 1].value;
                option.has_value = true;
                option.value_literal = args[i + 1].literal();
                ++i;
            }
            out.options.push_back(std::move(option));
            continue;
        }
        for (std::size_t j = 1; j < value.size(); ++j) {
            Option option;
            option.name = std::string(1, value[j]);
            option.value_literal = word.literal();
            const bool takes_value = spec.short_with_value.find(value[j]) != std::string_view::npos;
            const bool optional = spec.short_optional.find(value[j]) != std::string_view::npos;
            if (takes_value || optional) {
                if (j + 1 < value.size()) {
                    option.value = value.substr(j + 1);
                    option.has_value = true;
                } else if (takes_value && i + 1 < args.size()) {
                    option.value = args[i + 1].value;
                    option.has_value = true;
                    option.value_literal = args[i + 1].literal();
                    ++i;
                }
                out.options.push_back(std::move(option));
                break;
            }
            out.options.push_back(std::move(option));
        }
    }
    return out;
}

Verdict literal_path_risk(std::string_view raw_path, std::string_view doing, bool is_glob) {
    std::string path(raw_path);
    if (is_glob) {  // judge the directory the glob expands in
        const std::size_t glob = path.find_first_of("*?[");
        const std::size_t slash = path.rfind('/', glob);
        path = slash == std::string::npos ? "." : path.substr(0, slash + 1);
    }
    const std::string normal = normalize_path(path);
    static constexpr std::string_view harmless[] = {"/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty", "/dev/zero"};
    for (const std::string_view h : harmless) {
        if (normal == h) return verdict(RiskClass::read, std::string(doing) + " " + normal + " changes nothing");
    }
    if (normal.starts_with("/dev/fd/") || normal.starts_with("/proc/self/fd/")) {
        return verdict(RiskClass::read, std::string(doing) + " a file descriptor changes nothing");
    }
    static constexpr std::string_view system_dirs[] = {"/etc", "/boot", "/sys", "/proc", "/bin", "/sbin", "/lib",
                                                       "/lib32", "/lib64", "/libx32", "/usr", "/root/.ssh",
                                                       "/var/spool/cron", "/var/lib", "/dev/disk", "/dev/mapper",
                                                       "/efi", "/var/log"};
    if (normal == "/") return verdict(RiskClass::destructive, std::string(doing) + " the root directory");
    for (const std::string_view dir : system_dirs) {
        if (normal == dir || (normal.starts_with(dir) && normal.size() > dir.size() && normal[dir.size()] == '/')) {
            return verdict(RiskClass::destructive, std::string(doing) + " " + normal + ", a system path");
        }
    }
    static constexpr std::string_view devices[] = {"/dev/sd", "/dev/hd", "/dev/vd", "/dev/xvd", "/dev/nvme",
                                                   "/dev/mmcblk", "/dev/dm-", "/dev/md", "/dev/loop", "/dev/mem",
                                                   "/dev/kmem", "/dev/port", "/dev/sg", "/dev/sr", "/dev/root",
                                                   "/dev/rbd", "/dev/zd", "/dev/bcache", "/dev/nbd", "/dev/mtd"};
    for (const std::string_view device : devices) {
        if (normal.starts_with(device)) {
            return verdict(RiskClass::destructive, std::string(doing) + " " + normal + ", a disk or memory device");
        }
    }
    if (normal.find(".ssh/") != std::string::npos || normal.ends_with("/.ssh") || normal == ".ssh" ||
        normal.find("sudoers") != std::string::npos) {
        return verdict(RiskClass::admin, std::string(doing) + " " + normal + ", which grants access");
    }
    // Files whose content runs later: shell start-up files, git hooks, autostart entries.
    const std::string_view base = std::string_view(normal).substr(normal.rfind('/') == std::string::npos ? 0 : normal.rfind('/') + 1);
    static constexpr std::string_view startup[] = {".bashrc", ".bash_profile", ".bash_login", ".bash_logout", ".profile",
                                                   ".zshrc", ".zprofile", ".zshenv", ".zlogin", ".cshrc", ".tcshrc",
                                                   ".kshrc", ".mkshrc", ".bash_aliases", ".pam_environment"};
    for (const std::string_view name : startup) {
        if (base == name) return verdict(RiskClass::admin, std::string(doing) + " " + normal + ", which runs at login");
    }
    // A shell's history file: replacing or rewriting it hides one's tracks (DESIGN §4: admin).
    static constexpr std::string_view histories[] = {".bash_history", ".zsh_history", ".sh_history", ".history",
                                                     ".ash_history", ".mksh_history"};
    for (const std::string_view name : histories) {
        if (base == name) return verdict(RiskClass::admin, std::string(doing) + " " + normal + ", which hides the shell history");
    }
    if (normal.find(".git/hooks") != std::string::npos || normal.find("/autostart/") != std::string::npos ||
        normal.starts_with("/dev/watchdog")) {
        return verdict(normal.starts_with("/dev/watchdog") ? RiskClass::destructive : RiskClass::admin,
                       std::string(doing) + " " + normal + (normal.starts_with("/dev/watchdog") ? ", which can reboot the machine" : ", which runs later"));
    }
    return verdict(RiskClass::write, std::string(doing) + " " + normal);
}

Verdict path_write_risk(const Word& path, std::string_view doing, bool can_destroy) {
    if (path.expands || path.brace) {
        return verdict(can_destroy ? RiskClass::destructive : RiskClass::write,
                       std::string(doing) + " `" + path.raw + "`, a path not known statically");
    }
    return literal_path_risk(path.value, doing, path.glob);
}

Verdict Context::write_risk(const Word& path, std::string_view doing, bool can_destroy) const {
    const bool relative = !path.value.empty() && path.value.front() != '/' && path.value.front() != '~';
    if (!relative || !path.literal() || cwd_.empty()) return path_write_risk(path, doing, can_destroy);
    if (cwd_ == "?") {
        return verdict(can_destroy ? RiskClass::destructive : RiskClass::write,
                       std::string(doing) + " `" + path.raw + "` after a cd the classifier cannot follow");
    }
    return literal_path_risk(cwd_ + "/" + path.value, doing, path.glob);
}

namespace {

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
