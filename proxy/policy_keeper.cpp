// The policy keeper's thread: store polling, time-driven rebuilds, reload, and closing sessions whose grant
// ended (see policy_keeper.hpp).
#include "proxy/policy_keeper.hpp"

#include "guardrails/shell/shell_classifier.hpp"
#include "guardrails/sql/sql_cache.hpp"
#include "protocols/postgres/messages.hpp"
#include "proxy/audit_log.hpp"
#include "proxy/pg_session.hpp"
#include "proxy/ssh_session.hpp"
#include "proxy/state_store.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <unordered_set>

namespace jitgate::proxy {
namespace {

using Clock = std::chrono::system_clock;

// The earliest moment after `now` at which some holding starts or ends: the Policy must be rebuilt then
// (a decision checks validity itself, but ended grants must close sessions and leave the snapshot).
std::optional<config::TimePoint> next_change(const guardrails::Policy& policy, config::TimePoint now) {
    std::optional<config::TimePoint> next;
    const auto consider = [&](const std::optional<config::TimePoint>& when) {
        if (when && *when > now && (!next || *when < *next)) next = when;
    };
    for (const guardrails::Grant& grant : policy.grants()) {
        if (grant.status != guardrails::GrantStatus::approved) continue;
        consider(grant.from);
        consider(grant.until);
    }
    return next;
}

}  // namespace

guardrails::ClassifyText make_shell_class_source(const config::Config& config) {
    auto classifier = std::make_shared<const guardrails::ShellClassifier>(config.classify);
    return [classifier](std::string_view text) {
        return std::make_shared<const guardrails::Classification>(guardrails::as_classification(classifier->classify(text)));
    };
}

guardrails::ClassifyText make_class_source(const config::Config& config) {
    auto cache = std::make_shared<guardrails::ClassCache>(
        std::make_shared<const guardrails::SqlClassifier>(config.classify, config.limits.max_statement_bytes));
    return [cache](std::string_view sql) { return cache->classify(sql); };
}

PolicyKeeper::PolicyKeeper(std::shared_ptr<ServerContext> context, std::shared_ptr<SessionRegistry> registry,
                           std::shared_ptr<guardrails::GuardrailPipeline> pipeline)
    : context_(std::move(context)), registry_(std::move(registry)), pipeline_(std::move(pipeline)) {}

PolicyKeeper::~PolicyKeeper() { stop(); }

bool PolicyKeeper::start(std::string& error) {
    const std::shared_ptr<const config::Config> config = context_->config.load();
    StoreResult<std::unique_ptr<StateStore>> opened = StateStore::open(config->state);
    if (!opened) {
        error = opened.error;
        return false;
    }
    store_ = std::move(*opened.value);
    // Sessions a killed proxy left open in the index ended when it died; this process serves none yet.
    if (const StoreResult<std::uint64_t> ended = store_->end_open_sessions(Clock::now(), "proxy restarted")) {
        if (*ended.value > 0)
            spdlog::warn("session index: {} session(s) a previous jitgate left open are marked ended (proxy restarted)",
                         *ended.value);
    } else {
        spdlog::error("session index: {}", ended.error);
    }
    // From now on the keeper's thread never waits long for the store: a store that does not answer at
    // once counts as gone (store grants stop counting) and is asked again at the next tick.
    store_->set_busy_timeout(store_wait);
    configs_.push_back(config);
    classify_ = make_class_source(*config);
    classify_shell_ = make_shell_class_source(*config);
    poll(Clock::now(), true);
    thread_ = std::thread([this] { run(); });
    return true;
}

void PolicyKeeper::request_reload() {
    const std::lock_guard lock(mutex_);
    reload_requested_ = true;
    wake_.notify_one();
}

void PolicyKeeper::session_started(SessionRow row) {
    const std::lock_guard lock(mutex_);
    if (started_.size() >= max_queued) {
        spdlog::error("session index: {} writes queued; dropping session {}", started_.size(), row.id);
        return;
    }
    started_.push_back(std::move(row));
    wake_.notify_one();
}

void PolicyKeeper::session_ended(std::string id, config::TimePoint at, std::uint64_t statements, std::uint64_t blocked,
                                 std::string reason) {
    const std::lock_guard lock(mutex_);
    if (ended_.size() >= max_queued) return;
    ended_.push_back({std::move(id), at, statements, blocked, std::move(reason)});
    wake_.notify_one();
}

void PolicyKeeper::write_session_index() {
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
    // its start. What is left is retried at the next tick.
    std::string waiting;
    while (!index_started_.empty()) {
        const StoreStatus status = store_->session_started(index_started_.front());
        if (!status && status.retry) {
            waiting = status.error;
            break;
        }
        if (!status) spdlog::error("session index: {}", status.error);
        index_started_.pop_front();
    }
    while (waiting.empty() && !index_ended_.empty()) {
        const SessionEnd& end = index_ended_.front();
        const StoreStatus status = store_->session_ended(end.id, end.at, end.statements, end.blocked, end.reason);
        if (!status && status.retry) {
            waiting = status.error;
            break;
        }
        if (!status) spdlog::error("session index: {}", status.error);
        index_ended_.pop_front();
    }
    if (!waiting.empty() && !index_waiting_) {
        spdlog::error("session index: {}; {} write(s) wait and are retried every {} ms", waiting,
                      index_started_.size() + index_ended_.size(), tick.count());
    } else if (waiting.empty() && index_waiting_) {
        spdlog::info("session index: the waiting writes are done");
    }
    index_waiting_ = !waiting.empty();
}

void PolicyKeeper::stop() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
        wake_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
    if (store_) write_session_index();  // the ends of sessions closed at shutdown
}

