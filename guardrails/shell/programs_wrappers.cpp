// The shell classifier's rules for wrappers that run another command (sudo, su, env, timeout, nice, command,
// busybox, xargs, watch ...).
#include "guardrails/shell/shell_programs.hpp"

#include <algorithm>
#include <array>

namespace jitgate::guardrails::shell::programs {

namespace {

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

}  // namespace

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

}  // namespace jitgate::guardrails::shell::programs
