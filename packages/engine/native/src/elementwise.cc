// Elementwise, broadcasting and reduction kernels. The cpu backend computes a broadcast binary op
// with an index conversion per element and a reduction by transposing first, which made them ~95%
// of a ResNet training step; these do the same work in a few strided loops.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "elementwise.h"
#include "kernels.h"
#include "parallel.h"

namespace usn {

// Merges adjacent dims that every operand walks contiguously (or broadcasts over together), so a
// [64, 32, 32, 16] + [16] add becomes a [65536, 16] loop with strides {16, 1} and {0, 1}.
Walk collapse(const std::vector<int64_t>& dims, const std::vector<std::vector<int64_t>>& strides) {
  Walk w;
  const size_t ops = strides.size();
  w.strides.resize(ops);
  for (size_t d = 0; d < dims.size(); ++d) {
    if (dims[d] == 1) continue;
    if (!w.dims.empty()) {
      bool merge = true;
      for (size_t o = 0; o < ops; ++o)
        if (w.strides[o].back() != strides[o][d] * dims[d]) merge = false;
      if (merge) {
        w.dims.back() *= dims[d];
        for (size_t o = 0; o < ops; ++o) w.strides[o].back() = strides[o][d];
        continue;
      }
    }
    w.dims.push_back(dims[d]);
    for (size_t o = 0; o < ops; ++o) w.strides[o].push_back(strides[o][d]);
  }
  if (w.dims.empty()) {
    w.dims.push_back(1);
    for (size_t o = 0; o < ops; ++o) w.strides[o].push_back(0);
  }
  return w;
}

std::vector<int64_t> contiguous_strides(const std::vector<int64_t>& shape) {
  std::vector<int64_t> st(shape.size());
  int64_t s = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    st[d] = s;
    s *= shape[d];
  }
  return st;
}

namespace {

template <int Op>
inline float bin(float a, float b) {
  if constexpr (Op == BIN_POW) return static_cast<float>(std::pow(double(a), double(b)));
  if constexpr (Op == BIN_ADD) return a + b;
  if constexpr (Op == BIN_SUB) return a - b;
  if constexpr (Op == BIN_MUL) return a * b;
  if constexpr (Op == BIN_DIV) return a / b;
  if constexpr (Op == BIN_MAX) return std::isnan(a) || std::isnan(b) ? NAN : (a > b ? a : b);
  if constexpr (Op == BIN_MIN) return std::isnan(a) || std::isnan(b) ? NAN : (a < b ? a : b);
  if constexpr (Op == BIN_SQDIFF) return (a - b) * (a - b);
  // NaN in x gives NaN, as step(NaN) does in tfjs.
  // Written as selects without branches so they vectorise (a branch per element mispredicted on
  // half the signs: 8 ns an element).
  if constexpr (Op == BIN_RELU_GRAD) {
    float m = b > 0.f ? 1.f : 0.f;
    m = b != b ? b : m;
    return a * m;
  }
  if constexpr (Op == BIN_RELU6_GRAD) {
    float m = b > 0.f ? 1.f : 0.f;
    m = b <= 6.f ? m : 0.f;
    m = b != b ? b : m;
    return a * m;
  }
  if constexpr (Op == BIN_SQUARE_GRAD) return a * (b * 2.f);
  return 0.f;
}

template <int Op>
USN_HOT void bin_row(const float* a, int64_t sa, const float* b, int64_t sb, float* o, int64_t n) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; ++i) o[i] = bin<Op>(a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    const float bv = *b;
    for (int64_t i = 0; i < n; ++i) o[i] = bin<Op>(a[i], bv);
  } else if (sa == 0 && sb == 1) {
    const float av = *a;
    for (int64_t i = 0; i < n; ++i) o[i] = bin<Op>(av, b[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) o[i] = bin<Op>(a[i * sa], b[i * sb]);
  }
}

