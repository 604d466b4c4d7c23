// The SQL class cache (issue 3, the hot path): no statement text is parsed twice. Tier 1 is keyed by
// the exact text and holds every classification; tier 2 is keyed by the text's shape (sql_shape.hpp:
// literals replaced by placeholders) and holds only classifications that read no literal's value
// (Classification::literal_sensitive), so `... WHERE aid = 123` and `... aid = 456` share one parse
// while `WHERE 1=1` and `WHERE 1=2` never do. The cache stores classes, never decisions: grants and
// rules are evaluated afresh for every statement.
//
// Limits: an answer from tier 2 is the classification of the first text seen with that shape, which
// equals the classifier's answer for the new text (tests/fuzz/fuzz_sql_cache.cpp checks this against
// libpg_query) except where PostgreSQL's grammar itself refuses a literal's value (e.g. ALTER INDEX …
// ALTER COLUMN 0 SET STATISTICS): the classifier says unknown, the cache gives the shape's class, and
// PostgreSQL refuses the whole text at parse time, so nothing of it runs.
#pragma once

#include "guardrails/sql/sql_classifier.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace jitgate::guardrails {

struct CacheCounters {
    std::uint64_t exact_hits = 0;  // answered from tier 1
    std::uint64_t shape_hits = 0;  // answered from tier 2
    std::uint64_t misses = 0;      // classified in full (parsed, or refused before parsing)
    std::size_t exact_entries = 0;
    std::size_t shape_entries = 0;
};

class ClassCache {
public:
    static constexpr std::size_t default_capacity = 4096;
    static constexpr std::size_t default_max_bytes = std::size_t{16} << 20;

    // capacity: entries per tier (0 turns caching off); max_bytes: the keys' total length per tier (a
    // text longer than a shard's share, max_bytes / 16, is classified every time). The cache shares
    // ownership of the classifier.
    explicit ClassCache(std::shared_ptr<const SqlClassifier> classifier, std::size_t capacity = default_capacity,
                        std::size_t max_bytes = default_max_bytes);
    ~ClassCache();
    ClassCache(const ClassCache&) = delete;
    ClassCache& operator=(const ClassCache&) = delete;

    // The classifier's answer for sql. Thread-safe; never throws (if the cache itself fails, unknown).
    // A hit does not allocate: lookups take the string_view, and the answer is a shared_ptr copy.
    [[nodiscard]] std::shared_ptr<const Classification> classify(std::string_view sql) noexcept;

    [[nodiscard]] CacheCounters counters() const noexcept;

private:
    class Tier;  // a sharded, bounded map with CLOCK eviction (sql_cache.cpp)

    std::shared_ptr<const SqlClassifier> classifier_;
    std::unique_ptr<Tier> exact_;
    std::unique_ptr<Tier> shapes_;
    std::shared_ptr<const Classification> failed_;  // made up front: the answer when the cache fails
    std::atomic<std::uint64_t> exact_hits_{0};
    std::atomic<std::uint64_t> shape_hits_{0};
    std::atomic<std::uint64_t> misses_{0};
};

}  // namespace jitgate::guardrails
