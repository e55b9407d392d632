// The addon's persistent worker threads (see pool_run in parallel.h).
#include "parallel.h"

#include <chrono>
#include <condition_variable>
#include <mutex>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define USN_PAUSE() _mm_pause()
#else
#define USN_PAUSE() std::this_thread::yield()
#endif

namespace usn {

namespace {

thread_local bool t_in_job = false;

// Wakeups go through a condition variable; both sides spin for a short while first, because the
// next parallel call usually comes within microseconds (the chunks of one convolution) and a
// futex wake on a VM costs tens of microseconds. The spin is bounded so idle workers sleep.
constexpr auto kSpin = std::chrono::microseconds(50);

class Pool {
 public:
  bool run(int parts, void (*call)(void*, int), void* ctx) {
    if (t_in_job || parts <= 1) return false;
    std::unique_lock<std::mutex> owner(run_mu_, std::try_to_lock);
    if (!owner.owns_lock()) return false;
    grow(parts - 1);
    call_ = call;
    ctx_ = ctx;
    parts_ = parts;
    // Every worker acknowledges every job (those past `parts` without running anything), so none
    // can still be reading this job's fields when the next one writes them.
    remaining_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lk(mu_);
      gen_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    t_in_job = true;
    call(ctx, 0);
    t_in_job = false;
    const auto until = std::chrono::steady_clock::now() + kSpin;
    while (remaining_.load(std::memory_order_acquire) != 0) {
      if (std::chrono::steady_clock::now() > until) {
        std::unique_lock<std::mutex> lk(done_mu_);
        done_cv_.wait(lk, [&] { return remaining_.load(std::memory_order_acquire) == 0; });
        break;
      }
      USN_PAUSE();
    }
    return true;
  }

 private:
  void grow(int n) {
    while (static_cast<int>(workers_.size()) < n) {
      const int idx = static_cast<int>(workers_.size()) + 1;
      // The worker starts from the generation before this job's bump, so it cannot miss the job.
      const uint64_t seen = gen_.load(std::memory_order_acquire);
      workers_.emplace_back([this, idx, seen] { loop(idx, seen); });
      workers_.back().detach();
    }
  }

  void loop(int idx, uint64_t seen) {
    t_in_job = true;  // a kernel running here never starts a nested job
    for (;;) {
      const auto until = std::chrono::steady_clock::now() + kSpin;
      while (gen_.load(std::memory_order_acquire) == seen) {
        if (std::chrono::steady_clock::now() > until) {
          std::unique_lock<std::mutex> lk(mu_);
          cv_.wait(lk, [&] { return gen_.load(std::memory_order_acquire) != seen; });
          break;
        }
        USN_PAUSE();
      }
      seen = gen_.load(std::memory_order_acquire);
      if (idx < parts_) call_(ctx_, idx);
      if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lk(done_mu_);
        done_cv_.notify_one();
      }
    }
  }

  std::mutex run_mu_;
  std::mutex mu_, done_mu_;
  std::condition_variable cv_, done_cv_;
  std::vector<std::thread> workers_;
  std::atomic<uint64_t> gen_{0};
  std::atomic<int> remaining_{0};
  // Written by the owner before gen_ is bumped (release) and read by workers after they see it.
  int parts_ = 0;
  void (*call_)(void*, int) = nullptr;
  void* ctx_ = nullptr;
};

}  // namespace

bool pool_run(int parts, void (*call)(void*, int), void* ctx) {
  // Never destroyed: detached workers may still be parked on its members at process exit.
  static Pool* pool = new Pool();
  return pool->run(parts, call, ctx);
}

}  // namespace usn
