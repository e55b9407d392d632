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

// slot_ holds the current job's generation (high bits), whether it still takes helpers (kOpen) and
// how many workers joined it (low bits). A worker joins only an open slot of the generation that
// woke it; the owner, once the pieces are all taken and it has done its own, waits for the joined
// workers to leave and closes the slot. So the owner never waits for a worker that is not running
// (descheduled by another process on its core: that wait could last a scheduler slice per call),
// and no worker can still read a job's fields when the next job writes them.
constexpr uint64_t kCount = (uint64_t(1) << 20) - 1;
constexpr uint64_t kOpen = uint64_t(1) << 20;
constexpr int kGenShift = 21;

class Pool {
 public:
  bool run(int participants, int64_t pieces, void (*call)(void*, int64_t, int), void* ctx) {
    if (t_in_job || participants <= 1) return false;
    std::unique_lock<std::mutex> owner(run_mu_, std::try_to_lock);
    if (!owner.owns_lock()) return false;
    grow(participants - 1);
    call_ = call;
    ctx_ = ctx;
    participants_ = participants;
    pieces_ = pieces;
    next_.store(0, std::memory_order_relaxed);
    const uint64_t gen = gen_.load(std::memory_order_relaxed) + 1;
    slot_.store((gen << kGenShift) | kOpen, std::memory_order_release);
    {
      std::lock_guard<std::mutex> lk(mu_);
      gen_.store(gen, std::memory_order_release);
    }
    cv_.notify_all();
    t_in_job = true;
    work(0);
    t_in_job = false;
    const auto until = std::chrono::steady_clock::now() + kSpin;
    for (;;) {
      uint64_t st = slot_.load(std::memory_order_acquire);
      if ((st & kCount) == 0) {
        if (slot_.compare_exchange_weak(st, st & ~kOpen, std::memory_order_acq_rel)) break;
        continue;
      }
      if (std::chrono::steady_clock::now() > until) {
        std::unique_lock<std::mutex> lk(done_mu_);
        done_cv_.wait(lk, [&] { return (slot_.load(std::memory_order_acquire) & kCount) == 0; });
        continue;
      }
      USN_PAUSE();
    }
    return true;
  }

 private:
  void grow(int n) {
    while (static_cast<int>(workers_.size()) < n) {
      const int idx = static_cast<int>(workers_.size()) + 1;
      const uint64_t seen = gen_.load(std::memory_order_acquire);
      workers_.emplace_back([this, idx, seen] { loop(idx, seen); });
      workers_.back().detach();
    }
  }

  void work(int who) {
    for (int64_t i; (i = next_.fetch_add(1, std::memory_order_relaxed)) < pieces_;) call_(ctx_, i, who);
  }

  // Joins the job of generation `gen` if it is still open; false when it is over or closed.
  bool join(uint64_t gen) {
    uint64_t st = slot_.load(std::memory_order_acquire);
    while ((st >> kGenShift) == gen && (st & kOpen)) {
      if (slot_.compare_exchange_weak(st, st + 1, std::memory_order_acq_rel)) return true;
    }
    return false;
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
      if (!join(seen)) continue;
      if (idx < participants_) work(idx);
      if ((slot_.fetch_sub(1, std::memory_order_acq_rel) & kCount) == 1) {
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
  std::atomic<uint64_t> slot_{0};
  // Written by the owner before gen_ is published and read by workers only after they joined.
  int participants_ = 0;
  int64_t pieces_ = 0;
  std::atomic<int64_t> next_{0};
  void (*call_)(void*, int64_t, int) = nullptr;
  void* ctx_ = nullptr;
};

}  // namespace

bool pool_run(int participants, int64_t pieces, void (*call)(void*, int64_t, int), void* ctx) {
  // Never destroyed: detached workers may still be parked on its members at process exit.
  static Pool* pool = new Pool();
  return pool->run(participants, pieces, call, ctx);
}

}  // namespace usn
