// Threading and SIMD helpers shared by the kernel files.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

// GCC on x86-64 Linux: build the hot loops twice (AVX2+FMA and the x86-64-v2 baseline) and let
// the loader pick, so one binary is fast on new CPUs and still runs on old ones.
#if defined(USIBENCH_CLONES) && defined(__GNUC__) && !defined(__clang__)
#define USN_HOT __attribute__((target_clones("arch=haswell", "default")))
#else
#define USN_HOT
#endif

namespace usn {

extern std::atomic<int> g_threads;

// Runs call(ctx, i) for i in [0, parts): part 0 on the calling thread, the others on persistent
// worker threads (created on first use, kept for the process). Spawning threads per call cost
// 0.15-0.25 ms each on a 2-core VM, more than a 1 MB elementwise op, and a training step makes
// hundreds of parallel calls. One job at a time owns the workers: a call made while another
// thread's job runs (two JS workers using the addon), or from inside a job, returns false and the
// caller runs the whole range itself, so the cores are never oversubscribed by our own threads.
bool pool_run(int parts, void (*call)(void*, int), void* ctx);

// Splits [0, n) into contiguous ranges over the configured threads; fn(begin, end, part). Callers
// pass a cost estimate (roughly element operations per item) and small jobs run inline.
template <class F>
inline void parallel_for(int64_t n, double cost_per_item, F&& fn) {
  int t = g_threads;
  const double total = cost_per_item * static_cast<double>(n);
  if (t <= 1 || n <= 1 || total < 5e4) {
    fn(int64_t(0), n, 0);
    return;
  }
  t = static_cast<int>(std::min<int64_t>(t, n));
  const int64_t step = (n + t - 1) / t;
  auto body = [&](int i) {
    const int64_t b = i * step, e = std::min(n, b + step);
    if (b < e) fn(b, e, i);
  };
  using Body = decltype(body);
  if (!pool_run(t, [](void* c, int i) { (*static_cast<Body*>(c))(i); }, &body)) fn(int64_t(0), n, 0);
}

}  // namespace usn
