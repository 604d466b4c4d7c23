// Keeps the guardrail pipeline's Policy current while `serve` runs (DESIGN §4 "live"): it rebuilds the
// Policy when the state store changes (one indexed row read every 200 ms), when time ends a grant, and on
// reload (SIGHUP: validate, swap atomically, keep the old config on error); and it closes each session that
// relied on a grant once that grant has ended and its grace has passed. Decisions never touch SQLite: they
// read the Policy in memory. One thread of its own owns the store connection.
// Fail closed: when the store stops answering (within store_wait), a Policy without its grants is installed
// at once (standing roles and config grants still count) until it answers again; sessions are not closed
// for that alone, but one whose grant reaches its end meanwhile still is. Index writes the store did not
// take are retried, in order. At start, sessions a previous process left open are marked ended.
#pragma once

#include "guardrails/policy.hpp"
#include "proxy/server.hpp"
#include "proxy/state_store.hpp"

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

namespace jitgate::proxy {

class AuditLog;
class SshSession;

// The class function the Policy uses for a config: the SQL classifier with the config's `classify`
// tables behind the class cache (each text is parsed once).
[[nodiscard]] guardrails::ClassifyText make_class_source(const config::Config& config);
// The shell class source for SSH commands: the shell classifier with the config's `classify.programs`.
[[nodiscard]] guardrails::ClassifyText make_shell_class_source(const config::Config& config);

class PolicyKeeper {
public:
    PolicyKeeper(std::shared_ptr<ServerContext> context, std::shared_ptr<SessionRegistry> registry,
                 std::shared_ptr<guardrails::GuardrailPipeline> pipeline);
    ~PolicyKeeper();
    PolicyKeeper(const PolicyKeeper&) = delete;
    PolicyKeeper& operator=(const PolicyKeeper&) = delete;

    // Opens the state store, builds the first Policy and starts the thread; false (with `error`) when the
    // store cannot be opened: serving without the grants engineers were promised would mislead them.
    [[nodiscard]] bool start(std::string& error);
    // Asks for a reload of the config file (thread-safe; done on the keeper's thread).
    void request_reload();
    // The session index (thread-safe, never blocks on SQLite): written on the keeper's thread.
    void session_started(SessionRow row);
    void session_ended(std::string id, config::TimePoint at, std::uint64_t statements, std::uint64_t blocked,
                       std::string reason);
    void stop();
    // Where the live SSH sessions are (the SSH listener); they are closed like Postgres sessions when a
    // grant they relied on ends. Thread-safe.
    void set_ssh_sessions(std::function<std::vector<std::shared_ptr<SshSession>>()> source);

    static constexpr std::chrono::milliseconds tick{200};
    // How long the keeper's thread waits for a store lock held by another process before it counts the
    // store as not answering (start-up and the CLI wait longer).
    static constexpr std::chrono::milliseconds store_wait{100};

private:
    void run();
    // Reads the store's change counter and, when it moved (or `force`, or a grant ends now), its grants,
    // and installs a new Policy; a store that does not answer makes lose_store() install one without them.
    void poll(config::TimePoint now, bool force);
    void lose_store(const std::string& error, config::TimePoint now, bool due);
    void install(config::TimePoint now);
    void reload();
    void close_ended_sessions(config::TimePoint now);
    void write_session_index();
    // Audits what changed in the grant lifecycle since the last look (requests, decisions, expiry).
    void audit_grants(const guardrails::Policy& policy, config::TimePoint now);

    std::shared_ptr<ServerContext> context_;
    std::shared_ptr<SessionRegistry> registry_;
    std::shared_ptr<guardrails::GuardrailPipeline> pipeline_;
    std::unique_ptr<StateStore> store_;
    guardrails::ClassifyText classify_;
    guardrails::ClassifyText classify_shell_;
    std::optional<std::uint64_t> seen_changes_;
    std::vector<guardrails::Grant> store_grants_;  // as last read; empty while the store does not answer
    bool store_failing_ = false;
    std::optional<config::TimePoint> next_grant_end_;  // rebuild when time reaches it
    // Every config ever loaded: decisions point at their hash (Decision::config_hash).
    std::vector<std::shared_ptr<const config::Config>> configs_;
    struct Seen {
        guardrails::GrantStatus status;
        bool expired;
    };
    std::unordered_map<std::string, Seen> seen_grants_;
    bool grants_seen_once_ = false;

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    bool reload_requested_ = false;
    struct SessionEnd {
        std::string id;
        config::TimePoint at;
        std::uint64_t statements;
        std::uint64_t blocked;
        std::string reason;
    };
    std::vector<SessionRow> started_;  // queued for the index, in order
    std::vector<SessionEnd> ended_;
    // The keeper thread's own: index writes taken from the queues and not yet done (the store was busy).
    std::deque<SessionRow> index_started_;
    std::deque<SessionEnd> index_ended_;
    bool index_waiting_ = false;
    static constexpr std::size_t max_queued = 100'000;  // beyond: dropped with an error (the index is a convenience; the recording is the record)
    std::function<std::vector<std::shared_ptr<SshSession>>()> ssh_sessions_;  // guarded by mutex_
    std::thread thread_;
};

}  // namespace jitgate::proxy
