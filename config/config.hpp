// The validated configuration of DESIGN §3 as plain structs; the only view of jitgate.yaml the rest of
// the code ever sees (an immutable snapshot, shared by pointer, swapped whole on reload).
#pragma once

#include "config/result.hpp"

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

// "30m", "2h", "90s", "1h30m", "7d": units d, h, m, s in that order, each at most once; "0s" is zero.
// A bare number, a sign, an empty string or an unknown unit is an error.
[[nodiscard]] Result<Seconds> parse_duration(std::string_view text);
// The shortest text parse_duration reads back as `duration`, e.g. 5400s -> "1h30m", 0s -> "0s".
[[nodiscard]] std::string format_duration(Seconds duration);
// A byte count: "1048576", "64KiB", "16MiB", "1GiB" (or decimal kB/MB/GB).
[[nodiscard]] Result<std::size_t> parse_size(std::string_view text);
// An RFC 3339 timestamp: "2026-12-01T18:00:00Z", "2026-12-01T20:00:00.5+02:00".
[[nodiscard]] Result<TimePoint> parse_timestamp(std::string_view text);

struct Endpoint {
    std::string host;       // an IP literal or a host name
    std::uint16_t port = 0;
    [[nodiscard]] std::string to_string() const;
    [[nodiscard]] bool operator==(const Endpoint&) const = default;
};
// Whether the host is a loopback address (127.0.0.0/8, ::1) or "localhost".
[[nodiscard]] bool is_loopback(const Endpoint& endpoint) noexcept;
// "host:port" or "[v6-address]:port", port 1..65535; host is an IP literal or a DNS name.
[[nodiscard]] Result<Endpoint> parse_endpoint(std::string_view text);

// An OpenSSH public key line "TYPE BASE64 [comment]" (ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256/384/521,
// sk-ssh-ed25519@openssh.com, sk-ecdsa-sha2-nistp256@openssh.com) whose decoded blob names the same type.
struct SshPublicKey {
    std::string type;      // e.g. "ssh-ed25519"
    std::string blob;      // the decoded key blob (RFC 4253 §6.6 wire form)
    std::string comment;   // may be empty
    // "TYPE BASE64", without the comment: what identifies the key.
    [[nodiscard]] std::string key_text() const;
};
[[nodiscard]] Result<SshPublicKey> parse_ssh_public_key(std::string_view line);

// PostgreSQL's SCRAM-SHA-256 verifier: "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>".
struct ScramVerifier {
    std::uint32_t iterations = 0;
    std::string salt;                       // decoded bytes
    std::array<std::uint8_t, 32> stored_key{};
    std::array<std::uint8_t, 32> server_key{};
};
// Parses a verifier in PostgreSQL's text form; nullopt when malformed.
[[nodiscard]] std::optional<ScramVerifier> parse_scram_verifier(std::string_view text);
// The same, saying what is wrong when it is malformed (the message never repeats the key material).
[[nodiscard]] Result<ScramVerifier> parse_scram_verifier_detailed(std::string_view text);

// A recurring weekly window in an IANA time zone, e.g. "Mon-Fri 09:00-18:00 Europe/Berlin".
struct Window {
    std::uint8_t days = 0;          // bit 0 = Monday ... bit 6 = Sunday
    std::uint16_t start_minute = 0; // minutes after local midnight
    std::uint16_t end_minute = 0;   // exclusive; end <= start means the window runs past midnight
    std::string time_zone;          // IANA name, validated at load
    std::string text;               // as written, for messages
    // Whether `when` falls inside, judged by the local time in time_zone (so DST moves it with the
    // wall clock). A window that runs past midnight belongs to the day it starts. Throws
    // std::runtime_error when time_zone is not a known IANA zone (load_* never produces such a Window).
    [[nodiscard]] bool contains(TimePoint when) const;
};
// "Mon-Fri 09:00-18:00 Europe/Berlin", "Sun 02:00-04:00 UTC", "Mon,Wed,Fri 22:00-02:00 UTC",
// "09:00-17:00 UTC" (every day). Days are English three-letter names, ranges may wrap (Sat-Mon);
// times are HH:MM, the end may be 24:00; the IANA time zone is required and must exist.
[[nodiscard]] Result<Window> parse_window(std::string_view text);

struct Tls {
    std::filesystem::path cert_file;
    std::filesystem::path key_file;
    bool require = false;
};

enum class TargetKind : std::uint8_t { postgres, ssh };
[[nodiscard]] std::string_view to_string(TargetKind kind) noexcept;

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

