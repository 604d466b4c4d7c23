// The session index writer: queues from any thread, ordered writes with retry on one (see index_writer.hpp).
#include "proxy/control/index_writer.hpp"

#include <spdlog/spdlog.h>

namespace jitgate::proxy {

void SessionIndexWriter::started(SessionRow row) {
    const std::lock_guard lock(mutex_);
    if (started_.size() >= max_queued) {
        spdlog::error("session index: {} writes queued; dropping session {}", started_.size(), row.id);
        return;
    }
    started_.push_back(std::move(row));
}

void SessionIndexWriter::ended(std::string id, config::TimePoint at, std::uint64_t statements, std::uint64_t blocked,
                               std::string reason) {
    const std::lock_guard lock(mutex_);
    if (ended_.size() >= max_queued) return;
    ended_.push_back({std::move(id), at, statements, blocked, std::move(reason)});
}

bool SessionIndexWriter::queued() const {
    const std::lock_guard lock(mutex_);
    return !started_.empty() || !ended_.empty();
}

void SessionIndexWriter::flush(SessionIndex& store, std::chrono::milliseconds retry_every) {
    {
        const std::lock_guard lock(mutex_);
        for (SessionRow& row : started_) index_started_.push_back(std::move(row));
        for (SessionEnd& end : ended_) index_ended_.push_back(std::move(end));
        started_.clear();
        ended_.clear();
    }
    if (const std::size_t waiting = index_started_.size() + index_ended_.size(); waiting > max_queued) {
        spdlog::error("session index: {} writes wait for the store; the oldest {} are dropped", waiting,
                      waiting - max_queued);
        for (std::size_t drop = waiting - max_queued; drop > 0; --drop) {
            if (!index_started_.empty()) {
                index_started_.pop_front();
            } else {
                index_ended_.pop_front();
            }
        }
    }
    // In order, stopping at the first write the store did not take: a session's end must not overtake
    // its start. What is left is retried next time.
    std::string waiting;
    while (!index_started_.empty()) {
        const Status status = store.session_started(index_started_.front());
        if (!status && status.retry) {
            waiting = status.error;
            break;
        }
        if (!status) spdlog::error("session index: {}", status.error);
        index_started_.pop_front();
    }
    while (waiting.empty() && !index_ended_.empty()) {
        const SessionEnd& end = index_ended_.front();
        const Status status = store.session_ended(end.id, end.at, end.statements, end.blocked, end.reason);
        if (!status && status.retry) {
            waiting = status.error;
            break;
        }
        if (!status) spdlog::error("session index: {}", status.error);
        index_ended_.pop_front();
    }
    if (!waiting.empty() && !waiting_) {
        spdlog::error("session index: {}; {} write(s) wait and are retried every {} ms", waiting,
                      index_started_.size() + index_ended_.size(), retry_every.count());
    } else if (waiting.empty() && waiting_) {
        spdlog::info("session index: the waiting writes are done");
    }
    waiting_ = !waiting.empty();
}

}  // namespace jitgate::proxy
