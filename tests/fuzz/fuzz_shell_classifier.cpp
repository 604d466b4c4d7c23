// libFuzzer target for the shell classifier: any bytes must classify without crashing or hanging, with a
// reason and without throwing inside; a text longer than the limit or holding a NUL byte is unknown; every
// reason and command word it writes back is valid UTF-8 (issue 11 item 4); and the tokenizer's result is
// all-or-nothing (an error leaves no tokens).
#include "guardrails/shell/shell_classifier.hpp"
#include "guardrails/shell/shell_lexer.hpp"
#include "guardrails/sql/sql_tree.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const jitgate::guardrails::ShellClassifier classifier({}, 16 * 1024);
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const jitgate::guardrails::ShellClassification result = classifier.classify(text);
    const bool must_be_unknown = size > 16 * 1024 || text.find('\0') != std::string_view::npos;
    if (must_be_unknown && result.risk != jitgate::config::RiskClass::unknown) std::abort();
    if (result.reason.empty()) std::abort();
    // classify() turns an exception into unknown; the fuzzer wants to see any that escape a handler.
    if (result.reason == "the classifier failed on this text") std::abort();
    using jitgate::guardrails::detail::is_valid_utf8;
    if (!is_valid_utf8(result.reason)) std::abort();
    for (const auto& effect : result.effects) {
        if (static_cast<int>(effect.risk) > static_cast<int>(result.risk)) std::abort();
        if (!is_valid_utf8(effect.reason) || !is_valid_utf8(effect.command)) std::abort();
    }
    if (size <= 16 * 1024) {
        const jitgate::guardrails::shell::LexResult lexed = jitgate::guardrails::shell::lex(text);
        if (!lexed.ok() && !lexed.tokens.empty()) std::abort();
    }
    return 0;
}
