// The entry points load_file/load_text: YAML text -> every diagnostic, or one immutable Config snapshot.
// Reads the top-level keys and the small sections (listen, tls, paths, recording, limits) itself and
// hands the larger ones to the section loaders; no exception escapes.
#include "config/reader.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <yaml-cpp/eventhandler.h>

#include <array>
#include <fstream>
#include <sstream>
#include <tuple>

namespace jitgate::config {
namespace {

using detail::Building;
using detail::Fields;
using detail::Value;

[[nodiscard]] std::string sha256_hex(std::string_view bytes) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) return {};
    std::string hex;
    hex.reserve(std::size_t{length} * 2);
    for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
    return hex;
}

void load_listen(Building& b, const Value& value) {
    std::optional<Fields> fields = b.reader.fields(value, "listen", {"postgres", "ssh", "api"});
    if (!fields) return;
    if (const Value* v = fields->find("postgres")) {
        b.config.listen_postgres = b.reader.parse(*v, "listen.postgres", &parse_endpoint);
    }
    if (const Value* v = fields->find("ssh")) b.config.listen_ssh = b.reader.parse(*v, "listen.ssh", &parse_endpoint);
    if (const Value* v = fields->find("api")) b.config.listen_api = b.reader.parse(*v, "listen.api", &parse_endpoint);
    if (fields->entries.empty()) b.reader.error(value.mark, "listen needs `postgres:`, `ssh:`, `api:` or some of them");
}

void load_tls(Building& b, const Value& value) {
    std::optional<Fields> fields = b.reader.fields(value, "tls", {"cert", "key", "require"});
    if (!fields) return;
    Tls tls;
    const Value* cert = b.reader.required(*fields, "cert", "tls");
    const Value* key = b.reader.required(*fields, "key", "tls");
    for (const auto& [file, where, what] : {std::tuple{cert, &tls.cert_file, "tls.cert"},
                                            std::tuple{key, &tls.key_file, "tls.key"}}) {
        if (file == nullptr) continue;
        std::optional<std::filesystem::path> path = b.reader.path(*file, what);
        if (!path) continue;
        *where = *path;
        std::error_code ec;
        if (!std::filesystem::is_regular_file(*path, ec)) {
            b.reader.error(file->mark, fmt::format("{}: cannot read {}: no such file", what, path->string()));
        }
    }
    if (const Value* v = fields->find("require")) tls.require = b.reader.boolean(*v, "tls.require").value_or(false);
    b.config.tls = std::move(tls);
}

// "sqlite:PATH" (relative to the config file) or a postgres:// URL, kept as written.
void load_state(Building& b, const Value& value) {
    std::optional<std::string> text = b.reader.string(value, "state");
    if (!text) return;
    constexpr std::string_view sqlite = "sqlite:";
    if (text->starts_with(sqlite) && text->size() > sqlite.size()) {
        b.config.state = std::string{sqlite} + b.reader.resolve(text->substr(sqlite.size())).string();
    } else if (text->starts_with("postgres://") || text->starts_with("postgresql://")) {
        b.config.state = *text;
    } else {
        b.reader.error(value.mark, "state must be sqlite:PATH or a postgres:// URL");
    }
}

