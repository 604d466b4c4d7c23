// Internal to config/: walking a yaml-cpp tree with positions, typed reads that report instead of
// throwing, and the state the section loaders share while a Config is being built.
#pragma once

#include "config/config.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jitgate::config::detail {

// A YAML node and where to point at it: its own position, or its key's when it is an empty value.
struct Value {
    YAML::Node node;
    YAML::Mark mark;
};

// A string from the file and where it was written.
struct Located {
    std::string text;
    YAML::Mark mark;
};

// The entries of one YAML map, in file order, after unknown and repeated keys were reported.
struct Fields {
    YAML::Mark mark;                              // the map's own position
    std::vector<std::pair<std::string, Value>> entries;
    [[nodiscard]] const Value* find(std::string_view key) const;
    [[nodiscard]] bool has(std::string_view key) const { return find(key) != nullptr; }
};

// A name used in one place that must be defined in another; checked after every section is read.
enum class RefKind : std::uint8_t {
    role,            // a role name
    user,            // a user name
    subject,         // a user name or "group:NAME"
    target,          // a target name
    target_pattern,  // a target name or a glob that matches at least one target
};

struct Reference {
    RefKind kind;
    Located name;
    std::string where;   // e.g. "access rule standing role", for the message
};

class Reader {
public:
    Reader(std::string file_name, std::filesystem::path base_dir);

    void error(const YAML::Mark& at, std::string message);
    [[nodiscard]] bool has_errors() const noexcept { return !errors_.empty(); }
    // Every error, in file order (position, then the order found).
    [[nodiscard]] std::vector<Diagnostic> take_errors();
    [[nodiscard]] const std::string& file_name() const noexcept { return file_name_; }

    // Counts one visited YAML value; false (with one error) once aliases expand the file past reason.
    [[nodiscard]] bool spend();

    // The entries of a map; reports a non-map, non-string or repeated keys, and keys not in `known`.
    [[nodiscard]] std::optional<Fields> fields(const Value& value, std::string_view what,
                                               std::initializer_list<std::string_view> known);
    // The value under `key`, or an error at the map when it is missing.
    [[nodiscard]] const Value* required(const Fields& fields, std::string_view key, std::string_view what);
    // The items of a list (an empty value is an empty list); reports anything else.
    [[nodiscard]] std::optional<std::vector<Value>> items(const Value& value, std::string_view what);

    [[nodiscard]] std::optional<std::string> string(const Value& value, std::string_view what);
    // A non-empty string of letters, digits, '.', '_' and '-': names of targets, users, groups, roles.
    [[nodiscard]] std::optional<std::string> name(const Value& value, std::string_view what);
    [[nodiscard]] std::optional<bool> boolean(const Value& value, std::string_view what);
    [[nodiscard]] std::optional<std::int64_t> integer(const Value& value, std::string_view what,
                                                      std::int64_t min, std::int64_t max);
    [[nodiscard]] std::optional<std::vector<Located>> strings(const Value& value, std::string_view what);
    // A scalar run through one of the value parsers; its error is reported at the value.
    template <class T>
    [[nodiscard]] std::optional<T> parse(const Value& value, std::string_view what,
                                         Result<T> (*parser)(std::string_view)) {
        std::optional<std::string> text = string(value, what);
        if (!text) return std::nullopt;
        Result<T> parsed = parser(*text);
        if (!parsed) error(value.mark, what_prefix(what) + parsed.error);
        return std::move(parsed.value);
    }
    // A path; relative ones resolve against the config file's directory.
    [[nodiscard]] std::optional<std::filesystem::path> path(const Value& value, std::string_view what);
    [[nodiscard]] std::filesystem::path resolve(const std::filesystem::path& path) const;

private:
    [[nodiscard]] static std::string what_prefix(std::string_view what);

    std::string file_name_;
    std::filesystem::path base_dir_;
    std::vector<Diagnostic> errors_;
    std::size_t budget_ = 200'000;
    bool too_many_errors_ = false;
};

// "KIND NAME" when `value` is a map whose `key` is a plain string, else "KIND": names an item in messages
// about it, even those found before its name is read.
[[nodiscard]] std::string describe(const Value& value, std::string_view kind, std::string_view key);

// The nearest of `candidates` to `word` by edit distance when it is close enough to be a typo.
[[nodiscard]] std::optional<std::string> suggest(std::string_view word,
                                                 const std::vector<std::string>& candidates);
// " (did you mean \"x\"?)" or "".
[[nodiscard]] std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// Everything the section loaders share while one file is read.
struct Building {
    Reader reader;
    Config config;
    bool resolve_secrets = true;  // false: targets' password_env/password_file are checked, not read
    std::vector<Reference> references;
    std::map<std::string, YAML::Mark, std::less<>> target_marks;   // name -> where defined
    std::map<std::string, YAML::Mark, std::less<>> user_marks;
    std::map<std::string, YAML::Mark, std::less<>> role_marks;

    void refer(RefKind kind, Located name, std::string where) {
        references.push_back(Reference{kind, std::move(name), std::move(where)});
    }
};

// The section loaders, one per concern; each reads one top-level key's value into building.config.
void load_targets(Building& b, const Value& value);
void load_services(Building& b, const Value& value);
void load_auditors(Building& b, const Value& value);
void load_users(Building& b, const Value& value);
void load_roles(Building& b, const Value& value);
void load_access(Building& b, const Value& value);
void load_grants(Building& b, const Value& value);
void load_classify(Building& b, const Value& value);
void load_guardrails(Building& b, const Value& value);
// Reports every reference to a role, user, group or target that the file does not define.
void check_references(Building& b);

}  // namespace jitgate::config::detail
