// Where session recordings are written (DESIGN §5): sessions hand finished record bodies to one bounded
// queue per process; whoever drains it chains the records (seq, and prev = the SHA-256 of the line
// before, chain.hpp) and appends them to their files, one write() per file per batch.
//
// Two drain it, as PostgreSQL's WAL is written (group commit):
// - the writer thread, in the background: it writes the records that have sat in the queue for `delay`
//   (1 ms) or longer, so a record is on disk within about two milliseconds of its statement even when
//   its session goes quiet; it leaves younger ones to their sessions (no contention with a busy
//   session's flush) and sleeps without a timer while the queue is empty.
// - a session that needs its records on disk now (before it forwards its next statement: the promise of
//   record_failure: block) calls flush(), which writes the whole queue, every session's records, on the
//   calling thread. At the rate a busy session sends statements this is the common case, and it costs
//   what a direct write costs: no thread hand-off, no wake-up. When someone else is writing at that
//   moment, flush() waits for them at most 500 µs (another session's flush); past that (a slow disk)
//   the session waits asynchronously instead (RecordingFile::notify_when_written), and its I/O thread
//   goes on serving other sessions.
//
// "Written" means in the page cache: no fdatasync, so a power loss can cost the last records and a
// killed proxy cannot. Bounds: the queue holds at most `max_queued_bytes` of bodies; a full queue makes
// submit() wait, at most `max_wait`, and a timeout is reported to the session as a failed write (it
// decides, by record_failure, whether to go on). Failures are sticky: after the first failed write a
// file takes no more records.
#pragma once

#include "proxy/audit/chain.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace jitgate::proxy {

// One open recording: its file, its chain, and how far the writer got. Shared by the session that
// records into it and the writer thread; the chain is touched by one thread at a time (the opener for
// the first records, written with write_now(), then only the writer).
class RecordingFile {
public:
    RecordingFile(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}
    ~RecordingFile();
    RecordingFile(const RecordingFile&) = delete;
    RecordingFile& operator=(const RecordingFile&) = delete;

    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

    // Chains and writes one record on the calling thread. Only before the first submit(), or when no
    // writer is used. Empty on success, else the error (also kept: see failure()).
    [[nodiscard]] std::string write_now(std::string_view body, Sha256& sha);

    // Whether some submitted record is not written yet (and nothing failed).
    [[nodiscard]] bool pending() const noexcept;
    [[nodiscard]] bool failed() const noexcept { return failed_.load(std::memory_order_acquire); }
    // The first error, or "" while every write worked.
    [[nodiscard]] std::string failure() const;
    // Calls `wake` once, on the writer thread, when every record submitted so far is written or a write
    // failed; returns false (and never calls it) when that is already so. One waiter at a time.
    [[nodiscard]] bool notify_when_written(std::function<void()> wake);
    // Blocks the calling thread until nothing is pending, at most `limit`; false on timeout.
    [[nodiscard]] bool wait_written(std::chrono::milliseconds limit);

private:
    friend class RecordingWriter;
    void fail(std::string error);
    void finish_batch(std::uint64_t records);  // writer: `records` more are written (or failed); wakes

    const std::filesystem::path path_;
    int fd_;
    Chain chain_;
    std::string lines_;         // writer: this batch's chained lines, written with one write()
    std::uint64_t batched_ = 0;  // writer: records in lines_
    std::atomic<std::uint64_t> submitted_{0};
    std::atomic<std::uint64_t> written_{0};
    std::atomic<bool> failed_{false};
    mutable std::mutex mutex_;  // guards failure_ and waiter_
    std::string failure_;
    std::function<void()> waiter_;
};

class RecordingWriter {
public:
    struct Options {
        std::size_t max_queued_bytes = std::size_t{16} << 20;
        std::chrono::milliseconds max_wait{5000};  // for room in the queue
        std::chrono::microseconds delay{1000};     // how long the writer thread leaves records to their sessions
    };
    RecordingWriter() : RecordingWriter(Options{}) {}
    explicit RecordingWriter(Options options);
    // Writes everything queued, then stops the thread.
    ~RecordingWriter();
    RecordingWriter(const RecordingWriter&) = delete;
    RecordingWriter& operator=(const RecordingWriter&) = delete;

    // Queues `body` (a record's fields, chain.hpp) for `file` and leaves a recycled, cleared buffer in
    // it (no allocation per record once warm). Empty on success; else why nothing was queued (the file
    // failed before, or the queue stayed full for max_wait).
    [[nodiscard]] std::string submit(const std::shared_ptr<RecordingFile>& file, std::string& body);
    // Writes everything queued on the calling thread. False, having written nothing, when someone else
    // has been writing for 500 µs: then wait with notify_when_written.
    [[nodiscard]] bool flush();

private:
    using Clock = std::chrono::steady_clock;
    struct Job {
        std::shared_ptr<RecordingFile> file;
        std::string body;
        Clock::time_point queued;
    };
    void run();
    // Takes the queue (all of it, or the jobs queued before `cutoff`: a prefix, so each file's records
    // stay in order) and writes it; the caller holds write_mutex_.
    void drain(std::optional<Clock::time_point> cutoff = std::nullopt);
    void write_batch(std::vector<Job>& batch);
    void recycle(std::vector<Job>& batch);

    const Options options_;
    std::mutex mutex_;
    std::condition_variable work_;  // the writer waits for jobs
    std::condition_variable room_;  // submitters wait for room
    std::vector<Job> queue_;
    std::size_t queued_bytes_ = 0;
    std::vector<std::string> spare_;  // bodies written, capacity kept for the next submit
    bool stopping_ = false;
    bool idle_ = false;  // the writer thread sleeps until told: the next submit wakes it
    std::timed_mutex write_mutex_;  // held by whoever writes a batch: keeps each file's records in order
    std::vector<Job> batch_;  // the batch being written (under write_mutex_)
    Sha256 sha_;              // under write_mutex_
    std::thread thread_;
};

}  // namespace jitgate::proxy
