// What the relay tells a session recording about each statement (DESIGN §5): the statement as the wire saw
// it, from the message that started it (Query, Execute, FunctionCall, or a blocked Parse) to the reply that
// ended it, with its decision, command tag, row count, error and the first result rows. Pure decoding of
// the messages involved; the relay fills a StatementTrace only when a StatementSink is attached.
#pragma once

#include "guardrails/pipeline.hpp"
#include "protocols/postgres/frame.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jitgate::postgres {

using Row = std::vector<std::optional<std::string>>;  // nullopt is SQL NULL

struct StatementTrace {
    guardrails::CommandKind kind = guardrails::CommandKind::query;
    std::string sql;  // Query text, or the text of the statement an Execute ran (Parse)
    Row params;       // Bind parameters: text, binary as "\x<hex>"; empty when not recorded
    config::RiskClass risk = config::RiskClass::unknown;
    guardrails::Verdict verdict = guardrails::Verdict::allow;
    std::string rule;
    std::string grant;
    std::chrono::system_clock::time_point at;
    std::chrono::steady_clock::time_point started;
    std::chrono::microseconds duration{0};
    std::string tag;  // the command tags, "; "-joined for a multi-statement Query
    std::uint64_t rows = 0;
    std::string error_code;  // empty: no error
    std::string error_message;
    std::vector<std::string> columns;
    std::vector<Row> result;  // at most RelayContext::record_rows rows
};

class StatementSink {
public:
    virtual ~StatementSink() = default;
    // Once per statement, when its last reply has been seen (on the thread that drives the relay).
    virtual void on_statement(const StatementTrace& trace) = 0;
};

// Bind's parameter values (text format as is, binary as "\x" + hex). False when malformed.
[[nodiscard]] bool decode_bind_values(Bytes body, Row& out);
// RowDescription's column names. False when malformed.
[[nodiscard]] bool decode_column_names(Bytes body, std::vector<std::string>& out);
// DataRow's values (text as is, anything with a NUL or binary-looking bytes kept raw). False when malformed.
[[nodiscard]] bool decode_data_row(Bytes body, Row& out);
// The row count a command tag reports: the last number of "SELECT 5", "INSERT 0 3", "UPDATE 2"; else 0.
[[nodiscard]] std::uint64_t rows_of_tag(std::string_view tag) noexcept;

}  // namespace jitgate::postgres
