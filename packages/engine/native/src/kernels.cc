#include "kernels.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#if defined(USIBENCH_ACCELERATE)
#include <Accelerate/Accelerate.h>
#else
#include <cblas.h>
#endif

#include "parallel.h"
#include "winograd.h"

namespace usn {

std::atomic<int> g_threads{1};

void set_threads(int n) {
  if (n < 1) n = 1;
  g_threads = n;
#if defined(USIBENCH_OPENBLAS)
  // OpenBLAS stays single-threaded: its pthread workers spin after each call and, on a machine with
  // few cores, starve the addon's own threads in the elementwise op that follows (2 threads ran
  // slower than 1). sgemm() below splits rows over the addon's threads instead.
  openblas_set_num_threads(1);
#endif
  // One tiny sgemm makes a DYNAMIC_ARCH OpenBLAS settle on its kernels now, so the core name
  // reported by blas_name() is the one that will compute.
  float a = 1.f, b = 1.f, c = 0.f;
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 1, 1, 1, 1.f, &a, 1, &b, 1, 0.f, &c, 1);
}

int threads() { return g_threads; }

const char* blas_name() {
#if defined(USIBENCH_ACCELERATE)
  return "Accelerate";
#elif defined(USIBENCH_OPENBLAS)
  // The config names the build (version, DYNAMIC_ARCH); the core name is what was picked at run
  // time, which DYNAMIC_ARCH builds settle on their first call, so it is read fresh every time.
  thread_local std::string name;
  name = std::string(openblas_get_config()) + " core=" + openblas_get_corename();
  return name.c_str();
#else
  return "cblas";
#endif
}

const char* simd_name() {
#if defined(USIBENCH_CLONES) && defined(__GNUC__) && !defined(__clang__)
  __builtin_cpu_init();
  // The test USN_HOT's resolver makes, so this names the clone that runs.
  return __builtin_cpu_supports("x86-64-v3") ? "x86-64-v3 (avx2+fma)" : "x86-64-v2";
#elif defined(__aarch64__)
  return "neon";
#else
  return "baseline";
#endif
}

static inline float act1(float v, int act, float alpha) {
  switch (act) {
    case ACT_RELU: return v > 0.f ? v : 0.f;
    case ACT_RELU6: return std::min(std::max(v, 0.f), 6.f);
    case ACT_ELU: return v >= 0.f ? v : std::expm1(v);
    case ACT_LEAKY: return v >= 0.f ? v : alpha * v;
    case ACT_SIGMOID: return 1.f / (1.f + std::exp(-v));
    default: return v;
  }
}

USN_HOT static void bias_act_rows(float* y, int64_t rows, int cols, const float* bias, int act, float alpha) {
  for (int64_t r = 0; r < rows; ++r) {
    float* row = y + r * cols;
    if (bias)
      for (int c = 0; c < cols; ++c) row[c] += bias[c];
    if (act == ACT_RELU) {
      for (int c = 0; c < cols; ++c) row[c] = row[c] > 0.f ? row[c] : 0.f;
    } else if (act == ACT_RELU6) {
      for (int c = 0; c < cols; ++c) row[c] = std::min(std::max(row[c], 0.f), 6.f);
    } else if (act != ACT_LINEAR) {
      for (int c = 0; c < cols; ++c) row[c] = act1(row[c], act, alpha);
    }
  }
}

void bias_act(float* y, int64_t rows, int cols, const float* bias, int act, float alpha) {
  if (!bias && act == ACT_LINEAR) return;
  parallel_for(rows, cols, [&](int64_t b, int64_t e, int) { bias_act_rows(y + b * cols, e - b, cols, bias, act, alpha); });
}

static void sgemm1(bool ta, bool tb, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float beta,
                   float* c, int ldc) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.f, a, lda, b,
              ldb, beta, c, ldc);
}

