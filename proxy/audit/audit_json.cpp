// Escaping bytes into JSON strings and reading one flat JSON object back (RFC 8259).
#include "proxy/audit/audit_json.hpp"

#include <cassert>
#include <charconv>
#include <cstddef>
#include <cstring>

namespace jitgate::proxy {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";
constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8
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

void append_utf8(std::string& out, std::uint32_t code) {
    if (code < 0x80) {
        out += static_cast<char>(code);
    } else if (code < 0x800) {
        out += static_cast<char>(0xC0 | (code >> 6));
        out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
        out += static_cast<char>(0xE0 | (code >> 12));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (code >> 18));
        out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
    }
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

const JsonObject::Field* JsonObject::find(std::string_view key) const noexcept {
    for (const Field& field : fields_) {
        if (field.key == key) return &field;
    }
    return nullptr;
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

const JsonValue* JsonObject::value(std::string_view key) const noexcept {
    const Field* field = find(key);
    return field != nullptr ? &field->value : nullptr;
}

std::optional<std::string_view> JsonObject::string(std::string_view key) const noexcept {
    const JsonValue* found = value(key);
    if (found == nullptr || found->kind != JsonKind::string) return std::nullopt;
    return found->text;
}

std::optional<std::uint64_t> JsonObject::integer(std::string_view key) const noexcept {
    const JsonValue* found = value(key);
    if (found == nullptr || found->kind != JsonKind::integer) return std::nullopt;
    std::uint64_t value = 0;
    const char* end = found->text.data() + found->text.size();
    const auto [ptr, ec] = std::from_chars(found->text.data(), end, value);
    if (ec != std::errc{} || ptr != end) return std::nullopt;
    return value;
}

// A recursive-descent reader over one line; every method returns false with error_ set on bad input.
struct JsonReader {
    static std::vector<JsonObject::Field>& fields_of(JsonObject& object) { return object.fields_; }

    std::string_view in;
    std::size_t pos = 0;
    std::string error;

    bool fail(std::string_view what) {
        error = "not valid JSON: " + std::string{what} + " at column " + std::to_string(pos + 1);
        return false;
    }
    void skip_space() {
        while (pos < in.size() && (in[pos] == ' ' || in[pos] == '\t' || in[pos] == '\n' || in[pos] == '\r')) ++pos;
    }
    bool expect(char c) {
        skip_space();
        if (pos >= in.size() || in[pos] != c) return fail(std::string{"expected `"} + c + "`");
        ++pos;
        return true;
    }
    bool hex4(std::uint32_t& value) {
        value = 0;
        for (int k = 0; k < 4; ++k, ++pos) {
            if (pos >= in.size()) return fail("short \\u escape");
            const char c = in[pos];
            value <<= 4;
            if (c >= '0' && c <= '9') value |= static_cast<std::uint32_t>(c - '0');
            else if (c >= 'a' && c <= 'f') value |= static_cast<std::uint32_t>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') value |= static_cast<std::uint32_t>(c - 'A' + 10);
            else return fail("bad \\u escape");
        }
        return true;
    }
    // A string at pos (after optional space); decoded into out. Lone surrogates decode to U+FFFD.
    bool string(std::string& out) {
        out.clear();
        if (!expect('"')) return false;
        while (true) {
            if (pos >= in.size()) return fail("unterminated string");
            const auto c = static_cast<unsigned char>(in[pos]);
            if (c == '"') {
                ++pos;
                return true;
            }
            if (c < 0x20) return fail("control character in a string");
            if (c >= 0x80) {
                const std::size_t n = utf8_sequence(in, pos);
                if (n == 0) return fail("invalid UTF-8");
                out.append(in.data() + pos, n);
                pos += n;
                continue;
            }
            if (c != '\\') {
                out += static_cast<char>(c);
                ++pos;
                continue;
            }
            if (++pos >= in.size()) return fail("unterminated escape");
            switch (in[pos++]) {
                case '"': out += '"'; break;
                case '\\': out += '\\'; break;
                case '/': out += '/'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    std::uint32_t code = 0;
                    if (!hex4(code)) return false;
                    if (code >= 0xD800 && code <= 0xDBFF && in.substr(pos, 2) == "\\u") {
                        const std::size_t mark = pos;
                        pos += 2;
                        std::uint32_t low = 0;
                        if (!hex4(low)) return false;
                        if (low >= 0xDC00 && low <= 0xDFFF) {
                            append_utf8(out, 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00));
                            break;
                        }
                        pos = mark;  // not a pair: the high half alone, the next escape read on its own
                    }
                    if (code >= 0xD800 && code <= 0xDFFF) out += replacement;
                    else append_utf8(out, code);
                    break;
                }
                default: --pos; return fail("unknown escape");
            }
        }
    }
    // A number; `integer` tells whether it is a plain non-negative integer (digits kept in out).
    bool number(std::string& out, bool& integer) {
        const std::size_t start = pos;
        integer = true;
        if (pos < in.size() && in[pos] == '-') {
            integer = false;
            ++pos;
        }
        const auto digits = [&] {
            const std::size_t from = pos;
            while (pos < in.size() && in[pos] >= '0' && in[pos] <= '9') ++pos;
            return pos - from;
        };
        const std::size_t first = pos;
        const std::size_t n = digits();
        if (n == 0) return fail("bad number");
        if (n > 1 && in[first] == '0') return fail("leading zero in a number");
        if (pos < in.size() && in[pos] == '.') {
            integer = false;
            ++pos;
            if (digits() == 0) return fail("bad number");
        }
        if (pos < in.size() && (in[pos] == 'e' || in[pos] == 'E')) {
            integer = false;
            ++pos;
            if (pos < in.size() && (in[pos] == '+' || in[pos] == '-')) ++pos;
            if (digits() == 0) return fail("bad number");
        }
        out.assign(in.substr(start, pos - start));
        return true;
    }
    bool literal(std::string_view word) {
        if (in.substr(pos, word.size()) != word) return fail("unexpected character");
        pos += word.size();
        return true;
    }
    // Any value, validated; when `out` is given, it is stored there (see JsonValue).
    bool value(int depth, JsonValue* out) {
        if (depth > max_depth) return fail("nested too deeply");
        skip_space();
        if (pos >= in.size()) return fail("unexpected end");
        std::string scratch;
        std::string& text = out != nullptr ? out->text : scratch;
        const std::size_t start = pos;
        const char c = in[pos];
        if (c == '"') {
            if (!string(text)) return false;
            if (out != nullptr) out->kind = JsonKind::string;
            return true;
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            bool integer = false;
            if (!number(text, integer)) return false;
            if (out != nullptr) out->kind = integer ? JsonKind::integer : JsonKind::other;
            return true;
        }
        bool ok = false;
        if (c == '{') ok = object(depth + 1, nullptr);
        else if (c == '[') ok = array(depth + 1, nullptr);
        else if (c == 't') ok = literal("true");
        else if (c == 'f') ok = literal("false");
        else if (c == 'n') ok = literal("null");
        else return fail("unexpected character");
        if (ok && out != nullptr) {
            out->kind = c == 'n' ? JsonKind::null : JsonKind::other;
            out->text.assign(in.substr(start, pos - start));
        }
        return ok;
    }
    // An array; when `items` is given, its elements are kept there.
    bool array(int depth, std::vector<JsonValue>* items) {
        if (!expect('[')) return false;
        skip_space();
        if (pos < in.size() && in[pos] == ']') {
            ++pos;
            return true;
        }
        while (true) {
            if (!value(depth, items != nullptr ? &items->emplace_back() : nullptr)) return false;
            skip_space();
            if (pos < in.size() && in[pos] == ',') {
                ++pos;
                continue;
            }
            return expect(']');
        }
    }
    // An object; the top-level one (fields != nullptr) keeps its fields and refuses duplicate keys.
    bool object(int depth, std::vector<JsonObject::Field>* fields) {
        if (!expect('{')) return false;
        skip_space();
        if (pos < in.size() && in[pos] == '}') {
            ++pos;
            return true;
        }
        std::string key;
        while (true) {
            if (!string(key)) return false;
            if (!expect(':')) return false;
            JsonObject::Field* field = nullptr;
            if (fields != nullptr) {
                for (const JsonObject::Field& seen : *fields) {
                    if (seen.key == key) {
                        error = "duplicate field " + key;
                        return false;
                    }
                }
                field = &fields->emplace_back();
                field->key = key;
            }
            if (!value(depth, field != nullptr ? &field->value : nullptr)) return false;
            skip_space();
            if (pos < in.size() && in[pos] == ',') {
                ++pos;
                continue;
            }
            return expect('}');
        }
    }
};

JsonRead read_json_object(std::string_view line) {
    JsonReader reader;
    reader.in = line;
    JsonObject object;
    if (!reader.object(0, &JsonReader::fields_of(object))) return {std::nullopt, std::move(reader.error)};
    reader.skip_space();
    if (reader.pos != line.size()) {
        reader.fail("text after the object");
        return {std::nullopt, std::move(reader.error)};
    }
    return {std::move(object), {}};
}

std::optional<std::vector<JsonValue>> read_json_array(std::string_view text) {
    JsonReader reader;
    reader.in = text;
    std::vector<JsonValue> items;
    if (!reader.array(1, &items)) return std::nullopt;
    reader.skip_space();
    if (reader.pos != text.size()) return std::nullopt;
    return items;
}

}  // namespace jitgate::proxy