template <int Op>
void binary_impl(const Walk& w, const float* a, const float* b, float* out) {
  const size_t r = w.dims.size();
  const int64_t inner = w.dims[r - 1];
  int64_t outer = 1;
  for (size_t d = 0; d + 1 < r; ++d) outer *= w.dims[d];
  const auto& sa = w.strides[0];
  const auto& sb = w.strides[1];
  // Few long rows (same-shape operands collapse to one row): split each row into blocks too, or
  // the whole op would run on one thread.
  const int64_t blocks = outer >= 4 * threads() ? 1 : std::max<int64_t>(1, inner / 16384);
  const int64_t bl = (inner + blocks - 1) / blocks;
  if (blocks == 1 && r >= 2) {
    // Rows in order with an odometer over the outer dims (a div/mod per dim per row cost more
    // than a 16-channel row itself).
    parallel_for(outer, double(inner), [&](int64_t lo, int64_t hi, int) {
      std::vector<int64_t> idx(r - 1);
      int64_t rem = lo, oa = 0, ob = 0;
      for (size_t d = r - 1; d-- > 0;) {
        idx[d] = rem % w.dims[d];
        rem /= w.dims[d];
        oa += idx[d] * sa[d];
        ob += idx[d] * sb[d];
      }
      for (int64_t i = lo; i < hi; ++i) {
        bin_row<Op>(a + oa, sa[r - 1], b + ob, sb[r - 1], out + i * inner, inner);
        for (size_t d = r - 1; d-- > 0;) {
          oa += sa[d];
          ob += sb[d];
          if (++idx[d] < w.dims[d]) break;
          oa -= sa[d] * w.dims[d];
          ob -= sb[d] * w.dims[d];
          idx[d] = 0;
        }
      }
    });
    return;
  }
  parallel_for(outer * blocks, double(bl), [&](int64_t lo, int64_t hi, int) {
    for (int64_t j = lo; j < hi; ++j) {
      const int64_t i = j / blocks, k0 = (j % blocks) * bl, len = std::min(inner, k0 + bl) - k0;
      if (len <= 0) continue;
      int64_t rem = i, oa = 0, ob = 0;
      for (size_t d = r - 1; d-- > 0;) {
        const int64_t c = rem % w.dims[d];
        rem /= w.dims[d];
        oa += c * sa[d];
        ob += c * sb[d];
      }
      bin_row<Op>(a + oa + k0 * sa[r - 1], sa[r - 1], b + ob + k0 * sb[r - 1], sb[r - 1], out + i * inner + k0, len);
    }
  });
}

}  // namespace

bool binary(int op, const std::vector<int64_t>& out_shape, const float* a, const std::vector<int64_t>& a_strides,
            const float* b, const std::vector<int64_t>& b_strides, float* out) {
  // The output is contiguous, so collapsing with it included keeps row starts computable as i * inner.
  Walk w = collapse(out_shape, {a_strides, b_strides, contiguous_strides(out_shape)});
  switch (op) {
    case BIN_ADD: binary_impl<BIN_ADD>(w, a, b, out); return true;
    case BIN_SUB: binary_impl<BIN_SUB>(w, a, b, out); return true;
    case BIN_MUL: binary_impl<BIN_MUL>(w, a, b, out); return true;
    case BIN_DIV: binary_impl<BIN_DIV>(w, a, b, out); return true;
    case BIN_MAX: binary_impl<BIN_MAX>(w, a, b, out); return true;
    case BIN_MIN: binary_impl<BIN_MIN>(w, a, b, out); return true;
    case BIN_SQDIFF: binary_impl<BIN_SQDIFF>(w, a, b, out); return true;
    case BIN_RELU_GRAD: binary_impl<BIN_RELU_GRAD>(w, a, b, out); return true;
    case BIN_RELU6_GRAD: binary_impl<BIN_RELU6_GRAD>(w, a, b, out); return true;
    case BIN_SQUARE_GRAD: binary_impl<BIN_SQUARE_GRAD>(w, a, b, out); return true;
    case BIN_POW: binary_impl<BIN_POW>(w, a, b, out); return true;
    default: return false;
  }
}