// C = op(A) op(B) (+ beta C) with the rows of C split over the addon's threads, each block a
// single-threaded BLAS call. Row r of op(A) starts at a + r * lda untransposed, a + r transposed.
static void sgemm(bool ta, bool tb, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float beta,
                  float* c, int ldc) {
  const int t = threads();
  const int blocks = std::max(1, std::min(t, m / 16));
  if (blocks <= 1 || double(m) * n * k < 4e6) {
    sgemm1(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  parallel_for(blocks, 1e9, [&](int64_t lo, int64_t hi, int) {
    for (int64_t i = lo; i < hi; ++i) {
      const int r0 = static_cast<int>(int64_t(m) * i / blocks), r1 = static_cast<int>(int64_t(m) * (i + 1) / blocks);
      const float* ab = ta ? a + r0 : a + int64_t(r0) * lda;
      sgemm1(ta, tb, r1 - r0, n, k, ab, lda, b, ldb, beta, c + int64_t(r0) * ldc, ldc);
    }
  });
}

static bool is_pointwise(const ConvParams& p) {
  return p.fh == 1 && p.fw == 1 && p.sh == 1 && p.sw == 1 && p.pt == 0 && p.pl == 0 && p.oh == p.h && p.ow == p.w;
}

// Images per chunk so the im2col buffer stays near 4 MB (1 M floats) whatever the resolution: it is
// written and then read back by sgemm, and keeping it in cache measured faster than a buffer for
// the whole batch.
static int chunk_images(const ConvParams& p) {
  const int64_t per_image = int64_t(p.oh) * p.ow * p.fh * p.fw * p.cin;
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(p.n, (int64_t(1) << 20) / std::max<int64_t>(1, per_image))));
}

// col[(img, oy, ox), (ky, kx, c)] for images [n0, n0 + cnt): the K axis matches the filter's
// [fh, fw, cin] layout so the filter is used as a K x cout matrix without a copy.
static void im2col(const ConvParams& p, const float* x, int n0, int cnt, float* col) {
  const int64_t K = int64_t(p.fh) * p.fw * p.cin;
  const int64_t rows = int64_t(cnt) * p.oh * p.ow;
  parallel_for(rows, double(K), [&](int64_t rb, int64_t re, int) {
    for (int64_t r = rb; r < re; ++r) {
      const int img = n0 + static_cast<int>(r / (int64_t(p.oh) * p.ow));
      const int rem = static_cast<int>(r % (int64_t(p.oh) * p.ow));
      const int oy = rem / p.ow, ox = rem % p.ow;
      float* dst = col + r * K;
      for (int ky = 0; ky < p.fh; ++ky) {
        const int iy = oy * p.sh - p.pt + ky * p.dh;
        for (int kx = 0; kx < p.fw; ++kx, dst += p.cin) {
          const int ix = ox * p.sw - p.pl + kx * p.dw;
          if (iy < 0 || iy >= p.h || ix < 0 || ix >= p.w) {
            std::memset(dst, 0, sizeof(float) * p.cin);
          } else {
            std::memcpy(dst, x + ((int64_t(img) * p.h + iy) * p.w + ix) * p.cin, sizeof(float) * p.cin);
          }
        }
      }
    }
  });
}

USN_HOT static void add_into(float* dst, const float* src, int n) {
  for (int i = 0; i < n; ++i) dst[i] += src[i];
}

// Scatter-adds col rows back into dx for images [n0, n0 + cnt); images are disjoint, so the
// batch is split across threads, and within an image the rows are visited in order.
static void col2im(const ConvParams& p, const float* col, int n0, int cnt, float* dx) {
  const int64_t K = int64_t(p.fh) * p.fw * p.cin;
  const int64_t img_size = int64_t(p.h) * p.w * p.cin;
  auto one_image = [&](int i, int y0, int y1) {
    // rows [y0, y1) of input image i: gather from every output position that reads them
    float* dimg = dx + int64_t(n0 + i) * img_size;
    std::memset(dimg + int64_t(y0) * p.w * p.cin, 0, sizeof(float) * int64_t(y1 - y0) * p.w * p.cin);
    for (int oy = 0; oy < p.oh; ++oy) {
      for (int ky = 0; ky < p.fh; ++ky) {
        const int iy = oy * p.sh - p.pt + ky * p.dh;
        if (iy < y0 || iy >= y1) continue;
        for (int ox = 0; ox < p.ow; ++ox) {
          const float* src = col + ((int64_t(i) * p.oh + oy) * p.ow + ox) * K + int64_t(ky) * p.fw * p.cin;
          for (int kx = 0; kx < p.fw; ++kx) {
            const int ix = ox * p.sw - p.pl + kx * p.dw;
            if (ix < 0 || ix >= p.w) continue;
            add_into(dimg + (int64_t(iy) * p.w + ix) * p.cin, src + int64_t(kx) * p.cin, p.cin);
          }
        }
      }
    }
  };
  // Split over (image, band of input rows) so batch 1 is parallel too; bands own disjoint dx rows.
  const int bands = cnt >= threads() ? 1 : std::max(1, std::min(p.h, threads()));
  parallel_for(int64_t(cnt) * bands, double(p.oh) * p.ow * K / bands, [&](int64_t b, int64_t e, int) {
    for (int64_t j = b; j < e; ++j) {
      const int i = static_cast<int>(j / bands), band = static_cast<int>(j % bands);
      const int y0 = static_cast<int>(int64_t(p.h) * band / bands), y1 = static_cast<int>(int64_t(p.h) * (band + 1) / bands);
      one_image(i, y0, y1);
    }
  });
}

