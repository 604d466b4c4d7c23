// Unit tests of loading jitgate.yaml: a table of broken snippets with the error each must produce and
// where, and a DESIGN §3 config that must load into the expected snapshot.
#include "config/config.hpp"

#include <catch2/catch.hpp>
#include <openssl/sha.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace jitgate::config;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view db_secret = "pg-secret-7f3a";
constexpr std::string_view file_secret = "file-secret-91c2";
constexpr std::string_view alice_key =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAu6NjP3ww8/1LEfdEm+P3m44EuXzfKE14AgdJaJ5OWm alice@laptop";
constexpr std::string_view host_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIM18bniIy2DdD/EFfb9VO0HXW2/PSgNWKHTF9g/JqGOv";
constexpr std::string_view alice_verifier =
    "SCRAM-SHA-256$4096:UAd01XGJsppBparPXcBeCg==$RNda8iWfQlO1S/q179NsBaCbT8KuZLoxUjtymgMMVo8=:"
    "bSGXO6gaIm8Wn4q+ojD8LaeK5ELrh9eued+LGOwORng=";

void write_file(const fs::path& path, std::string_view text) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out << text;
}

// A directory with the files configs refer to (certs, keys, a password file), and the test's environment.
const fs::path& fixture_dir() {
    static const fs::path dir = [] {
        const fs::path d = fs::temp_directory_path() / ("jitgate-config-test-" + std::to_string(::getpid()));
        write_file(d / "certs/proxy.crt", "cert\n");
        write_file(d / "certs/proxy.key", "key\n");
        write_file(d / "keys/deploy_ed25519", "private key\n");
        write_file(d / "secrets/db_password", std::string{file_secret} + "\n");
        ::setenv("JITGATE_TEST_DB_PASSWORD", std::string{db_secret}.c_str(), 1);
        ::unsetenv("JITGATE_TEST_UNSET_VARIABLE");
        return d;
    }();
    return dir;
}

LoadResult load(const std::string& text) { return load_text(text, "test.yaml", fixture_dir()); }

std::string all_errors(const LoadResult& result) {
    std::string text;
    for (const Diagnostic& d : result.errors) text += d.to_string() + "\n";
    return text;
}

const std::string header = "listen: { postgres: 127.0.0.1:6432 }\n";   // line 1

std::string with(std::string_view body) { return header + std::string{body}; }

// Lines 2..15: two targets, two users, two roles; rows that test references append from line 16.
std::string with_world(std::string_view body) {
    return header +
           "targets:\n"                                        // 2
           "  - name: db\n"                                    // 3
           "    kind: postgres\n"                              // 4
           "    address: 127.0.0.1:5432\n"                     // 5
           "    database: app\n"                               // 6
           "    user: app\n"                                   // 7
           "    password_env: JITGATE_TEST_DB_PASSWORD\n"      // 8
           "  - { name: web-1, kind: ssh, address: \"10.0.0.1:22\", user: deploy, key_file: keys/deploy_ed25519, "
           "host_key: \"" + std::string{host_key} + "\" }\n"   // 9
           "users:\n"                                          // 10
           "  - { name: alice, groups: [eng] }\n"              // 11
           "  - { name: bob, groups: [dba] }\n"                // 12
           "roles:\n"                                          // 13
           "  reader: { allow: [read] }\n"                     // 14
           "  writer: { allow: [read, write] }\n"              // 15
           + std::string{body};
}

// The postgres target of with_world alone, on lines 2..8, without its password line when `password` is empty.
std::string db_target(std::string_view password_line, std::string_view extra = "") {
    return header +
           "targets:\n"
           "  - name: db\n"
           "    kind: postgres\n"
           "    address: 127.0.0.1:5432\n"
           "    database: app\n"
           "    user: app\n" +
           std::string{password_line} + std::string{extra};
}

struct BadConfig {
    std::string_view says;      // what the row checks, as a sentence
    std::string yaml;
    std::string_view position;  // "LINE:COL"
    std::string_view message;   // a substring of the one diagnostic
};

}  // namespace

TEST_CASE("the world used by the bad-config table loads cleanly", "[config]") {
    const LoadResult result = load(with_world(""));
    INFO(all_errors(result));
    REQUIRE(result.config);
    CHECK(result.config->targets.size() == 2);
}

