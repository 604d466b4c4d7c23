// The shell classifier's answer and program tables as plain types (ShellEffect, ShellClassification,
// ShellProgramTables), shared by the classifier and the internals its program handlers use (shell_detail.hpp).
#pragma once

#include "config/config.hpp"

#include <string>
#include <unordered_map>
#include <vector>

namespace jitgate::guardrails {

// One simple command (or one redirection or substitution decided on its own), e.g.
// {destructive, "rm -rf removes recursively", "rm -rf /tmp/x"}.
struct ShellEffect {
    config::RiskClass risk = config::RiskClass::read;
    std::string reason;
    std::string command;  // the simple command as written (shortened when long)
};

struct ShellClassification {
    config::RiskClass risk = config::RiskClass::read;  // the highest of all effects (rank() order)
    std::string reason;                                // one line: the command that decided, and why
    std::vector<ShellEffect> effects;                  // every simple command, in text order
};

// The built-in program table merged with config's `classify.programs` (config entries win; a name with a
// slash in config matches that exact path).
struct ShellProgramTables {
    std::unordered_map<std::string, config::RiskClass> builtin;
    std::unordered_map<std::string, config::RiskClass> configured;

    [[nodiscard]] static ShellProgramTables with_builtins(const config::ClassifyTables& extra = {});
};

}  // namespace jitgate::guardrails
