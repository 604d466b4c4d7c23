// SessionIndex: the index of sessions the proxy served (who, where, when, how it ended, where its
// recording is), as every store implementation keeps it; tests/contract/ states its promises as tests.
#pragma once

#include "proxy/store/store_types.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace jitgate::proxy {

class SessionIndex {
public:
    virtual ~SessionIndex() = default;

    // Indexes a session that has just started (its ended_at, counts and end reason are ignored). An id
    // already in the index is an error: ids are never reused. Does not move the grant change counter.
    [[nodiscard]] virtual Status session_started(const SessionRow& session) = 0;
    // Completes an open session's row. An unknown id ("no session s-…", final), or a session that already
    // ended ("session s-… already ended"), is an error.
    [[nodiscard]] virtual Status session_ended(std::string_view id, config::TimePoint ended_at,
                                                    std::uint64_t statements, std::uint64_t blocked,
                                                    std::string_view reason) = 0;
    // Ends every session still open in the index, as of `at`, with `reason`: the sessions a proxy that
    // died (kill -9, power loss) could not end. Returns how many it ended.
    [[nodiscard]] virtual Result<std::uint64_t> end_open_sessions(config::TimePoint at,
                                                                       std::string_view reason) = 0;
    // The sessions `filter` matches, newest start first (the later write first within one second).
    [[nodiscard]] virtual Result<std::vector<SessionRow>> sessions(const SessionFilter& filter) = 0;
    // One session by id; an unknown id is an error that names it ("no session s-…").
    [[nodiscard]] virtual Result<SessionRow> session(std::string_view id) = 0;

protected:
    SessionIndex() = default;
    SessionIndex(const SessionIndex&) = default;
    SessionIndex& operator=(const SessionIndex&) = default;
};

}  // namespace jitgate::proxy
