// Keeps the guardrail pipeline's Policy current while `serve` runs (DESIGN §4 "live"), on one thread of its
// own that owns the state store connection and does four jobs each tick (200 ms) or when woken: config
// reload on SIGHUP (config_reload.hpp), the session index writes (index_writer.hpp), the grant watch
// (grant_watch.hpp: store polling, fail-closed, lifecycle audit, closing sessions whose grant ended), all
// building the Policy through the policy source (policy_source.hpp). Decisions never touch the store: they
// read the Policy in memory. At start, sessions a previous process left open are marked ended.
#pragma once

#include "proxy/control/grant_watch.hpp"
#include "proxy/control/live_config.hpp"
#include "proxy/control/live_session.hpp"
#include "proxy/control/policy_source.hpp"
#include "proxy/control/index_writer.hpp"
#include "proxy/store/store.hpp"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace jitgate::proxy {

class AuditLog;

class PolicyKeeper {
public:
    PolicyKeeper(LiveConfig& config, std::shared_ptr<AuditLog> audit,
                 std::shared_ptr<guardrails::GuardrailPipeline> pipeline);
    ~PolicyKeeper();
    PolicyKeeper(const PolicyKeeper&) = delete;
    PolicyKeeper& operator=(const PolicyKeeper&) = delete;

    // Opens the state store, builds the first Policy and starts the thread; false (with `error`) when the
    // store cannot be opened: serving without the grants engineers were promised would mislead them.
    [[nodiscard]] bool start(std::string& error);
    // Asks for a reload of the config file (thread-safe; done on the keeper's thread).
    void request_reload();
    // The session index (thread-safe, never blocks on the store): written on the keeper's thread.
    void session_started(SessionRow row);
    void session_ended(std::string id, config::TimePoint at, std::uint64_t statements, std::uint64_t blocked,
                       std::string reason);
    // Where the live sessions are (the runtime's registry): the grant watch closes those whose grant ended.
    // Thread-safe.
    void set_live_sessions(LiveSessionSource source);
    void stop();

    static constexpr std::chrono::milliseconds tick{200};
    // How long the keeper's thread waits for a store lock held by another process before it counts the
    // store as not answering (start-up and the CLI wait longer).
    static constexpr std::chrono::milliseconds store_wait{100};

private:
    void run();
    void wake();

    LiveConfig& config_;
    std::shared_ptr<AuditLog> audit_;
    PolicySource source_;
    GrantWatch watch_;
    SessionIndexWriter index_;
    std::unique_ptr<Store> store_;

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    bool reload_requested_ = false;
    LiveSessionSource sessions_;  // guarded by mutex_
    std::thread thread_;
};

}  // namespace jitgate::proxy
