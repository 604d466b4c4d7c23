// The shards, the histogram's bucket search and the text exposition (see metrics.hpp).
#include "proxy/metrics/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace jitgate::metrics {

std::size_t this_thread_shard() noexcept {
    static std::atomic<std::size_t> next{0};
    thread_local const std::size_t shard = next.fetch_add(1, std::memory_order_relaxed) % shard_count;
    return shard;
}

std::uint64_t Counter::value() const noexcept {
    std::uint64_t sum = 0;
    for (const Shard& shard : shards_) sum += shard.value.load(std::memory_order_relaxed);
    return sum;
}

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {
    if (bounds_.empty() || bounds_.size() > max_buckets || !std::is_sorted(bounds_.begin(), bounds_.end()) ||
        std::adjacent_find(bounds_.begin(), bounds_.end()) != bounds_.end()) {
        throw std::invalid_argument("histogram bounds must be 1..16 strictly increasing values");
    }
    for (const double bound : bounds_) bounds_ns_.push_back(static_cast<std::uint64_t>(std::llround(bound * 1e9)));
}

void Histogram::observe_nanoseconds(std::uint64_t nanoseconds) noexcept {
    Shard& shard = shards_[this_thread_shard()];
    // `le` is inclusive: the first bound at or above the value.
    const auto it = std::lower_bound(bounds_ns_.begin(), bounds_ns_.end(), nanoseconds);
    shard.buckets[static_cast<std::size_t>(it - bounds_ns_.begin())].fetch_add(1, std::memory_order_relaxed);
    shard.sum_nanoseconds.fetch_add(nanoseconds, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
    Snapshot out;
    out.bounds = bounds_;
    std::vector<std::uint64_t> counts(bounds_.size() + 1, 0);
    std::uint64_t sum_ns = 0;
    for (const Shard& shard : shards_) {
        for (std::size_t i = 0; i < counts.size(); ++i) counts[i] += shard.buckets[i].load(std::memory_order_relaxed);
        sum_ns += shard.sum_nanoseconds.load(std::memory_order_relaxed);
    }
    std::uint64_t running = 0;
    for (const std::uint64_t count : counts) {
        running += count;
        out.cumulative.push_back(running);
    }
    out.count = running;
    out.sum_seconds = static_cast<double>(sum_ns) / 1e9;
    return out;
}

std::vector<double> decision_buckets() {
    return {1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 1e-3, 1e-2};
}

std::vector<double> connect_buckets() { return {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10}; }

namespace {

void append_escaped(std::string& out, std::string_view value) {
    for (const char c : value) {
        switch (c) {
        case '\\': out += "\\\\"; break;
        case '"': out += "\\\""; break;
        case '\n': out += "\\n"; break;
        default: out += c;
        }
    }
}

[[nodiscard]] std::string format_float(double value) {
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    if (std::isnan(value)) return "NaN";
    return fmt::format("{}", value);
}

}  // namespace

void Exposition::family(std::string_view name, std::string_view type, std::string_view help) {
    // Names and help texts are our own fixed one-line strings; only label values come from the config.
    text_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void Exposition::labels(Labels labels, std::string_view extra_name, std::string_view extra_value) {
    if (labels.empty() && extra_name.empty()) return;
    text_ += '{';
    bool first = true;
    const auto one = [&](std::string_view name, std::string_view value) {
        if (!first) text_ += ',';
        first = false;
        text_ += name;
        text_ += "=\"";
        append_escaped(text_, value);
        text_ += '"';
    };
    for (const auto& [name, value] : labels) one(name, value);
    if (!extra_name.empty()) one(extra_name, extra_value);
    text_ += '}';
}

void Exposition::sample(std::string_view name, Labels labels, std::uint64_t value) {
    text_ += name;
    this->labels(labels);
    text_ += fmt::format(" {}\n", value);
}

void Exposition::sample(std::string_view name, Labels labels, std::int64_t value) {
    text_ += name;
    this->labels(labels);
    text_ += fmt::format(" {}\n", value);
}

void Exposition::sample(std::string_view name, Labels labels, double value) {
    text_ += name;
    this->labels(labels);
    text_ += " " + format_float(value) + "\n";
}

void Exposition::histogram(std::string_view name, Labels labels, const Histogram::Snapshot& snapshot) {
    const std::string bucket = fmt::format("{}_bucket", name);
    for (std::size_t i = 0; i < snapshot.cumulative.size(); ++i) {
        const std::string le = i < snapshot.bounds.size() ? format_float(snapshot.bounds[i]) : "+Inf";
        text_ += bucket;
        this->labels(labels, "le", le);
        text_ += fmt::format(" {}\n", snapshot.cumulative[i]);
    }
    sample(fmt::format("{}_sum", name), labels, snapshot.sum_seconds);
    sample(fmt::format("{}_count", name), labels, snapshot.count);
}

}  // namespace jitgate::metrics
