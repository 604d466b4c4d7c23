// Shared by the SQL classifier's tests: a row of a statement table, the class letters the tables use and one
// classifier with the built-in tables.
#pragma once

#include "guardrails/sql/sql_classifier.hpp"

#include <string_view>

namespace sql_cases {

using jitgate::config::RiskClass;

struct Case {
    std::string_view sql;
    RiskClass expected;
};

inline constexpr RiskClass R = RiskClass::read;
inline constexpr RiskClass W = RiskClass::write;
inline constexpr RiskClass D = RiskClass::ddl;
inline constexpr RiskClass A = RiskClass::admin;
inline constexpr RiskClass X = RiskClass::destructive;
inline constexpr RiskClass U = RiskClass::unknown;

inline const jitgate::guardrails::SqlClassifier& classifier() {
    static const jitgate::guardrails::SqlClassifier instance;
    return instance;
}

}  // namespace sql_cases