// Coarse-grained split for the im2col convolutions: the batch is cut into chunks (about as many
// per thread, each near chunk_images' cache-sized buffer) and each thread runs whole chunks, im2col
// and a single-threaded sgemm on its own scratch buffer: one parallel region per convolution instead
// of two per chunk, and the buffer stays in that core's cache. Chunks go to whichever thread is
// free. fn(n0, cnt, col, thread). Returns false (nothing done) where there are too few images to
// give every thread a chunk (splits_per_thread).
static bool splits_per_thread(const ConvParams& p) { return threads() > 1 && p.n >= threads(); }

template <class F>
static bool per_thread_chunks(const ConvParams& p, F&& fn) {
  if (!splits_per_thread(p)) return false;
  const int t = threads();
  const int per_thread = (p.n + t * chunk_images(p) - 1) / (t * chunk_images(p));
  const int chunks = t * per_thread;
  const int chunk = (p.n + chunks - 1) / chunks;
  const int64_t K = int64_t(p.fh) * p.fw * p.cin;
  const int64_t opix = int64_t(p.oh) * p.ow;
  parallel_for(chunks, 1e9, [&](int64_t lo, int64_t hi, int tid) {
    float* col = thread_scratch(size_t(chunk) * opix * K);
    for (int64_t c = lo; c < hi; ++c) {
      const int n0 = static_cast<int>(c * chunk);
      const int cnt = std::min(chunk, p.n - n0);
      if (cnt > 0) fn(n0, cnt, col, tid);
    }
  });
  return true;
}

void conv2d(const ConvParams& p, const float* x, const float* w, const float* bias, int act, float alpha, float* y) {
  const int K = p.fh * p.fw * p.cin;
  const int64_t opix = int64_t(p.oh) * p.ow;
  if (is_pointwise(p)) {
    sgemm(false, false, static_cast<int>(p.n * opix), p.cout, K, x, K, w, p.cout, 0.f, y, p.cout);
  } else if (winograd_applies(p)) {
    winograd_conv2d(p, x, w, y);
  } else if (!per_thread_chunks(p, [&](int n0, int cnt, float* col, int) {
               im2col(p, x, n0, cnt, col);
               sgemm1(false, false, static_cast<int>(cnt * opix), p.cout, K, col, K, w, p.cout, 0.f, y + n0 * opix * p.cout, p.cout);
             })) {
    const int chunk = chunk_images(p);
    float* col = thread_scratch(size_t(chunk) * opix * K);
    for (int n0 = 0; n0 < p.n; n0 += chunk) {
      const int cnt = std::min(chunk, p.n - n0);
      im2col(p, x, n0, cnt, col);
      sgemm(false, false, static_cast<int>(cnt * opix), p.cout, K, col, K, w, p.cout, 0.f, y + n0 * opix * p.cout, p.cout);
    }
  }
  bias_act(y, p.n * opix, p.cout, bias, act, alpha);
}

void conv2d_backprop_input(const ConvParams& p, const float* dy, const float* w, float* dx) {
  const int K = p.fh * p.fw * p.cin;
  const int64_t opix = int64_t(p.oh) * p.ow;
  if (is_pointwise(p)) {
    sgemm(false, true, static_cast<int>(p.n * opix), K, p.cout, dy, p.cout, w, p.cout, 0.f, dx, K);
    return;
  }
  if (winograd_applies(p)) {
    winograd_conv2d_backprop_input(p, dy, w, dx);
    return;
  }
  if (per_thread_chunks(p, [&](int n0, int cnt, float* col, int) {
        sgemm1(false, true, static_cast<int>(cnt * opix), K, p.cout, dy + n0 * opix * p.cout, p.cout, w, p.cout, 0.f, col, K);
        col2im(p, col, n0, cnt, dx);
      }))
    return;
  const int chunk = chunk_images(p);
  float* col = thread_scratch(size_t(chunk) * opix * K);
  for (int n0 = 0; n0 < p.n; n0 += chunk) {
    const int cnt = std::min(chunk, p.n - n0);
    sgemm(false, true, static_cast<int>(cnt * opix), K, p.cout, dy + n0 * opix * p.cout, p.cout, w, p.cout, 0.f, col, K);
    col2im(p, col, n0, cnt, dx);
  }
}

