// The checks shell_detail.hpp declares for the classifier and its program handlers: verdicts, path
// normalization and path risk, option scanning, and the variable, arithmetic and name checks.
#include "guardrails/shell/shell_detail.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>

namespace jitgate::guardrails::shell {

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

}  // namespace jitgate::guardrails::shell
