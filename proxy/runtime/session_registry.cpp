// The registry of live sessions and PostgreSQL cancel keys (see session_registry.hpp).
#include "proxy/runtime/session_registry.hpp"

#include <openssl/rand.h>

#include <chrono>
#include <functional>

namespace jitgate::proxy {
namespace {

std::uint64_t key_of(SessionRegistry::Key key) {
    return (std::uint64_t{static_cast<std::uint32_t>(key.pid)} << 32) | static_cast<std::uint32_t>(key.secret);
}

}  // namespace

void SessionRegistry::add_live(const std::shared_ptr<LiveSession>& session) {
    const std::lock_guard lock(mutex_);
    live_[session.get()] = session;
}

void SessionRegistry::remove_live(const LiveSession* session) {
    const std::lock_guard lock(mutex_);
    live_.erase(session);
}

std::vector<std::shared_ptr<LiveSession>> SessionRegistry::live() const {
    const std::lock_guard lock(mutex_);
    std::vector<std::shared_ptr<LiveSession>> out;
    for (const auto& [key, weak] : live_)
        if (auto session = weak.lock()) out.push_back(std::move(session));
    return out;
}

void SessionRegistry::add(std::uint64_t id, const std::shared_ptr<PgSession>& session) {
    const std::lock_guard lock(mutex_);
    by_id_[id] = session;
}

SessionRegistry::Key SessionRegistry::assign_key(std::uint64_t id) {
    const std::lock_guard lock(mutex_);
    while (true) {
        std::uint32_t random[2] = {};
        if (RAND_bytes(reinterpret_cast<unsigned char*>(random), sizeof random) != 1) {
            random[0] = static_cast<std::uint32_t>(std::hash<std::uint64_t>{}(id ^ 0x9e3779b97f4a7c15ull));
            random[1] = static_cast<std::uint32_t>(std::chrono::steady_clock::now().time_since_epoch().count());
        }
        const Key key{static_cast<std::int32_t>(random[0] & 0x3fffffff) + 1, static_cast<std::int32_t>(random[1])};
        auto [it, inserted] = by_key_.try_emplace(key_of(key));
        if (!inserted) continue;
        it->second = by_id_[id];
        return key;
    }
}

void SessionRegistry::remove(std::uint64_t id, std::optional<Key> key, const LiveSession* session) {
    const std::lock_guard lock(mutex_);
    by_id_.erase(id);
    live_.erase(session);
    if (key) by_key_.erase(key_of(*key));
}

std::shared_ptr<PgSession> SessionRegistry::find(Key key) const {
    const std::lock_guard lock(mutex_);
    const auto it = by_key_.find(key_of(key));
    return it == by_key_.end() ? nullptr : it->second.lock();
}

std::vector<std::shared_ptr<PgSession>> SessionRegistry::all() const {
    const std::lock_guard lock(mutex_);
    std::vector<std::shared_ptr<PgSession>> out;
    for (const auto& [id, weak] : by_id_)
        if (auto session = weak.lock()) out.push_back(std::move(session));
    return out;
}

std::size_t SessionRegistry::size() const {
    const std::lock_guard lock(mutex_);
    return by_id_.size();
}

}  // namespace jitgate::proxy
