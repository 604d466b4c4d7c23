// The shell classifier's rules for service, container, deployment, version-control and package tools judged
// by subcommand (systemctl, kubectl, docker, helm, terraform, git, apt, dpkg ...).
#include "guardrails/shell/shell_programs.hpp"

#include <algorithm>
#include <array>

namespace jitgate::guardrails::shell::programs {

namespace {

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

}  // namespace

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

namespace {

constexpr SubcommandRule ctl_status_rules[] = {
    {"status show list* --help help --version", R, "only reads"},
};

}  // namespace

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

namespace {

constexpr SubcommandRule kubectl_rules[] = {
    {"get describe logs log top explain api-resources api-versions version cluster-info events diff wait completion "
     "options help plugin kustomize",
     R, "only reads"},
    {"apply create patch label annotate set edit replace cp expose run autoscale", W, "changes cluster objects"},
    {"scale cordon uncordon drain taint certificate port-forward proxy debug", A, "changes how the cluster runs"},
    {"delete", X, "deletes cluster objects"},
    {"attach", U, "attaches to a container's process"},
};

}  // namespace

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

namespace {

constexpr SubcommandRule docker_rules[] = {
    {"ps logs inspect images version info stats top port diff history events search ls", R, "only reads"},
    {"pull build buildx tag create cp commit push save load import login logout export", W, "writes images or files"},
    {"start stop restart kill pause unpause update rename wait attach network volume swarm service stack node config secret context plugin", A, "changes running containers"},
    {"run exec", A, "runs a container"},
    {"rm rmi prune", X, "removes containers or images"},
};

}  // namespace

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

namespace {

constexpr SubcommandRule compose_rules[] = {
    {"ps logs config ls images top version port events", R, "only reads"},
    {"pull build create push cp", W, "writes images or files"},
    {"up start stop restart kill pause unpause scale", A, "changes running services"},
    {"down rm", X, "removes containers"},
    {"run exec", U, "runs a command in a service container"},
};

}  // namespace

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

namespace {

constexpr SubcommandRule helm_rules[] = {
    {"list ls status get history show search template version lint env help verify dependency repo completion", R, "only reads"},
    {"pull package push fetch", W, "writes charts"},
    {"install upgrade rollback test plugin registry", A, "changes a release"},
    {"uninstall delete del un", X, "removes a release"},
};

}  // namespace

Verdict handle_helm(std::string_view program, Args args, const Context&) {
    const ScannedArgs s = scan_args(args, {"nf", "namespace kube-context kubeconfig values set set-string version repo", "", false});
    return by_subcommand(program, s, helm_rules, U, R, "prints its help");
}

namespace {

constexpr SubcommandRule terraform_rules[] = {
    {"plan show validate output version providers graph fmt console help", R, "only reads"},
    {"init get login logout workspace", W, "writes local state"},
    {"apply import taint untaint refresh force-unlock", A, "changes infrastructure"},
    {"destroy", X, "destroys infrastructure"},
};

}  // namespace

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

}  // namespace jitgate::guardrails::shell::programs
