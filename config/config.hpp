// The validated configuration of DESIGN §3 as plain structs; the only view of jitgate.yaml the rest of
// the code ever sees (an immutable snapshot, shared by pointer, swapped whole on reload).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jitgate::config {

using Seconds = std::chrono::seconds;
using TimePoint = std::chrono::system_clock::time_point;

// The risk classes of DESIGN §4, in rising order of danger (unknown is handled separately by policy).
enum class RiskClass : std::uint8_t { read, write, ddl, admin, destructive, unknown };
[[nodiscard]] std::string_view to_string(RiskClass risk) noexcept;
[[nodiscard]] std::optional<RiskClass> parse_risk_class(std::string_view text) noexcept;

struct Endpoint {
    std::string host;       // an IP literal or a host name
    std::uint16_t port = 0;
    [[nodiscard]] std::string to_string() const;
};

// PostgreSQL's SCRAM-SHA-256 verifier: "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>".
struct ScramVerifier {
    std::uint32_t iterations = 0;
    std::string salt;                       // decoded bytes
    std::array<std::uint8_t, 32> stored_key{};
    std::array<std::uint8_t, 32> server_key{};
};
// Parses a verifier in PostgreSQL's text form; nullopt when malformed.
[[nodiscard]] std::optional<ScramVerifier> parse_scram_verifier(std::string_view text);

// A recurring weekly window in an IANA time zone, e.g. "Mon-Fri 09:00-18:00 Europe/Berlin".
struct Window {
    std::uint8_t days = 0;          // bit 0 = Monday ... bit 6 = Sunday
    std::uint16_t start_minute = 0; // minutes after local midnight
    std::uint16_t end_minute = 0;   // exclusive; end <= start means the window runs past midnight
    std::string time_zone;          // IANA name, validated at load
    std::string text;               // as written, for messages
    [[nodiscard]] bool contains(TimePoint when) const;
};

struct Tls {
    std::filesystem::path cert_file;
    std::filesystem::path key_file;
    bool require = false;
};

enum class TargetKind : std::uint8_t { postgres, ssh };

struct Target {
    std::string name;
    TargetKind kind = TargetKind::postgres;
    Endpoint address;
    std::string database;            // postgres
    std::string user;                // the upstream account
    std::string password;            // postgres: resolved from password_env / password_file; never logged
    std::filesystem::path key_file;  // ssh
    std::string host_key;            // ssh: pinned "ssh-ed25519 AAAA..."
};

struct User {
    std::string name;
    std::vector<std::string> groups;
    std::optional<ScramVerifier> password;
    std::vector<std::string> ssh_keys;  // OpenSSH public key lines, validated at load
};

struct SshSwitches {
    bool pty = false;
    bool sftp = false;
    bool port_forwarding = false;
};

struct Role {
    std::string name;
    std::vector<RiskClass> allow;
    SshSwitches ssh;
    [[nodiscard]] bool allows(RiskClass risk) const noexcept;
};

struct AutoApprove {
    std::vector<std::string> roles;
    std::optional<Window> window;
    std::optional<Seconds> max_duration;
};

// One entry of the allowlist. Subjects are user names or "group:NAME"; targets are names or globs.
struct AccessRule {
    std::vector<std::string> users;
    std::vector<std::string> targets;
    std::optional<std::string> standing;
    std::vector<std::string> requestable;
    std::optional<Seconds> max_duration;
    std::vector<std::string> approvers;
    std::vector<AutoApprove> auto_approve;
};

// A grant written into the config (GitOps): approved by whoever merged it.
struct ConfigGrant {
    std::string user;
    std::string target;
    std::string role;
    std::optional<TimePoint> from;
    TimePoint until;
    std::string approved_by;
    std::string reason;
};

// Admin extensions of the built-in classification tables: class -> names.
struct ClassifyTables {
    std::map<RiskClass, std::vector<std::string>> functions;
    std::map<RiskClass, std::vector<std::string>> settings;
    std::map<RiskClass, std::vector<std::string>> programs;
};

enum class RuleMode : std::uint8_t { enforce, shadow };

struct Guardrail {
    std::string id;
    std::vector<RiskClass> deny_classes;
    std::vector<std::string> deny_tables;   // "schema.table" or "table"
    std::vector<RiskClass> deny_effects;    // with tables: which effects on them are denied
    std::optional<Window> window;           // the rule applies only inside
    std::optional<Window> except_window;    // the rule does not apply inside
    RuleMode mode = RuleMode::enforce;
};

// Resource bounds (not in DESIGN's example; all optional with these defaults).
struct Limits {
    std::size_t max_message_bytes = 16u << 20;   // largest inspected protocol message
    Seconds startup_timeout{10};                 // SSL/startup/authentication must finish within
    Seconds idle_timeout{0};                     // 0 = off
    std::size_t max_connections = 1000;          // concurrent client connections
    std::size_t max_statement_bytes = 64u << 10; // longer SQL is classified unknown
    unsigned workers = 0;                        // I/O threads; 0 = one per core
};

struct Config {
    std::filesystem::path path;
    std::string hash;   // hex SHA-256 of the file's bytes; every audit record carries it

    std::optional<Endpoint> listen_postgres;
    std::optional<Endpoint> listen_ssh;
    std::optional<Tls> tls;
    std::filesystem::path ssh_host_key;
    std::string state = "sqlite:state/jitgate.db";
    std::filesystem::path recordings = "state/recordings";
    std::filesystem::path audit_log = "state/audit.jsonl";
    bool record_params = true;
    std::size_t record_rows = 0;
    bool record_failure_block = true;

    std::vector<Target> targets;
    std::vector<User> users;
    std::vector<Role> roles;
    std::vector<AccessRule> access;
    std::vector<ConfigGrant> grants;
    ClassifyTables classify;
    std::vector<Guardrail> guardrails;
    Limits limits;

    [[nodiscard]] const Target* find_target(std::string_view name) const noexcept;
    [[nodiscard]] const User* find_user(std::string_view name) const noexcept;
    [[nodiscard]] const Role* find_role(std::string_view name) const noexcept;
};

// One problem found in a config file, printed as FILE:LINE:COL: message (1-based line and column).
struct Diagnostic {
    std::string file;
    int line = 0;
    int column = 0;
    std::string message;
    [[nodiscard]] std::string to_string() const;
};

struct LoadResult {
    std::shared_ptr<const Config> config;   // null when errors is not empty
    std::vector<Diagnostic> errors;          // every error found, in file order
};

// Reads, validates and resolves (secrets from the environment or files) a whole config file.
[[nodiscard]] LoadResult load_file(const std::filesystem::path& path);
// The same from text; `file_name` is used in diagnostics and relative paths resolve against `base_dir`.
[[nodiscard]] LoadResult load_text(std::string_view text, std::string file_name,
                                   const std::filesystem::path& base_dir = {});

}  // namespace jitgate::config
