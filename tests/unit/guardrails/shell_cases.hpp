// Shared by the shell classifier's tests: a row of a command-line table, the class letters the tables use,
// one classifier with the built-in tables, and the check every table runs on its rows.
#pragma once

#include "guardrails/shell/shell_classifier.hpp"

#include <catch2/catch.hpp>

#include <cstddef>
#include <span>
#include <string_view>

namespace shell_cases {

using jitgate::config::RiskClass;

struct Case {
    std::string_view text;
    RiskClass expected;
};

inline constexpr RiskClass R = RiskClass::read;
inline constexpr RiskClass W = RiskClass::write;
inline constexpr RiskClass A = RiskClass::admin;
inline constexpr RiskClass X = RiskClass::destructive;
inline constexpr RiskClass U = RiskClass::unknown;

inline const jitgate::guardrails::ShellClassifier& classifier() {
    static const jitgate::guardrails::ShellClassifier instance;
    return instance;
}

// Classifies every row and checks its class; returns how many rows it checked.
inline std::size_t check_cases(std::span<const Case> cases, std::string_view label) {
    std::size_t n = 0;
    for (const Case& c : cases) {
        const jitgate::guardrails::ShellClassification result = classifier().classify(c.text);
        INFO(label << " " << n << ": " << c.text);
        INFO("got " << jitgate::config::to_string(result.risk) << ": " << result.reason);
        CHECK(jitgate::config::to_string(result.risk) == jitgate::config::to_string(c.expected));
        ++n;
    }
    return n;
}

}  // namespace shell_cases
