// Decoding for statement traces ("Message Formats": Bind, RowDescription, DataRow, CommandComplete).
#include "protocols/postgres/trace.hpp"

#include "protocols/postgres/messages.hpp"

#include <cctype>

namespace jitgate::postgres {
namespace {

std::string hex_of(Bytes bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out = "\\x";
    out.reserve(2 + bytes.size() * 2);
    for (const std::uint8_t b : bytes) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 15]);
    }
    return out;
}

// `count` length-prefixed values (-1 is NULL), each kept as text or as hex when `binary(i)`.
template <typename Binary>
bool read_values(Reader& reader, std::int16_t count, Row& out, Binary binary) {
    if (count < 0) return false;
    out.clear();
    out.reserve(static_cast<std::size_t>(count));
    for (std::int16_t i = 0; i < count; ++i) {
        const auto length = reader.int32();
        if (!length) return false;
        if (*length == -1) {
            out.emplace_back(std::nullopt);
            continue;
        }
        if (*length < 0) return false;
        const auto bytes = reader.bytes(static_cast<std::size_t>(*length));
        if (!bytes) return false;
        if (binary(i)) {
            out.emplace_back(hex_of(*bytes));
        } else {
            out.emplace_back(std::string(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
        }
    }
    return true;
}

}  // namespace

bool decode_bind_values(Bytes body, Row& out) {
    Reader reader(body);
    if (!reader.cstring() || !reader.cstring()) return false;
    const auto format_count = reader.int16();
    if (!format_count || *format_count < 0) return false;
    std::vector<std::int16_t> formats;
    for (std::int16_t i = 0; i < *format_count; ++i) {
        const auto format = reader.int16();
        if (!format) return false;
        formats.push_back(*format);
    }
    const auto count = reader.int16();
    if (!count) return false;
    // One format code applies to every parameter; none means all text ("Bind").
    return read_values(reader, *count, out, [&formats](std::int16_t i) {
        if (formats.empty()) return false;
        return (formats.size() == 1 ? formats[0] : formats[static_cast<std::size_t>(i) % formats.size()]) == 1;
    });
}

bool decode_column_names(Bytes body, std::vector<std::string>& out) {
    Reader reader(body);
    const auto count = reader.int16();
    if (!count || *count < 0) return false;
    out.clear();
    for (std::int16_t i = 0; i < *count; ++i) {
        const auto name = reader.cstring();
        if (!name || !reader.bytes(18)) return false;  // table OID, column, type OID, size, modifier, format
        out.emplace_back(*name);
    }
    return true;
}

bool decode_data_row(Bytes body, Row& out) {
    Reader reader(body);
    const auto count = reader.int16();
    if (!count) return false;
    return read_values(reader, *count, out, [](std::int16_t) { return false; });
}

std::uint64_t rows_of_tag(std::string_view tag) noexcept {
    std::size_t end = tag.size();
    while (end > 0 && std::isspace(static_cast<unsigned char>(tag[end - 1])) != 0) --end;
    std::size_t start = end;
    while (start > 0 && std::isdigit(static_cast<unsigned char>(tag[start - 1])) != 0) --start;
    if (start == end || (start > 0 && tag[start - 1] != ' ')) return 0;
    std::uint64_t rows = 0;
    for (std::size_t i = start; i < end && rows < (1ull << 60); ++i) rows = rows * 10 + static_cast<unsigned>(tag[i] - '0');
    return rows;
}

}  // namespace jitgate::postgres
