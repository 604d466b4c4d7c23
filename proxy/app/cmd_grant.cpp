// `jitgate grant request|approve|deny|revoke|list`: the command line of the grant lifecycle (DESIGN §4):
// parses the arguments, works out who is acting, calls the grant service (proxy/control/grant_service.hpp,
// where the rules are) on the store the config names, and prints the answer. Safe to run while `serve`
// runs. Refusals print one sentence and exit 1.
// Limits: this is a trust-the-caller CLI until the admin API exists — whoever can run it with the config
// and write the store can claim any --user or --by; the identity defaults to $JITGATE_USER, then the OS
// login name, and a name other than the OS user's is taken only from root. The clock is the system's
// (only the test-only jitgate_testing can fix it, for tests of auto-approval windows).
#include "config/config.hpp"
#include "guardrails/grants.hpp"
#include "proxy/app/commands.hpp"
#include "proxy/app/hooks.hpp"
#include "proxy/control/grant_service.hpp"
#include "proxy/store/open_store.hpp"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

namespace jitgate::proxy {
namespace {

using guardrails::Grant;
using guardrails::GrantStatus;

struct GrantOptions {
    std::string config_path = default_config_path();
    std::string target;
    std::string role;
    std::string duration;
    std::string reason;
    std::string user;     // request: the requester; list: a filter
    std::string id;
    std::string by;
    std::string target_filter;
    bool active = false;
    bool json = false;
};

// Everything a grant step needs: the validated config, the open store, and the service over both.
struct Context {
    std::shared_ptr<const config::Config> config;
    std::unique_ptr<Store> store;
    std::optional<GrantService> service;
};

// The OS user running this command: the only identity the local CLI can prove (until the API's login).
[[nodiscard]] std::string os_user() {
    if (const passwd* entry = ::getpwuid(::geteuid()); entry != nullptr && entry->pw_name != nullptr) {
        return entry->pw_name;
    }
    return {};
}

// Who a grant step acts as: `named` (--user/--by), else $JITGATE_USER, else the OS user. A name other
// than the OS user is taken only from root (an admin acting on the proxy host); anyone else is refused,
// so a local engineer cannot approve as an approver. Empty with `error` set when refused.
[[nodiscard]] std::string acting_identity(const std::string& named, std::string& error) {
    std::string who = named;
    if (who.empty()) {
        if (const char* user = std::getenv("JITGATE_USER"); user != nullptr && *user != '\0') who = user;
    }
    const std::string os = os_user();
    if (who.empty()) who = os;
    if (who.empty()) {
        error = "cannot tell who you are (no OS user name for this uid)";
    } else if (who != os && ::geteuid() != 0) {
        error = fmt::format("you are OS user {}; only root may act as {} (--user/--by/$JITGATE_USER name "
                            "someone else)", os.empty() ? std::string{"(unknown)"} : os, who);
        who.clear();
    }
    return who;
}

[[nodiscard]] std::string format_time(std::optional<config::TimePoint> when) {
    if (!when) return "-";
    const std::time_t seconds = std::chrono::system_clock::to_time_t(*when);
    std::tm utc{};
    ::gmtime_r(&seconds, &utc);
    char text[32];
    const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return std::string{text, n};
}

[[nodiscard]] bool load(const GrantOptions& options, Context& context) {
    config::LoadResult loaded = config::load_file(options.config_path, config::Secrets::skip);
    if (!loaded.config) {
        for (const config::Diagnostic& error : loaded.errors) fmt::print(stderr, "{}\n", error.to_string());
        return false;
    }
    context.config = std::move(loaded.config);
    Result<std::unique_ptr<Store>> store = open_store(context.config->state);
    if (!store) {
        fmt::print(stderr, "jitgate: {}\n", store.error);
        return false;
    }
    context.store = std::move(*store.value);
    context.service.emplace(context.config, *context.store, [] { return cli_now(); });
    return true;
}

[[nodiscard]] int refuse(std::string_view message) {
    fmt::print(stderr, "jitgate: {}\n", message);
    return 1;
}

[[nodiscard]] std::string validity(const Grant& grant) {
    return fmt::format("{} may use {} on {} until {} ({})", grant.user, grant.role, grant.target,
                       format_time(grant.until), config::format_duration(grant.duration));
}

[[nodiscard]] int run_request(const GrantOptions& options) {
    const Result<config::Seconds> duration = config::parse_duration(options.duration);
    if (!duration) return refuse(fmt::format("--for `{}`: {}", options.duration, duration.error));
    std::string error;
    const GrantActor requester{acting_identity(options.user, error), os_user()};
    if (requester.name.empty()) return refuse(error);
    Context context;
    if (!load(options, context)) return 1;
    if (options.user.empty() && context.config->find_user(requester.name) == nullptr) {
        return refuse(fmt::format("{} is not a user in the config (the requester is $JITGATE_USER, else the login "
                                  "name; pass --user)",
                                  requester.name));
    }
    const GrantOutcome stored =
        context.service->request(requester, {options.target, options.role, *duration.value, options.reason});
    if (!stored) return refuse(stored.error);
    const Grant& grant = *stored.grant;
    if (grant.status == GrantStatus::approved) {
        const std::string rule = grant.decided_by.substr(grant.decided_by.find(':') + 1);
        fmt::print("{} approved at once by auto-approval rule {}: {}\n", grant.id, rule, validity(grant));
        return 0;
    }
    const std::vector<std::string> approvers = context.service->approvers_for(grant);
    fmt::print("{} pending: ask one of: {} (jitgate grant approve {} --by NAME)\n", grant.id,
               approvers.empty() ? std::string{"nobody (no approvers listed)"} : fmt::format("{}", fmt::join(approvers, ", ")),
               grant.id);
    return 0;
}

// approve, deny and revoke: one service step on one grant.
using Step = GrantOutcome (GrantService::*)(const GrantActor&, std::string_view);

[[nodiscard]] int run_decision(const GrantOptions& options, Step step, std::string_view verb) {
    std::string error;
    const GrantActor by{acting_identity(options.by, error), os_user()};
    if (by.name.empty()) return refuse(error);
    Context context;
    if (!load(options, context)) return 1;
    const GrantOutcome stored = (*context.service.*step)(by, options.id);
    if (!stored) return refuse(stored.error);
    const Grant& grant = *stored.grant;
    if (grant.status == GrantStatus::approved) {
        fmt::print("{} approved by {}: {}\n", grant.id, by.name, validity(grant));
    } else {
        fmt::print("{} {} by {} ({} {} on {})\n", grant.id, verb, by.name, grant.user, grant.role, grant.target);
    }
    return 0;
}

[[nodiscard]] std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
                } else {
                    out += c;
                }
        }
    }
    return out + "\"";
}