namespace {
template <int Op>
inline float un(float x, float alpha, float beta) {
  if constexpr (Op == UN_RELU) return x < 0.f ? 0.f : x;  // NaN passes, as in tfjs
  if constexpr (Op == UN_RELU6) return std::min(std::max(x, 0.f), 6.f);
  if constexpr (Op == UN_STEP) return std::isnan(x) ? NAN : (x > 0.f ? 1.f : alpha);
  if constexpr (Op == UN_SQUARE) return x * x;
  if constexpr (Op == UN_SQRT) return std::sqrt(x);
  if constexpr (Op == UN_RSQRT) return 1.f / std::sqrt(x);
  if constexpr (Op == UN_EXP) return std::exp(x);
  if constexpr (Op == UN_LOG) return std::log(x);
  if constexpr (Op == UN_NEG) return -x;
  if constexpr (Op == UN_SIGMOID) return 1.f / (1.f + std::exp(-x));
  if constexpr (Op == UN_TANH) return std::tanh(x);
  if constexpr (Op == UN_ELU) return x >= 0.f ? x : std::expm1(x);
  if constexpr (Op == UN_ABS) return std::fabs(x);
  if constexpr (Op == UN_RECIPROCAL) return 1.f / x;
  if constexpr (Op == UN_ERF) return std::erf(x);
  if constexpr (Op == UN_LEAKY) return x >= 0.f ? x : alpha * x;
  // tfjs's Round: halves to even, and the sign of a zero result as its floor/ceil give it
  if constexpr (Op == UN_ROUND) {
    const float base = std::floor(x), d = x - base;
    if (d < 0.5f) return base;
    if (d > 0.5f) return std::ceil(x);
    return std::fmod(base, 2.f) == 0.f ? base : base + 1.f;
  }
  if constexpr (Op == UN_FLOOR) return std::floor(x);
  if constexpr (Op == UN_CEIL) return std::ceil(x);
  if constexpr (Op == UN_CLIP) return x > beta ? beta : (x < alpha ? alpha : x);  // NaN passes, as in tfjs
  return 0.f;
}

template <int Op>
USN_HOT void un_range(const float* x, float* y, int64_t n, float alpha, float beta) {
  for (int64_t i = 0; i < n; ++i) y[i] = un<Op>(x[i], alpha, beta);
}

template <int Op>
void unary_impl(const float* x, float* y, int64_t n, float alpha, float beta) {
  // Block the range so threads get contiguous, cache-friendly pieces.
  const int64_t block = 16384;
  parallel_for((n + block - 1) / block, double(block) * 2, [&](int64_t lo, int64_t hi, int) {
    const int64_t b = lo * block, e = std::min(n, hi * block);
    un_range<Op>(x + b, y + b, e - b, alpha, beta);
  });
}
}  // namespace

bool unary(int op, const float* x, float* y, int64_t n, float alpha, float beta) {
  switch (op) {
#define USN_UN(OP) case OP: unary_impl<OP>(x, y, n, alpha, beta); return true;
    USN_UN(UN_RELU) USN_UN(UN_RELU6) USN_UN(UN_STEP) USN_UN(UN_SQUARE) USN_UN(UN_SQRT) USN_UN(UN_RSQRT)
    USN_UN(UN_EXP) USN_UN(UN_LOG) USN_UN(UN_NEG) USN_UN(UN_SIGMOID) USN_UN(UN_TANH) USN_UN(UN_ELU)
    USN_UN(UN_ABS) USN_UN(UN_RECIPROCAL) USN_UN(UN_ERF) USN_UN(UN_LEAKY) USN_UN(UN_ROUND) USN_UN(UN_FLOOR)
    USN_UN(UN_CEIL) USN_UN(UN_CLIP)
#undef USN_UN
    default: return false;
  }
}

namespace {
USN_HOT void acc_row_sum(double* acc, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) acc[i] += x[i];
}
USN_HOT void acc_row_max(float* acc, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) acc[i] = (x[i] > acc[i] || std::isnan(x[i])) ? x[i] : acc[i];
}
USN_HOT void acc_row_min(float* acc, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) acc[i] = (x[i] < acc[i] || std::isnan(x[i])) ? x[i] : acc[i];
}
USN_HOT double sum_contig(const float* x, int64_t n) {
  // Eight partial sums in double: vectorises and stays accurate over long rows.
  double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) s[j] += x[i + j];
  double t = 0;
  for (; i < n; ++i) t += x[i];
  return t + ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}
