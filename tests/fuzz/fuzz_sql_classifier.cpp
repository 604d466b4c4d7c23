// libFuzzer target for the SQL classifier: any bytes must classify without crashing, and a text that
// is not valid UTF-8 or is longer than the limit is unknown.
#include "guardrails/sql_classifier.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const jitgate::guardrails::SqlClassifier classifier;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const jitgate::guardrails::Classification result = classifier.classify(text);
    if (size > 64 * 1024 && result.risk != jitgate::config::RiskClass::unknown) std::abort();
    if (result.reason.empty()) std::abort();
    return 0;
}
