// Pipelines for tests only (unit tests, fuzz targets and the test-only jitgate_testing executable):
// allow everything, or block what contains a marker. They are never part of the shipped jitgate.
#pragma once

#include "guardrails/pipeline.hpp"

#include <string>
#include <string_view>

namespace jitgate::guardrails {

// Allows everything: tests of the relay's own backstops, behind no guardrail.
class AllowAllPipeline final : public Pipeline {
public:
    [[nodiscard]] Decision evaluate(const Command& /*command*/) const override { return Decision{}; }
};

// For tests of enforcement only: blocks every command whose text contains `marker` (and, when
// block_function_calls is set, every FunctionCall). It only ever denies, so it cannot open anything.
class MarkerDenyPipeline final : public Pipeline {
public:
    explicit MarkerDenyPipeline(std::string marker, bool block_function_calls = true)
        : marker_(std::move(marker)), block_function_calls_(block_function_calls) {}

    [[nodiscard]] Decision evaluate(const Command& command) const override {
        const bool is_call = command.kind == CommandKind::function_call;
        const bool hit = is_call ? block_function_calls_
                                 : (!marker_.empty() && command.text.find(marker_) != std::string_view::npos);
        if (!hit) return Decision{};
        Decision decision;
        decision.verdict = Verdict::block;
        decision.risk = RiskClass::unknown;
        decision.rule = "test-deny-marker";
        decision.reason = is_call ? "function calls by OID are blocked by the test rule"
                                  : "the statement contains the test deny marker";
        decision.hint = "this rule exists only in tests";
        return decision;
    }

private:
    std::string marker_;
    bool block_function_calls_;
};

}  // namespace jitgate::guardrails
