// The session index writer: sessions report their start and end from any thread (never blocking on the
// store); the keeper's thread writes them in order, retrying what the store did not take (a session's end
// never overtakes its start). Bounded: beyond max_queued writes the oldest are dropped with an error (the
// index is a convenience; the recording is the record).
#pragma once

#include "proxy/store/session_index.hpp"

#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace jitgate::proxy {

class SessionIndexWriter {
public:
    // Thread-safe; `wake` is called (under no lock of ours) so the writer's thread comes round soon.
    void started(SessionRow row);
    void ended(std::string id, config::TimePoint at, std::uint64_t statements, std::uint64_t blocked, std::string reason);
    // True when writes are queued and not yet taken by flush(). Thread-safe.
    [[nodiscard]] bool queued() const;
    // On the writer's thread: writes what is queued, in order, stopping at the first write the store did
    // not take; `retry_every` only words the log line.
    void flush(SessionIndex& store, std::chrono::milliseconds retry_every);

    static constexpr std::size_t max_queued = 100'000;

private:
    struct SessionEnd {
        std::string id;
        config::TimePoint at;
        std::uint64_t statements;
        std::uint64_t blocked;
        std::string reason;
    };
    mutable std::mutex mutex_;
    std::vector<SessionRow> started_;  // queued, in order
    std::vector<SessionEnd> ended_;
    // The writer thread's own: writes taken from the queues and not yet done (the store was busy).
    std::deque<SessionRow> index_started_;
    std::deque<SessionEnd> index_ended_;
    bool waiting_ = false;
};

}  // namespace jitgate::proxy
