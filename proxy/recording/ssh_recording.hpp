// SSH session recordings (DESIGN §5): what the engineer saw and what jitgate decided.
//
// - The companion NDJSON, <dir>/<day>/<session>-<user>-<target>.jsonl, chained and sealed like a
//   PostgreSQL recording (recording.hpp), with protocol "ssh": a `command` record per channel start
//   (shell, exec, subsystem; its command, class, verdict, rule or grant) and per interactive line, an
//   `exit` record per channel (exit status or signal), and the `end` seal.
// - One asciicast v2 file per channel that has a terminal (pty-req), next to it: <stem>-ch<N>.cast, the
//   terminal output as the engineer saw it, with resizes. Its `exit` record carries the cast's byte
//   count and SHA-256, so `jitgate verify` checks the cast too once the channel has ended. Channels
//   without a terminal (exec, scp, sftp) are recorded by their command and exit only: their output is
//   data, often large, not a screen.
// Input keystrokes are not recorded: they carry passwords.
//
// Writing: synchronous, on the connection's own thread (each SSH connection has one, so a slow disk
// stalls only that connection); a record is on disk before the command it records is forwarded.
// Failures are sticky and returned; the session decides (record_failure).
#pragma once

#include "proxy/recording/asciicast.hpp"
#include "proxy/recording/recording.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace jitgate::proxy {

// A channel starting (or an interactive line), and what was decided about it.
struct SshCommandRecord {
    config::TimePoint at;
    std::uint32_t channel = 0;
    std::string_view kind;     // "shell", "exec", "subsystem", "line"
    std::string_view command;  // the exec command, the subsystem's name, the line; empty for a shell
    config::RiskClass risk = config::RiskClass::read;
    guardrails::Verdict verdict = guardrails::Verdict::allow;
    std::string_view rule;
    std::string_view grant;
};

// A terminal the client asked for on a channel (pty-req).
struct SshTerminal {
    std::string term;
    unsigned cols = 80;
    unsigned rows = 24;
};

class SshRecording {
public:
    using Opened = Result<std::unique_ptr<SshRecording>>;
    // `header.protocol` is set to "ssh".
    [[nodiscard]] static Opened open(const std::filesystem::path& dir, RecordingHeader header);
    ~SshRecording();
    SshRecording(const SshRecording&) = delete;
    SshRecording& operator=(const SshRecording&) = delete;

    // Records a command; with `terminal` (a channel start on a pty that was allowed) its cast opens.
    [[nodiscard]] Status command(const SshCommandRecord& record, const std::optional<SshTerminal>& terminal = {});
    // Terminal output of a channel with a cast (else ignored).
    [[nodiscard]] Status output(std::uint32_t channel, std::string_view bytes, config::TimePoint at);
    [[nodiscard]] Status resize(std::uint32_t channel, unsigned cols, unsigned rows, config::TimePoint at);
    // The channel ended: its exit record, and its cast closed with its hash.
    [[nodiscard]] Status exit(std::uint32_t channel, std::optional<int> status, std::string_view signal,
                                    config::TimePoint at);
    // Seals the NDJSON (open casts are closed first).
    [[nodiscard]] Status close(std::string_view reason);

    [[nodiscard]] const std::filesystem::path& path() const noexcept { return recorder_->path(); }
    [[nodiscard]] std::filesystem::path cast_path(std::uint32_t channel) const;

private:
    struct Cast;
    explicit SshRecording(std::unique_ptr<SessionRecorder> recorder);
    [[nodiscard]] Status write_cast(Cast& cast, std::string_view line);

    std::unique_ptr<SessionRecorder> recorder_;
    std::map<std::uint32_t, std::unique_ptr<Cast>> casts_;
    std::string line_;  // reused for every cast event
    std::string failed_;
};

// What verify found about the casts an SSH recording names: empty when every ended channel's cast
// matches its recorded size and hash; else the first mismatch ("record 5: web-1-ch0.cast: …").
struct CastCheck {
    std::uint64_t record = 0;  // the exit record that names the cast
    std::string why;
};
[[nodiscard]] std::optional<CastCheck> check_casts(const std::filesystem::path& recording);

}  // namespace jitgate::proxy