TEST_CASE("each broken config is refused with one error at the offending node", "[config]") {
    const std::string mislabelled_key = "ssh-rsa" + std::string{alice_key.substr(alice_key.find(' '))};
    const std::string key_line = std::string{alice_key.substr(0, alice_key.rfind(' '))};
    const BadConfig rows[] = {
        {"an unknown top-level key suggests the right one", with("targes: []\n"), "2:1",
         "unknown key `targes` (did you mean `targets`?)"},
        {"an unknown key inside a target is reported at the key",
         db_target("    password_env: JITGATE_TEST_DB_PASSWORD\n", "    adress: 1.2.3.4:5\n"), "9:5",
         "target db: unknown key `adress`"},
        {"a list where a map belongs is a type error", with("limits: [1, 2]\n"), "2:9", "limits must be a map"},
        {"a map where a list belongs is a type error", with("targets: { name: db }\n"), "2:10",
         "targets must be a list"},
        {"a whole number that is not one is a type error", with("record_rows: many\n"), "2:14",
         "record_rows must be a whole number"},
        {"a yes/no that is neither is a type error", with("record_params: maybe\n"), "2:16",
         "record_params must be true or false"},
        {"record is a yes/no", with("record: sometimes\n"), "2:9", "record must be true or false"},
        {"record_failure is block or continue", with("record_failure: drop\n"), "2:17",
         "record_failure must be block or continue"},
        {"a missing required key is reported at its map",
         header + "targets:\n  - name: db\n    kind: postgres\n    database: app\n    user: app\n"
                  "    password_env: JITGATE_TEST_DB_PASSWORD\n",
         "3:5", "target db: missing required key `address`"},
        {"a config without listen is refused", "record_rows: 1\n", "1:1", "missing required key `listen`"},
        {"an empty file is refused", "", "1:1", "the config is empty"},
        {"a repeated YAML key is an error at the second", with("record_rows: 1\nrecord_rows: 2\n"), "3:1",
         "duplicate key `record_rows`"},
        {"a second YAML document is refused at its ---", with("---\nrecord_rows: 1\n"), "2:1", "one YAML document"},
        {"two targets with one name are refused",
         with("targets:\n"
              "  - { name: db, kind: postgres, address: \"127.0.0.1:5432\", database: a, user: a, "
              "password_env: JITGATE_TEST_DB_PASSWORD }\n"
              "  - { name: db, kind: postgres, address: \"127.0.0.1:5433\", database: a, user: a, "
              "password_env: JITGATE_TEST_DB_PASSWORD }\n"),
         "4:13", "duplicate target `db` (first defined at line 3)"},
        {"two users with one name are refused", with("users:\n  - name: alice\n  - name: alice\n"), "4:11",
         "duplicate user `alice`"},
        {"two roles with one name are refused",
         with("roles:\n  reader: { allow: [read] }\n  reader: { allow: [write] }\n"), "4:3",
         "duplicate role `reader` (first defined at line 3)"},
        {"two guardrails with one id are refused",
         with("guardrails:\n  - { id: no-drop, deny: { classes: [destructive] } }\n"
              "  - { id: no-drop, deny: { classes: [admin] } }\n"),
         "4:11", "duplicate guardrail id `no-drop`"},
        {"a name with a space is refused", with("users:\n  - name: alice smith\n"), "3:11",
         "user name \"alice smith\" must be 1 to 63 letters"},
        {"a role allowing an unknown class is refused", with("roles:\n  reader: { allow: [reed] }\n"), "3:21",
         "unknown risk class `reed`"},
        {"a standing role that does not exist suggests the right one",
         with_world("access:\n  - users: [alice]\n    targets: [db]\n    standing: raeder\n"), "19:15",
         "unknown role `raeder` (did you mean `reader`?)"},
        {"a group no user has is a dangling reference",
         with_world("access:\n  - users: [group:ops]\n    targets: [db]\n    standing: reader\n"), "17:13",
         "no user is in group `ops`"},
        {"a user that does not exist is a dangling reference",
         with_world("access:\n  - users: [carol]\n    targets: [db]\n    standing: reader\n"), "17:13",
         "unknown user `carol`"},
        {"a target that does not exist is a dangling reference",
         with_world("access:\n  - users: [alice]\n    targets: [dbb]\n    standing: reader\n"), "18:15",
         "unknown target `dbb` (did you mean `db`?)"},
        {"a target glob that matches nothing is an error",
         with_world("access:\n  - users: [alice]\n    targets: [\"db-*\"]\n    standing: reader\n"), "18:15",
         "pattern `db-*` matches no target"},
        {"an approver group that does not exist is a dangling reference",
         with_world("access:\n  - users: [alice]\n    targets: [db]\n    requestable: [writer]\n"
                    "    max_duration: 1h\n    approvers: [group:dbas]\n"),
         "21:17", "no user is in group `dbas` (did you mean `dba`?)"},
        {"an access rule that grants nothing is refused", with_world("access:\n  - users: [alice]\n    targets: [db]\n"),
         "17:5", "needs `standing:` or `requestable:`"},
        {"requestable roles without approvers could never be approved",
         with_world("access:\n  - users: [alice]\n    targets: [db]\n    requestable: [writer]\n    max_duration: 1h\n"),
         "17:5", "requestable roles need `approvers:` or `auto_approve:`"},
        {"auto-approval of a role that is not requestable is refused",
         with_world("access:\n  - users: [alice]\n    targets: [db]\n    requestable: [writer]\n"
                    "    max_duration: 1h\n    auto_approve:\n      - roles: [reader]\n"),
         "22:17", "role `reader` is not in this rule's requestable roles"},
        {"a duration with an unknown unit is refused",
         with_world("access:\n  - users: [alice]\n    targets: [db]\n    requestable: [writer]\n"
                    "    approvers: [bob]\n    max_duration: 5x\n"),
         "21:19", "bad duration \"5x\": unknown unit"},
        {"a negative duration is refused",
         with_world("access:\n  - users: [alice]\n    targets: [db]\n    requestable: [writer]\n"
                    "    approvers: [bob]\n    max_duration: -5m\n"),
         "21:19", "bad duration \"-5m\": a duration has no sign"},
        {"an empty duration is refused",
         with_world("access:\n  - users: [alice]\n    targets: [db]\n    requestable: [writer]\n"
                    "    approvers: [bob]\n    max_duration: \"\"\n"),
         "21:19", "bad duration \"\": it is empty"},
        {"a window in a time zone that does not exist is refused",
         with_world("access:\n  - users: [alice]\n    targets: [db]\n    requestable: [writer]\n"
                    "    max_duration: 1h\n    auto_approve:\n      - roles: [writer]\n"
                    "        window: \"Mon-Fri 09:00-18:00 Europe/Berln\"\n"),
         "23:17", "unknown time zone \"Europe/Berln\""},
        {"a window with unreadable days is refused",
         with("guardrails:\n  - id: maint\n    deny: { classes: [destructive] }\n"
              "    except_window: \"Sunday 02:00-04:00 UTC\"\n"),
         "5:20", "expected days like Mon-Fri"},
        {"a grant for a user that does not exist is refused",
         with_world("grants:\n  - { user: carol, target: db, role: reader, until: 2026-12-01T18:00:00Z }\n"), "17:13",
         "grant 1 user: unknown user `carol`"},
        {"a grant of a role that does not exist is refused",
         with_world("grants:\n  - { user: alice, target: db, role: admin, until: 2026-12-01T18:00:00Z }\n"), "17:38",
         "grant 1 role: unknown role `admin`"},
        {"a grant on a target that does not exist is refused",
         with_world("grants:\n  - { user: alice, target: dbx, role: reader, until: 2026-12-01T18:00:00Z }\n"), "17:28",
         "grant 1 target: unknown target `dbx`"},
        {"a grant with a date but no time is refused",
         with_world("grants:\n  - { user: alice, target: db, role: reader, until: 2026-12-01 }\n"), "17:53",
         "bad timestamp \"2026-12-01\""},
        {"a grant that ends before it starts is refused",
         with_world("grants:\n  - user: alice\n    target: db\n    role: reader\n"
                    "    from: 2026-12-02T00:00:00Z\n    until: 2026-12-01T00:00:00Z\n"),
         "21:12", "`until` must be after `from`"},
        {"a grant approved by its own user is refused",
         with_world("grants:\n  - user: alice\n    target: db\n    role: reader\n"
                    "    until: 2026-12-01T00:00:00Z\n    approved_by: alice\n"),
         "21:18", "nobody approves their own grant"},
        {"a listen port of 0 is refused", "listen: { postgres: 127.0.0.1:0 }\n", "1:21", "the port must be 1..65535"},
        {"an IPv6 listen address without brackets is refused", "listen:\n  postgres: \"[::1]:6432\"\n  ssh: ::1:2222\n",
         "3:8", "an IPv6 address needs [ ] around it"},
        {"an ssh listener needs a host key", "listen: { ssh: 127.0.0.1:2222 }\n", "1:9", "needs `ssh_host_key:`"},
        {"a target address without a port is refused",
         header + "targets:\n  - name: db\n    kind: postgres\n    address: 127.0.0.1\n    database: app\n"
                  "    user: app\n    password_env: JITGATE_TEST_DB_PASSWORD\n",
         "5:14", "bad address \"127.0.0.1\": missing :port"},
        {"a postgres target without a password source is refused", db_target(""), "3:5",
         "a postgres target needs password_env or password_file"},
        {"a password_env naming an unset variable names the variable",
         db_target("    password_env: JITGATE_TEST_UNSET_VARIABLE\n"), "8:19",
         "environment variable JITGATE_TEST_UNSET_VARIABLE is not set"},
        {"an unreadable password_file is refused", db_target("    password_file: secrets/missing\n"), "8:20",
         "cannot read password_file"},
        {"a postgres target with an ssh key file is refused",
         db_target("    password_env: JITGATE_TEST_DB_PASSWORD\n", "    key_file: keys/deploy_ed25519\n"), "9:15",
         "`key_file` applies only to ssh targets"},
        {"an ssh target with a database is refused",
         with("targets:\n  - name: web-1\n    kind: ssh\n    address: 10.0.0.1:22\n    user: deploy\n"
              "    key_file: keys/deploy_ed25519\n    host_key: \"" + std::string{host_key} + "\"\n    database: app\n"),
         "9:15", "`database` applies only to postgres targets"},
        {"an ssh target's host key must be a real key",
         with("targets:\n  - name: web-1\n    kind: ssh\n    address: 10.0.0.1:22\n    user: deploy\n"
              "    key_file: keys/deploy_ed25519\n    host_key: \"ssh-ed25519 AAAA...\"\n"),
         "8:15", "not valid base64"},
        {"a user's SSH key with placeholder data is refused",
         with("users:\n  - name: alice\n    ssh_keys: [\"ssh-ed25519 AAAA... alice\"]\n"), "4:16", "not valid base64"},
        {"a user's SSH key whose data is another type is refused",
         with("users:\n  - name: alice\n    ssh_keys: [\"" + mislabelled_key + "\"]\n"), "4:16",
         "the key data is a ssh-ed25519 key, not ssh-rsa"},
        {"one SSH key cannot identify two users",
         with("users:\n  - { name: alice, ssh_keys: [\"" + key_line + " a\"] }\n  - { name: bob, ssh_keys: [\"" +
              key_line + " b\"] }\n"),
         "4:29", "this SSH key is already alice's (line 3)"},
        {"an md5 password is not a SCRAM verifier",
         with("users:\n  - name: alice\n    password: \"md5c4ca4238a0b923820dcc509a6f75849b\"\n"), "4:15",
         "must start with SCRAM-SHA-256$"},
        {"a size with an unknown unit is refused", with("limits:\n  max_message_bytes: 16XB\n"), "3:22",
         "bad size \"16XB\""},
        {"an idle timeout that is not a duration is refused", with("limits:\n  idle_timeout: soon\n"), "3:17",
         "bad duration \"soon\""},
        {"deny effects need tables", with("guardrails:\n  - { id: x, deny: { classes: [read], effects: [write] } }\n"),
         "3:48", "deny.effects applies only with deny.tables"},
        {"a name listed under two classes is refused", with("classify:\n  functions: { read: [f], write: [f] }\n"),
         "3:35", "`f` is already listed under read"},
        {"a missing TLS certificate is refused", with("tls: { cert: certs/none.crt, key: certs/proxy.key }\n"), "2:14",
         "tls.cert: cannot read"},
        {"a stray comma that yaml-cpp 0.7 would loop on is a syntax error", ",listen: {}\n", "1:1",
         "YAML syntax error: unexpected `,`"},
        {"a YAML syntax error is one error where the parser stopped", with("targets: [a, b\nusers: []\n"), "3:6",
         "YAML syntax error"},
    };
    for (const BadConfig& row : rows) {
        INFO(row.says << "\n--- yaml ---\n" << row.yaml << "--- errors ---\n");
        const LoadResult result = load(row.yaml);
        INFO(all_errors(result));
        CHECK_FALSE(result.config);
        REQUIRE(result.errors.size() == 1);
        const Diagnostic& error = result.errors.front();
        CHECK(error.file == "test.yaml");
        CHECK(std::to_string(error.line) + ":" + std::to_string(error.column) == row.position);
        CHECK_THAT(error.message, Catch::Contains(std::string{row.message}));
    }
}

