// The guardrail seam: a Command observed by a protocol goes in, a Decision comes out. Pure, no I/O;
// protocols observe, the pipeline decides, the session enforces.
#pragma once

#include "config/config.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace jitgate::guardrails {

using config::RiskClass;

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
    std::string_view statement_name;  // Parse/Execute: the prepared statement's name
};

enum class Verdict : std::uint8_t { allow, block, would_block };

struct Decision {
    Verdict verdict = Verdict::allow;
    RiskClass risk = RiskClass::read;
    std::string rule;    // the rule id that decided, or the missing grant; empty on a plain allow
    std::string reason;  // one sentence for the engineer
    std::string hint;    // e.g. the exact `jitgate grant request ...` command
    [[nodiscard]] bool blocks() const noexcept { return verdict == Verdict::block; }
};

class Pipeline {
public:
    virtual ~Pipeline() = default;
    [[nodiscard]] virtual Decision evaluate(const Command& command) const = 0;
};

// Allows everything; the PostgreSQL path's default until the real pipeline is plugged in.
class AllowAllPipeline final : public Pipeline {
public:
    [[nodiscard]] Decision evaluate(const Command& command) const override;
};

// For tests of enforcement only: blocks every command whose text contains `marker` (and, when
// block_function_calls is set, every FunctionCall). It only ever denies, so it cannot open anything.
class MarkerDenyPipeline final : public Pipeline {
public:
    explicit MarkerDenyPipeline(std::string marker, bool block_function_calls = true);
    [[nodiscard]] Decision evaluate(const Command& command) const override;

private:
    std::string marker_;
    bool block_function_calls_;
};

}  // namespace jitgate::guardrails
