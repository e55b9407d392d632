/*
 * What the SIMD kernels in this folder share. They run on the tfjs wasm backend's memory, so
 * nothing here may become data of its own: constants live in code (build.mjs refuses data segments).
 */
#ifndef USIBENCH_SIMD_COMMON_H
#define USIBENCH_SIMD_COMMON_H

#include <wasm_simd128.h>

typedef v128_t v4;

#define EXPORT(name) __attribute__((export_name(#name)))
#define INLINE static inline __attribute__((always_inline))

static inline int round_up(int x, int m) { return (x + m - 1) / m * m; }

/* Loads the first n (0..4) of 4 consecutive floats; the rest read as 0 and nothing past is touched. */
INLINE v4 load_partial(const float* p, int n) {
  if (n >= 4) return wasm_v128_load(p);
  v4 r = wasm_f32x4_splat(0.0f);
  if (n > 0) r = wasm_f32x4_replace_lane(r, 0, p[0]);
  if (n > 1) r = wasm_f32x4_replace_lane(r, 1, p[1]);
  if (n > 2) r = wasm_f32x4_replace_lane(r, 2, p[2]);
  return r;
}

/* Stores lanes [0, n) of v (n >= 0) to p[0..n); nothing past them is touched. */
INLINE void store_partial(float* p, v4 v, int n) {
  if (n >= 4) {
    wasm_v128_store(p, v);
    return;
  }
  if (n > 0) p[0] = wasm_f32x4_extract_lane(v, 0);
  if (n > 1) p[1] = wasm_f32x4_extract_lane(v, 1);
  if (n > 2) p[2] = wasm_f32x4_extract_lane(v, 2);
}

/* Adds lanes [0, n) of v to p[0..n). */
INLINE void add_partial(float* p, v4 v, int n) {
  if (n >= 4) {
    wasm_v128_store(p, wasm_f32x4_add(wasm_v128_load(p), v));
    return;
  }
  if (n > 0) p[0] += wasm_f32x4_extract_lane(v, 0);
  if (n > 1) p[1] += wasm_f32x4_extract_lane(v, 1);
  if (n > 2) p[2] += wasm_f32x4_extract_lane(v, 2);
}

/*
 * The same 8 floats wide, as two vectors (one 8-column row of a 4x8 register tile). Called with
 * n = 8 (a constant) they are plain vector loads and stores.
 */
INLINE void load8_partial(const float* p, int n, v4* lo, v4* hi) {
  *lo = load_partial(p, n);
  *hi = n > 4 ? load_partial(p + 4, n - 4) : wasm_f32x4_splat(0.0f);
}

INLINE void store8_partial(float* p, v4 lo, v4 hi, int n) {
  store_partial(p, lo, n);
  if (n > 4) store_partial(p + 4, hi, n - 4);
}

INLINE void add8_partial(float* p, v4 lo, v4 hi, int n) {
  add_partial(p, lo, n);
  if (n > 4) add_partial(p + 4, hi, n - 4);
}

static inline int min_int(int a, int b) { return a < b ? a : b; }
static inline int max_int(int a, int b) { return a > b ? a : b; }

/* One row of a 4x8 register tile: (c0, c1) += s * (b0, b1). */
#define MAC_ROW(c0, c1, s, b0, b1)                      \
  do {                                                  \
    const v4 s_ = (s);                                  \
    c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(s_, b0));    \
    c1 = wasm_f32x4_add(c1, wasm_f32x4_mul(s_, b1));    \
  } while (0)

#endif