TEST_CASE("every error in a file is reported, in file order, as FILE:LINE:COL", "[config]") {
    const LoadResult result = load(with("access:\n"
                                        "  - { users: [nobody], targets: [db], standing: reader }\n"
                                        "record_rows: -1\n"
                                        "limits: { workers: lots }\n"));
    REQUIRE(result.errors.size() == 5);
    CHECK(result.errors[0].to_string() == "test.yaml:3:15: access rule 1 users: unknown user `nobody`");
    CHECK(result.errors[1].to_string() == "test.yaml:3:34: access rule 1 targets: unknown target `db`");
    CHECK(result.errors[2].to_string() == "test.yaml:3:49: access rule 1 standing: unknown role `reader`");
    CHECK(result.errors[3].to_string() == "test.yaml:4:14: record_rows must be a whole number from 0 to 1000000");
    CHECK(result.errors[4].line == 5);
}

TEST_CASE("secrets never appear in a diagnostic", "[config]") {
    const LoadResult from_env = load(with_world("record_rows: nope\n"));
    REQUIRE(from_env.errors.size() == 1);
    const LoadResult from_file = load(db_target("    password_file: secrets/db_password\n", "    bogus: 1\n"));
    REQUIRE(from_file.errors.size() == 1);
    for (const LoadResult* result : {&from_env, &from_file}) {
        for (const Diagnostic& d : result->errors) {
            CHECK_THAT(d.to_string(), !Catch::Contains(std::string{db_secret}));
            CHECK_THAT(d.to_string(), !Catch::Contains(std::string{file_secret}));
        }
    }
    const LoadResult bad_verifier = load(with("users:\n  - name: alice\n    password: \"" +
                                              std::string{alice_verifier}.substr(0, 60) + "\"\n"));
    REQUIRE(bad_verifier.errors.size() == 1);
    CHECK_THAT(bad_verifier.errors[0].message, !Catch::Contains("UAd01XGJsppBparPXcBeCg"));
}

