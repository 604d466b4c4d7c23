// PostgreSQL protocol 3.0 message bodies ("Message Formats"): a bounds-checked reader for decoding and a
// writer that appends whole messages to a buffer. Pure; no sockets.
#pragma once

#include "protocols/postgres/frame.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jitgate::postgres {

// Reads fields of one message body; every read checks bounds and sets ok() false on a short body.
class Reader {
public:
    explicit Reader(Bytes body) noexcept : body_(body) {}
    [[nodiscard]] std::optional<std::string_view> cstring() noexcept;  // up to and past the NUL
    [[nodiscard]] std::optional<std::int32_t> int32() noexcept;
    [[nodiscard]] std::optional<std::int16_t> int16() noexcept;
    [[nodiscard]] std::optional<Bytes> bytes(std::size_t count) noexcept;
    [[nodiscard]] bool at_end() const noexcept { return offset_ == body_.size(); }
    [[nodiscard]] std::size_t remaining() const noexcept { return body_.size() - offset_; }

private:
    Bytes body_;
    std::size_t offset_ = 0;
};

// Appends messages to `out`; begin() writes the type and a length placeholder, end() patches the length.
class Writer {
public:
    explicit Writer(std::string& out) noexcept : out_(out) {}
    Writer& begin(char type);
    Writer& int32(std::int32_t value);
    Writer& int16(std::int16_t value);
    Writer& cstring(std::string_view text);
    Writer& raw(std::string_view bytes);
    Writer& raw(Bytes bytes);
    void end();

private:
    std::string& out_;
    std::size_t start_ = 0;
};

// The fields of an ErrorResponse or NoticeResponse ("Error and Notice Message Fields").
struct ErrorFields {
    std::string_view severity;  // 'S' (localized) or 'V'
    std::string_view code;      // 'C' SQLSTATE
    std::string_view message;   // 'M'
};
[[nodiscard]] std::optional<ErrorFields> decode_error(Bytes body) noexcept;

// Server messages jitgate writes itself.
void write_error(std::string& out, std::string_view severity, std::string_view sqlstate,
                 std::string_view message, std::string_view detail = {}, std::string_view hint = {});
void write_ready_for_query(std::string& out, char status);
void write_auth_request(std::string& out, std::int32_t code, std::string_view data = {});
void write_parameter_status(std::string& out, std::string_view name, std::string_view value);
void write_backend_key_data(std::string& out, std::int32_t pid, std::int32_t secret);

// Frontend messages jitgate writes upstream.
using Parameters = std::vector<std::pair<std::string, std::string>>;
void write_startup_message(std::string& out, const Parameters& parameters);
void write_cancel_request(std::string& out, std::int32_t pid, std::int32_t secret);
void write_sasl_initial_response(std::string& out, std::string_view mechanism, std::string_view data);
void write_sasl_response(std::string& out, std::string_view data);
void write_password_message(std::string& out, std::string_view password);
void write_terminate(std::string& out);

// Decoded client messages the relay inspects.
struct QueryMessage { std::string_view text; };
struct ParseMessage { std::string_view statement; std::string_view text; };
struct BindMessage { std::string_view portal; std::string_view statement; };
struct ExecuteMessage { std::string_view portal; };
struct CloseMessage { char kind; std::string_view name; };  // kind 'S' (statement) or 'P' (portal)
using DescribeMessage = CloseMessage;                        // the same fields
[[nodiscard]] std::optional<QueryMessage> decode_query(Bytes body) noexcept;
[[nodiscard]] std::optional<ParseMessage> decode_parse(Bytes body) noexcept;
[[nodiscard]] std::optional<BindMessage> decode_bind(Bytes body) noexcept;
[[nodiscard]] std::optional<ExecuteMessage> decode_execute(Bytes body) noexcept;
[[nodiscard]] std::optional<CloseMessage> decode_close(Bytes body) noexcept;
[[nodiscard]] std::optional<DescribeMessage> decode_describe(Bytes body) noexcept;

// SQLSTATEs jitgate answers with.
namespace sqlstate {
inline constexpr std::string_view insufficient_privilege = "42501";
inline constexpr std::string_view invalid_password = "28P01";
inline constexpr std::string_view invalid_authorization = "28000";
inline constexpr std::string_view invalid_catalog_name = "3D000";
inline constexpr std::string_view protocol_violation = "08P01";
inline constexpr std::string_view connection_failure = "08006";
inline constexpr std::string_view cannot_connect_now = "57P03";
inline constexpr std::string_view admin_shutdown = "57P01";
inline constexpr std::string_view too_many_connections = "53300";
inline constexpr std::string_view feature_not_supported = "0A000";
inline constexpr std::string_view program_limit_exceeded = "54000";
inline constexpr std::string_view idle_session_timeout = "57P05";
}  // namespace sqlstate

}  // namespace jitgate::postgres
