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

// Splits [0, n) into contiguous ranges over the configured threads. Threads are spawned per call:
// a few tens of microseconds, small next to the kernels that are worth splitting (callers pass a
// cost estimate and small jobs run inline).
template <class F>
inline void parallel_for(int64_t n, double cost_per_item, F&& fn) {
  int t = g_threads;
  const double total = cost_per_item * static_cast<double>(n);
  if (t <= 1 || n <= 1 || total < 2e5) {
    fn(int64_t(0), n, 0);
    return;
  }
  t = static_cast<int>(std::min<int64_t>(t, n));
  std::vector<std::thread> pool;
  pool.reserve(t - 1);
  const int64_t step = (n + t - 1) / t;
  for (int i = 1; i < t; ++i) {
    const int64_t b = i * step, e = std::min(n, b + step);
    if (b >= e) break;
    pool.emplace_back([&fn, b, e, i] { fn(b, e, i); });
  }
  fn(int64_t(0), std::min(n, step), 0);
  for (auto& th : pool) th.join();
}

}  // namespace usn
