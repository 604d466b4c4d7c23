// Unit tests of the metrics room: shards sum across threads, histogram buckets are cumulative with an
// inclusive `le`, and the exposition is Prometheus's text format with escaped label values.
#include "proxy/metrics/metrics.hpp"

#include <catch2/catch.hpp>

#include <thread>
#include <vector>

using namespace jitgate::metrics;

TEST_CASE("a counter added to from many threads sums every add", "[metrics]") {
    Counter counter;
    std::vector<std::thread> threads;
    for (int t = 0; t < 20; ++t) {
        threads.emplace_back([&counter] {
            for (int i = 0; i < 10'000; ++i) counter.add();
        });
    }
    for (std::thread& thread : threads) thread.join();
    CHECK(counter.value() == 200'000U);
    counter.add(5);
    CHECK(counter.value() == 200'005U);
}

TEST_CASE("a histogram counts into the first bound at or above the value, cumulatively", "[metrics]") {
    Histogram histogram({0.001, 0.01});
    histogram.observe_nanoseconds(1'000'000);   // exactly 1 ms: le="0.001"
    histogram.observe_nanoseconds(5'000'000);   // 5 ms: le="0.01"
    histogram.observe_nanoseconds(2'000'000'000);  // 2 s: +Inf only
    const Histogram::Snapshot snapshot = histogram.snapshot();
    CHECK(snapshot.cumulative == std::vector<std::uint64_t>{1, 2, 3});
    CHECK(snapshot.count == 3U);
    CHECK(snapshot.sum_seconds == Approx(2.006));
    CHECK_THROWS(Histogram({0.01, 0.001}));
    CHECK_THROWS(Histogram({}));
}

TEST_CASE("the exposition is Prometheus text with HELP, TYPE and escaped label values", "[metrics]") {
    Exposition out;
    out.family("jitgate_statements_total", "counter", "Statements decided.");
    const std::pair<std::string_view, std::string_view> labels[] = {{"target", "a\"b\\c\nd"}, {"class", "read"}};
    out.sample("jitgate_statements_total", labels, std::uint64_t{7});
    out.family("jitgate_sessions_active", "gauge", "Open sessions.");
    out.sample("jitgate_sessions_active", {}, std::int64_t{-1});
    Histogram histogram({0.5});
    histogram.observe_nanoseconds(250'000'000);
    out.family("jitgate_decision_duration_seconds", "histogram", "Decision time.");
    out.histogram("jitgate_decision_duration_seconds", {}, histogram.snapshot());
    CHECK(out.text() ==
          "# HELP jitgate_statements_total Statements decided.\n"
          "# TYPE jitgate_statements_total counter\n"
          "jitgate_statements_total{target=\"a\\\"b\\\\c\\nd\",class=\"read\"} 7\n"
          "# HELP jitgate_sessions_active Open sessions.\n"
          "# TYPE jitgate_sessions_active gauge\n"
          "jitgate_sessions_active -1\n"
          "# HELP jitgate_decision_duration_seconds Decision time.\n"
          "# TYPE jitgate_decision_duration_seconds histogram\n"
          "jitgate_decision_duration_seconds_bucket{le=\"0.5\"} 1\n"
          "jitgate_decision_duration_seconds_bucket{le=\"+Inf\"} 1\n"
          "jitgate_decision_duration_seconds_sum 0.25\n"
          "jitgate_decision_duration_seconds_count 1\n");
}
