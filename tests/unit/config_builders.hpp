// Builders for the config values grant tests need (a time, a window, a user, a role), shared by the
// guardrails' grant tests and the control room's grant service tests.
#pragma once

#include "config/config.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace jitgate::testing {

inline config::TimePoint at(std::string_view rfc3339) {
    const Result<config::TimePoint> parsed = config::parse_timestamp(rfc3339);
    REQUIRE(parsed);
    return *parsed.value;
}

inline config::Window window(std::string_view text) {
    const Result<config::Window> parsed = config::parse_window(text);
    REQUIRE(parsed);
    return *parsed.value;
}

inline config::User user(std::string name, std::vector<std::string> groups) {
    config::User u;
    u.name = std::move(name);
    u.groups = std::move(groups);
    return u;
}

inline config::Role role(std::string name, std::vector<config::RiskClass> allow) {
    config::Role r;
    r.name = std::move(name);
    r.allow = std::move(allow);
    return r;
}

}  // namespace jitgate::testing