float reduce_contig(int op, const float* x, int64_t n) {
  if (op == RED_SUM) return static_cast<float>(sum_contig(x, n));
  float m = x[0];
  for (int64_t i = 1; i < n; ++i) {
    if (std::isnan(x[i])) return x[i];
    m = op == RED_MAX ? std::max(m, x[i]) : std::min(m, x[i]);
  }
  return m;
}
}  // namespace

// Reduces the dims flagged in `reduced` of a contiguous tensor. After collapsing, handles
// [K] -> [], [R, K] -> [R], [K, C] -> [C] and [A, K, C] -> [A, C]; other layouts return false.
bool reduce(int op, const std::vector<int64_t>& shape, const std::vector<bool>& reduced, const float* x, float* out) {
  std::vector<int64_t> dims;
  std::vector<bool> red;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    if (!dims.empty() && red.back() == reduced[d]) {
      dims.back() *= shape[d];
    } else {
      dims.push_back(shape[d]);
      red.push_back(reduced[d]);
    }
  }
  int64_t total = 1;
  for (auto d : dims) total *= d;
  if (total == 0) return false;
  if (dims.empty() || (dims.size() == 1 && !red[0])) {  // nothing reduced: a copy
    std::memcpy(out, x, sizeof(float) * total);
    return true;
  }
  int64_t A = 1, K, C = 1;
  if (dims.size() == 1) {
    K = dims[0];
  } else if (dims.size() == 2 && !red[0]) {
    A = dims[0], K = dims[1];
  } else if (dims.size() == 2 && red[0]) {
    K = dims[0], C = dims[1];
  } else if (dims.size() == 3 && !red[0]) {
    A = dims[0], K = dims[1], C = dims[2];
  } else {
    return false;
  }
  if (C == 1) {  // reduce the contiguous last axis of each of A rows
    parallel_for(A, double(K), [&](int64_t lo, int64_t hi, int) {
      for (int64_t a = lo; a < hi; ++a) out[a] = reduce_contig(op, x + a * K, K);
    });
    return true;
  }
  // Reduce the middle axis: for each a, rows of C accumulate. With few A, split K over threads
  // with private accumulators and combine.
  const int t = threads();
  // Several parts per thread, so the pool can hand them to whichever thread is running.
  const int parts = A >= 4 * t ? 1 : static_cast<int>(std::min<int64_t>(4 * t, K));
  // Each part's accumulators start on their own cache lines (stride PS): parts updated by different
  // threads on every row must not share a line.
  const size_t PS = (size_t(A) * C + 15) / 16 * 16 + 16;
  std::vector<double> acc(size_t(parts) * PS, 0.0);
  std::vector<float> accf;
  if (op != RED_SUM) {
    accf.resize(size_t(parts) * PS);
    for (int p = 0; p < parts; ++p)
      for (int64_t a = 0; a < A; ++a) {
        const int64_t k0 = K * p / parts;
        std::memcpy(accf.data() + size_t(p) * PS + size_t(a) * C, x + (a * K + k0) * C, sizeof(float) * C);
      }
  }
  parallel_for(int64_t(parts) * A, double(K) * C / parts, [&](int64_t lo, int64_t hi, int) {
    for (int64_t j = lo; j < hi; ++j) {
      const int p = static_cast<int>(j / A);
      const int64_t a = j % A;
      const int64_t k0 = K * p / parts, k1 = K * (p + 1) / parts;
      for (int64_t k = k0; k < k1; ++k) {
        const float* row = x + (a * K + k) * C;
        if (op == RED_SUM)
          acc_row_sum(acc.data() + size_t(p) * PS + size_t(a) * C, row, C);
        else if (op == RED_MAX)
          acc_row_max(accf.data() + size_t(p) * PS + size_t(a) * C, row, C);
        else
          acc_row_min(accf.data() + size_t(p) * PS + size_t(a) * C, row, C);
      }
    }
  });
  for (int64_t i = 0; i < A * C; ++i) {
    if (op == RED_SUM) {
      double s = 0;
      for (int p = 0; p < parts; ++p) s += acc[size_t(p) * PS + i];
      out[i] = static_cast<float>(s);
    } else {
      float m = accf[i];
      for (int p = 1; p < parts; ++p) {
        const float v = accf[size_t(p) * PS + i];
        m = (op == RED_MAX ? (v > m) : (v < m)) || std::isnan(v) ? v : m;
      }
      out[i] = m;
    }
  }
  return true;
}

