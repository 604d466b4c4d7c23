// A small pool of threads with big stacks for libpg_query, which recurses once per level of a nested
// expression and overflows an ordinary thread's stack (about 2,000 terms on 256 KiB). Internal to the
// SQL classifier.
#pragma once

#include <functional>

namespace jitgate::guardrails::detail {

// Stack size of each parse thread: 30,000 nested terms need about 40 MiB without sanitizers; the
// pages are reserved, not committed, until touched.
inline constexpr std::size_t parse_thread_stack_bytes = std::size_t{256} << 20;

// Runs job on one of the pool's threads and returns when it has finished. job must not throw.
// Calls from several threads run in parallel, up to the pool's size; the pool starts on first use.
void run_on_parse_thread(const std::function<void()>& job);

}  // namespace jitgate::guardrails::detail