TEST_CASE("the DESIGN §3 example loads into the snapshot it describes", "[config]") {
    // DESIGN's example with real keys and verifiers in place of its "AAAA..." placeholders, and carol
    // (whom its grant names) added as a user.
    const std::string yaml = std::string{R"(listen:
  postgres: 127.0.0.1:6432
  ssh: 127.0.0.1:2222
tls: { cert: certs/proxy.crt, key: certs/proxy.key, require: false }   # Postgres client side
ssh_host_key: keys/proxy_host_ed25519
state: sqlite:state/jitgate.db        # embedded default; postgres://... for several proxies (later)
recordings: state/recordings
audit_log: state/audit.jsonl

targets:
  - name: orders-db
    kind: postgres
    address: 127.0.0.1:5432
    database: orders
    user: orders_admin
    password_env: JITGATE_TEST_DB_PASSWORD     # or password_file:
  - name: web-1
    kind: ssh
    address: 127.0.0.1:22
    user: deploy
    key_file: keys/deploy_ed25519
    host_key: ")"} + std::string{host_key} + R"("      # pinned; a mismatch refuses the connection
  - name: reports-db
    kind: postgres
    address: "[::1]:5433"
    database: reports
    user: reporter
    password_file: secrets/db_password

users:
  - name: alice
    groups: [engineers]
    password: ")" + std::string{alice_verifier} + R"("   # from `jitgate passwd`
    ssh_keys: [")" + std::string{alice_key} + R"("]
  - name: bob
    groups: [dba]
  - name: carol
    groups: [dba]

roles:                      # a role is a set of risk classes plus SSH switches
  reader:   { allow: [read] }
  writer:   { allow: [read, write] }
  operator: { allow: [read, write, ddl], ssh: { pty: true, sftp: true } }
  breakglass: { allow: [read, write, ddl, admin, destructive], ssh: { pty: true, sftp: true, port_forwarding: true } }

access:                     # the allowlist: who may hold or ask for which role on which targets
  - users: [group:engineers]
    targets: [orders-db, "web-*"]
    standing: reader        # always active, no request needed
    requestable: [writer, operator]
    max_duration: 2h
    approvers: [group:dba]  # nobody approves their own request
    auto_approve:
      - roles: [writer]
        window: "Mon-Fri 09:00-18:00 Europe/Berlin"
        max_duration: 30m

grants:                     # approvals written into the allowlist itself (reviewed like code, GitOps):
  - user: carol             # active from `from` (default: at once) until `until`, then expired
    target: orders-db
    role: operator
    until: 2026-12-01T18:00:00Z
    approved_by: bob
    reason: "CHG-1234 schema migration"

classify:                   # extend the built-in classification tables
  functions: { read: [report_sales], write: [enqueue_job] }   # SQL functions known to the admin
  settings:  { read: [app.tenant] }                           # SET/RESET of these is harmless
  programs:  { read: [kubectl-get], admin: [deployctl] }      # shell programs

guardrails:                 # deny rules win over any grant; mode: enforce | shadow (log only)
  - id: destructive-only-in-maintenance
    deny: { classes: [destructive] }
    except_window: "Sun 02:00-04:00 UTC"
  - id: no-card-data
    deny: { tables: ["payments.cards"], effects: [read, write] }
    mode: enforce
)";
    const fs::path file = fixture_dir() / "design" / "jitgate.yaml";
    write_file(file, yaml);
    const fs::path dir = file.parent_path();
    fs::create_directories(dir / "certs");
    fs::create_directories(dir / "keys");
    fs::create_directories(dir / "secrets");
    fs::copy_file(fixture_dir() / "certs/proxy.crt", dir / "certs/proxy.crt", fs::copy_options::overwrite_existing);
    fs::copy_file(fixture_dir() / "certs/proxy.key", dir / "certs/proxy.key", fs::copy_options::overwrite_existing);
    fs::copy_file(fixture_dir() / "keys/deploy_ed25519", dir / "keys/deploy_ed25519", fs::copy_options::overwrite_existing);
    fs::copy_file(fixture_dir() / "secrets/db_password", dir / "secrets/db_password", fs::copy_options::overwrite_existing);

    const LoadResult result = load_file(file);
    INFO(all_errors(result));
    REQUIRE(result.errors.empty());
    REQUIRE(result.config);
    const Config& config = *result.config;

    SECTION("the hash is the SHA-256 of the file's bytes") {
        std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
        SHA256(reinterpret_cast<const unsigned char*>(yaml.data()), yaml.size(), digest.data());
        std::string hex;
        for (const unsigned char byte : digest) {
            constexpr std::string_view digits = "0123456789abcdef";
            hex += digits[byte >> 4];
            hex += digits[byte & 15];
        }
        CHECK(config.hash == hex);
        CHECK(config.path == file);
    }
    SECTION("listeners and relative paths resolve against the file's directory") {
        REQUIRE(config.listen_postgres);
        CHECK(config.listen_postgres->to_string() == "127.0.0.1:6432");
        CHECK(config.listen_ssh->port == 2222);
        REQUIRE(config.tls);
        CHECK(config.tls->cert_file == dir / "certs/proxy.crt");
        CHECK(config.tls->key_file == dir / "certs/proxy.key");
        CHECK_FALSE(config.tls->require);
        CHECK(config.ssh_host_key == dir / "keys/proxy_host_ed25519");
        CHECK(config.state == "sqlite:" + (dir / "state/jitgate.db").string());
        CHECK(config.recordings == dir / "state/recordings");
        CHECK(config.audit_log == dir / "state/audit.jsonl");
        CHECK(config.record_params);
        CHECK(config.record_rows == 0);
        CHECK(config.record_failure_block);
        CHECK(config.record);
    }
    SECTION("targets carry their upstream secrets, from the environment or a file") {
        REQUIRE(config.targets.size() == 3);
        const Target* orders = config.find_target("orders-db");
        REQUIRE(orders);
        CHECK(orders->kind == TargetKind::postgres);
        CHECK(orders->address.to_string() == "127.0.0.1:5432");
        CHECK(orders->database == "orders");
        CHECK(orders->user == "orders_admin");
        CHECK(orders->password == db_secret);
        const Target* web = config.find_target("web-1");
        REQUIRE(web);
        CHECK(web->kind == TargetKind::ssh);
        CHECK(web->key_file == dir / "keys/deploy_ed25519");
        CHECK(web->host_key == host_key);
        const Target* reports = config.find_target("reports-db");
        REQUIRE(reports);
        CHECK(reports->address.host == "::1");
        CHECK(reports->password == file_secret);
        CHECK(config.find_target("nope") == nullptr);
    }
    SECTION("users carry groups, a verifier and SSH keys") {
        REQUIRE(config.users.size() == 3);
        const User* alice = config.find_user("alice");
        REQUIRE(alice);
        CHECK(alice->in_group("engineers"));
        REQUIRE(alice->password);
        CHECK(alice->password->iterations == 4096);
        REQUIRE(alice->ssh_keys.size() == 1);
        CHECK(alice->ssh_keys[0] == alice_key);
        CHECK_FALSE(config.find_user("bob")->password);
    }
    SECTION("roles are sets of classes plus SSH switches") {
        REQUIRE(config.roles.size() == 4);
        const Role* operator_role = config.find_role("operator");
        REQUIRE(operator_role);
        CHECK(operator_role->allows(RiskClass::ddl));
        CHECK_FALSE(operator_role->allows(RiskClass::admin));
        CHECK(operator_role->ssh.pty);
        CHECK_FALSE(operator_role->ssh.port_forwarding);
        CHECK(config.find_role("breakglass")->ssh.port_forwarding);
        CHECK_FALSE(config.find_role("reader")->allows(RiskClass::unknown));
    }
    SECTION("the access rule matches users by group and targets by glob") {
        REQUIRE(config.access.size() == 1);
        const AccessRule& rule = config.access[0];
        CHECK(rule.covers_user(*config.find_user("alice")));
        CHECK_FALSE(rule.covers_user(*config.find_user("bob")));
        CHECK(rule.covers_target("orders-db"));
        CHECK(rule.covers_target("web-1"));
        CHECK(rule.covers_target("web-2"));
        CHECK_FALSE(rule.covers_target("reports-db"));
        CHECK(rule.standing == "reader");
        CHECK(rule.requestable == std::vector<std::string>{"writer", "operator"});
        CHECK(rule.max_duration == 2h);
        CHECK(rule.approvers == std::vector<std::string>{"group:dba"});
        REQUIRE(rule.auto_approve.size() == 1);
        CHECK(rule.auto_approve[0].roles == std::vector<std::string>{"writer"});
        CHECK(rule.auto_approve[0].max_duration == 30min);
        REQUIRE(rule.auto_approve[0].window);
        CHECK(rule.auto_approve[0].window->time_zone == "Europe/Berlin");
    }
    SECTION("config grants keep their times and approver") {
        REQUIRE(config.grants.size() == 1);
        const ConfigGrant& grant = config.grants[0];
        CHECK(grant.user == "carol");
        CHECK(grant.role == "operator");
        CHECK_FALSE(grant.from);
        CHECK(grant.until == *parse_timestamp("2026-12-01T18:00:00Z").value);
        CHECK(grant.approved_by == "bob");
        CHECK(grant.reason == "CHG-1234 schema migration");
    }
    SECTION("classification extensions and guardrails are kept by class") {
        CHECK(config.classify.functions.at(RiskClass::read) == std::vector<std::string>{"report_sales"});
        CHECK(config.classify.functions.at(RiskClass::write) == std::vector<std::string>{"enqueue_job"});
        CHECK(config.classify.settings.at(RiskClass::read) == std::vector<std::string>{"app.tenant"});
        CHECK(config.classify.programs.at(RiskClass::admin) == std::vector<std::string>{"deployctl"});
        REQUIRE(config.guardrails.size() == 2);
        const Guardrail* maintenance = config.find_guardrail("destructive-only-in-maintenance");
        REQUIRE(maintenance);
        CHECK(maintenance->deny_classes == std::vector<RiskClass>{RiskClass::destructive});
        REQUIRE(maintenance->except_window);
        CHECK(maintenance->except_window->text == "Sun 02:00-04:00 UTC");
        const Guardrail* cards = config.find_guardrail("no-card-data");
        REQUIRE(cards);
        CHECK(cards->deny_tables == std::vector<std::string>{"payments.cards"});
        CHECK(cards->deny_effects == std::vector<RiskClass>{RiskClass::read, RiskClass::write});
        CHECK(cards->mode == RuleMode::enforce);
    }
    SECTION("limits keep their defaults when the section is absent") {
        CHECK(config.limits.max_message_bytes == 16u << 20);
        CHECK(config.limits.startup_timeout == 10s);
        CHECK(config.limits.idle_timeout == 0s);
        CHECK(config.limits.max_connections == 1000);
        CHECK(config.limits.workers == 0);
    }
}

