// Section loaders for who and what: `targets:` (with their upstream secrets resolved from the
// environment or a file, never echoed), `users:` (SCRAM verifiers, SSH keys) and `roles:`.
#include "config/reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <system_error>

namespace jitgate::config::detail {
namespace {

constexpr std::size_t max_secret_bytes = 64 * 1024;

// Records `name` as defined at `mark`; reports it when it was defined before.
[[nodiscard]] bool define(Reader& reader, std::map<std::string, YAML::Mark, std::less<>>& defined,
                          std::string_view what, const std::string& name, const YAML::Mark& mark) {
    const auto [it, inserted] = defined.emplace(name, mark);
    if (!inserted) {
        reader.error(mark, fmt::format("duplicate {} `{}` (first defined at line {})", what, name,
                                       it->second.line + 1));
    }
    return inserted;
}

// Reads a small regular file whole; the reason it cannot, as an error message, otherwise.
[[nodiscard]] Result<std::string> read_secret_file(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        return {std::nullopt, ec ? ec.message() : std::string{"not a regular file"}};
    }
    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file{std::fopen(path.c_str(), "rb"), &std::fclose};
    if (!file) return {std::nullopt, std::error_code{errno, std::generic_category()}.message()};
    std::string bytes(max_secret_bytes + 1, '\0');
    const std::size_t length = std::fread(bytes.data(), 1, bytes.size(), file.get());
    if (std::ferror(file.get()) != 0) return {std::nullopt, "read error"};
    if (length > max_secret_bytes) return {std::nullopt, "larger than 64KiB"};
    bytes.resize(length);
    return {std::move(bytes), {}};
}

void load_password(Building& b, const Fields& fields, Target& target, const std::string& what) {
    const Value* env = fields.find("password_env");
    const Value* file = fields.find("password_file");
    if (env != nullptr && file != nullptr) {
        b.reader.error(file->mark, fmt::format("{}: give password_env or password_file, not both", what));
        return;
    }
    if (env != nullptr) {
        const std::optional<std::string> variable = b.reader.string(*env, what + " password_env");
        if (!variable || !b.resolve_secrets) return;
        const char* secret = variable->empty() ? nullptr : std::getenv(variable->c_str());
        if (secret == nullptr) {
            b.reader.error(env->mark, fmt::format("{}: environment variable {} is not set", what, *variable));
        } else if (*secret == '\0') {
            b.reader.error(env->mark, fmt::format("{}: environment variable {} is empty", what, *variable));
        } else {
            target.password = secret;
        }
        return;
    }
    if (file != nullptr) {
        const std::optional<std::filesystem::path> path = b.reader.path(*file, what + " password_file");
        if (!path || !b.resolve_secrets) return;
        Result<std::string> secret = read_secret_file(*path);
        if (!secret) {
            b.reader.error(file->mark, fmt::format("{}: cannot read password_file {}: {}", what, path->string(),
                                                   secret.error));
            return;
        }
        while (!secret.value->empty() && (secret.value->back() == '\n' || secret.value->back() == '\r')) {
            secret.value->pop_back();
        }
        if (secret.value->empty()) {
            b.reader.error(file->mark, fmt::format("{}: password_file {} is empty", what, path->string()));
        }
        target.password = std::move(*secret.value);
        return;
    }
    b.reader.error(fields.mark, fmt::format("{}: a postgres target needs password_env or password_file", what));
}

void load_ssh_target(Building& b, const Fields& fields, Target& target, const std::string& what) {
    if (const Value* v = b.reader.required(fields, "key_file", what)) {
        if (std::optional<std::filesystem::path> path = b.reader.path(*v, what + " key_file")) {
            target.key_file = *path;
            // Read only where it is used (serve, check): the grant CLI must not need the target's key.
            if (Result<std::string> key = b.resolve_secrets ? read_secret_file(*path) : Result<std::string>{std::string{}, {}};
                !key) {
                b.reader.error(v->mark, fmt::format("{}: cannot read key_file {}: {}", what, path->string(),
                                                    key.error));
            }
        }
    }
    if (const Value* v = b.reader.required(fields, "host_key", what)) {
        if (std::optional<SshPublicKey> key = b.reader.parse(*v, what + " host_key", &parse_ssh_public_key)) {
            target.host_key = key->key_text();
        }
    }
}

void load_target(Building& b, const Value& item) {
    std::string what = describe(item, "target", "name");
    std::optional<Fields> fields =
        b.reader.fields(item, what,
                        {"name", "kind", "address", "database", "user", "password_env", "password_file",
                         "key_file", "host_key"});
    if (!fields) return;
    Target target;
    bool keep = false;
    if (const Value* v = b.reader.required(*fields, "name", what)) {
        if (std::optional<std::string> name = b.reader.name(*v, "target name")) {
            target.name = *name;
            keep = define(b.reader, b.target_marks, "target", *name, v->mark);
        }
    }
    std::optional<TargetKind> kind;
    if (const Value* v = b.reader.required(*fields, "kind", what)) {
        if (std::optional<std::string> text = b.reader.string(*v, what + " kind")) {
            if (*text == "postgres") {
                kind = TargetKind::postgres;
            } else if (*text == "ssh") {
                kind = TargetKind::ssh;
            } else {
                b.reader.error(v->mark, fmt::format("{}: kind must be postgres or ssh", what));
            }
        }
    }
    if (const Value* v = b.reader.required(*fields, "address", what)) {
        if (std::optional<Endpoint> address = b.reader.parse(*v, what + " address", &parse_endpoint)) {
            target.address = *address;
        }
    }
    if (const Value* v = b.reader.required(*fields, "user", what)) {
        target.user = b.reader.string(*v, what + " user").value_or("");
    }
    if (kind) {
        target.kind = *kind;
        const bool postgres = *kind == TargetKind::postgres;
        for (const auto& [key, value] : fields->entries) {
            const bool postgres_only = key == "database" || key == "password_env" || key == "password_file";
            const bool ssh_only = key == "key_file" || key == "host_key";
            if ((postgres && ssh_only) || (!postgres && postgres_only)) {
                b.reader.error(value.mark, fmt::format("{}: `{}` applies only to {} targets", what, key,
                                                       postgres ? "ssh" : "postgres"));
            }
        }
        if (postgres) {
            if (const Value* v = b.reader.required(*fields, "database", what)) {
                target.database = b.reader.string(*v, what + " database").value_or("");
            }
            load_password(b, *fields, target, what);
        } else {
            load_ssh_target(b, *fields, target, what);
        }
    }
    if (keep) b.config.targets.push_back(std::move(target));
}

// Every SSH key identifies one user: text "TYPE BASE64" -> (user, where).
using KeyOwners = std::map<std::string, std::pair<std::string, YAML::Mark>>;

// `groups:` of a user or service, each name once.
void load_groups(Building& b, const Fields& fields, const std::string& what, User& into) {
    const Value* v = fields.find("groups");
    if (v == nullptr) return;
    for (const Value& group : b.reader.items(*v, what + " groups").value_or(std::vector<Value>{})) {
        if (std::optional<std::string> name = b.reader.name(group, what + " group name")) {
            if (!into.in_group(*name)) into.groups.push_back(*name);
        }
    }
}

void load_user(Building& b, const Value& item, KeyOwners& key_owners) {
    std::string what = describe(item, "user", "name");
    std::optional<Fields> fields = b.reader.fields(item, what, {"name", "groups", "password", "ssh_keys"});
    if (!fields) return;
    User user;
    bool keep = false;
    if (const Value* v = b.reader.required(*fields, "name", what)) {
        if (std::optional<std::string> name = b.reader.name(*v, "user name")) {
            user.name = *name;
            keep = define(b.reader, b.user_marks, "user", *name, v->mark);
        }
    }
    load_groups(b, *fields, what, user);
    if (const Value* v = fields->find("password")) {
        user.password = b.reader.parse(*v, what + " password", &parse_scram_verifier_detailed);
    }
    if (const Value* v = fields->find("ssh_keys")) {
        for (const Value& line : b.reader.items(*v, what + " ssh_keys").value_or(std::vector<Value>{})) {
            std::optional<SshPublicKey> key = b.reader.parse(line, what + " ssh key", &parse_ssh_public_key);
            if (!key) continue;
            const auto [owner, inserted] = key_owners.emplace(key->key_text(), std::pair{user.name, line.mark});
            if (!inserted) {
                b.reader.error(line.mark, fmt::format("{}: this SSH key is already {}'s (line {}); a key must "
                                                      "identify one user",
                                                      what, owner->second.first, owner->second.second.line + 1));
                continue;
            }
            user.ssh_keys.push_back(key->comment.empty() ? key->key_text() : key->key_text() + " " + key->comment);
        }
    }
    if (keep) b.config.users.push_back(std::move(user));
}

// One `services:` entry: a name (unique among users and services), groups, and the hex SHA-256 of its
// token as `jitgate token new` prints it.
void load_service(Building& b, const Value& item) {
    std::string what = describe(item, "service", "name");
    std::optional<Fields> fields = b.reader.fields(item, what, {"name", "groups", "token_sha256"});
    if (!fields) return;
    User service;
    service.service = true;
    bool keep = false;
    if (const Value* v = b.reader.required(*fields, "name", what)) {
        if (std::optional<std::string> name = b.reader.name(*v, "service name")) {
            service.name = *name;
            keep = define(b.reader, b.user_marks, "user or service", *name, v->mark);
        }
    }
    load_groups(b, *fields, what, service);
    if (const Value* v = b.reader.required(*fields, "token_sha256", what)) {
        const std::optional<std::string> hex = b.reader.string(*v, what + " token_sha256");
        const auto nibble = [](char c) -> int {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        };
        bool valid = hex && hex->size() == 64;
        for (std::size_t i = 0; valid && i < 32; ++i) {
            const int high = nibble((*hex)[2 * i]);
            const int low = nibble((*hex)[2 * i + 1]);
            valid = high >= 0 && low >= 0;
            if (valid) service.token_sha256[i] = static_cast<std::uint8_t>(high * 16 + low);
        }
        if (hex && !valid) {
            b.reader.error(v->mark, fmt::format("{}: token_sha256 must be 64 hex digits (from `jitgate token new {}`)",
                                                what, service.name.empty() ? "NAME" : service.name));
            keep = false;
        }
        if (!hex) keep = false;
    } else {
        keep = false;
    }
    if (keep) b.config.users.push_back(std::move(service));
}

void load_role(Building& b, const YAML::Node& key, const YAML::Node& body) {
    if (!key.IsScalar()) {
        b.reader.error(key.Mark(), "roles: a role name must be a plain word");
        return;
    }
    const Value key_value{key, key.Mark()};
    const std::optional<std::string> name = b.reader.name(key_value, "role name");
    if (!name) return;
    const bool keep = define(b.reader, b.role_marks, "role", *name, key.Mark());
    const std::string what = fmt::format("role {}", *name);
    Role role;
    role.name = *name;
    std::optional<Fields> fields =
        b.reader.fields(Value{body, body.IsNull() ? key.Mark() : body.Mark()}, what, {"allow", "ssh"});
    if (fields) {
        if (const Value* v = b.reader.required(*fields, "allow", what)) {
            for (const Located& text : b.reader.strings(*v, what + " allow").value_or(std::vector<Located>{})) {
                if (const std::optional<RiskClass> risk = parse_risk_class(text.text)) {
                    if (!role.allows(*risk)) role.allow.push_back(*risk);
                } else {
                    b.reader.error(text.mark, fmt::format("{}: unknown risk class `{}` (use read, write, ddl, "
                                                          "admin, destructive or unknown)",
                                                          what, text.text));
                }
            }
        }
        if (const Value* v = fields->find("ssh")) {
            if (std::optional<Fields> ssh = b.reader.fields(*v, what + " ssh", {"pty", "sftp", "port_forwarding"})) {
                const auto flag = [&](std::string_view key_name, bool& out) {
                    if (const Value* f = ssh->find(key_name)) {
                        out = b.reader.boolean(*f, fmt::format("{} ssh.{}", what, key_name)).value_or(false);
                    }
                };
                flag("pty", role.ssh.pty);
                flag("sftp", role.ssh.sftp);
                flag("port_forwarding", role.ssh.port_forwarding);
            }
        }
    }
    if (keep) b.config.roles.push_back(std::move(role));
}

}  // namespace

void load_targets(Building& b, const Value& value) {
    for (const Value& item : b.reader.items(value, "targets").value_or(std::vector<Value>{})) load_target(b, item);
}

void load_users(Building& b, const Value& value) {
    KeyOwners key_owners;
    for (const Value& item : b.reader.items(value, "users").value_or(std::vector<Value>{})) {
        load_user(b, item, key_owners);
    }
}

void load_services(Building& b, const Value& value) {
    for (const Value& item : b.reader.items(value, "services").value_or(std::vector<Value>{})) load_service(b, item);
}

void load_auditors(Building& b, const Value& value) {
    for (const Located& subject : b.reader.strings(value, "auditors").value_or(std::vector<Located>{})) {
        b.config.auditors.push_back(subject.text);
        b.refer(RefKind::subject, subject, "auditors");
    }
}

void load_roles(Building& b, const Value& value) {
    if (value.node.IsNull()) return;
    if (!value.node.IsMap()) {
        b.reader.error(value.mark, "roles must be a map of NAME: { allow: [...] }");
        return;
    }
    for (auto it = value.node.begin(); it != value.node.end(); ++it) {
        if (!b.reader.spend()) return;
        load_role(b, it->first, it->second);
    }
}

}  // namespace jitgate::config::detail
