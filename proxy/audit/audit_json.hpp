// The JSON the audit log and session recordings need and nothing more: escaping any bytes into a JSON
// string (invalid UTF-8 becomes U+FFFD, so a line is always valid JSON), and reading one line back as a
// flat object whose top-level strings and integers can be looked up. Nested values are validated and
// kept as text, to be read with read_json_object or read_json_array when wanted.
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

// The body of a chained record (chain.hpp): `"type":"…"` and then `,"key":value` fields, written into
// a caller's buffer so a warm writer does not allocate.
class JsonFields {
public:
    // Clears `out` and writes the record's type.
    JsonFields(std::string& out, std::string_view type);
    JsonFields& text(std::string_view key, std::string_view value);  // any bytes, escaped
    JsonFields& word(std::string_view key, std::string_view value);  // a value known to need no escaping
    JsonFields& number(std::string_view key, std::uint64_t value);
    // Writes `,"key":` and leaves the value to the caller (arrays, objects, null, decimals).
    JsonFields& key(std::string_view key);
    [[nodiscard]] std::string& out() noexcept { return out_; }
    [[nodiscard]] const std::string& str() const noexcept { return out_; }

private:
    std::string& out_;
};

// One value of an object's field or of an array: a string (kept decoded), a non-negative integer (its
// digits), null, or any other value (negative or fractional numbers, true/false, arrays, objects) kept
// as its exact JSON text, which read_json_object or read_json_array can read in turn.
enum class JsonKind : std::uint8_t { string, integer, null, other };
struct JsonValue {
    JsonKind kind = JsonKind::other;
    std::string text;  // the decoded string, the integer's digits, "null", or the value's JSON text
};

// One JSON object's top-level fields. Integers are kept when they are non-negative and fit 64 bits.
class JsonObject {
public:
    [[nodiscard]] bool has(std::string_view key) const noexcept { return find(key) != nullptr; }
    [[nodiscard]] std::optional<std::string_view> string(std::string_view key) const noexcept;
    [[nodiscard]] std::optional<std::uint64_t> integer(std::string_view key) const noexcept;
    // Any field as it was read (nullptr when absent): nested objects and arrays as their JSON text.
    [[nodiscard]] const JsonValue* value(std::string_view key) const noexcept;

private:
    friend struct JsonReader;
    struct Field {
        std::string key;
        JsonValue value;
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

// A JSON array's elements (each as in JsonValue), or nullopt when `text` is not exactly one array.
[[nodiscard]] std::optional<std::vector<JsonValue>> read_json_array(std::string_view text);

}  // namespace jitgate::proxy
