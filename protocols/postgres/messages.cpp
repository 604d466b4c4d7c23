// Reading and writing PostgreSQL protocol 3.0 message bodies ("Message Formats").
#include "protocols/postgres/messages.hpp"

#include <cstring>

namespace jitgate::postgres {

std::optional<std::string_view> Reader::cstring() noexcept {
    const auto* start = body_.data() + offset_;
    const auto* nul = static_cast<const std::uint8_t*>(std::memchr(start, 0, body_.size() - offset_));
    if (offset_ >= body_.size() || nul == nullptr) {
        offset_ = body_.size();
        return std::nullopt;
    }
    const auto length = static_cast<std::size_t>(nul - start);
    offset_ += length + 1;
    return std::string_view(reinterpret_cast<const char*>(start), length);
}

std::optional<std::int32_t> Reader::int32() noexcept {
    if (remaining() < 4) return std::nullopt;
    const auto value = static_cast<std::int32_t>(read_u32(body_.data() + offset_));
    offset_ += 4;
    return value;
}

std::optional<std::int16_t> Reader::int16() noexcept {
    if (remaining() < 2) return std::nullopt;
    const auto value = static_cast<std::int16_t>(read_u16(body_.data() + offset_));
    offset_ += 2;
    return value;
}

std::optional<Bytes> Reader::bytes(std::size_t count) noexcept {
    if (remaining() < count) return std::nullopt;
    const Bytes out = body_.subspan(offset_, count);
    offset_ += count;
    return out;
}

Writer& Writer::begin(char type) {
    out_.push_back(type);
    start_ = out_.size();
    out_.append(4, '\0');
    return *this;
}

Writer& Writer::int32(std::int32_t value) {
    const auto v = static_cast<std::uint32_t>(value);
    const char bytes[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                           static_cast<char>(v)};
    out_.append(bytes, 4);
    return *this;
}

Writer& Writer::int16(std::int16_t value) {
    const auto v = static_cast<std::uint16_t>(value);
    out_.push_back(static_cast<char>(v >> 8));
    out_.push_back(static_cast<char>(v & 0xff));
    return *this;
}

Writer& Writer::cstring(std::string_view text) {
    out_.append(text);
    out_.push_back('\0');
    return *this;
}

Writer& Writer::raw(std::string_view bytes) {
    out_.append(bytes);
    return *this;
}

Writer& Writer::raw(Bytes bytes) {
    out_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return *this;
}

void Writer::end() {
    const auto length = static_cast<std::uint32_t>(out_.size() - start_);
    out_[start_] = static_cast<char>(length >> 24);
    out_[start_ + 1] = static_cast<char>(length >> 16);
    out_[start_ + 2] = static_cast<char>(length >> 8);
    out_[start_ + 3] = static_cast<char>(length);
}

std::optional<ErrorFields> decode_error(Bytes body) noexcept {
    Reader reader(body);
    ErrorFields fields;
    while (true) {
        const auto code = reader.bytes(1);
        if (!code) return std::nullopt;
        if ((*code)[0] == 0) break;
        const auto value = reader.cstring();
        if (!value) return std::nullopt;
        switch ((*code)[0]) {
        case 'V': fields.severity = *value; break;
        case 'S': if (fields.severity.empty()) fields.severity = *value; break;
        case 'C': fields.code = *value; break;
        case 'M': fields.message = *value; break;
        default: break;
        }
    }
    return fields;
}

void write_error(std::string& out, std::string_view severity, std::string_view sqlstate_code,
                 std::string_view message, std::string_view detail, std::string_view hint) {
    Writer w(out);
    w.begin('E');
    w.raw("S").cstring(severity).raw("V").cstring(severity).raw("C").cstring(sqlstate_code);
    w.raw("M").cstring(message);
    if (!detail.empty()) w.raw("D").cstring(detail);
    if (!hint.empty()) w.raw("H").cstring(hint);
    w.raw(std::string_view("\0", 1));
    w.end();
}

void write_ready_for_query(std::string& out, char status) {
    Writer w(out);
    w.begin('Z').raw(std::string_view(&status, 1)).end();
}

void write_auth_request(std::string& out, std::int32_t code, std::string_view data) {
    Writer(out).begin('R').int32(code).raw(data).end();
}

void write_parameter_status(std::string& out, std::string_view name, std::string_view value) {
    Writer(out).begin('S').cstring(name).cstring(value).end();
}

void write_backend_key_data(std::string& out, std::int32_t pid, std::int32_t secret) {
    Writer(out).begin('K').int32(pid).int32(secret).end();
}

void write_startup_message(std::string& out, const Parameters& parameters) {
    const std::size_t start = out.size();
    out.append(4, '\0');
    Writer w(out);
    w.int32(static_cast<std::int32_t>(protocol_3_0));
    for (const auto& [name, value] : parameters) w.cstring(name).cstring(value);
    out.push_back('\0');
    const auto length = static_cast<std::uint32_t>(out.size() - start);
    for (int i = 0; i < 4; ++i) out[start + static_cast<std::size_t>(i)] = static_cast<char>(length >> (24 - 8 * i));
}

void write_cancel_request(std::string& out, std::int32_t pid, std::int32_t secret) {
    Writer(out).int32(16).int32(static_cast<std::int32_t>(cancel_request_code)).int32(pid).int32(secret);
}

void write_sasl_initial_response(std::string& out, std::string_view mechanism, std::string_view data) {
    Writer(out).begin('p').cstring(mechanism).int32(static_cast<std::int32_t>(data.size())).raw(data).end();
}

void write_sasl_response(std::string& out, std::string_view data) {
    Writer(out).begin('p').raw(data).end();
}

void write_password_message(std::string& out, std::string_view password) {
    Writer(out).begin('p').cstring(password).end();
}

void write_terminate(std::string& out) {
    Writer(out).begin('X').end();
}

std::optional<QueryMessage> decode_query(Bytes body) noexcept {
    Reader reader(body);
    const auto text = reader.cstring();
    if (!text || !reader.at_end()) return std::nullopt;
    return QueryMessage{*text};
}

std::optional<ParseMessage> decode_parse(Bytes body) noexcept {
    Reader reader(body);
    const auto name = reader.cstring();
    const auto text = reader.cstring();
    const auto count = reader.int16();
    if (!name || !text || !count || *count < 0) return std::nullopt;
    if (!reader.bytes(static_cast<std::size_t>(*count) * 4) || !reader.at_end()) return std::nullopt;
    return ParseMessage{*name, *text};
}

std::optional<BindMessage> decode_bind(Bytes body) noexcept {
    Reader reader(body);
    const auto portal = reader.cstring();
    const auto statement = reader.cstring();
    if (!portal || !statement) return std::nullopt;
    return BindMessage{*portal, *statement};
}

std::optional<ExecuteMessage> decode_execute(Bytes body) noexcept {
    Reader reader(body);
    const auto portal = reader.cstring();
    const auto max_rows = reader.int32();
    if (!portal || !max_rows || !reader.at_end()) return std::nullopt;
    return ExecuteMessage{*portal};
}

std::optional<CloseMessage> decode_close(Bytes body) noexcept {
    Reader reader(body);
    const auto kind = reader.bytes(1);
    if (!kind) return std::nullopt;
    const char which = static_cast<char>((*kind)[0]);
    const auto name = reader.cstring();
    if ((which != 'S' && which != 'P') || !name || !reader.at_end()) return std::nullopt;
    return CloseMessage{which, *name};
}

std::optional<DescribeMessage> decode_describe(Bytes body) noexcept { return decode_close(body); }

}  // namespace jitgate::postgres