TEST_CASE("limits and recording switches are read with their units", "[config]") {
    const LoadResult result = load(with("record: false\n"
                                        "record_params: false\n"
                                        "record_rows: 5\n"
                                        "record_failure: continue\n"
                                        "limits:\n"
                                        "  max_message_bytes: 1MiB\n"
                                        "  startup_timeout: 5s\n"
                                        "  idle_timeout: \"off\"\n"
                                        "  max_connections: 10\n"
                                        "  max_statement_bytes: 4096\n"
                                        "  workers: 2\n"));
    INFO(all_errors(result));
    REQUIRE(result.config);
    const Config& config = *result.config;
    CHECK_FALSE(config.record);
    CHECK_FALSE(config.record_params);
    CHECK(config.record_rows == 5);
    CHECK_FALSE(config.record_failure_block);
    CHECK(config.limits.max_message_bytes == 1u << 20);
    CHECK(config.limits.startup_timeout == 5s);
    CHECK(config.limits.idle_timeout == 0s);
    CHECK(config.limits.max_connections == 10);
    CHECK(config.limits.max_statement_bytes == 4096);
    CHECK(config.limits.workers == 2);
    CHECK(load(with("limits: { idle_timeout: 15m }\n")).config->limits.idle_timeout == 15min);
    CHECK(load(with("limits: { idle_timeout: 0 }\n")).config->limits.idle_timeout == 0s);
}

