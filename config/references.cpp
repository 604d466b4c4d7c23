// Cross-section checks, run once every section is read: each role, user, group and target a rule or
// grant names must be defined somewhere in the file (globs must match at least one target).
#include "config/reader.hpp"

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <set>

namespace jitgate::config::detail {
namespace {

constexpr std::string_view group_prefix = "group:";

[[nodiscard]] bool is_glob(std::string_view pattern) {
    return pattern.find_first_of("*?[") != std::string_view::npos;
}

struct Names {
    std::vector<std::string> roles;
    std::vector<std::string> users;
    std::vector<std::string> groups;
    std::vector<std::string> targets;
};

[[nodiscard]] bool contains(const std::vector<std::string>& names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

void check(Building& b, const Reference& ref, const Names& names) {
    const std::string& name = ref.name.text;
    const auto missing = [&](std::string_view what, const std::vector<std::string>& known) {
        b.reader.error(ref.name.mark,
                       fmt::format("{}: unknown {} `{}`{}", ref.where, what, name, did_you_mean(name, known)));
    };
    switch (ref.kind) {
        case RefKind::role:
            if (!contains(names.roles, name)) missing("role", names.roles);
            return;
        case RefKind::user:
            if (!contains(names.users, name)) missing("user", names.users);
            return;
        case RefKind::target:
            if (!contains(names.targets, name)) missing("target", names.targets);
            return;
        case RefKind::subject:
            if (name.starts_with(group_prefix)) {
                const std::string group = name.substr(group_prefix.size());
                if (!contains(names.groups, group)) {
                    b.reader.error(ref.name.mark, fmt::format("{}: no user is in group `{}`{}", ref.where, group,
                                                              did_you_mean(group, names.groups)));
                }
            } else if (!contains(names.users, name)) {
                missing("user", names.users);
            }
            return;
        case RefKind::target_pattern:
            if (!is_glob(name)) {
                if (!contains(names.targets, name)) missing("target", names.targets);
                return;
            }
            const bool matches_one = std::any_of(names.targets.begin(), names.targets.end(), [&](const std::string& t) {
                return ::fnmatch(name.c_str(), t.c_str(), 0) == 0;
            });
            if (!matches_one) {
                b.reader.error(ref.name.mark,
                               fmt::format("{}: pattern `{}` matches no target", ref.where, name));
            }
            return;
    }
}

}  // namespace

void check_references(Building& b) {
    Names names;
    for (const Role& role : b.config.roles) names.roles.push_back(role.name);
    for (const Target& target : b.config.targets) names.targets.push_back(target.name);
    std::set<std::string> groups;
    for (const User& user : b.config.users) {
        names.users.push_back(user.name);
        groups.insert(user.groups.begin(), user.groups.end());
    }
    names.groups.assign(groups.begin(), groups.end());
    for (const Reference& ref : b.references) check(b, ref, names);
}

}  // namespace jitgate::config::detail
