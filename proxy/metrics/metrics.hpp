// Counters and histograms for DESIGN §9's /metrics, cheap enough for the per-statement path: each thread
// adds to its own cache-line shard with a relaxed atomic add (no lock, no allocation, no shared line
// bouncing between cores); only a scrape sums the shards. Families and their label sets are built once
// from the config (bounded: protocol, target, class, decision — never a user, an id or SQL), so a hot
// path holds a pointer to its Counter and never looks anything up.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jitgate::metrics {

// How many shards a value is split into; threads beyond this share shards (still correct, just contended).
inline constexpr std::size_t shard_count = 16;
// This thread's shard, fixed on first use (threads take shards round-robin).
[[nodiscard]] std::size_t this_thread_shard() noexcept;

// A monotonically increasing count.
class Counter {
public:
    void add(std::uint64_t n = 1) noexcept {
        shards_[this_thread_shard()].value.fetch_add(n, std::memory_order_relaxed);
    }
    // The sum over every shard; a scrape's view, not a transaction's.
    [[nodiscard]] std::uint64_t value() const noexcept;

private:
    struct alignas(64) Shard {
        std::atomic<std::uint64_t> value{0};
    };
    std::array<Shard, shard_count> shards_{};
};

// A value that goes up and down (active sessions, queue depth): one atomic, set or moved by any thread.
class Gauge {
public:
    void add(std::int64_t n) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
    void set(std::int64_t n) noexcept { value_.store(n, std::memory_order_relaxed); }
    [[nodiscard]] std::int64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::int64_t> value_{0};
};

// Observations in seconds into fixed upper bounds (Prometheus `le`), kept in nanoseconds per shard.
class Histogram {
public:
    // `bounds` in seconds, strictly increasing; +Inf is implied.
    explicit Histogram(std::vector<double> bounds);
    void observe_nanoseconds(std::uint64_t nanoseconds) noexcept;

    struct Snapshot {
        std::vector<double> bounds;
        std::vector<std::uint64_t> cumulative;  // per bound, then +Inf (== count)
        double sum_seconds = 0;
        std::uint64_t count = 0;
    };
    [[nodiscard]] Snapshot snapshot() const;

private:
    static constexpr std::size_t max_buckets = 16;
    struct alignas(64) Shard {
        std::array<std::atomic<std::uint64_t>, max_buckets + 1> buckets{};  // non-cumulative; last is +Inf
        std::atomic<std::uint64_t> sum_nanoseconds{0};
    };
    std::vector<std::uint64_t> bounds_ns_;
    std::vector<double> bounds_;
    std::array<Shard, shard_count> shards_{};
};

// Latency buckets for decisions (1 µs .. 10 ms) and for connecting upstream (1 ms .. 10 s).
[[nodiscard]] std::vector<double> decision_buckets();
[[nodiscard]] std::vector<double> connect_buckets();

using Labels = std::span<const std::pair<std::string_view, std::string_view>>;

// Prometheus text exposition format 0.0.4: `# HELP`, `# TYPE`, then samples; label values escaped
// (backslash, double quote, newline), names as given (callers use fixed `jitgate_…` names).
class Exposition {
public:
    void family(std::string_view name, std::string_view type, std::string_view help);
    void sample(std::string_view name, Labels labels, std::uint64_t value);
    void sample(std::string_view name, Labels labels, std::int64_t value);
    void sample(std::string_view name, Labels labels, double value);
    void histogram(std::string_view name, Labels labels, const Histogram::Snapshot& snapshot);
    [[nodiscard]] std::string take() { return std::move(text_); }
    [[nodiscard]] const std::string& text() const noexcept { return text_; }

private:
    void labels(Labels labels, std::string_view extra_name = {}, std::string_view extra_value = {});
    std::string text_;
};

// The content type of the text above.
inline constexpr std::string_view content_type = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace jitgate::metrics