[[nodiscard]] std::string json_time(std::optional<config::TimePoint> when) {
    return when ? json_string(format_time(when)) : std::string{"null"};
}

[[nodiscard]] std::string to_json(const Grant& grant, config::TimePoint now) {
    return fmt::format(
        "{{\"id\":{},\"user\":{},\"target\":{},\"role\":{},\"status\":{},\"source\":{},\"active\":{},"
        "\"requested_at\":{},\"duration\":{},\"decided_at\":{},\"decided_by\":{},\"from\":{},\"until\":{},"
        "\"reason\":{}}}",
        json_string(grant.id), json_string(grant.user), json_string(grant.target), json_string(grant.role),
        json_string(guardrails::to_string(guardrails::status_at(grant, now))),
        json_string(guardrails::to_string(grant.source)), guardrails::in_force(grant, now) ? "true" : "false",
        grant.source == guardrails::GrantSource::store ? json_time(grant.requested_at) : std::string{"null"},
        grant.duration.count() > 0 ? json_string(config::format_duration(grant.duration)) : std::string{"null"}, json_time(grant.decided_at),
        grant.decided_by.empty() ? std::string{"null"} : json_string(grant.decided_by), json_time(grant.from),
        json_time(grant.until), json_string(grant.reason));
}

void print_table(const std::vector<Grant>& grants, config::TimePoint now) {
    using Row = std::array<std::string, 8>;
    std::vector<Row> rows{{"ID", "USER", "TARGET", "ROLE", "STATUS", "UNTIL", "SOURCE", "REASON"}};
    for (const Grant& grant : grants) {
        const GrantStatus status = guardrails::status_at(grant, now);
        std::string until = grant.until ? format_time(grant.until)
                                        : fmt::format("(for {})", config::format_duration(grant.duration));
        rows.push_back({grant.id, grant.user, grant.target, grant.role, std::string{guardrails::to_string(status)},
                        std::move(until), std::string{guardrails::to_string(grant.source)}, grant.reason});
    }
    std::array<std::size_t, 8> width{};
    for (const Row& row : rows) {
        for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
    }
    for (const Row& row : rows) {
        std::string line;
        for (std::size_t i = 0; i + 1 < row.size(); ++i) line += fmt::format("{:<{}}  ", row[i], width[i]);
        line += row.back();
        fmt::print("{}\n", line);
    }
}

