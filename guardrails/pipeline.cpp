// The allow-all pipeline and the test-only marker rule behind the guardrail seam.
#include "guardrails/pipeline.hpp"

namespace jitgate::guardrails {

Decision AllowAllPipeline::evaluate(const Command& /*command*/) const {
    return Decision{};
}

MarkerDenyPipeline::MarkerDenyPipeline(std::string marker, bool block_function_calls)
    : marker_(std::move(marker)), block_function_calls_(block_function_calls) {}

Decision MarkerDenyPipeline::evaluate(const Command& command) const {
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

}  // namespace jitgate::guardrails