TEST_CASE("a guardrail on tables without effects denies every effect on them", "[config]") {
    const LoadResult result = load(with("guardrails:\n  - { id: cards, deny: { tables: [payments.cards] } }\n"));
    INFO(all_errors(result));
    REQUIRE(result.config);
    CHECK(result.config->guardrails[0].deny_effects.size() == 6);
}

TEST_CASE("the hash is of the exact bytes and the snapshot is shared immutably", "[config]") {
    const LoadResult result = load(header);
    REQUIRE(result.config);
    CHECK(result.config->hash == "0f384913029bf07e70ef685047e07f4818f70b9e72dcccd8f332cc695e550e54");
    STATIC_REQUIRE(std::is_same_v<decltype(LoadResult::config), std::shared_ptr<const Config>>);
}

TEST_CASE("a config file that does not exist is one error naming the file", "[config]") {
    const LoadResult result = load_file(fixture_dir() / "nope.yaml");
    CHECK_FALSE(result.config);
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].to_string() == (fixture_dir() / "nope.yaml").string() + ": no such file");
    CHECK(load_file(fixture_dir()).errors.at(0).message == "is a directory, not a config file");
}

TEST_CASE("the demo config passes the validator", "[config]") {
    ::setenv("ORDERS_DB_PASSWORD", "demo-upstream", 1);
    const fs::path demo = fs::path{JITGATE_SOURCE_DIR} / "config/demo.yaml";
    const LoadResult result = load_file(demo);
    INFO(all_errors(result));
    REQUIRE(result.config);
    CHECK(result.config->targets.size() == 1);
    CHECK(result.config->find_target("orders-db")->address.port == 5433);
    CHECK(result.config->users.size() == 2);
    CHECK(result.config->roles.size() == 4);
    ::unsetenv("ORDERS_DB_PASSWORD");
    const LoadResult without_secret = load_file(demo);
    REQUIRE(without_secret.errors.size() == 1);
    CHECK_THAT(without_secret.errors[0].message, Catch::Contains("ORDERS_DB_PASSWORD is not set"));
}

