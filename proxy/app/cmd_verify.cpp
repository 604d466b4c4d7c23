// `jitgate verify FILE` and `verify --audit`: check a session recording's or the audit log's hash chain
// offline, also on a copied file with no config (DESIGN §2, §5). Prints `ok: …` and exits 0, or names the
// first broken record and exits 1. An unsealed recording whose records are all intact exits 0 with
// `ok: unsealed, N records`: a proxy killed mid-session leaves exactly that, and nothing in it was
// altered; the word tells the auditor the end is missing. An argument that is not a file is a session id,
// looked up in the config's state store (find_recording); an unknown id or a missing store exits 1.
#include "config/config.hpp"
#include "proxy/audit/audit_log.hpp"
#include "proxy/app/commands.hpp"
#include "proxy/recording/recording.hpp"
#include "proxy/recording/ssh_recording.hpp"

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
    const std::optional<std::filesystem::path> found = audit_log_path(options.file, options.config_path);
    if (!found) return 1;
    const std::filesystem::path& path = *found;
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

[[nodiscard]] int run_verify_recording(const VerifyOptions& options) {
    const std::optional<std::filesystem::path> recording = find_recording(options.recording, options.config_path);
    if (!recording) return 1;
    const RecordingVerification result = verify_recording(*recording);
    if (result.state != RecordingVerification::State::broken) {  // an SSH session's terminal recordings too
        if (const std::optional<CastCheck> cast = check_casts(*recording)) {
            fmt::print("broken at record {}: {}\n", cast->record, cast->why);
            return 1;
        }
    }
    switch (result.state) {
        case RecordingVerification::State::sealed:
            fmt::print("ok: sealed, {} records\n", result.records);
            return 0;
        case RecordingVerification::State::unsealed:
            fmt::print("ok: unsealed, {} records ({})\n", result.records, result.why);
            return 0;
        case RecordingVerification::State::broken: break;
    }
    if (result.bad_record == 0) {
        fmt::print(stderr, "jitgate: {}\n", result.why);
        return 1;
    }
    fmt::print("broken at record {}: {}\n", result.bad_record, result.why);
    return 1;
}

}  // namespace

void add_verify(CLI::App& app, Run& run) {
    CLI::App* verify = app.add_subcommand(
        "verify", "Check a recording's or the audit log's (--audit) hash chain offline; name the first broken record (exit 1)");
    auto options = std::make_shared<VerifyOptions>();
    verify->add_option("recording", options->recording, "A recording file, or a session id from `jitgate sessions`");
    verify->add_flag("--audit", options->audit, "Verify the audit log");
    verify->add_option("-c,--config", options->config_path,
                       "Config file naming the audit log or the state store that indexes session ids "
                       "(default: $JITGATE_CONFIG, then ./jitgate.yaml)")
        ->capture_default_str();
    verify->add_option("--file", options->file, "Verify this audit log file instead, e.g. a copy; needs no config");
    verify->callback([&run, options] {
        if (!options->recording.empty()) {
            if (options->audit) throw CLI::ValidationError("give a recording or --audit, not both");
            run = [options] { return run_verify_recording(*options); };
            return;
        }
        if (!options->audit) throw CLI::ValidationError("say what to verify: a recording FILE, or --audit");
        run = [options] { return run_verify_audit(*options); };
    });
}

}  // namespace jitgate::proxy
