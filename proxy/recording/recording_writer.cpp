// The recordings' writer thread; see recording_writer.hpp for the promise it keeps and its bounds.
#include "proxy/recording/recording_writer.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <iterator>

namespace jitgate::proxy {
namespace {

constexpr std::size_t max_spare_buffers = 64;
constexpr auto flush_patience = std::chrono::microseconds(500);
constexpr std::size_t max_kept_capacity = std::size_t{1} << 20;  // a huge body's buffer is not kept

}  // namespace

RecordingFile::~RecordingFile() {
    if (fd_ >= 0) ::close(fd_);
}

std::string RecordingFile::write_now(std::string_view body, Sha256& sha) {
    if (failed_.load(std::memory_order_acquire)) return failure();
    lines_.clear();
    chain_.append(lines_, body, sha);
    if (const int error = write_all(fd_, lines_); error != 0) {
        fail(fmt::format("recording {}: cannot write: {}", path_.string(), errno_text(error)));
        return failure();
    }
    return {};
}

bool RecordingFile::pending() const noexcept {
    return !failed_.load(std::memory_order_acquire) &&
           written_.load(std::memory_order_acquire) < submitted_.load(std::memory_order_relaxed);
}

std::string RecordingFile::failure() const {
    const std::lock_guard lock(mutex_);
    return failure_;
}

bool RecordingFile::notify_when_written(std::function<void()> wake) {
    const std::lock_guard lock(mutex_);
    if (!pending()) return false;
    waiter_ = std::move(wake);
    return true;
}

bool RecordingFile::wait_written(std::chrono::milliseconds limit) {
    struct Signal {
        std::mutex mutex;
        std::condition_variable cv;
        bool done = false;
    };
    auto signal = std::make_shared<Signal>();
    const bool waiting = notify_when_written([signal] {
        const std::lock_guard lock(signal->mutex);
        signal->done = true;
        signal->cv.notify_all();
    });
    if (!waiting) return true;
    std::unique_lock lock(signal->mutex);
    return signal->cv.wait_for(lock, limit, [&] { return signal->done; });
}

void RecordingFile::fail(std::string error) {
    std::function<void()> wake;
    {
        const std::lock_guard lock(mutex_);
        if (failure_.empty()) failure_ = std::move(error);
        failed_.store(true, std::memory_order_release);
        wake = std::move(waiter_);
        waiter_ = nullptr;
    }
    if (wake) wake();
}

void RecordingFile::finish_batch(std::uint64_t records) {
    written_.fetch_add(records, std::memory_order_release);
    std::function<void()> wake;
    {
        const std::lock_guard lock(mutex_);
        if (waiter_ && !pending()) {
            wake = std::move(waiter_);
            waiter_ = nullptr;
        }
    }
    if (wake) wake();
}

RecordingWriter::RecordingWriter(Options options) : options_(options), thread_([this] { run(); }) {}

RecordingWriter::~RecordingWriter() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    work_.notify_all();
    thread_.join();
}

std::string RecordingWriter::submit(const std::shared_ptr<RecordingFile>& file, std::string& body) {
    std::unique_lock lock(mutex_);
    if (file->failed_.load(std::memory_order_acquire)) {
        lock.unlock();
        return file->failure();
    }
    const auto has_room = [&] {
        return queued_bytes_ == 0 || queued_bytes_ + body.size() <= options_.max_queued_bytes;
    };
    if (!room_.wait_for(lock, options_.max_wait, has_room)) {
        return fmt::format("recording {}: the recording writer fell {} s behind (queue full)", file->path().string(),
                           std::chrono::duration<double>(options_.max_wait).count());
    }
    queued_bytes_ += body.size();
    file->submitted_.fetch_add(1, std::memory_order_relaxed);
    queue_.push_back(Job{file, std::move(body), Clock::now()});
    if (spare_.empty()) {
        body = std::string();
    } else {
        body = std::move(spare_.back());
        spare_.pop_back();
    }
    const bool wake = std::exchange(idle_, false);
    lock.unlock();
    if (wake) work_.notify_one();  // once per idle spell, not per record
    return {};
}

bool RecordingWriter::flush() {
    // Another thread writing is usually another session's flush, done in microseconds: wait for it that
    // long rather than pay for an asynchronous wait; a writer stuck on a slow disk is not waited for.
    const std::unique_lock writing(write_mutex_, flush_patience);
    if (!writing.owns_lock()) return false;
    drain();
    return true;
}

void RecordingWriter::run() {
    while (true) {
        {
            std::unique_lock lock(mutex_);
            if (queue_.empty() && !stopping_) {
                idle_ = true;
                work_.wait(lock, [&] { return !queue_.empty() || stopping_; });
                idle_ = false;
            }
            if (queue_.empty()) return;  // stopping, and everything is written
            // Leave the records to their sessions for a moment: a busy session flushes them itself.
            if (!stopping_) work_.wait_for(lock, options_.delay, [&] { return stopping_; });
            if (queue_.empty()) continue;
            if (!stopping_ && queue_.front().queued > Clock::now() - options_.delay) continue;  // all young
        }
        const std::lock_guard writing(write_mutex_);
        bool stopping = false;
        {
            const std::lock_guard lock(mutex_);
            stopping = stopping_;
        }
        if (stopping) drain();
        else drain(Clock::now() - options_.delay);
    }
}

void RecordingWriter::drain(std::optional<Clock::time_point> cutoff) {
    {
        const std::lock_guard lock(mutex_);
        if (!cutoff) {
            batch_.swap(queue_);
        } else {
            const auto young = std::find_if(queue_.begin(), queue_.end(), [&](const Job& job) { return job.queued > *cutoff; });
            batch_.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(young));
            queue_.erase(queue_.begin(), young);
        }
    }
    if (batch_.empty()) return;
    write_batch(batch_);
    recycle(batch_);
}

void RecordingWriter::recycle(std::vector<Job>& batch) {
    std::size_t bytes = 0;
    {
        const std::lock_guard lock(mutex_);
        for (Job& job : batch) {
            bytes += job.body.size();
            if (spare_.size() < max_spare_buffers && job.body.capacity() <= max_kept_capacity) {
                job.body.clear();
                spare_.push_back(std::move(job.body));
            }
        }
        queued_bytes_ -= bytes;
    }
    batch.clear();  // drops the files' references: a finished recording's file is closed here
    room_.notify_all();
}

void RecordingWriter::write_batch(std::vector<Job>& batch) {
    std::vector<RecordingFile*> touched;
    for (Job& job : batch) {
        RecordingFile& file = *job.file;
        if (file.failed_.load(std::memory_order_acquire)) continue;
        if (file.batched_ == 0) {
            file.lines_.clear();
            touched.push_back(&file);
        }
        file.chain_.append(file.lines_, job.body, sha_);
        ++file.batched_;
    }
    for (RecordingFile* file : touched) {
        const std::uint64_t records = std::exchange(file->batched_, 0);
        if (const int error = write_all(file->fd_, file->lines_); error != 0) {
            const std::string why = fmt::format("recording {}: cannot write: {}", file->path_.string(), errno_text(error));
            spdlog::error("{}", why);
            file->fail(why);
        } else {
            file->finish_batch(records);
        }
        if (file->lines_.capacity() > max_kept_capacity) std::string().swap(file->lines_);
    }
}

}  // namespace jitgate::proxy
