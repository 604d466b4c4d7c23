// Read-only queries over a loaded Config snapshot: lookups by name and the allowlist's matching rules.
#include "config/config.hpp"

#include <fnmatch.h>

#include <algorithm>

namespace jitgate::config {
namespace {

template <class T, class Key>
[[nodiscard]] const T* find_by(const std::vector<T>& items, std::string_view name, Key key) noexcept {
    const auto it = std::find_if(items.begin(), items.end(), [&](const T& item) { return item.*key == name; });
    return it == items.end() ? nullptr : &*it;
}

}  // namespace

bool Role::allows(RiskClass risk) const noexcept {
    return std::find(allow.begin(), allow.end(), risk) != allow.end();
}

bool User::in_group(std::string_view group) const noexcept {
    return std::find(groups.begin(), groups.end(), group) != groups.end();
}

bool AccessRule::covers_user(const User& user) const noexcept {
    constexpr std::string_view group_prefix = "group:";
    return std::any_of(users.begin(), users.end(), [&](const std::string& subject) {
        if (subject.starts_with(group_prefix)) {
            return user.in_group(std::string_view{subject}.substr(group_prefix.size()));
        }
        return subject == user.name;
    });
}

bool AccessRule::covers_target(std::string_view target) const {
    const std::string name{target};
    return std::any_of(targets.begin(), targets.end(), [&](const std::string& pattern) {
        return pattern == name || ::fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
    });
}

const Target* Config::find_target(std::string_view name) const noexcept {
    return find_by(targets, name, &Target::name);
}

const User* Config::find_user(std::string_view name) const noexcept {
    return find_by(users, name, &User::name);
}

const Role* Config::find_role(std::string_view name) const noexcept {
    return find_by(roles, name, &Role::name);
}

const Guardrail* Config::find_guardrail(std::string_view id) const noexcept {
    return find_by(guardrails, id, &Guardrail::id);
}

}  // namespace jitgate::config