// A person (`users:`) or a non-human identity (`services:`, DESIGN §8.1). Services are kept in the same
// list so access rules, grants and group subjects judge both alike; a service has no password and no SSH
// keys (it cannot open a session or sign in), only the SHA-256 of its API token, and it never decides.
struct User {
    std::string name;
    std::vector<std::string> groups;
    std::optional<ScramVerifier> password;
    std::vector<std::string> ssh_keys;  // OpenSSH public key lines, validated at load
    bool service = false;
    std::array<std::uint8_t, 32> token_sha256{};  // services only
    [[nodiscard]] bool in_group(std::string_view group) const noexcept;
    // Whether `subjects` (user names or "group:NAME") name this identity.
    [[nodiscard]] bool named_by(const std::vector<std::string>& subjects) const noexcept;
};

// Who may read what over the API (`metrics:`): /metrics without a token, with one, or not served.
enum class MetricsAccess : std::uint8_t { open, token, off };
[[nodiscard]] std::string_view to_string(MetricsAccess access) noexcept;

// The `api:` section (DESIGN §3, §8).
struct ApiSettings {
    Seconds session_ttl{12 * 3600};  // how long a login token lives
    MetricsAccess metrics = MetricsAccess::open;
    std::string advertise_url;       // how other proxies reach this one; empty = not advertised
    std::size_t max_connections = 256;  // concurrent API connections
    Seconds request_timeout{10};     // a request's head and body must arrive within
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
    // Whether `user` is one of `users`, by name or through "group:NAME".
    [[nodiscard]] bool covers_user(const User& user) const noexcept;
    // Whether `target` is one of `targets`, by name or glob (fnmatch(3): "web-*", "db-?").
    [[nodiscard]] bool covers_target(std::string_view target) const;
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
[[nodiscard]] std::string_view to_string(RuleMode mode) noexcept;

struct Guardrail {
    std::string id;
    std::vector<RiskClass> deny_classes;
    std::vector<std::string> deny_tables;   // "schema.table" or "table"
    std::vector<RiskClass> deny_effects;    // with tables: which effects on them are denied (all six when
                                            // the file names tables but no effects)
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
    Seconds revoke_grace{0};                     // a session that relied on a revoked grant closes after
    Seconds expiry_grace{60};                    // ... and on an expired one (DESIGN §4)
};

struct Config {
    std::filesystem::path path;
    std::string hash;   // hex SHA-256 of the file's bytes; every audit record carries it

    std::optional<Endpoint> listen_postgres;
    std::optional<Endpoint> listen_ssh;
    std::optional<Endpoint> listen_api;
    ApiSettings api;
    std::vector<std::string> auditors;  // subjects who may read every session, recording and audit record
    std::optional<Tls> tls;
    std::filesystem::path ssh_host_key;
    std::string state = "sqlite:state/jitgate.db";
    std::filesystem::path recordings = "state/recordings";
    std::filesystem::path audit_log = "state/audit.jsonl";
    bool record = true;         // `record: false`: no session recordings (the audit log is always kept)
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
    // The service whose token hashes to `sha256` (compared in constant time), or null.
    [[nodiscard]] const User* find_service_by_token(const std::array<std::uint8_t, 32>& sha256) const noexcept;
    [[nodiscard]] bool is_auditor(const User& user) const noexcept { return user.named_by(auditors); }
    [[nodiscard]] const Role* find_role(std::string_view name) const noexcept;
    [[nodiscard]] const Guardrail* find_guardrail(std::string_view id) const noexcept;
};

// One problem found in a config file, printed as FILE:LINE:COL: message (1-based line and column).
struct Diagnostic {
    std::string file;
    int line = 0;
    int column = 0;
    std::string message;
    // "FILE:LINE:COL: message", or "FILE: message" when there is no position (line 0).
    [[nodiscard]] std::string to_string() const;
};

struct LoadResult {
    std::shared_ptr<const Config> config;   // null when errors is not empty
    std::vector<Diagnostic> errors;          // every error found, in file order
};

// Whether loading reads the targets' secrets (password_env / password_file). Tools that never connect
// to a target (grant, audit, verify, classify) skip them, so they run without the proxy's secrets.
enum class Secrets : std::uint8_t { resolve, skip };

// Reads, validates and resolves (secrets from the environment or files) a whole config file.
[[nodiscard]] LoadResult load_file(const std::filesystem::path& path, Secrets secrets = Secrets::resolve);
// The same from text; `file_name` is used in diagnostics and relative paths resolve against `base_dir`.
[[nodiscard]] LoadResult load_text(std::string_view text, std::string file_name,
                                   const std::filesystem::path& base_dir = {}, Secrets secrets = Secrets::resolve);

}  // namespace jitgate::config