void conv2d_backprop_filter(const ConvParams& p, const float* x, const float* dy, float* dw) {
  const int K = p.fh * p.fw * p.cin;
  const int64_t opix = int64_t(p.oh) * p.ow;
  if (is_pointwise(p)) {
    sgemm(true, false, K, p.cout, static_cast<int>(p.n * opix), x, K, dy, p.cout, 0.f, dw, p.cout);
    return;
  }
  if (splits_per_thread(p)) {
    // Each thread accumulates its images into a private dw (its first product overwrites it, so
    // it needs no zeroing); the partials are summed after. They sit in the calling thread's second
    // scratch slot (the chunks' columns take the first), kept from one step to the next.
    const int64_t fsize = int64_t(K) * p.cout;
    float* partial = thread_scratch<1>(size_t(threads()) * fsize);
    std::vector<char> used(threads(), 0);
    per_thread_chunks(p, [&](int n0, int cnt, float* col, int tid) {
      float* acc = partial + tid * fsize;
      im2col(p, x, n0, cnt, col);
      sgemm1(true, false, K, p.cout, static_cast<int>(cnt * opix), col, K, dy + n0 * opix * p.cout, p.cout,
             used[tid] ? 1.f : 0.f, acc, p.cout);
      used[tid] = 1;
    });
    std::memset(dw, 0, sizeof(float) * fsize);
    for (int i = 0; i < threads(); ++i)
      if (used[i]) add_into(dw, partial + i * fsize, static_cast<int>(fsize));
    return;
  }
  const int chunk = chunk_images(p);
  float* col = thread_scratch(size_t(chunk) * opix * K);
  for (int n0 = 0; n0 < p.n; n0 += chunk) {
    const int cnt = std::min(chunk, p.n - n0);
    im2col(p, x, n0, cnt, col);
    sgemm(true, false, K, p.cout, static_cast<int>(cnt * opix), col, K, dy + n0 * opix * p.cout, p.cout,
          n0 == 0 ? 0.f : 1.f, dw, p.cout);
  }
}

// One output row of a depthwise conv: y[ox, c*m+q] = sum_k x[iy, ix, c] * w[ky, kx, c, q].
USN_HOT static void depthwise_row(const ConvParams& p, const float* x, const float* w, const float* bias, int img, int oy,
                                  float* y) {
  const int m = p.cout / p.cin;
  for (int ox = 0; ox < p.ow; ++ox) {
    float* out = y + int64_t(ox) * p.cout;
    if (bias)
      for (int c = 0; c < p.cout; ++c) out[c] = bias[c];
    else
      for (int c = 0; c < p.cout; ++c) out[c] = 0.f;
    for (int ky = 0; ky < p.fh; ++ky) {
      const int iy = oy * p.sh - p.pt + ky * p.dh;
      if (iy < 0 || iy >= p.h) continue;
      for (int kx = 0; kx < p.fw; ++kx) {
        const int ix = ox * p.sw - p.pl + kx * p.dw;
        if (ix < 0 || ix >= p.w) continue;
        const float* xp = x + ((int64_t(img) * p.h + iy) * p.w + ix) * p.cin;
        const float* wp = w + (int64_t(ky) * p.fw + kx) * p.cout;
        if (m == 1) {
          for (int c = 0; c < p.cin; ++c) out[c] += xp[c] * wp[c];
        } else {
          for (int c = 0; c < p.cin; ++c)
            for (int q = 0; q < m; ++q) out[c * m + q] += xp[c] * wp[c * m + q];
        }
      }
    }
  }
}

void depthwise(const ConvParams& p, const float* x, const float* w, const float* bias, int act, float alpha, float* y) {
  parallel_for(int64_t(p.n) * p.oh, double(p.ow) * p.cout * p.fh * p.fw, [&](int64_t b, int64_t e, int) {
    for (int64_t r = b; r < e; ++r) {
      const int img = static_cast<int>(r / p.oh), oy = static_cast<int>(r % p.oh);
      float* yrow = y + r * p.ow * p.cout;
      depthwise_row(p, x, w, bias, img, oy, yrow);
      if (act != ACT_LINEAR) bias_act_rows(yrow, p.ow, p.cout, nullptr, act, alpha);
    }
  });
}