void PolicyKeeper::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, tick, [this] { return stopping_ || reload_requested_ || !started_.empty() || !ended_.empty(); });
        if (stopping_) break;
        const bool reload_now = std::exchange(reload_requested_, false);
        lock.unlock();
        if (reload_now) reload();
        write_session_index();
        const config::TimePoint now = Clock::now();
        poll(now, false);
        close_ended_sessions(now);
        lock.lock();
    }
}

void PolicyKeeper::poll(config::TimePoint now, bool force) {
    const bool due = force || (next_grant_end_ && now >= *next_grant_end_);
    const StoreResult<std::uint64_t> changes = store_->change_counter();
    if (!changes) {
        lose_store(changes.error, now, due);
        return;
    }
    if (!due && !store_failing_ && changes.value == seen_changes_) return;
    StoreResult<std::vector<guardrails::Grant>> read = store_->grants();
    if (!read) {
        lose_store(read.error, now, due);
        return;
    }
    if (store_failing_) spdlog::info("state store answers again; its grants count again");
    store_failing_ = false;
    seen_changes_ = changes.value;
    store_grants_ = std::move(*read.value);
    install(now);
}

void PolicyKeeper::lose_store(const std::string& error, config::TimePoint now, bool due) {
    if (store_failing_) {
        if (due) install(now);  // time still ends config grants
        return;
    }
    spdlog::error("state store: {}; store grants do not count until it answers", error);
    store_failing_ = true;
    seen_changes_.reset();
    store_grants_.clear();
    install(now);  // at once: nothing may go on relying on grants nobody can check
}

void PolicyKeeper::install(config::TimePoint now) {
    const std::shared_ptr<const config::Config> config = context_->config.load();
    std::shared_ptr<const guardrails::Policy> policy =
        guardrails::Policy::build(config, store_grants_, classify_, now, classify_shell_);
    next_grant_end_ = next_change(*policy, now);
    if (!store_failing_) audit_grants(*policy, now);
    pipeline_->update(std::move(policy));
}

void PolicyKeeper::reload() {
    const std::shared_ptr<const config::Config> old = context_->config.load();
    const config::LoadResult loaded = config::load_file(old->path);
    if (!loaded.config) {
        std::string errors;
        for (const config::Diagnostic& d : loaded.errors) {
            spdlog::error("reload: {}", d.to_string());
            errors += (errors.empty() ? "" : "\n") + d.to_string();
        }
        if (context_->audit)
            context_->audit->config_reload({old->hash, ReloadResult::refused, old->path.string(), errors});
        spdlog::error("reload refused: {} has {} error(s); the running config (hash {}) stays", old->path.string(),
                      loaded.errors.size(), old->hash.substr(0, 12));
        return;
    }
    if (loaded.config->listen_postgres != old->listen_postgres || loaded.config->listen_ssh != old->listen_ssh ||
        loaded.config->ssh_host_key != old->ssh_host_key || loaded.config->limits.workers != old->limits.workers)
        spdlog::warn("reload: listen, ssh_host_key and limits.workers take effect at the next start");
    classify_ = make_class_source(*loaded.config);
    classify_shell_ = make_shell_class_source(*loaded.config);
    configs_.push_back(loaded.config);
    context_->config.store(loaded.config);
    if (context_->audit)
        context_->audit->config_reload({loaded.config->hash, ReloadResult::ok, loaded.config->path.string(), {}});
    poll(Clock::now(), true);
    spdlog::info("config {} reloaded (hash {})", loaded.config->path.string(), loaded.config->hash.substr(0, 12));
}