void transpose(const std::vector<int64_t>& shape, const std::vector<int64_t>& perm, const float* x, float* out) {
  const size_t r = shape.size();
  std::vector<int64_t> xs(r), os(r), ostr(r), istr(r);
  int64_t s = 1;
  for (size_t d = r; d-- > 0;) {
    xs[d] = s;
    s *= shape[d];
  }
  for (size_t d = 0; d < r; ++d) os[d] = shape[perm[d]];
  int64_t o = 1;
  for (size_t d = r; d-- > 0;) {
    ostr[d] = o;
    o *= os[d];
    istr[d] = xs[perm[d]];
  }
  Walk w = collapse(os, {istr, ostr});
  const size_t wr = w.dims.size();
  const int64_t inner = w.dims[wr - 1];
  int64_t outer = 1;
  for (size_t d = 0; d + 1 < wr; ++d) outer *= w.dims[d];
  const auto& si = w.strides[0];
  const int64_t sin = si[wr - 1];
  parallel_for(outer, double(inner) * 2, [&](int64_t lo, int64_t hi, int) {
    for (int64_t i = lo; i < hi; ++i) {
      int64_t rem = i, oi = 0;
      for (size_t d = wr - 1; d-- > 0;) {
        oi += (rem % w.dims[d]) * si[d];
        rem /= w.dims[d];
      }
      const float* src = x + oi;
      float* dst = out + i * inner;
      if (sin == 1)
        std::memcpy(dst, src, sizeof(float) * inner);
      else
        for (int64_t k = 0; k < inner; ++k) dst[k] = src[k * sin];
    }
  });
}

USN_HOT static void softmax_row(const float* x, float* y, int64_t n) {
  float m = x[0];
  for (int64_t i = 1; i < n; ++i) m = x[i] > m ? x[i] : m;
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    y[i] = std::exp(x[i] - m);
    sum += y[i];
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (int64_t i = 0; i < n; ++i) y[i] *= inv;
}

void softmax(const float* x, float* y, int64_t rows, int64_t cols) {
  parallel_for(rows, double(cols) * 8, [&](int64_t lo, int64_t hi, int) {
    for (int64_t r = lo; r < hi; ++r) softmax_row(x + r * cols, y + r * cols, cols);
  });
}

void copy_rows(const float* src, int64_t src_off, int64_t src_stride, float* dst, int64_t dst_off, int64_t dst_stride,
               int64_t rows, int64_t len) {
  parallel_for(rows, double(len), [&](int64_t lo, int64_t hi, int) {
    for (int64_t r = lo; r < hi; ++r)
      std::memcpy(dst + dst_off + r * dst_stride, src + src_off + r * src_stride, sizeof(float) * len);
  });
}

// out = x tiled by reps. Rows of the last dim are built once per source row, then copied.
void tile(const std::vector<int64_t>& shape, const std::vector<int64_t>& reps, const float* x, float* out) {
  const size_t r = shape.size();
  std::vector<int64_t> oshape(r), xs(r);
  int64_t s = 1;
  for (size_t d = r; d-- > 0;) {
    oshape[d] = shape[d] * reps[d];
    xs[d] = s;
    s *= shape[d];
  }
  const int64_t last = shape[r - 1], olast = oshape[r - 1];
  int64_t outer = 1;
  for (size_t d = 0; d + 1 < r; ++d) outer *= oshape[d];
  parallel_for(outer, double(olast), [&](int64_t lo, int64_t hi, int) {
    for (int64_t i = lo; i < hi; ++i) {
      int64_t rem = i, src = 0;
      for (size_t d = r - 1; d-- > 0;) {
        const int64_t c = rem % oshape[d];
        rem /= oshape[d];
        src += (c % shape[d]) * xs[d];
      }
      float* o = out + i * olast;
      for (int64_t k = 0; k < olast; k += last) std::memcpy(o + k, x + src, sizeof(float) * last);
    }
  });
}

