// Data-movement, comparison and image kernels (see data.h). The tfjs cpu backend runs these in JS
// (its UnsortedSegmentSum as one masked full-size sum per segment), and augmentation calls them on
// every training step.
#include "data.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "elementwise.h"
#include "parallel.h"

namespace usn {

namespace {

// Calls row(offsets of each operand, row index) for every innermost row of a collapsed walk, rows
// split over threads; `cost` is the work per element.
template <class Row>
void for_rows(const Walk& w, double cost, Row&& row) {
  const size_t r = w.dims.size();
  const int64_t inner = w.dims[r - 1];
  int64_t outer = 1;
  for (size_t d = 0; d + 1 < r; ++d) outer *= w.dims[d];
  const size_t ops = w.strides.size();
  parallel_for(outer, cost * double(inner), [&](int64_t lo, int64_t hi, int) {
    std::vector<int64_t> off(ops);
    for (int64_t i = lo; i < hi; ++i) {
      int64_t rem = i;
      std::fill(off.begin(), off.end(), 0);
      for (size_t d = r - 1; d-- > 0;) {
        const int64_t c = rem % w.dims[d];
        rem /= w.dims[d];
        for (size_t o = 0; o < ops; ++o) off[o] += c * w.strides[o][d];
      }
      row(off.data(), i, inner);
    }
  });
}

template <class T>
void strided_copy_impl(const T* src, int64_t so, const std::vector<int64_t>& ss, T* dst, int64_t dof,
                       const std::vector<int64_t>& ds, const std::vector<int64_t>& shape) {
  for (auto d : shape)
    if (d == 0) return;
  Walk w = collapse(shape, {ss, ds});
  const int64_t s1 = w.strides[0].back(), d1 = w.strides[1].back();
  for_rows(w, 1.0, [&](const int64_t* off, int64_t, int64_t n) {
    const T* s = src + so + off[0];
    T* o = dst + dof + off[1];
    if (s1 == 1 && d1 == 1) {
      std::memcpy(o, s, sizeof(T) * n);
    } else {
      for (int64_t j = 0; j < n; ++j) o[j * d1] = s[j * s1];
    }
  });
}

template <int Op, class T>
inline uint8_t cmp(T a, T b) {
  if constexpr (Op == CMP_EQ) return a == b;
  if constexpr (Op == CMP_NE) return a != b;
  if constexpr (Op == CMP_LT) return a < b;
  if constexpr (Op == CMP_LE) return a <= b;
  if constexpr (Op == CMP_GT) return a > b;
  if constexpr (Op == CMP_GE) return a >= b;
  if constexpr (Op == CMP_AND) return a && b;
  if constexpr (Op == CMP_OR) return a || b;
  return 0;
}

template <int Op, class T>
void compare_impl(const Walk& w, const T* a, const T* b, uint8_t* out) {
  const int64_t sa = w.strides[0].back(), sb = w.strides[1].back();
  for_rows(w, 1.0, [&](const int64_t* off, int64_t i, int64_t n) {
    const T* x = a + off[0];
    const T* y = b + off[1];
    uint8_t* o = out + i * n;
    for (int64_t j = 0; j < n; ++j) o[j] = cmp<Op>(x[j * sa], y[j * sb]);
  });
}

// The JS reference's floor/ceil/round on doubles.
inline int64_t js_round(double v) { return static_cast<int64_t>(std::floor(v + 0.5)); }

}  // namespace

void strided_copy(const uint32_t* src, int64_t so, const std::vector<int64_t>& ss, uint32_t* dst, int64_t dof,
                  const std::vector<int64_t>& ds, const std::vector<int64_t>& shape) {
  strided_copy_impl(src, so, ss, dst, dof, ds, shape);
}
void strided_copy(const uint8_t* src, int64_t so, const std::vector<int64_t>& ss, uint8_t* dst, int64_t dof,
                  const std::vector<int64_t>& ds, const std::vector<int64_t>& shape) {
  strided_copy_impl(src, so, ss, dst, dof, ds, shape);
}

template <class T>
void fill_range(T* out, int64_t n, double start, double delta) {
  if (n <= 0) return;
  if (delta == 0) {
    std::fill(out, out + n, static_cast<T>(start));
    return;
  }
  out[0] = static_cast<T>(start);
  for (int64_t i = 1; i < n; ++i) out[i] = static_cast<T>(double(out[i - 1]) + delta);
}
template void fill_range<float>(float*, int64_t, double, double);
template void fill_range<int32_t>(int32_t*, int64_t, double, double);
template void fill_range<uint8_t>(uint8_t*, int64_t, double, double);

void cast(const void* src, int st, void* dst, int dt, int64_t n) {
  auto run = [&](auto* s, auto* d) {
    using D = std::remove_pointer_t<decltype(d)>;
    parallel_for(n, 1.0, [&](int64_t lo, int64_t hi, int) {
      for (int64_t i = lo; i < hi; ++i) {
        const double v = double(s[i]);
        if constexpr (std::is_same_v<D, uint8_t>) {
          d[i] = v != 0 ? 1 : 0;  // NaN != 0 too
        } else if constexpr (std::is_same_v<D, int32_t>) {
          // JS ToInt32: truncation, NaN and infinities to 0, wrapped modulo 2^32.
          d[i] = std::isfinite(v) ? static_cast<int32_t>(static_cast<uint32_t>(static_cast<int64_t>(std::fmod(std::trunc(v), 4294967296.0)))) : 0;
        } else {
          d[i] = static_cast<D>(v);
        }
      }
    });
  };
  auto to = [&](auto* s) {
    if (dt == DT_F32) run(s, static_cast<float*>(dst));
    else if (dt == DT_I32) run(s, static_cast<int32_t*>(dst));
    else run(s, static_cast<uint8_t*>(dst));
  };
  if (st == DT_F32) to(static_cast<const float*>(src));
  else if (st == DT_I32) to(static_cast<const int32_t*>(src));
  else to(static_cast<const uint8_t*>(src));
}

template <class T>
bool compare(int op, const std::vector<int64_t>& out_shape, const T* a, const std::vector<int64_t>& as, const T* b,
             const std::vector<int64_t>& bs, uint8_t* out) {
  Walk w = collapse(out_shape, {as, bs, contiguous_strides(out_shape)});
  switch (op) {
    case CMP_EQ: compare_impl<CMP_EQ>(w, a, b, out); return true;
    case CMP_NE: compare_impl<CMP_NE>(w, a, b, out); return true;
    case CMP_LT: compare_impl<CMP_LT>(w, a, b, out); return true;
    case CMP_LE: compare_impl<CMP_LE>(w, a, b, out); return true;
    case CMP_GT: compare_impl<CMP_GT>(w, a, b, out); return true;
    case CMP_GE: compare_impl<CMP_GE>(w, a, b, out); return true;
    case CMP_AND: compare_impl<CMP_AND>(w, a, b, out); return true;
    case CMP_OR: compare_impl<CMP_OR>(w, a, b, out); return true;
    default: return false;
  }
}
template bool compare<float>(int, const std::vector<int64_t>&, const float*, const std::vector<int64_t>&, const float*,
                             const std::vector<int64_t>&, uint8_t*);
template bool compare<int32_t>(int, const std::vector<int64_t>&, const int32_t*, const std::vector<int64_t>&,
                               const int32_t*, const std::vector<int64_t>&, uint8_t*);
template bool compare<uint8_t>(int, const std::vector<int64_t>&, const uint8_t*, const std::vector<int64_t>&,
                               const uint8_t*, const std::vector<int64_t>&, uint8_t*);

void select(const uint8_t* cond, int64_t inner, const uint32_t* a, const uint32_t* b, uint32_t* out, int64_t n) {
  parallel_for(n, 1.0, [&](int64_t lo, int64_t hi, int) {
    for (int64_t i = lo; i < hi; ++i) out[i] = cond[i / inner] ? a[i] : b[i];
  });
}

bool gather(const uint32_t* x, int64_t outer, int64_t axis, int64_t inner, const int32_t* idx, int64_t n_idx,
            uint32_t* out) {
  for (int64_t j = 0; j < n_idx; ++j)
    if (idx[j] < 0 || idx[j] >= axis) return false;
  parallel_for(outer * n_idx, double(inner), [&](int64_t lo, int64_t hi, int) {
    for (int64_t r = lo; r < hi; ++r) {
      const int64_t o = r / n_idx, j = r % n_idx;
      std::memcpy(out + r * inner, x + (o * axis + idx[j]) * inner, sizeof(uint32_t) * inner);
    }
  });
  return true;
}

void one_hot(const int32_t* idx, int64_t n, int64_t depth, uint32_t on, uint32_t off, uint32_t* out) {
  std::fill(out, out + n * depth, off);
  for (int64_t i = 0; i < n; ++i)
    if (idx[i] >= 0 && idx[i] < depth) out[i * depth + idx[i]] = on;
}

void cumsum(const float* x, float* out, int64_t outer, int64_t len, int64_t inner, bool exclusive, bool reverse) {
  parallel_for(outer, double(len * inner), [&](int64_t lo, int64_t hi, int) {
    for (int64_t o = lo; o < hi; ++o) {
      const float* xs = x + o * len * inner;
      float* ys = out + o * len * inner;
      for (int64_t k = 0; k < len; ++k) {
        const int64_t cur = reverse ? len - 1 - k : k;
        const int64_t prev = reverse ? cur + 1 : cur - 1;
        float* y = ys + cur * inner;
        if (k == 0) {
          for (int64_t i = 0; i < inner; ++i) y[i] = exclusive ? 0.f : xs[cur * inner + i];
        } else {
          const float* yp = ys + prev * inner;
          const float* xv = xs + (exclusive ? prev : cur) * inner;
          for (int64_t i = 0; i < inner; ++i) y[i] = yp[i] + xv[i];
        }
      }
    }
  });
}

void segment_sum(const float* x, const int32_t* ids, int64_t rows, int64_t inner, int64_t segments, float* out) {
  std::fill(out, out + segments * inner, 0.f);
  // Rows in order, as the reference sums them; a histogram (inner 1) of a training batch is well
  // under a millisecond on one thread.
  for (int64_t r = 0; r < rows; ++r) {
    const int32_t s = ids[r];
    if (s < 0 || s >= segments) continue;
    float* o = out + int64_t(s) * inner;
    const float* v = x + r * inner;
    for (int64_t i = 0; i < inner; ++i) o[i] += v[i];
  }
}

void crop_and_resize(const float* image, const float* boxes, const int32_t* box_ind, float* out, const int64_t* dims,
                     bool nearest, float extrapolation) {
  const int64_t batch = dims[0], H = dims[1], W = dims[2], C = dims[3], nb = dims[4], ch = dims[5], cw = dims[6];
  const int64_t in_b = H * W * C, in_r = W * C, out_b = ch * cw * C, out_r = cw * C;
  parallel_for(nb * ch, double(cw * C) * 4, [&](int64_t lo, int64_t hi, int) {
    for (int64_t row = lo; row < hi; ++row) {
      const int64_t b = row / ch, y = row % ch;
      const double y1 = boxes[4 * b], x1 = boxes[4 * b + 1], y2 = boxes[4 * b + 2], x2 = boxes[4 * b + 3];
      const int64_t bi = box_ind[b];
      float* o = out + b * out_b + y * out_r;
      // The reference leaves the boxes of an out-of-range image as zeros.
      if (bi >= batch || bi < 0) {
        std::fill(o, o + out_r, 0.f);
        continue;
      }
      const double hs = ch > 1 ? (y2 - y1) * double(H - 1) / double(ch - 1) : 0;
      const double ws = cw > 1 ? (x2 - x1) * double(W - 1) / double(cw - 1) : 0;
      const double yi = ch > 1 ? y1 * double(H - 1) + double(y) * hs : 0.5 * (y1 + y2) * double(H - 1);
      if (yi < 0 || yi > double(H - 1)) {
        std::fill(o, o + out_r, extrapolation);
        continue;
      }
      const float* img = image + bi * in_b;
      const int64_t top = int64_t(std::floor(yi)), bottom = int64_t(std::ceil(yi));
      const double yl = yi - double(top);
      for (int64_t x = 0; x < cw; ++x) {
        const double xi = cw > 1 ? x1 * double(W - 1) + double(x) * ws : 0.5 * (x1 + x2) * double(W - 1);
        float* oc = o + x * C;
        if (xi < 0 || xi > double(W - 1)) {
          std::fill(oc, oc + C, extrapolation);
          continue;
        }
        if (nearest) {
          const float* p = img + js_round(yi) * in_r + js_round(xi) * C;
          std::copy(p, p + C, oc);
          continue;
        }
        const int64_t left = int64_t(std::floor(xi)), right = int64_t(std::ceil(xi));
        const double xl = xi - double(left);
        const float* tl = img + top * in_r + left * C;
        const float* tr = img + top * in_r + right * C;
        const float* bl = img + bottom * in_r + left * C;
        const float* br = img + bottom * in_r + right * C;
        for (int64_t c = 0; c < C; ++c) {
          const double t = tl[c] + (double(tr[c]) - tl[c]) * xl;
          const double bo = bl[c] + (double(br[c]) - bl[c]) * xl;
          oc[c] = static_cast<float>(t + (bo - t) * yl);
        }
      }
    }
  });
}

namespace {
double clampd(double lo, double v, double hi) { return std::max(lo, std::min(v, hi)); }

// tfjs's mapCoord for the four fill modes.
double map_coord(double v, int64_t len, int mode) {
  const double n = double(len);
  if (mode == FILL_REFLECT) {
    if (v < 0) {
      if (len <= 1) {
        v = 0;
      } else {
        const double sz2 = 2 * n;
        if (v < sz2) v = sz2 * std::trunc(-v / sz2) + v;
        v = v < -n ? v + sz2 : -v - 1;
      }
    } else if (v > n - 1) {
      if (len <= 1) {
        v = 0;
      } else {
        const double sz2 = 2 * n;
        v -= sz2 * std::trunc(v / sz2);
        if (v >= n) v = sz2 - v - 1;
      }
    }
    return clampd(0, v, n - 1);
  }
  if (mode == FILL_WRAP) {
    if (v < 0) {
      if (len <= 1) v = 0;
      else v += n * (std::trunc(-v / (n - 1)) + 1);
    } else if (v > n - 1) {
      if (len <= 1) v = 0;
      else v -= n * std::trunc(v / (n - 1));
    }
    return clampd(0, v, n - 1);
  }
  if (mode == FILL_NEAREST) return clampd(0, v, n - 1);
  return v;                                   // constant
}
}  // namespace

void transform(const float* image, const float* transforms, bool per_image, float* out, const int64_t* dims,
               bool nearest, int fill_mode, float fill_value) {
  const int64_t batch = dims[0], H = dims[1], W = dims[2], C = dims[3], oh = dims[4], ow = dims[5];
  const int64_t in_b = H * W * C, in_r = W * C;
  auto read = [&](const float* img, int64_t y, int64_t x, int64_t c) -> double {
    return (y >= 0 && y < H && x >= 0 && x < W) ? double(img[y * in_r + x * C + c]) : double(fill_value);
  };
  parallel_for(batch * oh, double(ow * C) * 8, [&](int64_t lo, int64_t hi, int) {
    for (int64_t row = lo; row < hi; ++row) {
      const int64_t b = row / oh, y = row % oh;
      const float* t = transforms + (per_image ? 8 * b : 0);
      const float* img = image + b * in_b;
      float* o = out + (b * oh + y) * ow * C;
      for (int64_t x = 0; x < ow; ++x) {
        float* oc = o + x * C;
        const double proj = double(t[6]) * double(x) + double(t[7]) * double(y) + 1;
        if (proj == 0) {
          std::fill(oc, oc + C, fill_value);
          continue;
        }
        const double ix = map_coord((double(t[0]) * double(x) + double(t[1]) * double(y) + double(t[2])) / proj, W, fill_mode);
        const double iy = map_coord((double(t[3]) * double(x) + double(t[4]) * double(y) + double(t[5])) / proj, H, fill_mode);
        if (nearest) {
          const int64_t ry = js_round(iy), rx = js_round(ix);
          for (int64_t c = 0; c < C; ++c) oc[c] = static_cast<float>(read(img, ry, rx, c));
          continue;
        }
        const double fy = std::floor(iy), fx = std::floor(ix);
        const int64_t y0 = int64_t(fy), x0 = int64_t(fx);
        const double wx1 = ix - fx, wx0 = (fx + 1) - ix, wy1 = iy - fy, wy0 = (fy + 1) - iy;
        for (int64_t c = 0; c < C; ++c) {
          const double top = wx0 * read(img, y0, x0, c) + wx1 * read(img, y0, x0 + 1, c);
          const double bottom = wx0 * read(img, y0 + 1, x0, c) + wx1 * read(img, y0 + 1, x0 + 1, c);
          oc[c] = static_cast<float>(wy0 * top + wy1 * bottom);
        }
      }
    }
  });
}

}  // namespace usn
