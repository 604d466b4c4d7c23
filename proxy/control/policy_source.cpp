// The policy source: classifiers for a config, and Policy builds with the store's grants (see policy_source.hpp).
#include "proxy/control/policy_source.hpp"

#include "guardrails/shell/shell_classifier.hpp"
#include "guardrails/sql/sql_cache.hpp"

namespace jitgate::proxy {
namespace {

// The earliest moment after `now` at which some holding starts or ends: the Policy must be rebuilt then
// (a decision checks validity itself, but ended grants must close sessions and leave the snapshot).
std::optional<config::TimePoint> next_change(const guardrails::Policy& policy, config::TimePoint now) {
    std::optional<config::TimePoint> next;
    const auto consider = [&](const std::optional<config::TimePoint>& when) {
        if (when && *when > now && (!next || *when < *next)) next = when;
    };
    for (const guardrails::Grant& grant : policy.grants()) {
        if (grant.status != guardrails::GrantStatus::approved) continue;
        consider(grant.from);
        consider(grant.until);
    }
    return next;
}

}  // namespace

guardrails::ClassifyText make_shell_class_source(const config::Config& config) {
    auto classifier = std::make_shared<const guardrails::ShellClassifier>(config.classify);
    return [classifier](std::string_view text) {
        return std::make_shared<const guardrails::Classification>(guardrails::as_classification(classifier->classify(text)));
    };
}

guardrails::ClassifyText make_class_source(const config::Config& config) {
    auto cache = std::make_shared<guardrails::ClassCache>(
        std::make_shared<const guardrails::SqlClassifier>(config.classify, config.limits.max_statement_bytes));
    return [cache](std::string_view sql) { return cache->classify(sql); };
}

PolicySource::PolicySource(LiveConfig& config, std::shared_ptr<guardrails::GuardrailPipeline> pipeline)
    : config_(config), pipeline_(std::move(pipeline)) {
    config_changed(config_.load());
}

void PolicySource::config_changed(std::shared_ptr<const config::Config> config) {
    classify_ = make_class_source(*config);
    classify_shell_ = make_shell_class_source(*config);
    configs_.push_back(std::move(config));
}

std::shared_ptr<const guardrails::Policy> PolicySource::install(const std::vector<guardrails::Grant>& grants,
                                                                config::TimePoint now) {
    std::shared_ptr<const guardrails::Policy> policy =
        guardrails::Policy::build(config_.load(), grants, classify_, now, classify_shell_);
    next_change_ = next_change(*policy, now);
    pipeline_->update(policy);
    return policy;
}

}  // namespace jitgate::proxy
