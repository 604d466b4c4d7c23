// `jitgate serve -c FILE`: loads the config and runs the proxy until SIGTERM/SIGINT (DESIGN §2).
#include "proxy/app/commands.hpp"
#include "proxy/app/hooks.hpp"
#include "proxy/audit/audit_log.hpp"
#include "proxy/control/policy_keeper.hpp"
#include "proxy/runtime/server.hpp"

#include "protocols/postgres/scram.hpp"

#include <boost/asio/ssl/context.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdlib>
#include <iostream>

namespace jitgate::proxy {
namespace {

struct ServeOptions {
    std::string config_path;
    std::string log_level = "info";
};

// Builds the Postgres-side TLS context from tls.cert / tls.key; throws with a clear message.
void load_tls(ServerContext& context, const config::Tls& tls) {
    namespace ssl = boost::asio::ssl;
    auto& ctx = context.tls.emplace(ssl::context::tls_server);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                    ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
    boost::system::error_code ec;
    ctx.use_certificate_chain_file(tls.cert_file.string(), ec);
    if (ec) throw std::runtime_error("tls.cert " + tls.cert_file.string() + ": " + ec.message());
    ctx.use_private_key_file(tls.key_file.string(), ssl::context::pem, ec);
    if (ec) throw std::runtime_error("tls.key " + tls.key_file.string() + ": " + ec.message());
}

int run_serve(const ServeOptions& options) {
    auto logger = spdlog::stderr_color_mt("jitgate");
    spdlog::set_default_logger(logger);
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    spdlog::set_level(spdlog::level::from_str(options.log_level));
    // A file-size limit (ulimit -f) must fail a write with EFBIG, which the audit log and the recordings
    // handle (block, then retry), not kill the proxy and every session with it.
    std::signal(SIGXFSZ, SIG_IGN);

    const config::LoadResult loaded = config::load_file(options.config_path);
    if (!loaded.config) {
        for (const auto& error : loaded.errors) std::cerr << error.to_string() << '\n';
        std::cerr << "jitgate serve: " << options.config_path << " has " << loaded.errors.size()
                  << " error(s); not starting\n";
        return 1;
    }
    auto context = std::make_shared<ServerContext>();
    context->config.store(loaded.config);
    if (hooks().pipeline) {
        // Only the test-only executable sets this hook (tests/support/jitgate_testing.cpp).
        spdlog::warn("a test pipeline replaces the guardrails");
        context->pipeline = hooks().pipeline(*loaded.config);
    } else {
        context->guardrails = std::make_shared<guardrails::GuardrailPipeline>(guardrails::Policy::build(
            loaded.config, {}, make_class_source(*loaded.config), std::chrono::system_clock::now(),
            make_shell_class_source(*loaded.config)));
        context->pipeline = context->guardrails;  // the PolicyKeeper adds the store's grants at start
    }
    context->record = loaded.config->record;
    if (!context->record) spdlog::warn("record: false in the config: sessions are not recorded (the audit log still is)");
    if (context->record) context->recording_writer = std::make_unique<RecordingWriter>();
    AuditLog::Options audit_options;
    audit_options.on_failure = [](const std::string& error) {
        spdlog::error("{}; statements are blocked until it can be written again (each new record retries)", error);
    };
    audit_options.on_recovery = [path = loaded.config->audit_log](std::uint64_t dropped) {
        spdlog::warn("audit log {}: writable again; {} record(s) could not be written meanwhile (an audit_gap "
                     "record says so in the log; the statements they were for were blocked)",
                     path.string(), dropped);
    };
    Result<std::unique_ptr<AuditLog>> audit = AuditLog::open(loaded.config->audit_log, std::move(audit_options));
    if (!audit) {
        spdlog::error("{}", audit.error);
        return 1;
    }
    if (!(*audit.value)->notice().empty()) spdlog::warn("audit log: {}", (*audit.value)->notice());
    context->audit = std::move(*audit.value);
    const auto secret = postgres::make_server_secret();
    if (!secret) {
        spdlog::error("cannot draw random bytes for the SCRAM secret");
        return 1;
    }
    context->scram_secret = *secret;
    try {
        if (loaded.config->tls) load_tls(*context, *loaded.config->tls);
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        return 1;
    }
    spdlog::info("config {} loaded (hash {})", options.config_path, loaded.config->hash.substr(0, 12));
    Server server(std::move(context));
    return server.run();
}

}  // namespace

void add_serve(CLI::App& app, Run& run) {
    auto options = std::make_shared<ServeOptions>();
    options->config_path = default_config_path();
    CLI::App* serve = app.add_subcommand("serve", "Run the proxy (PostgreSQL and SSH listeners) until SIGTERM or SIGINT");
    serve->add_option("-c,--config", options->config_path, "Config file (default: $JITGATE_CONFIG, then ./jitgate.yaml)");
    serve->add_option("--log-level", options->log_level, "trace, debug, info, warn, error")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
    serve->callback([&run, options] { run = [options] { return run_serve(*options); }; });
}

}  // namespace jitgate::proxy
