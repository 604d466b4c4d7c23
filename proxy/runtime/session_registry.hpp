// The one registry of live sessions, PostgreSQL and SSH, and the cancel keys of the PostgreSQL ones.
#pragma once

#include "proxy/control/live_session.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

namespace jitgate::proxy {

class PgSession;

// The one registry of live sessions: every session, PostgreSQL and SSH, as the grant watch sees it
// (LiveSession), and the PostgreSQL sessions by id and by the BackendKeyData jitgate gave their clients
// (cancel requests, shutdown). Thread-safe.
class SessionRegistry {
public:
    // Any session, once it runs; removed when it is over.
    void add_live(const std::shared_ptr<LiveSession>& session);
    void remove_live(const LiveSession* session);
    [[nodiscard]] std::vector<std::shared_ptr<LiveSession>> live() const;

    struct Key {
        std::int32_t pid = 0;
        std::int32_t secret = 0;
    };
    // A PostgreSQL session by id (add_live it too).
    void add(std::uint64_t id, const std::shared_ptr<PgSession>& session);
    // Gives a registered session a fresh, unused cancel key (random, never 0/0).
    [[nodiscard]] Key assign_key(std::uint64_t id);
    void remove(std::uint64_t id, std::optional<Key> key, const LiveSession* session);
    [[nodiscard]] std::shared_ptr<PgSession> find(Key key) const;
    [[nodiscard]] std::vector<std::shared_ptr<PgSession>> all() const;
    [[nodiscard]] std::size_t size() const;

private:
    mutable std::mutex mutex_;
    std::unordered_map<std::uint64_t, std::weak_ptr<PgSession>> by_id_;
    std::unordered_map<std::uint64_t, std::weak_ptr<PgSession>> by_key_;
    std::unordered_map<const LiveSession*, std::weak_ptr<LiveSession>> live_;
};

}  // namespace jitgate::proxy