[[nodiscard]] int run_list(const GrantOptions& options) {
    Context context;
    if (!load(options, context)) return 1;
    const config::TimePoint now = context.service->now();
    const GrantList listed = context.service->list({options.active, options.user, options.target_filter});
    if (!listed) return refuse(listed.error);
    const std::vector<Grant>& shown = *listed.grants;
    if (options.json) {
        std::string out = "[";
        for (std::size_t i = 0; i < shown.size(); ++i) out += (i == 0 ? "" : ",\n ") + to_json(shown[i], now);
        fmt::print("{}]\n", out);
        return 0;
    }
    if (shown.empty()) {
        fmt::print("no grants{}\n", options.active ? " in force" : "");
        return 0;
    }
    print_table(shown, now);
    return 0;
}

void add_config_option(CLI::App& command, GrantOptions& options) {
    command.add_option("-c,--config", options.config_path, "Config file (default: $JITGATE_CONFIG, then ./jitgate.yaml)")
        ->capture_default_str();
}

}  // namespace

void add_grant(CLI::App& app, Run& run) {
    CLI::App* grant = app.add_subcommand(
        "grant", "Request, approve, deny, revoke and list just-in-time grants in the local state store (as your OS "
                 "user; only root may name another with --user/--by/$JITGATE_USER)");
    grant->require_subcommand(1);
    auto options = std::make_shared<GrantOptions>();

    CLI::App* request = grant->add_subcommand("request", "Ask for a role on a target for a while");
    request->add_option("target", options->target, "The target's name from the config")->required();
    request->add_option("--role", options->role, "The role to request")->required();
    request->add_option("--for", options->duration, "How long, e.g. 30m, 2h, 1h30m")->required();
    request->add_option("--reason", options->reason, "Why (a ticket or incident id)")->required();
    request->add_option("--user", options->user, "Who asks (root only; default: $JITGATE_USER, then your OS user)");
    add_config_option(*request, *options);
    request->callback([&run, options] { run = [options] { return run_request(*options); }; });

    CLI::App* approve = grant->add_subcommand("approve", "Approve a pending grant (not your own)");
    approve->add_option("id", options->id, "The grant id, e.g. g-7f3a9c")->required();
    approve->add_option("--by", options->by, "The approver, one of the rule's approvers (default: $JITGATE_USER, then your OS user; another name: root only)");
    add_config_option(*approve, *options);
    approve->callback([&run, options] {
        run = [options] { return run_decision(*options, &GrantService::approve, "approved"); };
    });

    CLI::App* deny = grant->add_subcommand("deny", "Deny a pending grant (not your own)");
    deny->add_option("id", options->id, "The grant id")->required();
    deny->add_option("--by", options->by, "The approver, one of the rule's approvers (default: $JITGATE_USER, then your OS user; another name: root only)");
    add_config_option(*deny, *options);
    deny->callback([&run, options] { run = [options] { return run_decision(*options, &GrantService::deny, "denied"); }; });

    CLI::App* revoke = grant->add_subcommand("revoke", "End a pending or approved grant now");
    revoke->add_option("id", options->id, "The grant id")->required();
    revoke->add_option("--by", options->by, "Who revokes (root only; default: $JITGATE_USER, then your OS user)");
    add_config_option(*revoke, *options);
    revoke->callback([&run, options] { run = [options] { return run_decision(*options, &GrantService::revoke, "revoked"); }; });

    CLI::App* list = grant->add_subcommand("list", "List grants from the store and the config");
    list->add_flag("--active", options->active, "Only grants in force now");
    list->add_option("--user", options->user, "Only this user's grants");
    list->add_option("--target", options->target_filter, "Only grants on this target");
    list->add_flag("--json", options->json, "Print a JSON array");
    add_config_option(*list, *options);
    list->callback([&run, options] { run = [options] { return run_list(*options); }; });
}

}  // namespace jitgate::proxy
