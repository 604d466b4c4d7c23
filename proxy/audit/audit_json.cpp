// Escaping bytes into JSON strings (by hand, for speed) and reading one JSON object back (nlohmann).
#include "proxy/audit/audit_json.hpp"

#include <cassert>
#include <charconv>
#include <cstddef>
#include <cstring>
#include <string>
#include <unordered_set>

namespace jitgate::proxy {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";
constexpr int max_depth = 64;

// The length of the valid UTF-8 sequence starting at text[i] (2..4), or 0 when it is not one:
// RFC 3629 §4, so no overlong forms, no surrogates, nothing above U+10FFFF.
[[nodiscard]] std::size_t utf8_sequence(std::string_view text, std::size_t i) noexcept {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
    const auto tail = [&](std::size_t k) { return i + k < text.size() && (byte(k) & 0xC0) == 0x80; };
    const unsigned char lead = byte(0);
    if (lead >= 0xC2 && lead <= 0xDF) return tail(1) ? 2 : 0;
    if (lead >= 0xE0 && lead <= 0xEF) {
        if (!tail(1) || !tail(2)) return 0;
        if (lead == 0xE0 && byte(1) < 0xA0) return 0;   // overlong
        if (lead == 0xED && byte(1) > 0x9F) return 0;   // UTF-16 surrogate
        return 3;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        if (!tail(1) || !tail(2) || !tail(3)) return 0;
        if (lead == 0xF0 && byte(1) < 0x90) return 0;   // overlong
        if (lead == 0xF4 && byte(1) > 0x8F) return 0;   // above U+10FFFF
        return 4;
    }
    return 0;
}

}  // namespace

// Whether any of the 8 bytes in `word` needs a look: a control character, `"`, `\` or a non-ASCII
// byte (the "has less than" and "has zero byte" bit tricks, so plain ASCII is checked 8 bytes at a time).
[[nodiscard]] constexpr bool needs_look(std::uint64_t word) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101u;
    constexpr std::uint64_t highs = 0x8080808080808080u;
    const auto has_zero = [](std::uint64_t v) { return (v - ones) & ~v & highs; };
    const std::uint64_t control = (word - ones * 0x20) & ~word & highs;
    return ((control | has_zero(word ^ (ones * '"')) | has_zero(word ^ (ones * '\\')) | (word & highs))) != 0;
}

void append_json_string(std::string& out, std::string_view text) {
    out += '"';
    std::size_t run = 0;  // start of the bytes not yet copied
    std::size_t i = 0;
    const auto copy_run = [&] { out.append(text.data() + run, i - run); };
    while (i < text.size()) {
        if (i + 8 <= text.size()) {
            std::uint64_t word = 0;
            std::memcpy(&word, text.data() + i, sizeof word);
            if (!needs_look(word)) {
                i += 8;
                continue;
            }
        }
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            ++i;
            continue;
        }
        if (c >= 0x80) {
            if (const std::size_t n = utf8_sequence(text, i); n != 0) {
                i += n;
                continue;
            }
        }
        copy_run();
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c >= 0x80) {
                    out += "\\ufffd";
                } else {
                    const char escape[] = {'\\', 'u', '0', '0', hex_digits[c >> 4], hex_digits[c & 0xF]};
                    out.append(escape, sizeof escape);
                }
        }
        run = ++i;
    }
    copy_run();
    out += '"';
}

JsonFields::JsonFields(std::string& out, std::string_view type) : out_(out) {
    out_.clear();
    out_ += "\"type\":\"";
    out_ += type;
    out_ += '"';
}

JsonFields& JsonFields::key(std::string_view key) {  // one append of ,"key":
    char prefix[32] = {',', '"'};
    assert(key.size() + 4 <= sizeof prefix);
    std::memcpy(prefix + 2, key.data(), key.size());
    prefix[key.size() + 2] = '"';
    prefix[key.size() + 3] = ':';
    out_.append(prefix, key.size() + 4);
    return *this;
}

JsonFields& JsonFields::text(std::string_view key, std::string_view value) {
    this->key(key);
    append_json_string(out_, value);
    return *this;
}

JsonFields& JsonFields::word(std::string_view key, std::string_view value) {
    this->key(key);
    out_ += '"';
    out_ += value;
    out_ += '"';
    return *this;
}

JsonFields& JsonFields::number(std::string_view key, std::uint64_t value) {
    this->key(key);
    char digits[24];
    out_.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
    return *this;
}

namespace {

// Thrown by the parser callback and caught in read_json_object: the line is refused.
struct Refused {
    std::string why;
};

// nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 7: syntax error while
// parsing value - invalid string: ill-formed UTF-8 byte; last read: '…'" as the sentence users have
// seen: "not valid JSON: invalid UTF-8 at column 7". What was last read is left out: it may be the bad bytes.
[[nodiscard]] std::string parse_failure(const nlohmann::json::parse_error& error) {
    std::string detail = error.what();
    if (const std::size_t dash = detail.find(" - "); dash != std::string::npos) detail.erase(0, dash + 3);
    if (const std::size_t last = detail.find("; last read: "); last != std::string::npos) {
        const std::size_t expected = detail.find("; expected ", last);
        detail.erase(last, expected == std::string::npos ? std::string::npos : expected - last);
    }
    if (detail.ends_with("expected end of input")) {
        detail = "text after the object";
    } else if (detail.find("ill-formed UTF-8") != std::string::npos) {
        detail = "invalid UTF-8";
    } else if (detail.find("forbidden character after backslash") != std::string::npos) {
        detail = "unknown escape";
    } else if (detail.find("control character") != std::string::npos) {
        detail = "control character in a string";
    }
    for (char& c : detail) {
        if (c == '\'') c = '`';
    }
    return "not valid JSON: " + detail + " at column " + std::to_string(error.byte);
}

}  // namespace

JsonRead read_json_object(std::string_view line) {
    const std::size_t first = line.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos || line[first] != '{') {
        return {std::nullopt, "not valid JSON: expected `{` at column " +
                                  std::to_string((first == std::string_view::npos ? line.size() : first) + 1)};
    }
    std::unordered_set<std::string> keys;
    const auto check = [&keys](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        if (depth > max_depth) throw Refused{"not valid JSON: nested too deeply"};
        if (event == nlohmann::json::parse_event_t::key && depth == 1) {
            std::string key = parsed.get<std::string>();
            if (!keys.insert(key).second) throw Refused{"duplicate field " + key};
        }
        return true;
    };
    try {
        nlohmann::json object = nlohmann::json::parse(line.begin(), line.end(), check);
        return {std::move(object), {}};
    } catch (const Refused& refused) {
        return {std::nullopt, refused.why};
    } catch (const nlohmann::json::parse_error& error) {
        return {std::nullopt, parse_failure(error)};
    } catch (const nlohmann::json::exception& error) {
        return {std::nullopt, std::string{"not valid JSON: "} + error.what()};
    }
}

std::optional<std::string_view> json_string(const nlohmann::json& object, std::string_view key) {
    if (!object.is_object()) return std::nullopt;
    const auto found = object.find(key);
    if (found == object.end() || !found->is_string()) return std::nullopt;
    return std::string_view{found->get_ref<const std::string&>()};
}

std::optional<std::uint64_t> json_integer(const nlohmann::json& object, std::string_view key) {
    if (!object.is_object()) return std::nullopt;
    const auto found = object.find(key);
    if (found == object.end() || !found->is_number_unsigned()) return std::nullopt;
    return found->get<std::uint64_t>();
}

}  // namespace jitgate::proxy