// `api:` (DESIGN §3): token lifetime, who may read /metrics, the advertised URL and the API's own bounds.
void load_api(Building& b, const Value& value) {
    std::optional<Fields> fields = b.reader.fields(
        value, "api", {"session_ttl", "metrics", "advertise_url", "max_connections", "request_timeout"});
    if (!fields) return;
    ApiSettings& api = b.config.api;
    const auto positive = [&](std::string_view key, Seconds& out, Seconds most) {
        const Value* v = fields->find(key);
        if (v == nullptr) return;
        const std::string what = fmt::format("api.{}", key);
        if (std::optional<Seconds> d = b.reader.parse(*v, what, &parse_duration)) {
            if (d->count() <= 0 || *d > most) {
                b.reader.error(v->mark, fmt::format("{} must be longer than 0s and at most {}", what, format_duration(most)));
            } else {
                out = *d;
            }
        }
    };
    positive("session_ttl", api.session_ttl, Seconds{30 * 24 * 3600});
    positive("request_timeout", api.request_timeout, Seconds{300});
    if (const Value* v = fields->find("metrics")) {
        if (std::optional<std::string> text = b.reader.string(*v, "api.metrics")) {
            if (*text == "public") {
                api.metrics = MetricsAccess::open;
            } else if (*text == "auth") {
                api.metrics = MetricsAccess::token;
            } else if (*text == "off") {
                api.metrics = MetricsAccess::off;
            } else {
                b.reader.error(v->mark, "api.metrics must be public, auth or off");
            }
        }
    }
    if (const Value* v = fields->find("advertise_url")) {
        if (std::optional<std::string> url = b.reader.string(*v, "api.advertise_url")) {
            if (!url->starts_with("https://") && !url->starts_with("http://")) {
                b.reader.error(v->mark, "api.advertise_url must be an https:// (or loopback http://) URL");
            } else {
                api.advertise_url = *url;
            }
        }
    }
    if (const Value* v = fields->find("max_connections")) {
        if (auto n = b.reader.integer(*v, "api.max_connections", 1, 100'000)) api.max_connections = static_cast<std::size_t>(*n);
    }
}

void load_limits(Building& b, const Value& value) {
    std::optional<Fields> fields =
        b.reader.fields(value, "limits",
                        {"max_message_bytes", "startup_timeout", "idle_timeout", "max_connections",
                         "max_statement_bytes", "workers", "revoke_grace", "expiry_grace"});
    if (!fields) return;
    Limits& limits = b.config.limits;
    const auto size = [&](std::string_view key, std::size_t& out, std::size_t min) {
        const Value* v = fields->find(key);
        if (v == nullptr) return;
        const std::string what = fmt::format("limits.{}", key);
        if (std::optional<std::size_t> bytes = b.reader.parse(*v, what, &parse_size)) {
            if (*bytes < min || *bytes > (std::size_t{1} << 30)) {
                b.reader.error(v->mark, fmt::format("{} must be from {} bytes to 1GiB", what, min));
            } else {
                out = *bytes;
            }
        }
    };
    size("max_message_bytes", limits.max_message_bytes, 1024);
    size("max_statement_bytes", limits.max_statement_bytes, 64);
    if (const Value* v = fields->find("startup_timeout")) {
        if (std::optional<Seconds> d = b.reader.parse(*v, "limits.startup_timeout", &parse_duration)) {
            if (d->count() <= 0) {
                b.reader.error(v->mark, "limits.startup_timeout must be longer than 0s");
            } else {
                limits.startup_timeout = *d;
            }
        }
    }
    if (const Value* v = fields->find("idle_timeout")) {
        if (v->node.IsScalar() && (v->node.Scalar() == "0" || v->node.Scalar() == "off")) {
            limits.idle_timeout = Seconds{0};
        } else if (std::optional<Seconds> d = b.reader.parse(*v, "limits.idle_timeout (or 0/off)", &parse_duration)) {
            limits.idle_timeout = *d;
        }
    }
    const auto grace = [&](std::string_view key, Seconds& out) {
        const Value* v = fields->find(key);
        if (v == nullptr) return;
        if (std::optional<Seconds> d = b.reader.parse(*v, fmt::format("limits.{}", key), &parse_duration)) out = *d;
    };
    grace("revoke_grace", limits.revoke_grace);
    grace("expiry_grace", limits.expiry_grace);
    if (const Value* v = fields->find("max_connections")) {
        if (auto n = b.reader.integer(*v, "limits.max_connections", 1, 1'000'000)) {
            limits.max_connections = static_cast<std::size_t>(*n);
        }
    }
    if (const Value* v = fields->find("workers")) {
        if (auto n = b.reader.integer(*v, "limits.workers (0 = one per core)", 0, 1024)) {
            limits.workers = static_cast<unsigned>(*n);
        }
    }
}

// Where each YAML document in a text starts, found without building any. yaml-cpp 0.7's LoadAll loops
// forever on a token that cannot start a node (a leading ',', fixed upstream in yaml-cpp PR #1319): the
// parser then "starts" every document at the same place, which this reports as the syntax error it is.
class DocumentStarts final : public YAML::EventHandler {
public:
    std::vector<YAML::Mark> starts;

    void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
};

// The one document of `text`, or nullopt after reporting why there is not exactly one.
[[nodiscard]] std::optional<YAML::Node> parse_document(detail::Reader& reader, std::string_view text) {
    const std::string bytes{text};
    try {
        std::istringstream stream{bytes};
        YAML::Parser parser{stream};
        DocumentStarts documents;
        while (documents.starts.size() < 2 && parser.HandleNextDocument(documents)) {
        }
        if (documents.starts.size() == 2) {
            const YAML::Mark& first = documents.starts[0];
            const YAML::Mark& second = documents.starts[1];
            if (first.pos == second.pos) {
                const char c = first.pos >= 0 && static_cast<std::size_t>(first.pos) < bytes.size()
                                   ? bytes[static_cast<std::size_t>(first.pos)]
                                   : '?';
                reader.error(first, fmt::format("YAML syntax error: unexpected `{}`", c));
            } else {
                reader.error(second, "the config must be one YAML document (found a second `---`)");
            }
            return std::nullopt;
        }
        return YAML::Load(bytes);
    } catch (const YAML::Exception& e) {
        // A syntax error: one diagnostic where the parser stopped.
        reader.error(e.mark, fmt::format("YAML syntax error: {}", e.msg));
        return std::nullopt;
    } catch (const std::exception& e) {
        reader.error(YAML::Mark::null_mark(), fmt::format("cannot parse the config: {}", e.what()));
        return std::nullopt;
    }
}

using SectionLoader = void (*)(Building&, const Value&);

struct Section {
    std::string_view key;
    SectionLoader load;
};

void load_path(Building& b, const Value& value, std::string_view key, std::filesystem::path& out) {
    if (std::optional<std::filesystem::path> path = b.reader.path(value, key)) out = *path;
}

constexpr std::array<Section, 21> sections{{
    {"listen", &load_listen},
    {"tls", &load_tls},
    {"ssh_host_key", [](Building& b, const Value& v) { load_path(b, v, "ssh_host_key", b.config.ssh_host_key); }},
    {"state", &load_state},
    {"recordings", [](Building& b, const Value& v) { load_path(b, v, "recordings", b.config.recordings); }},
    {"audit_log", [](Building& b, const Value& v) { load_path(b, v, "audit_log", b.config.audit_log); }},
    {"record",
     [](Building& b, const Value& v) { b.config.record = b.reader.boolean(v, "record").value_or(b.config.record); }},
    {"record_params",
     [](Building& b, const Value& v) {
         b.config.record_params = b.reader.boolean(v, "record_params").value_or(b.config.record_params);
     }},
    {"record_rows",
     [](Building& b, const Value& v) {
         if (auto n = b.reader.integer(v, "record_rows", 0, 1'000'000)) b.config.record_rows = static_cast<std::size_t>(*n);
     }},
    {"record_failure",
     [](Building& b, const Value& v) {
         const std::optional<std::string> text = b.reader.string(v, "record_failure");
         if (!text) return;
         if (*text == "block" || *text == "continue") {
             b.config.record_failure_block = *text == "block";
         } else {
             b.reader.error(v.mark, "record_failure must be block or continue");
         }
     }},
    {"targets", &detail::load_targets},
    {"users", &detail::load_users},
    {"roles", &detail::load_roles},
    {"access", &detail::load_access},
    {"grants", &detail::load_grants},
    {"classify", &detail::load_classify},
    {"guardrails", &detail::load_guardrails},
    {"limits", &load_limits},
    {"api", &load_api},
    {"auditors", &detail::load_auditors},
    {"services", &detail::load_services},
}};

// The whole document; `b.config` holds the result when no error was reported.
void load_document(Building& b, const YAML::Node& root) {
    if (root.IsNull()) {
        b.reader.error(YAML::Mark{}, "the config is empty (it needs at least `listen:`)");
        return;
    }
    const Value top{root, root.Mark()};
    std::optional<Fields> fields =
        b.reader.fields(top, "the config",
                        {"listen", "tls", "ssh_host_key", "state", "recordings", "audit_log", "record", "record_params",
                         "record_rows", "record_failure", "targets", "users", "roles", "access", "grants",
                         "classify", "guardrails", "limits", "api", "auditors", "services"});
    if (!fields) return;
    // Paths not written in the file are still relative to it.
    b.config.recordings = b.reader.resolve(b.config.recordings);
    b.config.audit_log = b.reader.resolve(b.config.audit_log);
    b.config.state = "sqlite:" + b.reader.resolve("state/jitgate.db").string();
    // Each section on its own; names used across sections are checked once all are read, and the
    // diagnostics are sorted into file order at the end.
    for (const Section& section : sections) {
        if (const Value* value = fields->find(section.key)) section.load(b, *value);
    }
    const Value* listen = b.reader.required(*fields, "listen", "the config");
    if (listen != nullptr && b.config.listen_ssh && b.config.ssh_host_key.empty()) {
        b.reader.error(listen->mark, "listen.ssh needs `ssh_host_key:` (the proxy's host key file)");
    }
    if (listen != nullptr && b.config.listen_api && !b.config.tls && !is_loopback(*b.config.listen_api)) {
        b.reader.error(listen->mark, fmt::format("listen.api {} is not a loopback address, so it needs `tls:` "
                                                 "(cert and key); the API carries passwords and tokens",
                                                 b.config.listen_api->to_string()));
    }
    detail::check_references(b);
}

}  // namespace

LoadResult load_text(std::string_view text, std::string file_name, const std::filesystem::path& base_dir,
                     Secrets secrets) {
    Building b{detail::Reader{file_name, base_dir}, {}, secrets == Secrets::resolve, {}, {}, {}, {}};
    b.config.path = file_name;
    b.config.hash = sha256_hex(text);
    const std::optional<YAML::Node> document = parse_document(b.reader, text);
    if (document) {
        try {
            load_document(b, *document);
        } catch (const std::exception& e) {
            b.reader.error(YAML::Mark::null_mark(), fmt::format("cannot read the config: {}", e.what()));
        }
    }
    std::vector<Diagnostic> errors = b.reader.take_errors();
    if (!errors.empty()) return LoadResult{nullptr, std::move(errors)};
    return LoadResult{std::make_shared<const Config>(std::move(b.config)), {}};
}

LoadResult load_file(const std::filesystem::path& path, Secrets secrets) {
    const auto fail = [&](std::string message) {
        return LoadResult{nullptr, {Diagnostic{path.string(), 0, 0, std::move(message)}}};
    };
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return fail("no such file");
    if (std::filesystem::is_directory(path, ec)) return fail("is a directory, not a config file");
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail("cannot open the file for reading");
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (in.bad()) return fail("cannot read the file");
    const std::filesystem::path absolute = std::filesystem::absolute(path, ec);
    return load_text(bytes.str(), path.string(), ec ? path.parent_path() : absolute.parent_path(), secrets);
}

}  // namespace jitgate::config
