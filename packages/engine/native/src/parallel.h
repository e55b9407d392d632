// Threading and SIMD helpers shared by the kernel files.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

// GCC on x86-64 Linux: build the hot loops twice (x86-64-v3: AVX2+FMA, and the x86-64-v2 baseline)
// and let the loader pick, so one binary is fast on new CPUs and still runs on old ones. The clone
// is named by ISA level, not by a CPU: GCC's resolver for "arch=haswell" tests that the CPU *is* a
// Haswell (model match), so every later Intel and every AMD CPU ran the SSE baseline.
#if defined(USIBENCH_CLONES) && defined(__GNUC__) && !defined(__clang__)
#define USN_HOT __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define USN_HOT
#endif

namespace usn {

extern std::atomic<int> g_threads;

// Runs call(ctx, piece, participant) for every piece in [0, pieces) on up to `participants`
// threads: the caller (participant 0) and persistent worker threads (created on first use, kept for
// the process; participant ids stay below `participants`, for per-thread partial buffers). Pieces
// are handed out from a shared counter, so a thread the OS descheduled (another process on its
// core) does not hold the others up: whoever is running takes the next piece. Spawning threads per
// call cost more than a whole elementwise op on an activation-sized tensor, and a training step
// makes hundreds of parallel calls. One job at a time owns the workers: a call made while another
// thread's job runs (two JS workers using the addon), or from inside a job, returns false and the
// caller runs everything itself, so our own threads never oversubscribe the cores.
bool pool_run(int participants, int64_t pieces, void (*call)(void*, int64_t, int), void* ctx);

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
  // A few pieces per thread, each still worth a wake-up, so the split can follow the threads that run.
  const int64_t pieces = std::max<int64_t>(t, std::min<int64_t>({n, int64_t(t) * 8, static_cast<int64_t>(total / 2.5e4)}));
  const int64_t step = (n + pieces - 1) / pieces;
  auto body = [&](int64_t piece, int who) {
    const int64_t b = piece * step, e = std::min(n, b + step);
    if (b < e) fn(b, e, who);
  };
  using Body = decltype(body);
  if (!pool_run(t, pieces, [](void* c, int64_t piece, int who) { (*static_cast<Body*>(c))(piece, who); }, &body))
    fn(int64_t(0), n, 0);
}

// A scratch buffer kept per calling thread and slot, so repeated calls (every training step) do not
// pay page faults for a fresh tens-of-MB allocation. A caller that holds one buffer while it works
// as a participant of a parallel job whose body takes another uses two slots.
template <int Slot = 0>
inline float* thread_scratch(size_t count) {
  thread_local std::vector<float> buf;
  if (buf.size() < count) buf.resize(count);
  return buf.data();
}

}  // namespace usn
