// The guardrail seam: a Command observed by a protocol goes in, a Decision comes out. Pure, no I/O;
// protocols observe, the pipeline decides, the session enforces.
#pragma once

#include "config/config.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace jitgate::guardrails {

using config::RiskClass;
struct Classification;

enum class Protocol : std::uint8_t { postgres, ssh };

// What the command is, as the protocol saw it.
enum class CommandKind : std::uint8_t {
    query,          // PostgreSQL simple Query: one string, possibly several statements
    parse,          // PostgreSQL Parse: one prepared statement
    execute,        // PostgreSQL Execute of a portal whose statement was classified at Parse
    function_call,  // PostgreSQL FunctionCall: a function by OID, no SQL text
    shell_exec,     // SSH exec request
    shell_line,     // SSH interactive line
};

// One command on its way to a target. Views point into the session's buffers: valid during evaluate().
struct Command {
    std::uint64_t session_id = 0;
    std::string_view user;
    std::string_view target;
    Protocol protocol = Protocol::postgres;
    CommandKind kind = CommandKind::query;
    std::string_view text;            // SQL or shell text; empty for function_call
    std::string_view statement_name;  // Parse: the prepared statement's name; Execute: the portal's
    // Execute: what the statement was classified as at Parse (null: a portal jitgate did not see bound,
    // which is unknown).
    const Classification* classification = nullptr;
};

enum class Verdict : std::uint8_t { allow, block, would_block };

struct Decision {
    Verdict verdict = Verdict::allow;
    RiskClass risk = RiskClass::read;
    std::string rule;    // the rule id that decided, or the missing grant; empty on a plain allow
    std::string reason;  // one sentence for the engineer
    std::string hint;    // e.g. the exact `jitgate grant request ...` command
    std::string grant;   // the grant whose role allowed it; empty for a standing role or a block
    std::optional<config::TimePoint> grant_until;  // that grant's end, to tell it from a later namesake
    // The hash of the config that decided (empty from the test pipelines). Points into that Config,
    // which the proxy keeps for the life of the process.
    std::string_view config_hash;
    // What the text was classified as (Query, Parse): the relay keeps it by statement name so Execute
    // can be checked again without parsing anything. Shared with the class cache; never an allow.
    std::shared_ptr<const Classification> classification;
    [[nodiscard]] bool blocks() const noexcept { return verdict == Verdict::block; }
};

class Pipeline {
public:
    virtual ~Pipeline() = default;
    [[nodiscard]] virtual Decision evaluate(const Command& command) const = 0;
};

// Told of every decision a session makes before it is carried out (audit log, the grants a session
// relies on). False: the decision could not be recorded, and the command must be blocked (fail closed).
class DecisionObserver {
public:
    virtual ~DecisionObserver() = default;
    [[nodiscard]] virtual bool on_decision(const Command& command, const Decision& decision) = 0;
};

// The rule id of the block for a decision that could not be recorded (audit log or session recording).
inline constexpr std::string_view audit_failure_rule = "builtin:audit-trail";

}  // namespace jitgate::guardrails
