// `jitgate check -c FILE`: validates a config file, prints every error as FILE:LINE:COL: message and
// exits 1, or prints a one-line summary (never a secret) and exits 0.
#include "config/config.hpp"
#include "proxy/app/commands.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <memory>

namespace jitgate::proxy {
namespace {

[[nodiscard]] std::string count(std::size_t n, std::string_view one, std::string_view many) {
    return fmt::format("{} {}", n, n == 1 ? one : many);
}

[[nodiscard]] std::string summary(const config::Config& config) {
    std::size_t postgres = 0;
    for (const config::Target& target : config.targets) {
        if (target.kind == config::TargetKind::postgres) ++postgres;
    }
    const std::size_t ssh = config.targets.size() - postgres;
    return fmt::format("{}: ok — {} ({} postgres, {} ssh), {}, {}, {}, {}, {}; config hash {}", config.path.string(),
                       count(config.targets.size(), "target", "targets"), postgres, ssh,
                       count(config.users.size(), "user", "users"), count(config.roles.size(), "role", "roles"),
                       count(config.access.size(), "access rule", "access rules"),
                       count(config.grants.size(), "grant", "grants"),
                       count(config.guardrails.size(), "guardrail", "guardrails"), config.hash);
}

[[nodiscard]] int run_check(const std::string& path) {
    const config::LoadResult result = config::load_file(path);
    if (!result.config) {
        for (const config::Diagnostic& error : result.errors) fmt::print(stderr, "{}\n", error.to_string());
        fmt::print(stderr, "{}: {}\n", path, count(result.errors.size(), "error", "errors"));
        return 1;
    }
    fmt::print("{}\n", summary(*result.config));
    return 0;
}

}  // namespace

void add_check(CLI::App& app, Run& run) {
    CLI::App* check = app.add_subcommand("check", "Validate a config file; print every error as FILE:LINE:COL");
    auto path = std::make_shared<std::string>(default_config_path());
    check->add_option("-c,--config", *path, "Config file (default: $JITGATE_CONFIG, then ./jitgate.yaml)")
        ->capture_default_str();
    check->callback([&run, path] { run = [path] { return run_check(*path); }; });
}

}  // namespace jitgate::proxy
