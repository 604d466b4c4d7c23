// ClassCache: two bounded tiers of classifications, each split into shards that each own a mutex, a
// fixed array of slots and an index from the slot's key (a string_view into the slot) to the slot.
// Eviction is CLOCK: a hit marks its slot, the hand skips (and unmarks) marked slots. A shard is
// bounded both in entries and in the bytes of its keys.
#include "guardrails/sql/sql_cache.hpp"

#include "guardrails/sql/sql_shape.hpp"

#include <algorithm>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace jitgate::guardrails {

class ClassCache::Tier {
public:
    Tier(std::size_t capacity, std::size_t max_bytes) : shards_(std::min(capacity, max_shards)) {
        const std::size_t n = shards_.size();
        for (std::size_t i = 0; i < n; ++i) shards_[i].init(capacity / n + (i < capacity % n ? 1 : 0), max_bytes / n);
    }

    [[nodiscard]] std::shared_ptr<const Classification> find(std::string_view key) {
        if (shards_.empty()) return nullptr;
        return shard(key).find(key);
    }

    // Keeps an entry already there (another thread may have classified the same text meanwhile).
    void insert(std::string_view key, const std::shared_ptr<const Classification>& value) {
        if (!shards_.empty()) shard(key).insert(key, value);
    }

    [[nodiscard]] std::size_t size() const {
        std::size_t total = 0;
        for (const Shard& s : shards_) total += s.size();
        return total;
    }

private:
    static constexpr std::size_t max_shards = 16;

    struct Slot {
        std::string key;
        std::shared_ptr<const Classification> value;  // null: a free slot
        bool referenced = false;
    };

    class Shard {
    public:
        void init(std::size_t capacity, std::size_t max_bytes) {
            capacity_ = capacity;
            max_bytes_ = max_bytes;
            slots_.reserve(capacity);  // never reallocated: the index's keys point into the slots
            index_.reserve(capacity);
        }

        std::shared_ptr<const Classification> find(std::string_view key) {
            const std::lock_guard lock(mutex_);
            const auto it = index_.find(key);
            if (it == index_.end()) return nullptr;
            Slot& slot = slots_[it->second];
            slot.referenced = true;
            return slot.value;
        }

        void insert(std::string_view key, const std::shared_ptr<const Classification>& value) {
            const std::lock_guard lock(mutex_);
            if (capacity_ == 0 || key.size() > max_bytes_ || index_.contains(key)) return;
            while (index_.size() >= capacity_ || bytes_ + key.size() > max_bytes_) evict_one();
            std::size_t at = slots_.size();
            if (!free_.empty()) {
                at = free_.back();
                free_.pop_back();
            } else {
                slots_.emplace_back();
            }
            slots_[at] = Slot{std::string(key), value, false};
            bytes_ += key.size();
            index_.emplace(slots_[at].key, at);
        }

        [[nodiscard]] std::size_t size() const {
            const std::lock_guard lock(mutex_);
            return index_.size();
        }

    private:
        // CLOCK: the hand passes over marked slots, unmarking them, and frees the first unmarked one.
        // Called with at least one entry present, so it ends within two turns.
        void evict_one() {
            for (;;) {
                const std::size_t at = hand_;
                hand_ = (hand_ + 1) % slots_.size();
                Slot& slot = slots_[at];
                if (slot.value == nullptr) continue;
                if (slot.referenced) {
                    slot.referenced = false;
                    continue;
                }
                index_.erase(slot.key);
                bytes_ -= slot.key.size();
                slot = Slot{};
                free_.push_back(at);
                return;
            }
        }

        mutable std::mutex mutex_;
        std::size_t capacity_ = 0;
        std::size_t max_bytes_ = 0;
        std::size_t bytes_ = 0;  // the keys' lengths
        std::vector<Slot> slots_;
        std::vector<std::size_t> free_;
        std::unordered_map<std::string_view, std::size_t> index_;
        std::size_t hand_ = 0;
    };

    Shard& shard(std::string_view key) { return shards_[std::hash<std::string_view>{}(key) % shards_.size()]; }

    std::vector<Shard> shards_;
};

namespace {

std::shared_ptr<const Classification> cache_failure() {
    Classification result;
    result.risk = RiskClass::unknown;
    result.reason = "the class cache failed on this text";
    result.literal_sensitive = true;
    result.effects.push_back(Effect{RiskClass::unknown, result.reason, {}});
    return std::make_shared<const Classification>(std::move(result));
}

}  // namespace

ClassCache::ClassCache(std::shared_ptr<const SqlClassifier> classifier, std::size_t capacity, std::size_t max_bytes)
    : classifier_(std::move(classifier)),
      exact_(std::make_unique<Tier>(capacity, max_bytes)),
      shapes_(std::make_unique<Tier>(capacity, max_bytes)),
      failed_(cache_failure()) {}

ClassCache::~ClassCache() = default;

std::shared_ptr<const Classification> ClassCache::classify(std::string_view sql) noexcept {
    try {
        if (auto hit = exact_->find(sql)) {
            exact_hits_.fetch_add(1, std::memory_order_relaxed);
            return hit;
        }
        // One buffer per thread: computing a shape allocates only while the buffer grows.
        thread_local std::string shape;
        const bool has_shape = shape_of(sql, shape, classifier_->max_statement_bytes());
        if (has_shape) {
            if (auto hit = shapes_->find(shape)) {
                shape_hits_.fetch_add(1, std::memory_order_relaxed);
                return hit;
            }
        }
        misses_.fetch_add(1, std::memory_order_relaxed);
        auto result = std::make_shared<const Classification>(classifier_->classify(sql));
        if (sql.size() > classifier_->max_statement_bytes()) return result;  // refused unparsed: not kept
        exact_->insert(sql, result);
        if (has_shape && !result->literal_sensitive) shapes_->insert(shape, result);
        return result;
    } catch (...) {
        return failed_;
    }
}

CacheCounters ClassCache::counters() const noexcept {
    CacheCounters out;
    out.exact_hits = exact_hits_.load(std::memory_order_relaxed);
    out.shape_hits = shape_hits_.load(std::memory_order_relaxed);
    out.misses = misses_.load(std::memory_order_relaxed);
    out.exact_entries = exact_->size();
    out.shape_entries = shapes_->size();
    return out;
}

}  // namespace jitgate::guardrails