TEST_CASE("listen.api, api:, auditors: and services: load into the snapshot", "[config]") {
    const std::string hash(64, 'a');
    const LoadResult result = load(
        "listen: { postgres: 127.0.0.1:6432, api: 127.0.0.1:8443 }\n"
        "api: { session_ttl: 1h, metrics: auth, advertise_url: \"https://proxy-a.internal:8443\" }\n"
        "users:\n"
        "  - { name: alice, groups: [security] }\n"
        "services:\n"
        "  - { name: migrate-ci, groups: [ci], token_sha256: \"" + hash + "\" }\n"
        "auditors: [group:security]\n");
    INFO(all_errors(result));
    REQUIRE(result.config);
    const Config& config = *result.config;
    REQUIRE(config.listen_api);
    CHECK(config.listen_api->port == 8443);
    CHECK(config.api.session_ttl == 1h);
    CHECK(config.api.metrics == MetricsAccess::token);
    CHECK(config.api.advertise_url == "https://proxy-a.internal:8443");
    const User* service = config.find_user("migrate-ci");
    REQUIRE(service != nullptr);
    CHECK(service->service);
    CHECK(service->in_group("ci"));
    std::array<std::uint8_t, 32> digest{};
    digest.fill(0xaa);
    CHECK(config.find_service_by_token(digest) == service);
    digest[31] = 0xab;
    CHECK(config.find_service_by_token(digest) == nullptr);
    CHECK(config.is_auditor(*config.find_user("alice")));
    CHECK_FALSE(config.is_auditor(*service));
}