// One input row of the depthwise input gradient, gathered (not scattered) so rows are independent.
USN_HOT static void depthwise_bpi_row(const ConvParams& p, const float* dy, const float* w, int img, int iy, float* dx) {
  const int m = p.cout / p.cin;
  for (int ix = 0; ix < p.w; ++ix) {
    float* out = dx + int64_t(ix) * p.cin;
    for (int c = 0; c < p.cin; ++c) out[c] = 0.f;
    for (int ky = 0; ky < p.fh; ++ky) {
      const int ty = iy + p.pt - ky * p.dh;
      if (ty < 0 || ty % p.sh) continue;
      const int oy = ty / p.sh;
      if (oy >= p.oh) continue;
      for (int kx = 0; kx < p.fw; ++kx) {
        const int tx = ix + p.pl - kx * p.dw;
        if (tx < 0 || tx % p.sw) continue;
        const int ox = tx / p.sw;
        if (ox >= p.ow) continue;
        const float* g = dy + ((int64_t(img) * p.oh + oy) * p.ow + ox) * p.cout;
        const float* wp = w + (int64_t(ky) * p.fw + kx) * p.cout;
        if (m == 1) {
          for (int c = 0; c < p.cin; ++c) out[c] += g[c] * wp[c];
        } else {
          for (int c = 0; c < p.cin; ++c) {
            float s = 0.f;
            for (int q = 0; q < m; ++q) s += g[c * m + q] * wp[c * m + q];
            out[c] += s;
          }
        }
      }
    }
  }
}

void depthwise_backprop_input(const ConvParams& p, const float* dy, const float* w, float* dx) {
  parallel_for(int64_t(p.n) * p.h, double(p.w) * p.cout * p.fh * p.fw, [&](int64_t b, int64_t e, int) {
    for (int64_t r = b; r < e; ++r)
      depthwise_bpi_row(p, dy, w, static_cast<int>(r / p.h), static_cast<int>(r % p.h), dx + r * p.w * p.cin);
  });
}

USN_HOT static void depthwise_bpf_row(const ConvParams& p, const float* x, const float* dy, int img, int oy, float* acc) {
  const int m = p.cout / p.cin;
  const float* grow = dy + (int64_t(img) * p.oh + oy) * p.ow * p.cout;
  for (int ky = 0; ky < p.fh; ++ky) {
    const int iy = oy * p.sh - p.pt + ky * p.dh;
    if (iy < 0 || iy >= p.h) continue;
    for (int kx = 0; kx < p.fw; ++kx) {
      float* a = acc + (int64_t(ky) * p.fw + kx) * p.cout;
      for (int ox = 0; ox < p.ow; ++ox) {
        const int ix = ox * p.sw - p.pl + kx * p.dw;
        if (ix < 0 || ix >= p.w) continue;
        const float* xp = x + ((int64_t(img) * p.h + iy) * p.w + ix) * p.cin;
        const float* g = grow + int64_t(ox) * p.cout;
        if (m == 1) {
          for (int c = 0; c < p.cin; ++c) a[c] += xp[c] * g[c];
        } else {
          for (int c = 0; c < p.cin; ++c)
            for (int q = 0; q < m; ++q) a[c * m + q] += xp[c] * g[c * m + q];
        }
      }
    }
  }
}

void depthwise_backprop_filter(const ConvParams& p, const float* x, const float* dy, float* dw) {
  const int64_t fsize = int64_t(p.fh) * p.fw * p.cout;
  const int t = threads();
  std::vector<float> partial(size_t(t) * fsize, 0.f);
  parallel_for(int64_t(p.n) * p.oh, double(p.ow) * p.cout * p.fh * p.fw, [&](int64_t b, int64_t e, int tid) {
    float* acc = partial.data() + int64_t(tid) * fsize;
    for (int64_t r = b; r < e; ++r) depthwise_bpf_row(p, x, dy, static_cast<int>(r / p.oh), static_cast<int>(r % p.oh), acc);
  });
  std::memcpy(dw, partial.data(), sizeof(float) * fsize);
  for (int i = 1; i < t; ++i) add_into(dw, partial.data() + int64_t(i) * fsize, static_cast<int>(fsize));
}

void batch_matmul(int batch, int m, int n, int k, bool ta, bool tb, const float* a, const int64_t* aoff,
                  const float* b, const int64_t* boff, float* c) {
  const int lda = ta ? m : k, ldb = tb ? k : n;
  if (batch >= threads() && double(m) * n * k * batch >= 4e6) {
    // Many small products (attention heads): one single-threaded call each, batches over threads.
    parallel_for(batch, 1e9, [&](int64_t lo, int64_t hi, int) {
      for (int64_t i = lo; i < hi; ++i) sgemm1(ta, tb, m, n, k, a + aoff[i], lda, b + boff[i], ldb, 0.f, c + i * m * n, n);
    });
    return;
  }
  for (int i = 0; i < batch; ++i) sgemm(ta, tb, m, n, k, a + aoff[i], lda, b + boff[i], ldb, 0.f, c + int64_t(i) * m * n, n);
}

}  // namespace usn
