/*
 * Tile along the last axis: out[r] = x[r] repeated `reps` times, for every row r of `block`
 * floats. Broadcasting a per-position value across the channels (the gradient of a mean over
 * them, in every LayerNorm) is this with block 1; done as JavaScript copies, or by the shipped
 * kernel's per-element index arithmetic, it took a third of a ConvNeXt training step on wasm.
 * The other axes' repeats are whole-block copies, which the caller does.
 */
#include "common.h"

/* Stores v into n (>= 0) consecutive floats: 4 at a time, then lane by lane. */
INLINE void fill(float* out, v4 v, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, v);
  store_partial(out + i, v, n - i);
}

EXPORT(tile_last_axis) void tile_last_axis(const float* x, float* out, int rows, int block, int reps) {
  const int width = block * reps;
  for (int r = 0; r < rows; r++, x += block, out += width) {
    if (block == 1) {
      fill(out, wasm_v128_load32_splat(x), width);
    } else if (block == 2) {
      const v4 pair = wasm_v128_load64_splat(x);
      fill(out, pair, width);
    } else if (block == 4) {
      fill(out, wasm_v128_load(x), width);
    } else {
      for (int k = 0; k < reps; k++) {
        float* o = out + k * block;
        int i = 0;
        for (; i + 4 <= block; i += 4) wasm_v128_store(o + i, wasm_v128_load(x + i));
        for (; i < block; i++) o[i] = x[i];
      }
    }
  }
}