TEST_CASE("the API's config mistakes are errors at their place", "[config]") {
    struct Case {
        std::string text;
        std::string message;
    };
    const std::vector<Case> cases{
        {"listen: { api: 0.0.0.0:8443 }\n", "test.yaml:1:9: listen.api 0.0.0.0:8443 is not a loopback address, so it needs `tls:`"},
        {with("api: { metrics: sometimes }\n"), "test.yaml:2:17: api.metrics must be public, auth or off"},
        {with("api: { session_ttl: 0s }\n"), "api.session_ttl must be longer than 0s"},
        {with("services:\n  - { name: ci, token_sha256: \"abc\" }\n"), "token_sha256 must be 64 hex digits"},
        {with("services:\n  - { name: ci }\n"), "token_sha256"},
        {with("users: [{ name: ci }]\nservices:\n  - { name: ci, token_sha256: \"" + std::string(64, '0') + "\" }\n"),
         "duplicate user or service `ci`"},
        {with("auditors: [nobody]\n"), "nobody"},
    };
    for (const Case& c : cases) {
        const LoadResult result = load(c.text);
        INFO(c.text);
        CHECK_FALSE(result.config);
        CHECK_THAT(all_errors(result), Catch::Matchers::Contains(c.message));
    }
    CHECK(is_loopback(Endpoint{"127.0.0.9", 1}));
    CHECK(is_loopback(Endpoint{"::1", 1}));
    CHECK_FALSE(is_loopback(Endpoint{"10.0.0.1", 1}));
}
