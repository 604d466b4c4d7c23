// A fixed-capacity ring of bytes: one direction of one channel waiting for the other side's window.
// Bytes never move once pushed, so a push from a libssh callback that runs nested inside a write from
// the relay loop cannot invalidate the span the loop is writing from. The storage is allocated on first use.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <span>

namespace jitgate::ssh {

class ByteRing {
public:
    explicit ByteRing(std::size_t capacity) : capacity_(capacity) {}

    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
    [[nodiscard]] std::size_t space() const noexcept { return capacity_ - size_; }

    // Copies as much of `bytes` as fits; returns how much.
    std::size_t push(const char* bytes, std::size_t n) {
        n = std::min(n, space());
        std::size_t done = 0;
        while (done < n) {
            const std::span<char> free = free_span();
            const std::size_t chunk = std::min(free.size(), n - done);
            std::memcpy(free.data(), bytes + done, chunk);
            commit(chunk);
            done += chunk;
        }
        return done;
    }
    // The contiguous free space after the last byte (empty when full); fill it, then commit().
    [[nodiscard]] std::span<char> free_span() {
        if (!storage_) storage_ = std::make_unique<char[]>(capacity_);
        if (size_ == capacity_) return {};
        const std::size_t tail = (head_ + size_) % capacity_;
        const std::size_t end = tail >= head_ ? capacity_ : head_;
        return {storage_.get() + tail, end - tail};
    }
    void commit(std::size_t n) noexcept { size_ += n; }
    // The contiguous bytes at the front.
    [[nodiscard]] std::span<const char> front() const noexcept {
        if (size_ == 0) return {};
        return {storage_.get() + head_, std::min(size_, capacity_ - head_)};
    }
    void pop(std::size_t n) noexcept {
        head_ = (head_ + n) % capacity_;
        size_ -= n;
        if (size_ == 0) head_ = 0;
    }
    void clear() noexcept { head_ = size_ = 0; }

private:
    std::size_t capacity_;
    std::unique_ptr<char[]> storage_;
    std::size_t head_ = 0;
    std::size_t size_ = 0;
};

}  // namespace jitgate::ssh
