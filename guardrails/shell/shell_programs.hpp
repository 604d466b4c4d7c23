// Internal to the shell classifier: the helpers the program-family files (programs_*.cpp) share and the
// handlers they define, which the rule table in shell_programs.cpp names. Not part of jitgate_guardrails' API.
#pragma once

#include "guardrails/shell/shell_detail.hpp"

#include <algorithm>
#include <initializer_list>
#include <string>
#include <string_view>

namespace jitgate::guardrails::shell::programs {

inline constexpr RiskClass R = RiskClass::read;
inline constexpr RiskClass W = RiskClass::write;
inline constexpr RiskClass A = RiskClass::admin;
inline constexpr RiskClass X = RiskClass::destructive;
inline constexpr RiskClass U = RiskClass::unknown;

inline std::string str(std::string_view s) { return std::string(s); }

inline bool one_of(std::string_view word, std::initializer_list<std::string_view> list) {
    return std::find(list.begin(), list.end(), word) != list.end();
}

// The first operand that is a literal word, its index among operands, or nullptr.
inline const Word* first_operand(const ScannedArgs& scanned) { return scanned.operands.empty() ? nullptr : scanned.operands.front(); }

// A subcommand that cannot be read statically: the program's worst case.
inline Verdict dynamic_subcommand(std::string_view program, const Word& word, RiskClass worst) {
    return verdict(worst, str(program) + " with a subcommand `" + word.raw + "` not known statically");
}

// Everything after index `from` in `args`, as its own argv (a wrapped command).
inline Args tail(Args args, std::size_t from) { return from >= args.size() ? Args{} : args.subspan(from); }

// At least `floor`; the inner command's reason when it is as high (sudo systemctl restart names systemctl).
inline Verdict lift(RiskClass floor, std::string floor_reason, const Verdict& inner) {
    Verdict v = inner;
    if (risk_rank(inner.risk) < risk_rank(floor)) {
        v.risk = floor;
        v.reason = std::move(floor_reason);
    }
    if (risk_rank(v.stdin_floor) < risk_rank(floor)) v.stdin_floor = floor;
    return v;
}

// The context a wrapper's --chdir DIR (env -C, sudo -D) runs its command in.
inline Context moved_to(const Context& ctx, const Option* chdir) {
    if (chdir == nullptr) return ctx;
    if (!chdir->value_literal || chdir->value.empty()) return Context(ctx.tables(), ctx.depth(), "?");
    if (chdir->value.front() == '/') return Context(ctx.tables(), ctx.depth(), chdir->value);
    return Context(ctx.tables(), ctx.depth(), "?");
}

inline Verdict wrapped(std::string_view program, Args command, const Context& ctx) {
    Verdict inner = ctx.argv(command);
    if (!command.empty()) inner.reason = str(program) + " → " + inner.reason;
    return inner;
}

// Joins words as the remote or inner shell sees them (ssh and watch join their arguments with spaces).
inline bool join_literal(Args words, std::string& out) {
    for (const Word& word : words) {
        if (!word.literal()) return false;
        if (!out.empty()) out += ' ';
        out += word.value;
    }
    return true;
}

// Whether `name` is one of the space-separated `names`.
inline bool in_names(std::string_view names, std::string_view name) {
    while (!names.empty()) {
        const std::size_t space = names.find(' ');
        if (names.substr(0, space) == name) return true;
        names = space == std::string_view::npos ? std::string_view{} : names.substr(space + 1);
    }
    return false;
}

// A word made from an option's value (-v NAME, -o FILE), for the checks that take words.
inline Word option_word(const Option& o) {
    Word word;
    word.value = o.value;
    word.raw = o.value;
    word.expands = !o.value_literal;
    return word;
}

// DESIGN §4: a hop to another host leaves the target the grant names, so it is at least admin whatever it
// runs there. The server side of a transfer that a client runs on this target (scp -t/-f, rsync --server,
// git-upload-pack/git-receive-pack) is not a hop: it is judged by direction.
inline constexpr char hop_reason[] = " leaves the target (a hop to another host)";

// Defined in programs_files.cpp:
Verdict handle_rm(std::string_view program, Args args, const Context& ctx);
Verdict handle_copy(std::string_view program, Args args, const Context& ctx);
Verdict handle_create(std::string_view program, Args args, const Context& ctx);
Verdict handle_chmod(std::string_view program, Args args, const Context& ctx);

// Defined in programs_text.cpp:
Verdict handle_sed(std::string_view program, Args args, const Context& ctx);
Verdict handle_awk(std::string_view program, Args args, const Context& ctx);
Verdict handle_find(std::string_view program, Args args, const Context& ctx);
Verdict handle_sort(std::string_view program, Args args, const Context& ctx);
Verdict handle_options(std::string_view program, Args args, const Context& ctx);
Verdict handle_split(std::string_view program, Args args, const Context& ctx);
Verdict handle_xxd(std::string_view program, Args args, const Context& ctx);
Verdict handle_pager(std::string_view program, Args args, const Context& ctx);
Verdict handle_man(std::string_view program, Args args, const Context&);
Verdict handle_yq(std::string_view program, Args args, const Context& ctx);
Verdict handle_sar(std::string_view program, Args args, const Context& ctx);
Verdict handle_systemd_analyze(std::string_view program, Args args, const Context&);

// Defined in programs_wrappers.cpp:
Verdict handle_wrapper(std::string_view program, Args args, const Context& ctx);
Verdict handle_sudo(std::string_view program, Args args, const Context& ctx);
Verdict handle_su(std::string_view program, Args args, const Context& ctx);
Verdict handle_env(std::string_view program, Args args, const Context& ctx);
Verdict handle_command(std::string_view program, Args args, const Context& ctx);
Verdict handle_busybox(std::string_view program, Args args, const Context& ctx);
Verdict handle_xargs(std::string_view, Args args, const Context& ctx);
Verdict handle_watch(std::string_view program, Args args, const Context& ctx);

// Defined in programs_builtins.cpp:
Verdict handle_shell(std::string_view program, Args args, const Context& ctx);
Verdict handle_interpreter(std::string_view program, Args args, const Context&);
Verdict handle_builtin_assign(std::string_view program, Args args, const Context& ctx);
Verdict handle_printf(std::string_view program, Args args, const Context&);
Verdict handle_read(std::string_view program, Args args, const Context&);
Verdict handle_mapfile(std::string_view program, Args args, const Context&);
Verdict handle_let(std::string_view program, Args args, const Context&);
Verdict handle_unset(std::string_view program, Args args, const Context&);
Verdict handle_declare(std::string_view program, Args args, const Context&);
Verdict handle_getopts(std::string_view program, Args args, const Context&);
Verdict handle_wait(std::string_view program, Args args, const Context&);
Verdict handle_test(std::string_view program, Args args, const Context&);
Verdict handle_set(std::string_view program, Args args, const Context&);
Verdict handle_shopt(std::string_view program, Args args, const Context& ctx);
Verdict handle_jobs(std::string_view program, Args args, const Context& ctx);
Verdict handle_history(std::string_view program, Args args, const Context&);

// Defined in programs_network.cpp:
Verdict handle_ssh(std::string_view program, Args args, const Context& ctx);
Verdict handle_scp(std::string_view program, Args args, const Context& ctx);
Verdict handle_rsync_server(std::string_view program, Args args, const Context& ctx);
Verdict handle_rsync(std::string_view program, Args args, const Context& ctx);
Verdict handle_git_transport(std::string_view program, Args args, const Context& ctx);
Verdict handle_netcat(std::string_view program, Args args, const Context& ctx);
Verdict handle_socat(std::string_view program, Args args, const Context& ctx);
Verdict handle_telnet(std::string_view program, Args args, const Context& ctx);
Verdict handle_curl(std::string_view program, Args args, const Context& ctx);
Verdict handle_wget(std::string_view program, Args args, const Context& ctx);

// Defined in programs_services.cpp:
Verdict handle_systemctl(std::string_view program, Args args, const Context&);
Verdict handle_service(std::string_view program, Args args, const Context&);
Verdict handle_ctl(std::string_view program, Args args, const Context&);
Verdict handle_journalctl(std::string_view program, Args args, const Context&);
Verdict handle_kubectl(std::string_view program, Args args, const Context& ctx);
Verdict handle_docker(std::string_view program, Args args, const Context& ctx);
Verdict handle_compose(std::string_view program, Args args, const Context&);
Verdict handle_helm(std::string_view program, Args args, const Context&);
Verdict handle_terraform(std::string_view program, Args args, const Context&);
Verdict handle_git(std::string_view program, Args args, const Context& ctx);
Verdict handle_package(std::string_view program, Args args, const Context&);
Verdict handle_dpkg(std::string_view program, Args args, const Context&);

// Defined in programs_system.cpp:
Verdict handle_kill(std::string_view program, Args args, const Context&);
Verdict handle_userdel(std::string_view program, Args args, const Context&);
Verdict handle_shutdown(std::string_view program, Args args, const Context&);
Verdict handle_sysctl(std::string_view program, Args args, const Context&);
Verdict handle_hostname(std::string_view program, Args args, const Context&);
Verdict handle_date(std::string_view program, Args args, const Context&);
Verdict handle_ip(std::string_view program, Args args, const Context& ctx);
Verdict handle_dmesg(std::string_view program, Args args, const Context&);
Verdict handle_crontab(std::string_view program, Args args, const Context&);
Verdict handle_tar(std::string_view program, Args args, const Context& ctx);
Verdict handle_compress(std::string_view program, Args args, const Context& ctx);
Verdict handle_openssl(std::string_view program, Args args, const Context& ctx);
Verdict handle_dd(std::string_view program, Args args, const Context&);
Verdict handle_mkfs(std::string_view program, Args, const Context&);
Verdict handle_disk_tool(std::string_view program, Args args, const Context&);
Verdict handle_at(std::string_view program, Args args, const Context&);
Verdict handle_eval(std::string_view program, Args args, const Context& ctx);

}  // namespace jitgate::guardrails::shell::programs
