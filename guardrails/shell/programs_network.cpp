// The shell classifier's rules for programs that reach other hosts (ssh, scp, rsync, git's transports, nc,
// socat, telnet, curl, wget).
#include "guardrails/shell/shell_programs.hpp"

#include <algorithm>
#include <array>

namespace jitgate::guardrails::shell::programs {

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

namespace {

// An scp or rsync operand on another host: user@host:path, host:path, [v6]:path (a colon before any slash),
// host::module, scp:// and rsync:// URLs; or one whose value is not known statically and may be one.
bool remote_operand(const Word& word) {
    const std::string& v = word.value;
    if (v.starts_with("scp://") || v.starts_with("rsync://")) return true;
    const std::size_t colon = v.find(':');
    if (colon != std::string::npos && colon < v.find('/')) return true;
    return !word.literal() && !v.starts_with("/") && !v.starts_with("./") && !v.starts_with("~/");
}

}  // namespace

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

}  // namespace jitgate::guardrails::shell::programs
