// JSON for the audit log and session recordings: a fast hand-written writer (escaping any bytes into a
// JSON string, invalid UTF-8 becoming U+FFFD, so a line is always valid JSON), and reading one line back
// with nlohmann::json, strictly: one object, RFC 8259 (UTF-8 only, no trailing commas, no lone
// surrogates), no duplicate top-level field (a verifier must not see one value and a reader another).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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

// A line read as one JSON object, or why it is not one ("not valid JSON: … at column 7", "duplicate field
// seq"). Expected failures are values: nothing here throws.
struct JsonRead {
    std::optional<nlohmann::json> object;
    std::string error;  // set exactly when object is empty
    [[nodiscard]] explicit operator bool() const noexcept { return object.has_value(); }
};
[[nodiscard]] JsonRead read_json_object(std::string_view line);

// A top-level string field of `object`, or nullopt when it is absent or not a string.
[[nodiscard]] std::optional<std::string_view> json_string(const nlohmann::json& object, std::string_view key);
// A top-level integer field that is non-negative and fits 64 bits, or nullopt.
[[nodiscard]] std::optional<std::uint64_t> json_integer(const nlohmann::json& object, std::string_view key);

}  // namespace jitgate::proxy
