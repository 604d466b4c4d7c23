// The JSON the audit log needs and nothing more: escaping any bytes into a JSON string (invalid UTF-8
// becomes U+FFFD, so a line is always valid JSON), and reading one line back as a flat object whose
// top-level strings and integers can be looked up. Nested values are validated and skipped.
// Hand-written rather than nlohmann_json because that library is guardrails/'s (STYLE habit 10) and the
// verifier reads every line of a large file; it is strict RFC 8259 (UTF-8 only, no trailing commas).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jitgate::proxy {

// Appends `text` as a quoted JSON string: `"` `\` and control characters escaped, valid UTF-8 copied,
// every byte of an invalid UTF-8 sequence replaced by \ufffd.
void append_json_string(std::string& out, std::string_view text);

// One JSON object's top-level fields. Strings are kept decoded; integers are kept when they are
// non-negative and fit 64 bits; other values (negative or fractional numbers, true/false/null, arrays,
// objects) are only known to be present.
class JsonObject {
public:
    [[nodiscard]] bool has(std::string_view key) const noexcept { return find(key) != nullptr; }
    [[nodiscard]] std::optional<std::string_view> string(std::string_view key) const noexcept;
    [[nodiscard]] std::optional<std::uint64_t> integer(std::string_view key) const noexcept;

private:
    friend struct JsonReader;
    enum class Kind : std::uint8_t { string, integer, other };
    struct Field {
        std::string key;
        std::string text;  // the decoded string, or the integer's digits
        Kind kind = Kind::other;
    };
    [[nodiscard]] const Field* find(std::string_view key) const noexcept;
    std::vector<Field> fields_;
};

// A line read as one JSON object, or why it is not one ("not valid JSON: ...", "duplicate field seq").
struct JsonRead {
    std::optional<JsonObject> object;
    std::string error;  // set exactly when object is empty
    [[nodiscard]] explicit operator bool() const noexcept { return object.has_value(); }
};
[[nodiscard]] JsonRead read_json_object(std::string_view line);

}  // namespace jitgate::proxy
