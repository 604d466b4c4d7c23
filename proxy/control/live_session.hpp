// What the grant watch knows of a live session, PostgreSQL or SSH: who it is, the grants its decisions
// relied on, and how to end it when one of them ends. The runtime's sessions derive from it; control/
// never names them.
#pragma once

#include "config/config.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace jitgate::proxy {

// A grant a session's decisions relied on: the session closes when it ends (after the grace).
struct ReliedGrant {
    std::string id;
    std::optional<config::TimePoint> until;
};
// What the grant watch needs to close a session when a grant ends.
struct Reliance {
    std::string user;
    std::string target;
    std::vector<ReliedGrant> grants;  // empty: the session relied on standing roles only
};

class LiveSession {
public:
    LiveSession() = default;
    LiveSession(const LiveSession&) = delete;
    LiveSession& operator=(const LiveSession&) = delete;
    virtual ~LiveSession() = default;

    // The grants the session rests on (none when standing roles cover it). Thread-safe.
    [[nodiscard]] Reliance reliance() const {
        const std::lock_guard lock(mutex_);
        return reliance_;
    }
    // True the first time only: the caller is the one to end the session for an ended grant.
    [[nodiscard]] bool end_once() noexcept { return !grant_ended_.exchange(true); }
    // Thread-safe: ends the session, telling the engineer `message` (PostgreSQL: a FATAL 42501).
    virtual void end_for_grant(std::string message) = 0;
    // "session 7" or "ssh session 8": how the logs name it.
    [[nodiscard]] virtual std::string log_name() const = 0;

protected:
    // Who the session is, once authenticated. From the session's own thread.
    void set_holder(std::string user, std::string target) {
        const std::lock_guard lock(mutex_);
        reliance_.user = std::move(user);
        reliance_.target = std::move(target);
    }
    // Adds a grant the session now relies on (once). From the session's own thread only: it alone writes,
    // so the check reads without the lock.
    void rely_on(const ReliedGrant& grant) {
        for (const ReliedGrant& known : reliance_.grants)
            if (known.id == grant.id && known.until == grant.until) return;
        const std::lock_guard lock(mutex_);
        reliance_.grants.push_back(grant);
    }

private:
    mutable std::mutex mutex_;
    Reliance reliance_;
    std::atomic<bool> grant_ended_{false};
};

// Where the grant watch finds the live sessions (the runtime's registry). Thread-safe.
using LiveSessionSource = std::function<std::vector<std::shared_ptr<LiveSession>>()>;

}  // namespace jitgate::proxy
