// Seams that only the test-only executable (tests/support/jitgate_testing.cpp) fills: a fixed clock for
// the CLI and a replacement pipeline for `serve`. The shipped jitgate leaves them empty and reads no
// variable that could fill them, so nothing outside the process can switch a guardrail off.
#pragma once

#include "config/config.hpp"
#include "guardrails/pipeline.hpp"

#include <functional>
#include <memory>

namespace jitgate::proxy {

struct Hooks {
    // The CLI's clock (grant request, audit --since, sessions --since); empty: the system clock.
    std::function<config::TimePoint()> now;
    // serve's pipeline instead of the guardrails built from the config; empty: the guardrails.
    std::function<std::shared_ptr<const guardrails::Pipeline>(const config::Config&)> pipeline;
};

// The process's hooks; set once, before run_jitgate, by a test-only main.
[[nodiscard]] Hooks& hooks() noexcept;

// The CLI's "now": the hook's clock when one is set, else the system clock.
[[nodiscard]] config::TimePoint cli_now();

// The whole jitgate command line (DESIGN §2): parses argv, runs one subcommand, returns the exit code.
[[nodiscard]] int run_jitgate(int argc, char** argv);

}  // namespace jitgate::proxy
