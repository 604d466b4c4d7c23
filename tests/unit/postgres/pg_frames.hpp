// Test helper: builds PostgreSQL protocol messages by name, so tests read as message flows, not hex.
#pragma once

#include "protocols/postgres/messages.hpp"

#include <string>
#include <string_view>

namespace jitgate::test {

using postgres::Writer;

inline std::string query(std::string_view sql) { std::string o; Writer(o).begin('Q').cstring(sql).end(); return o; }
inline std::string parse(std::string_view name, std::string_view sql) { std::string o; Writer(o).begin('P').cstring(name).cstring(sql).int16(0).end(); return o; }
inline std::string bind(std::string_view portal, std::string_view statement) {
    std::string o; Writer(o).begin('B').cstring(portal).cstring(statement).int16(0).int16(0).int16(0).end(); return o;
}
inline std::string describe_statement(std::string_view name) { std::string o; Writer(o).begin('D').raw("S").cstring(name).end(); return o; }
inline std::string describe_portal(std::string_view name) { std::string o; Writer(o).begin('D').raw("P").cstring(name).end(); return o; }
inline std::string execute(std::string_view portal) { std::string o; Writer(o).begin('E').cstring(portal).int32(0).end(); return o; }
inline std::string close_statement(std::string_view name) { std::string o; Writer(o).begin('C').raw("S").cstring(name).end(); return o; }
inline std::string close_portal(std::string_view name) { std::string o; Writer(o).begin('C').raw("P").cstring(name).end(); return o; }
inline std::string sync() { std::string o; Writer(o).begin('S').end(); return o; }
inline std::string flush() { std::string o; Writer(o).begin('H').end(); return o; }
inline std::string terminate() { std::string o; Writer(o).begin('X').end(); return o; }
inline std::string function_call(std::int32_t oid) { std::string o; Writer(o).begin('F').int32(oid).int16(0).int16(0).int16(0).end(); return o; }
inline std::string copy_data(std::string_view data) { std::string o; Writer(o).begin('d').raw(data).end(); return o; }
inline std::string copy_done() { std::string o; Writer(o).begin('c').end(); return o; }

// Server messages.
inline std::string empty_message(char type) { std::string o; Writer(o).begin(type).end(); return o; }
inline std::string parse_complete() { return empty_message('1'); }
inline std::string bind_complete() { return empty_message('2'); }
inline std::string close_complete() { return empty_message('3'); }
inline std::string no_data() { return empty_message('n'); }
inline std::string row_description() { std::string o; Writer(o).begin('T').int16(0).end(); return o; }
inline std::string parameter_description() { std::string o; Writer(o).begin('t').int16(0).end(); return o; }
inline std::string data_row(std::string_view value) {
    std::string o; Writer(o).begin('D').int16(1).int32(static_cast<std::int32_t>(value.size())).raw(value).end(); return o;
}
inline std::string command_complete(std::string_view tag) { std::string o; Writer(o).begin('C').cstring(tag).end(); return o; }
inline std::string ready(char status) { std::string o; postgres::write_ready_for_query(o, status); return o; }
inline std::string error(std::string_view code, std::string_view severity = "ERROR") {
    std::string o; postgres::write_error(o, severity, code, "server error"); return o;
}
inline std::string notice() {
    std::string o; Writer(o).begin('N').raw("SNOTICE").raw(std::string_view("\0", 1)).raw("Mhi").raw(std::string_view("\0\0", 2)).end(); return o;
}
inline std::string notification(std::string_view channel) {
    std::string o; Writer(o).begin('A').int32(42).cstring(channel).cstring("payload").end(); return o;
}
inline std::string parameter_status(std::string_view name, std::string_view value) {
    std::string o; postgres::write_parameter_status(o, name, value); return o;
}

inline postgres::Bytes bytes_of(const std::string& s) {
    return postgres::Bytes(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

}  // namespace jitgate::test
