// libFuzzer target for the SQL classifier: any bytes must classify without crashing, a text that is not
// valid UTF-8 or is longer than the limit is unknown, and every answer (reason, effects, relations, the
// JSON of `jitgate classify`) is valid UTF-8 — for the bytes as given and for the same bytes made valid
// UTF-8, which the classifier parses (so the parser's own words, cut identifiers and errors, are checked).
#include "guardrails/sql/sql_classifier.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

// The length of the strict UTF-8 character at text[i], or 0 (independent of the classifier's own).
std::size_t char_length(std::string_view text, std::size_t i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) return 1;
    std::size_t length = 0;
    unsigned lo = 0x80;
    unsigned hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        length = 3;
        lo = c == 0xE0 ? 0xA0 : lo;
        hi = c == 0xED ? 0x9F : hi;
    } else if (c >= 0xF0 && c <= 0xF4) {
        length = 4;
        lo = c == 0xF0 ? 0x90 : lo;
        hi = c == 0xF4 ? 0x8F : hi;
    } else {
        return 0;
    }
    if (text.size() - i < length) return 0;
    const auto second = static_cast<unsigned char>(text[i + 1]);
    if (second < lo || second > hi) return 0;
    for (std::size_t k = 2; k < length; ++k) {
        const auto next = static_cast<unsigned char>(text[i + k]);
        if (next < 0x80 || next > 0xBF) return 0;
    }
    return length;
}

bool valid(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t n = char_length(text, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

// Invalid bytes dropped: what a client that sends valid UTF-8 could send.
std::string made_valid(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t n = char_length(text, i);
        if (n == 0) {
            ++i;
            continue;
        }
        out.append(text.substr(i, n));
        i += n;
    }
    return out;
}

void check_answer(const jitgate::guardrails::Classification& result, std::string_view input) {
    if (result.reason.empty()) std::abort();
    if (!valid(result.reason)) std::abort();
    for (const auto& effect : result.effects) {
        if (!valid(effect.reason) || !valid(effect.relation)) std::abort();
    }
    if (!valid(jitgate::guardrails::to_json(result, input))) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const jitgate::guardrails::SqlClassifier classifier;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const jitgate::guardrails::Classification result = classifier.classify(text);
    if (size > 64 * 1024 && result.risk != jitgate::config::RiskClass::unknown) std::abort();
    check_answer(result, text);
    if (!valid(text)) {
        const std::string repaired = made_valid(text);
        check_answer(classifier.classify(repaired), repaired);
    }
    return 0;
}
