// The guardrail pipeline of DESIGN §4: a Command is allowed when the engineer holds, on that target and at
// that moment, a standing role or a grant in force whose role includes the command's class, and no
// guardrail rule denies it. Pure: the grants come in a Policy snapshot built by the proxy, time comes from
// an injected clock, and nothing here does I/O.
//
// Order of a decision: the built-in rule that no grant lifts (text that could turn
// standard_conforming_strings off), then the enforce rules in config order, then the grant check, then
// the shadow rules (a match turns an allow into a would-block, logged, still forwarded).
#pragma once

#include "guardrails/grants.hpp"
#include "guardrails/pipeline.hpp"
#include "guardrails/sql/sql_classifier.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace jitgate::guardrails {

// A set of risk classes, one bit per RiskClass.
using ClassMask = std::uint8_t;
[[nodiscard]] constexpr ClassMask bit(RiskClass risk) noexcept { return static_cast<ClassMask>(1u << static_cast<unsigned>(risk)); }
[[nodiscard]] ClassMask mask_of(const std::vector<RiskClass>& classes) noexcept;

// Where a decision gets a text's class: the class cache in the proxy (a text is parsed once) for SQL,
// the shell classifier for SSH commands (its answer carried as a Classification with no effects).
using ClassifyText = std::function<std::shared_ptr<const Classification>(std::string_view text)>;

// The rule id of the built-in rule that blocks text touching the lexer's settings.
inline constexpr std::string_view lexer_settings_rule = "builtin:lexer-settings";

// Everything a decision reads, built once per config or grant change and never modified afterwards.
class Policy {
public:
    // One user on one target.
    struct Subject {
        struct Held {
            Holding holding;
            ClassMask allows = 0;
        };
        struct Requestable {
            std::string role;
            ClassMask allows = 0;
            std::optional<Seconds> max_duration;
        };
        std::vector<Held> held;                // standing roles first, then grants
        std::vector<Requestable> requestable;  // fewest classes first: the hint offers the smallest role
    };

    // How a grant a session relied on has ended, if it has.
    struct GrantEnd {
        bool revoked = false;  // revoked (or removed from the config/allowlist); else expired
        TimePoint at{};        // when it ended
    };

    // `store_grants`: every grant in the state store (config grants are taken from `config`).
    // `classify_shell` null: every shell command is unknown.
    [[nodiscard]] static std::shared_ptr<const Policy> build(std::shared_ptr<const config::Config> config,
                                                             std::vector<Grant> store_grants, ClassifyText classify,
                                                             TimePoint now, ClassifyText classify_shell = {});

    [[nodiscard]] const config::Config& config() const noexcept { return *config_; }
    [[nodiscard]] const std::shared_ptr<const config::Config>& config_ptr() const noexcept { return config_; }
    [[nodiscard]] const std::vector<Grant>& grants() const noexcept { return grants_; }  // store, then config
    [[nodiscard]] const Subject* subject(std::string_view user, std::string_view target) const;
    [[nodiscard]] std::shared_ptr<const Classification> classify(std::string_view sql) const { return classify_(sql); }
    [[nodiscard]] const ClassifyText& classifier() const noexcept { return classify_; }
    [[nodiscard]] const ClassifyText& shell_classifier() const noexcept { return classify_shell_; }
    // Whether the grant `id` (valid until `until` when the session relied on it) has ended for `user` on
    // `target` by `now`; nullopt while it is still in force.
    [[nodiscard]] std::optional<GrantEnd> ended(std::string_view user, std::string_view target, std::string_view id,
                                                std::optional<TimePoint> until, TimePoint now) const;

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
    };
    template <class V>
    using Map = std::unordered_map<std::string, V, Hash, std::equal_to<>>;

    std::shared_ptr<const config::Config> config_;
    std::vector<Grant> grants_;
    ClassifyText classify_;
    ClassifyText classify_shell_;
    Map<Map<Subject>> subjects_;  // user -> target -> subject; absent: holds and may request nothing
};

// The pure decision: what `policy` says about `command` at `now`.
[[nodiscard]] Decision decide(const Policy& policy, const Command& command, TimePoint now);

// The pipeline the proxy runs: the current Policy behind an atomic pointer, swapped whole when the config
// or the grants change, and a clock (injectable for tests).
class GuardrailPipeline final : public Pipeline {
public:
    using Clock = std::function<TimePoint()>;
    explicit GuardrailPipeline(std::shared_ptr<const Policy> policy, Clock clock = {});

    [[nodiscard]] Decision evaluate(const Command& command) const override;
    void update(std::shared_ptr<const Policy> policy) noexcept {
        policy_.store(std::move(policy));
        version_.fetch_add(1, std::memory_order_release);
    }
    [[nodiscard]] std::shared_ptr<const Policy> policy() const noexcept { return policy_.load(); }
    [[nodiscard]] TimePoint now() const { return clock_ ? clock_() : std::chrono::system_clock::now(); }

private:
    std::atomic<std::shared_ptr<const Policy>> policy_;
    // Bumped after every update: each I/O thread keeps the Policy it last loaded and loads again only
    // when this moved (an atomic shared_ptr load takes a lock; a relaxed counter read does not).
    std::atomic<std::uint64_t> version_{0};
    std::uint64_t id_;  // unique per pipeline for the life of the process (an address can be reused)
    Clock clock_;
};

}  // namespace jitgate::guardrails