// y = (x - mean) * rsqrt(var + eps) * scale + offset over the last axis (C); any of the four
// per-channel tensors may be absent (scale 1, offset 0) or hold a single value.
// Kept as (x - mean) * k + offset, the cpu backend's order, rather than x * k + b: that folding
// cancels badly when the mean is large next to the spread.
USN_HOT static void bn_rows(const float* x, float* y, int64_t rows, int64_t C, const float* mean, const float* k, const float* off) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * C;
    float* yr = y + r * C;
    for (int64_t c = 0; c < C; ++c) yr[c] = (xr[c] - mean[c]) * k[c] + off[c];
  }
}

void batch_norm(const float* x, float* y, int64_t n, int64_t C, const float* mean, int64_t mean_n, const float* var,
                int64_t var_n, const float* offset, int64_t offset_n, const float* scale, int64_t scale_n, float eps) {
  std::vector<float> m(C), k(C), off(C);
  for (int64_t c = 0; c < C; ++c) {
    const float sc = scale ? scale[scale_n == 1 ? 0 : c] : 1.f;
    k[c] = sc / std::sqrt(var[var_n == 1 ? 0 : c] + eps);
    m[c] = mean[mean_n == 1 ? 0 : c];
    off[c] = offset ? offset[offset_n == 1 ? 0 : c] : 0.f;
  }
  const int64_t rows = n / C;
  parallel_for(rows, double(C) * 2, [&](int64_t lo, int64_t hi, int) {
    bn_rows(x + lo * C, y + lo * C, hi - lo, C, m.data(), k.data(), off.data());
  });
}

}  // namespace usn

namespace usn {

// sum(dy) and sum(dy * (x - mean)) per channel and, where dx is not null, dx = dy * k.
USN_HOT static void bn_grad_rows(const float* x, const float* dy, float* dx, int64_t rows, int64_t C, const float* mean,
                                 const float* k, double* sum_dy, double* sum_dyxm) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * C;
    const float* gr = dy + r * C;
    float* dr = dx ? dx + r * C : nullptr;
    for (int64_t c = 0; c < C; ++c) {
      const float g = gr[c];
      sum_dy[c] += g;
      sum_dyxm[c] += g * (xr[c] - mean[c]);
      if (dr) dr[c] = g * k[c];
    }
  }
}

// Per-channel sums over the rows of an [rows, C] tensor: body(lo, hi, part) adds rows [lo, hi) into
// `width` accumulators of C doubles at part[0], part[C], ...; each thread's block sits on its own
// cache lines (adjacent blocks written by two threads on every row would share a line), and the
// blocks are added in thread order, so the result does not depend on which thread took which rows.
template <class F>
static void channel_sums(int64_t rows, int64_t C, int width, double cost_per_row, double* out, F&& body) {
  const int t = threads();
  const size_t PS = (size_t(width) * C + 15) / 16 * 16 + 16;
  std::vector<double> part(size_t(t) * PS, 0.0);
  parallel_for(rows, cost_per_row, [&](int64_t lo, int64_t hi, int tid) { body(lo, hi, part.data() + size_t(tid) * PS); });
  for (int64_t i = 0; i < width * C; ++i) {
    double s = 0;
    for (int j = 0; j < t; ++j) s += part[size_t(j) * PS + i];
    out[i] = s;
  }
}

// The gradient of y = (x - mean) * scale / sqrt(var + eps) + offset over the last axis, with mean
// and variance as inputs of their own (as tfjs's FusedBatchNorm gradient treats them), in one pass:
// dx = dy * k; sums[c] = sum(dy), sums[C + c] = sum(dy * (x - mean)).
void batch_norm_grad(const float* x, const float* dy, float* dx, int64_t n, int64_t C, const float* mean, int64_t mean_n,
                     const float* var, int64_t var_n, const float* scale, int64_t scale_n, float eps, double* sums) {
  std::vector<float> m(C), k(C);
  for (int64_t c = 0; c < C; ++c) {
    const float sc = scale ? scale[scale_n == 1 ? 0 : c] : 1.f;
    k[c] = sc / std::sqrt(var[var_n == 1 ? 0 : c] + eps);
    m[c] = mean[mean_n == 1 ? 0 : c];
  }
  channel_sums(n / C, C, 2, double(C) * 3, sums, [&](int64_t lo, int64_t hi, double* p) {
    bn_grad_rows(x + lo * C, dy + lo * C, dx + lo * C, hi - lo, C, m.data(), k.data(), p, p + C);
  });
}

