// The policy source: builds the guardrail pipeline's Policy from the config in force and the store's
// grants, and knows when time next changes it (a grant starts or ends). Used by the keeper's thread only.
#pragma once

#include "guardrails/policy.hpp"
#include "proxy/control/live_config.hpp"

#include <memory>
#include <optional>
#include <vector>

namespace jitgate::proxy {

// The class function the Policy uses for a config: the SQL classifier with the config's `classify`
// tables behind the class cache (each text is parsed once).
[[nodiscard]] guardrails::ClassifyText make_class_source(const config::Config& config);
// The shell class source for SSH commands: the shell classifier with the config's `classify.programs`.
[[nodiscard]] guardrails::ClassifyText make_shell_class_source(const config::Config& config);

class PolicySource {
public:
    PolicySource(LiveConfig& config, std::shared_ptr<guardrails::GuardrailPipeline> pipeline);

    // Builds the Policy for the config in force and `grants` at `now` and installs it in the pipeline.
    std::shared_ptr<const guardrails::Policy> install(const std::vector<guardrails::Grant>& grants,
                                                      config::TimePoint now);
    // True when time has reached a grant's start or end since the last install.
    [[nodiscard]] bool due(config::TimePoint now) const noexcept { return next_change_ && now >= *next_change_; }
    // A new config is in force: its classifiers from now on (the old config stays alive for the decisions
    // that point at its hash).
    void config_changed(std::shared_ptr<const config::Config> config);
    [[nodiscard]] std::shared_ptr<const guardrails::Policy> policy() const { return pipeline_->policy(); }

private:
    LiveConfig& config_;
    std::shared_ptr<guardrails::GuardrailPipeline> pipeline_;
    guardrails::ClassifyText classify_;
    guardrails::ClassifyText classify_shell_;
    std::optional<config::TimePoint> next_change_;
    // Every config ever loaded: decisions point at their hash (Decision::config_hash).
    std::vector<std::shared_ptr<const config::Config>> configs_;
};

}  // namespace jitgate::proxy
