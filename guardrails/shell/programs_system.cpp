// The shell classifier's rules for system administration tools (kill, userdel, shutdown, sysctl, ip,
// crontab, tar, compressors, openssl, dd, disk tools, at, eval ...).
#include "guardrails/shell/shell_programs.hpp"

#include <algorithm>
#include <array>

namespace jitgate::guardrails::shell::programs {

namespace {

// Whether the signal, given first (-0, -s 0, -n 0, --signal=0, -SIG0), is signal 0: the process is looked
// up, not signalled. Only the first argument counts: in `kill -9 -0` the -0 is process group 0.
bool signal_zero(Args args) {
    if (args.empty() || !args[0].literal()) return false;
    const std::string& a = args[0].value;
    if (a == "-0" || a == "-SIG0" || a == "--signal=0" || a == "-s0" || a == "-n0") return true;
    return (a == "-s" || a == "-n" || a == "--signal") && args.size() > 1 && args[1].literal() && args[1].value == "0";
}

}  // namespace

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

}  // namespace jitgate::guardrails::shell::programs