USN_HOT static void moment_rows(const float* x, int64_t rows, int64_t C, double* sum, double* sq) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * C;
    for (int64_t c = 0; c < C; ++c) {
      const double v = xr[c];
      sum[c] += v;
      sq[c] += v * v;
    }
  }
}

// Training-mode batch norm: the per-channel mean and (biased) variance of x over all rows, then
// y = (x - mean) * scale / sqrt(var + eps) + offset. Two passes over x where tfjs's moments and
// FusedBatchNorm make five kernels and three full-size temporaries. The sums are kept in double,
// so sum(x^2)/n - mean^2 loses nothing that matters for float activations.
void batch_norm_train(const float* x, float* y, int64_t n, int64_t C, const float* scale, const float* offset, float eps,
                      float* mean, float* var) {
  const int64_t rows = n / C;
  std::vector<double> s(2 * C);
  channel_sums(rows, C, 2, double(C), s.data(), [&](int64_t lo, int64_t hi, double* p) {
    moment_rows(x + lo * C, hi - lo, C, p, p + C);
  });
  std::vector<float> k(C), off(C);
  for (int64_t c = 0; c < C; ++c) {
    const double mu = s[c] / double(rows);
    mean[c] = static_cast<float>(mu);
    var[c] = static_cast<float>(std::max(0.0, s[C + c] / double(rows) - mu * mu));
    k[c] = (scale ? scale[c] : 1.f) / std::sqrt(var[c] + eps);
    off[c] = offset ? offset[c] : 0.f;
  }
  parallel_for(rows, double(C) * 2, [&](int64_t lo, int64_t hi, int) {
    bn_rows(x + lo * C, y + lo * C, hi - lo, C, mean, k.data(), off.data());
  });
}

USN_HOT static void bn_train_dx_rows(const float* x, const float* dy, float* dx, int64_t rows, int64_t C, const float* mean,
                                     const float* a, const float* b, const float* d) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * C;
    const float* gr = dy + r * C;
    float* dr = dx + r * C;
    for (int64_t c = 0; c < C; ++c) dr[c] = a[c] * gr[c] + b[c] * (xr[c] - mean[c]) + d[c];
  }
}

// The gradient of batch_norm_train with respect to x, through the batch statistics too:
// dx = k dy - k sum(dy)/n - k inv^2 (x - mean) sum(dy (x - mean))/n, with k = scale * inv and
// inv = 1/sqrt(var + eps), plus dmean/n + 2 dvar (x - mean)/n for gradients that reach the mean
// and variance outputs directly (either may be null). sums gets [sum(dy), sum(dy (x - mean))] per
// channel: the offset's and (times inv) the scale's gradients.
void batch_norm_train_grad(const float* x, const float* dy, float* dx, int64_t n, int64_t C, const float* mean,
                           const float* var, const float* scale, const float* dmean, const float* dvar, float eps,
                           double* sums) {
  const int64_t rows = n / C;
  channel_sums(rows, C, 2, double(C) * 2, sums, [&](int64_t lo, int64_t hi, double* p) {
    bn_grad_rows(x + lo * C, dy + lo * C, nullptr, hi - lo, C, mean, nullptr, p, p + C);
  });
  std::vector<float> a(C), b(C), d(C);
  for (int64_t c = 0; c < C; ++c) {
    const double inv = 1.0 / std::sqrt(double(var[c]) + eps);
    const double k = (scale ? scale[c] : 1.0) * inv;
    a[c] = static_cast<float>(k);
    b[c] = static_cast<float>((-k * inv * inv * sums[C + c] + (dvar ? 2.0 * dvar[c] : 0.0)) / double(rows));
    d[c] = static_cast<float>((-k * sums[c] + (dmean ? dmean[c] : 0.0)) / double(rows));
  }
  parallel_for(rows, double(C) * 3, [&](int64_t lo, int64_t hi, int) {
    bn_train_dx_rows(x + lo * C, dy + lo * C, dx + lo * C, hi - lo, C, mean, a.data(), b.data(), d.data());
  });
}

}  // namespace usn
