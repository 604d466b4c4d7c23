// Read-only queries over a loaded Config snapshot: lookups by name and the allowlist's matching rules.
#include "config/config.hpp"

#include <openssl/crypto.h>

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

bool User::named_by(const std::vector<std::string>& subjects) const noexcept {
    constexpr std::string_view group_prefix = "group:";
    return std::any_of(subjects.begin(), subjects.end(), [&](const std::string& subject) {
        if (subject.starts_with(group_prefix)) return in_group(std::string_view{subject}.substr(group_prefix.size()));
        return subject == name;
    });
}

bool AccessRule::covers_user(const User& user) const noexcept { return user.named_by(users); }

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

const User* Config::find_service_by_token(const std::array<std::uint8_t, 32>& sha256) const noexcept {
    const User* found = nullptr;
    for (const User& user : users) {
        // Every service is compared, whole, so the time taken says nothing about which one matched.
        if (user.service && CRYPTO_memcmp(user.token_sha256.data(), sha256.data(), sha256.size()) == 0) found = &user;
    }
    return found;
}

std::string_view to_string(MetricsAccess access) noexcept {
    switch (access) {
    case MetricsAccess::open: return "public";
    case MetricsAccess::token: return "auth";
    case MetricsAccess::off: return "off";
    }
    return "off";
}

const Role* Config::find_role(std::string_view name) const noexcept {
    return find_by(roles, name, &Role::name);
}

const Guardrail* Config::find_guardrail(std::string_view id) const noexcept {
    return find_by(guardrails, id, &Guardrail::id);
}

}  // namespace jitgate::config
