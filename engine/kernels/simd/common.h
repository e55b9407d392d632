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

/* One row of a 4x8 register tile: (c0, c1) += s * (b0, b1). */
#define MAC_ROW(c0, c1, s, b0, b1)                      \
  do {                                                  \
    const v4 s_ = (s);                                  \
    c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(s_, b0));    \
    c1 = wasm_f32x4_add(c1, wasm_f32x4_mul(s_, b1));    \
  } while (0)

#endif
