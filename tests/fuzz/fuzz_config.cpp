// libFuzzer target for the config loader: any bytes go to load_text (YAML parsing, every section loader
// and the reference checks), then to each value parser. Checks the loader's contract: no exception
// escapes, exactly one of {snapshot, errors} is set, every diagnostic has a position and a message.
#include "config/config.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

namespace config = jitgate::config;

void check_value_parsers(std::string_view text) {
    if (const auto duration = config::parse_duration(text)) {
        if (config::parse_duration(config::format_duration(*duration.value)).value != duration.value) __builtin_trap();
    } else if (duration.error.empty()) {
        __builtin_trap();
    }
    (void)config::parse_size(text);
    (void)config::parse_timestamp(text);
    if (const auto endpoint = config::parse_endpoint(text)) {
        if (endpoint.value->port == 0) __builtin_trap();
        if (!config::parse_endpoint(endpoint.value->to_string())) __builtin_trap();
    }
    if (const auto key = config::parse_ssh_public_key(text)) {
        if (!config::parse_ssh_public_key(key.value->key_text())) __builtin_trap();
    }
    if (config::parse_scram_verifier(text).has_value() != config::parse_scram_verifier_detailed(text).value.has_value()) {
        __builtin_trap();
    }
    if (const auto window = config::parse_window(text)) {
        (void)window.value->contains(config::TimePoint{});
        (void)window.value->contains(std::chrono::system_clock::now());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text{reinterpret_cast<const char*>(data), size};
    const config::LoadResult result = config::load_text(text, "fuzz.yaml", "/nonexistent-jitgate-fuzz");
    if ((result.config == nullptr) == result.errors.empty()) __builtin_trap();
    for (const config::Diagnostic& error : result.errors) {
        if (error.message.empty() || error.line < 0 || error.column < 0 || error.file != "fuzz.yaml") __builtin_trap();
    }
    if (result.config && result.config->hash.size() != 64) __builtin_trap();
    if (size <= 512) check_value_parsers(text);
    return 0;
}