void PolicyKeeper::audit_grants(const guardrails::Policy& policy, config::TimePoint now) {
    using guardrails::GrantStatus;
    AuditLog* audit = context_->audit.get();
    const bool first = !std::exchange(grants_seen_once_, true);
    for (const guardrails::Grant& grant : policy.grants()) {
        const GrantStatus status = grant.status;
        const bool expired = guardrails::status_at(grant, now) == GrantStatus::expired;
        const auto [it, is_new] = seen_grants_.try_emplace(grant.id, Seen{status, expired});
        if (first || audit == nullptr || grant.source == guardrails::GrantSource::config) continue;
        const Seen before = is_new ? Seen{GrantStatus::pending, false} : it->second;
        it->second = Seen{status, expired};
        const auto record = [&](GrantAction action, std::string_view by, GrantStatus after) {
            const std::string_view os_user = action == GrantAction::request   ? std::string_view(grant.requested_os)
                                             : action == GrantAction::expire ? std::string_view()
                                                                             : std::string_view(grant.decided_os);
            audit->grant({policy.config().hash, action, grant.id, grant.user, grant.target, grant.role, by, after,
                          grant.reason, os_user});
        };
        if (is_new) record(GrantAction::request, grant.user, GrantStatus::pending);
        if (status != before.status) {
            switch (status) {
            case GrantStatus::approved: record(GrantAction::approve, grant.decided_by, status); break;
            case GrantStatus::denied: record(GrantAction::deny, grant.decided_by, status); break;
            case GrantStatus::revoked: record(GrantAction::revoke, grant.decided_by, status); break;
            default: break;
            }
        }
        if (expired && !before.expired) record(GrantAction::expire, {}, GrantStatus::expired);
    }
}

namespace {

// The message that closes a session whose grant ended, once its grace has passed; nullopt otherwise.
// While the store is away its grants are not in the Policy, which would read as revoked: a session that
// relied on one is closed only once the grant's own end (as the session knew it) and grace have passed.
template <class Session>
std::optional<std::string> ended_message(const Session& session, const guardrails::Policy& policy,
                                         config::TimePoint now, bool store_away) {
    const config::Limits& limits = policy.config().limits;
    const auto reliance = session.reliance();
    for (const auto& grant : reliance.grants) {
        const bool known = std::any_of(policy.grants().begin(), policy.grants().end(),
                                       [&](const guardrails::Grant& g) { return g.id == grant.id; });
        if (store_away && !known) {
            if (!grant.until || now < *grant.until + limits.expiry_grace) continue;
            return fmt::format("jitgate closed the session: grant {} expired {:%Y-%m-%dT%H:%M:%SZ}", grant.id,
                               std::chrono::floor<std::chrono::seconds>(*grant.until));
        }
        const std::optional<guardrails::Policy::GrantEnd> end =
            policy.ended(reliance.user, reliance.target, grant.id, grant.until, now);
        if (!end) continue;
        const config::Seconds grace = end->revoked ? limits.revoke_grace : limits.expiry_grace;
        if (now < end->at + grace) continue;
        return end->revoked ? fmt::format("jitgate closed the session: grant {} was revoked", grant.id)
                            : fmt::format("jitgate closed the session: grant {} expired {:%Y-%m-%dT%H:%M:%SZ}", grant.id,
                                          std::chrono::floor<std::chrono::seconds>(end->at));
    }
    return std::nullopt;
}

}  // namespace

void PolicyKeeper::set_ssh_sessions(std::function<std::vector<std::shared_ptr<SshSession>>()> source) {
    const std::lock_guard lock(mutex_);
    ssh_sessions_ = std::move(source);
}

void PolicyKeeper::close_ended_sessions(config::TimePoint now) {
    const std::shared_ptr<const guardrails::Policy> policy = pipeline_->policy();
    for (const std::shared_ptr<PgSession>& session : registry_->all()) {
        const std::optional<std::string> message = ended_message(*session, *policy, now, store_failing_);
        if (message && session->end_once()) {
            spdlog::info("session {}: {}", session->id(), *message);
            session->stop(std::string(postgres::sqlstate::insufficient_privilege), *message);
        }
    }
    std::function<std::vector<std::shared_ptr<SshSession>>()> ssh_sessions;
    {
        const std::lock_guard lock(mutex_);
        ssh_sessions = ssh_sessions_;
    }
    if (!ssh_sessions) return;
    for (const std::shared_ptr<SshSession>& session : ssh_sessions()) {
        const std::optional<std::string> message = ended_message(*session, *policy, now, store_failing_);
        if (message && session->end_once()) {
            spdlog::info("ssh session {}: {}", session->id(), *message);
            session->stop(*message);
        }
    }
}

}  // namespace jitgate::proxy
