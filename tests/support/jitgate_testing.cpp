// jitgate_testing: the jitgate command line with test hooks, for the integration tests only (never
// installed or shipped). JITGATE_TEST_NOW=2026-11-28T10:00:00Z fixes the CLI's clock;
// JITGATE_TEST_DENY_MARKER=TEXT makes serve block what contains TEXT instead of running the guardrails;
// JITGATE_TEST_ALLOW_ALL=1 makes serve allow everything (tests of the relay's own backstops).
#include "proxy/app/hooks.hpp"
#include "tests/support/test_pipelines.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

[[nodiscard]] const char* variable(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? value : nullptr;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace jitgate;
    proxy::Hooks& hooks = proxy::hooks();
    if (const char* fake = variable("JITGATE_TEST_NOW")) {
        const Result<config::TimePoint> parsed = config::parse_timestamp(fake);
        if (!parsed) {
            std::fprintf(stderr, "jitgate_testing: JITGATE_TEST_NOW: %s\n", parsed.error.c_str());
            return 2;
        }
        hooks.now = [when = *parsed.value] { return when; };
    }
    if (const char* marker = variable("JITGATE_TEST_DENY_MARKER")) {
        hooks.pipeline = [text = std::string{marker}](const config::Config&) {
            return std::make_shared<const guardrails::MarkerDenyPipeline>(text);
        };
    } else if (const char* all = variable("JITGATE_TEST_ALLOW_ALL"); all != nullptr && std::string_view{all} == "1") {
        hooks.pipeline = [](const config::Config&) { return std::make_shared<const guardrails::AllowAllPipeline>(); };
    }
    return proxy::run_jitgate(argc, argv);
}
