// `jitgate verify --audit`: checks the audit log's hash chain offline, also on a copied file with
// `--file` and no config (DESIGN §2, §5). Prints `ok: N records` and exits 0, or names the first broken
// record and exits 1. Session recordings (`verify ID|FILE`) are not built yet and say so with exit 2.
#include "config/config.hpp"
#include "proxy/audit_log.hpp"
#include "proxy/commands.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

namespace jitgate::proxy {
namespace {

struct VerifyOptions {
    std::string recording;
    bool audit = false;
    std::string config_path = default_config_path();
    std::string file;
};

[[nodiscard]] int run_verify_audit(const VerifyOptions& options) {
    std::filesystem::path path = options.file;
    if (path.empty()) {
        const config::LoadResult loaded = config::load_file(options.config_path, config::Secrets::skip);
        if (!loaded.config) {
            for (const config::Diagnostic& error : loaded.errors) fmt::print(stderr, "{}\n", error.to_string());
            return 1;
        }
        path = loaded.config->audit_log;
    }
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        fmt::print(stderr, "jitgate: audit log {} does not exist\n", path.string());
        return 1;
    }
    const AuditVerification result = verify_audit(path);
    if (result.ok) {
        fmt::print("ok: {} records, last sha256 {}\n", result.records, result.last_hash);
        return 0;
    }
    if (result.line == 0) {
        fmt::print(stderr, "jitgate: {}\n", result.why);
        return 1;
    }
    fmt::print("broken at line {} (seq {}): {}\n", result.line, result.seq, result.why);
    return 1;
}

}  // namespace

void add_verify(CLI::App& app, Run& run) {
    CLI::App* verify = app.add_subcommand(
        "verify", "Check a hash chain offline and name the first broken record (exit 1): the audit log with --audit");
    auto options = std::make_shared<VerifyOptions>();
    verify->add_option("recording", options->recording, "A session id or recording file (not built yet)");
    verify->add_flag("--audit", options->audit, "Verify the audit log");
    verify->add_option("-c,--config", options->config_path,
                       "Config file naming the audit log (default: $JITGATE_CONFIG, then ./jitgate.yaml)")
        ->capture_default_str();
    verify->add_option("--file", options->file, "Verify this audit log file instead, e.g. a copy; needs no config");
    verify->callback([&run, options] {
        if (!options->recording.empty()) {
            run = [] {
                fmt::print(stderr, "jitgate: verifying session recordings is not built yet; only `jitgate verify "
                                   "--audit` is\n");
                return 2;
            };
            return;
        }
        if (!options->audit) throw CLI::ValidationError("say what to verify: --audit (recordings are not built yet)");
        run = [options] { return run_verify_audit(*options); };
    });
}

}  // namespace jitgate::proxy
