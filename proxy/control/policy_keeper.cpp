// The policy keeper's thread: reload, session index writes, the grant watch, each tick (see policy_keeper.hpp).
#include "proxy/control/policy_keeper.hpp"

#include "proxy/control/config_reload.hpp"
#include "proxy/store/open_store.hpp"

#include <spdlog/spdlog.h>

namespace jitgate::proxy {
namespace {

using Clock = std::chrono::system_clock;

}  // namespace

PolicyKeeper::PolicyKeeper(LiveConfig& config, std::shared_ptr<AuditLog> audit,
                           std::shared_ptr<guardrails::GuardrailPipeline> pipeline)
    : config_(config), audit_(std::move(audit)), source_(config, std::move(pipeline)), watch_(source_, audit_.get()) {}

PolicyKeeper::~PolicyKeeper() { stop(); }

bool PolicyKeeper::start(std::string& error) {
    const std::shared_ptr<const config::Config> config = config_.load();
    Result<std::unique_ptr<Store>> opened = open_store(config->state);
    if (!opened) {
        error = opened.error;
        return false;
    }
    store_ = std::move(*opened.value);
    // Sessions a killed proxy left open in the index ended when it died; this process serves none yet.
    if (const Result<std::uint64_t> ended = store_->end_open_sessions(Clock::now(), "proxy restarted")) {
        if (*ended.value > 0)
            spdlog::warn("session index: {} session(s) a previous jitgate left open are marked ended (proxy restarted)",
                         *ended.value);
    } else {
        spdlog::error("session index: {}", ended.error);
    }
    // From now on the keeper's thread never waits long for the store: a store that does not answer at
    // once counts as gone (store grants stop counting) and is asked again at the next tick.
    store_->set_busy_timeout(store_wait);
    watch_.poll(*store_, Clock::now(), true);
    thread_ = std::thread([this] { run(); });
    return true;
}

void PolicyKeeper::wake() {
    { const std::lock_guard lock(mutex_); }  // orders the caller's write before the thread's next look
    wake_.notify_one();
}

void PolicyKeeper::request_reload() {
    const std::lock_guard lock(mutex_);
    reload_requested_ = true;
    wake_.notify_one();
}

void PolicyKeeper::session_started(SessionRow row) {
    index_.started(std::move(row));
    wake();
}

void PolicyKeeper::session_ended(std::string id, config::TimePoint at, std::uint64_t statements, std::uint64_t blocked,
                                 std::string reason) {
    index_.ended(std::move(id), at, statements, blocked, std::move(reason));
    wake();
}

void PolicyKeeper::set_live_sessions(LiveSessionSource source) {
    const std::lock_guard lock(mutex_);
    sessions_ = std::move(source);
}

void PolicyKeeper::stop() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
        wake_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
    if (store_) index_.flush(*store_, tick);  // the ends of sessions closed at shutdown
}

void PolicyKeeper::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, tick, [this] { return stopping_ || reload_requested_ || index_.queued(); });
        if (stopping_) break;
        const bool reload_now = std::exchange(reload_requested_, false);
        const LiveSessionSource sessions = sessions_;
        lock.unlock();
        bool force = false;
        if (reload_now) {
            if (std::shared_ptr<const config::Config> loaded = reload_config(config_, audit_.get())) {
                source_.config_changed(std::move(loaded));
                force = true;
            }
        }
        index_.flush(*store_, tick);
        const config::TimePoint now = Clock::now();
        watch_.poll(*store_, now, force);
        if (sessions) watch_.close_ended_sessions(sessions(), now);
        lock.lock();
    }
}

}  // namespace jitgate::proxy
