// One engineer's SSH connection as the proxy sees it: the SshGate that answers protocols/ssh's questions
// from the live config and Policy (whose key, which target, which ssh switches, whether an exec may
// run) and the SshObserver that logs, audits (auth, session start and end, decisions) and indexes the
// session (protocol ssh). The connection itself runs on a thread of its own (see ssh_listener.hpp).
//
// Exec decisions: with the test pipelines (JITGATE_TEST_DENY_MARKER, JITGATE_BENCH_ALLOW_ALL) every exec
// goes through Pipeline::evaluate as a shell_exec Command and is audited; with the guardrail pipeline an
// exec is forwarded within the role's ssh switches until the shell classifier is wired in
// decide_exec (the Policy's classifier reads SQL only and would call every shell command unknown).
// Interactive lines likewise: with the test pipelines edit_keystrokes keeps a naive line per terminal
// (printable keys, backspace, ^C/^U) and checks it at Enter as a shell_line Command, cancelling a
// blocked one with ^C; the real line capture reads the emulated screen (libvterm) and comes with the
// shell classifier.
#pragma once

#include "proxy/server.hpp"
#include "protocols/ssh/connection.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <optional>
#include <vector>
#include <string>

namespace jitgate::proxy {

class SshSession final : public ssh::SshGate, public ssh::SshObserver {
public:
    SshSession(std::shared_ptr<ServerContext> context, ssh::Front& front, int fd, std::uint64_t id,
               std::string client_address);
    SshSession(const SshSession&) = delete;
    SshSession& operator=(const SshSession&) = delete;

    // The connection's whole life; on its own thread.
    void run();
    // Thread-safe: ends the connection, telling the engineer why.
    void stop(std::string message) { connection_.close(std::move(message)); }
    [[nodiscard]] std::uint64_t id() const noexcept { return id_; }

    // The grants the session's access rests on (none when a standing role covers it): when one ends,
    // the policy keeper closes the session after the grace. Thread-safe.
    struct ReliedGrant {
        std::string id;
        std::optional<config::TimePoint> until;
    };
    struct Reliance {
        std::string user;
        std::string target;
        std::vector<ReliedGrant> grants;
    };
    [[nodiscard]] Reliance reliance() const;
    // True the first time only: the caller is the one to end the session for an ended grant.
    [[nodiscard]] bool end_once() noexcept { return !grant_ended_.exchange(true); }

    // SshGate
    [[nodiscard]] std::optional<std::string> user_for_key(std::string_view key_base64) const override;
    [[nodiscard]] ssh::Access access(std::string_view user, std::string_view target) const override;
    [[nodiscard]] ssh::ExecVerdict decide_exec(const ssh::ExecRequest& request) override;
    [[nodiscard]] ssh::KeystrokeEdit edit_keystrokes(std::uint32_t channel, std::span<const char> bytes) override;

    // SshObserver
    void on_auth(std::string_view user, std::string_view target, bool ok, std::string_view reason) override;
    void on_session_start(std::string_view user, std::string_view target) override;
    void on_session_end(std::string_view reason) override;
    void on_refused(std::string_view what) override;
    void on_start(std::uint32_t channel, ssh::StartKind kind, std::string_view command) override;
    void on_channel_close(std::uint32_t channel, const ssh::ChannelExit& exit) override;

private:
    std::shared_ptr<ServerContext> context_;
    std::shared_ptr<const config::Config> config_;  // as it was when the connection began (audit hash)
    std::uint64_t id_;
    std::string client_address_;
    std::string user_;
    std::string target_;
    std::string index_id_;  // the session index's id, "s-…"
    bool started_ = false;
    std::unordered_map<std::uint32_t, std::string> typed_lines_;  // edit_keystrokes' naive line per channel
    mutable std::mutex reliance_mutex_;
    Reliance reliance_;
    std::atomic<bool> grant_ended_{false};
    ssh::Connection connection_;  // last: it calls back into the members above
};

}  // namespace jitgate::proxy
