// The subcommands of the jitgate executable (DESIGN §2): each file cmd_NAME.cpp adds one to the app.
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace jitgate::proxy {

// Set by the chosen subcommand's callback; main runs it after parsing and exits with its result.
using Run = std::function<int()>;

// The config path: -c FILE, else $JITGATE_CONFIG, else ./jitgate.yaml.
[[nodiscard]] std::string default_config_path();
// The audit log to read: `file` when given, else the config's `audit_log:` (read without secrets);
// nullopt after printing the config's errors.
[[nodiscard]] std::optional<std::filesystem::path> audit_log_path(const std::string& file, const std::string& config_path);
// The recording `argument` names: the file itself when it is one, else the recording of the session with
// that id in the config's state store; nullopt after printing why there is none.
[[nodiscard]] std::optional<std::filesystem::path> find_recording(const std::string& argument,
                                                                  const std::string& config_path);

void add_audit(CLI::App& app, Run& run);
void add_check(CLI::App& app, Run& run);
void add_passwd(CLI::App& app, Run& run);
void add_token(CLI::App& app, Run& run);
void add_replay(CLI::App& app, Run& run);
void add_classify(CLI::App& app, Run& run);
void add_grant(CLI::App& app, Run& run);
void add_serve(CLI::App& app, Run& run);
void add_sessions(CLI::App& app, Run& run);
void add_verify(CLI::App& app, Run& run);

}  // namespace jitgate::proxy
