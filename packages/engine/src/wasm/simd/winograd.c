/*
 * 3x3 stride-1 convolution by Winograd's minimal filtering, F(4x4, 3x3) (Lavin & Gray, 2016), in
 * WebAssembly SIMD. Each 6x6 input tile and 3x3 filter are transformed so that a 4x4 output tile
 * costs 36 multiply-adds per channel pair instead of 144: the convolution becomes 36 independent
 * GEMMs, one per tile position, with a quarter of the direct method's multiply-adds. XNNPACK's
 * direct convolution, which the wasm backend uses, is already near the speed of wasm's 128-bit
 * multiply and add; fewer of them is what is left to gain.
 *
 * The module is instantiated on the wasm backend's own memory (it imports it): tensors are read
 * and written in place. It must therefore own no memory of its own: no data segments (constants
 * live in the code) and no globals but the stack pointer, which the loader points at a block it
 * allocates from the backend. build.mjs checks the first; the loader sets the second.
 *
 * Layouts: x [N, H, W, C] and y [N, OH, OW, K] (NHWC), w [3, 3, C, K] (HWIO), as tfjs has them.
 * U, the transformed filter, is [36][Kp/8][Cp][8]: per tile position, panels of 8 output channels
 * (Kp = K rounded up to 8, Cp = C rounded up to 4, zero-padded) so the GEMM reads it contiguously.
 * Tiles are processed in blocks so that a block's transformed input V [36][TB][Cp] and products
 * M [36][TB][Kp] stay in cache between the three steps.
 */
#include "common.h"

/* Tiles per block: V and M of a block take about 512 KiB together (at least 8 tiles). */
static inline int block_tiles(int cp, int kp) {
  int tb = (512 * 1024 / 4) / (36 * (cp + kp));
  tb = tb / 4 * 4;
  return tb < 8 ? 8 : tb;
}

/* Scratch floats wino_f43_conv needs: V, M and 36 vectors for a tile in flight. */
EXPORT(wino_f43_scratch_floats) int wino_f43_scratch_floats(int c, int k) {
  int cp = round_up(c, 4), kp = round_up(k, 8), tb = block_tiles(cp, kp);
  return 36 * tb * (cp + kp) + 36 * 4;
}

EXPORT(wino_f43_filter_floats) int wino_f43_filter_floats(int c, int k) { return 36 * round_up(c, 4) * round_up(k, 8); }

/* g (3 taps) -> G g (6 values), G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]. */
#define FILTER_1D(g0, g1, g2, o)                                                        \
  do {                                                                                  \
    v4 s02 = wasm_f32x4_add(g0, g2);                                                    \
    o[0] = wasm_f32x4_mul(g0, wasm_f32x4_splat(0.25f));                                 \
    o[1] = wasm_f32x4_mul(wasm_f32x4_add(s02, g1), wasm_f32x4_splat(-1.0f / 6));        \
    o[2] = wasm_f32x4_mul(wasm_f32x4_sub(s02, g1), wasm_f32x4_splat(-1.0f / 6));        \
    v4 a = wasm_f32x4_add(wasm_f32x4_mul(g0, wasm_f32x4_splat(1.0f / 24)),              \
                          wasm_f32x4_mul(g2, wasm_f32x4_splat(1.0f / 6)));              \
    v4 b = wasm_f32x4_mul(g1, wasm_f32x4_splat(1.0f / 12));                             \
    o[3] = wasm_f32x4_add(a, b);                                                        \
    o[4] = wasm_f32x4_sub(a, b);                                                        \
    o[5] = g2;                                                                          \
  } while (0)

/*
 * U = G g G^T for every (input channel, output channel) pair, 4 output channels at a time.
 * Rows of U for padding channels (c >= C or k >= K) are zero, so they add nothing in the GEMM.
 */
EXPORT(wino_f43_filter) void wino_f43_filter(const float* w, float* u, int c_in, int k_out) {
  const int cp = round_up(c_in, 4), kp = round_up(k_out, 8);
  const int panels = kp / 8;
  for (int i = 0; i < 36 * cp * kp; i++) u[i] = 0.0f;
  for (int c = 0; c < c_in; c++) {
    for (int k = 0; k < k_out; k += 4) {
      const int n = k_out - k;
      v4 g[9];
      for (int t = 0; t < 9; t++) g[t] = load_partial(w + (t * c_in + c) * k_out + k, n);
      v4 col[3][6]; /* G applied down each filter column: col[j][i] = (G g)[i][j] */
      for (int j = 0; j < 3; j++) FILTER_1D(g[j], g[3 + j], g[6 + j], col[j]);
      for (int i = 0; i < 6; i++) {
        v4 row[6];
        FILTER_1D(col[0][i], col[1][i], col[2][i], row);
        for (int j = 0; j < 6; j++) {
          const int p = i * 6 + j;
          float* dst = u + ((p * panels + k / 8) * cp + c) * 8 + (k % 8);
          wasm_v128_store(dst, row[j]);
        }
      }
    }
  }
  /* A last partial group of 4 wrote zeros past K inside its panel; nothing past the panel. */
}

/* d (6 values) -> B^T d, B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]. */
#define INPUT_1D(d0, d1, d2, d3, d4, d5, o)                                                       \
  do {                                                                                            \
    v4 four = wasm_f32x4_splat(4.0f), five = wasm_f32x4_splat(5.0f), two = wasm_f32x4_splat(2.0f); \
    o[0] = wasm_f32x4_add(wasm_f32x4_sub(wasm_f32x4_mul(d0, four), wasm_f32x4_mul(d2, five)), d4); \
    v4 a = wasm_f32x4_sub(d4, wasm_f32x4_mul(d2, four)); /* d4 - 4 d2 */                          \
    v4 b = wasm_f32x4_sub(d3, wasm_f32x4_mul(d1, four)); /* d3 - 4 d1 */                          \
    o[1] = wasm_f32x4_add(a, b);                                                                  \
    o[2] = wasm_f32x4_sub(a, b);                                                                  \
    v4 e = wasm_f32x4_sub(d4, d2);                                                                \
    v4 f = wasm_f32x4_mul(wasm_f32x4_sub(d3, d1), two);                                           \
    o[3] = wasm_f32x4_add(e, f);                                                                  \
    o[4] = wasm_f32x4_sub(e, f);                                                                  \
    o[5] = wasm_f32x4_add(wasm_f32x4_sub(wasm_f32x4_mul(d1, four), wasm_f32x4_mul(d3, five)), d5); \
  } while (0)

/* m (6 values) -> A^T m, A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]. */
#define OUTPUT_1D(m0, m1, m2, m3, m4, m5, o)                                                  \
  do {                                                                                        \
    v4 s12 = wasm_f32x4_add(m1, m2), d12 = wasm_f32x4_sub(m1, m2);                            \
    v4 s34 = wasm_f32x4_add(m3, m4), d34 = wasm_f32x4_sub(m3, m4);                            \
    o[0] = wasm_f32x4_add(wasm_f32x4_add(m0, s12), s34);                                      \
    o[1] = wasm_f32x4_add(d12, wasm_f32x4_mul(d34, wasm_f32x4_splat(2.0f)));                  \
    o[2] = wasm_f32x4_add(s12, wasm_f32x4_mul(s34, wasm_f32x4_splat(4.0f)));                  \
    o[3] = wasm_f32x4_add(wasm_f32x4_add(d12, wasm_f32x4_mul(d34, wasm_f32x4_splat(8.0f))), m5); \
  } while (0)

/* Zeroes a block row past the last tile: 36 tile positions of `width` floats, row_stride apart. */
static void zero_tile(float* dst, int row_stride, int width) {
  for (int p = 0; p < 36; p++)
    for (int c = 0; c < width; c += 4) wasm_v128_store(dst + p * row_stride + c, wasm_f32x4_splat(0.0f));
}

/* Image and top-left output position of tile t (tiles run along rows, then down, then over images). */
static void tile_origin(int t, int tiles_h, int tiles_w, int* n, int* y0, int* x0) {
  const int rest = t % (tiles_h * tiles_w);
  *n = t / (tiles_h * tiles_w);
  *y0 = (rest / tiles_w) * 4;
  *x0 = (rest % tiles_w) * 4;
}

/* Transforms the tiles [t0, t0 + tb) into V (rows past the last tile are zero). */
static void input_block(const float* x, float* v, float* tmp, int t0, int tb, int tiles, int tiles_h, int tiles_w,
                        int h, int w, int c_in, int cp, int pad_t, int pad_l) {
  const int row_stride = tb * cp; /* floats between V's tile positions */
  for (int r = 0; r < tb; r++) {
    const int t = t0 + r;
    float* vt = v + r * cp;
    if (t >= tiles) {
      zero_tile(vt, row_stride, cp);
      continue;
    }
    int n, y0, x0;
    tile_origin(t, tiles_h, tiles_w, &n, &y0, &x0);
    y0 -= pad_t;
    x0 -= pad_l;
    const int inside = y0 >= 0 && x0 >= 0 && y0 + 6 <= h && x0 + 6 <= w;
    const float* base = x + (unsigned)n * h * w * c_in;
    for (int c = 0; c < cp; c += 4) {
      const int nc = c_in - c;
      v4 d[6];
      /* Down each column of the tile: tmp[j*6 + i] = (B^T d)[i][j]. */
      for (int j = 0; j < 6; j++) {
        const int xx = x0 + j;
        for (int i = 0; i < 6; i++) {
          const int yy = y0 + i;
          if (inside || (yy >= 0 && yy < h && xx >= 0 && xx < w))
            d[i] = load_partial(base + ((unsigned)yy * w + xx) * c_in + c, nc);
          else
            d[i] = wasm_f32x4_splat(0.0f);
        }
        v4 o[6];
        INPUT_1D(d[0], d[1], d[2], d[3], d[4], d[5], o);
        for (int i = 0; i < 6; i++) wasm_v128_store(tmp + (j * 6 + i) * 4, o[i]);
      }
      /* Along each row: V[i*6 + k] = (B^T d B)[i][k]. */
      for (int i = 0; i < 6; i++) {
        v4 o[6];
        INPUT_1D(wasm_v128_load(tmp + (0 * 6 + i) * 4), wasm_v128_load(tmp + (1 * 6 + i) * 4),
                 wasm_v128_load(tmp + (2 * 6 + i) * 4), wasm_v128_load(tmp + (3 * 6 + i) * 4),
                 wasm_v128_load(tmp + (4 * 6 + i) * 4), wasm_v128_load(tmp + (5 * 6 + i) * 4), o);
        for (int k = 0; k < 6; k++) wasm_v128_store(vt + (i * 6 + k) * row_stride + c, o[k]);
      }
    }
  }
}

/*
 * M[p] = V[p] x U[p] for the block: [tb, cp] x [cp, kp], tb a multiple of 4, in 4x8 register
 * tiles (8 accumulators, the most that 16 SIMD registers hold beside the operands without spills).
 */
static void gemm_block(const float* v, const float* u, float* m, int tb, int cp, int kp) {
  const int panels = kp / 8;
  for (int p = 0; p < 36; p++) {
    const float* vp = v + p * tb * cp;
    const float* up = u + p * cp * kp;
    float* mp = m + p * tb * kp;
    for (int jb = 0; jb < panels; jb++) {
      const float* panel = up + jb * cp * 8;
      for (int r = 0; r < tb; r += 4) {
        const float* a0 = vp + r * cp;
        const float* a1 = a0 + cp;
        const float* a2 = a1 + cp;
        const float* a3 = a2 + cp;
        v4 c00 = wasm_f32x4_splat(0.0f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (int k = 0; k < cp; k++) {
          const v4 b0 = wasm_v128_load(panel + k * 8);
          const v4 b1 = wasm_v128_load(panel + k * 8 + 4);
          MAC_ROW(c00, c01, wasm_v128_load32_splat(a0 + k), b0, b1);
          MAC_ROW(c10, c11, wasm_v128_load32_splat(a1 + k), b0, b1);
          MAC_ROW(c20, c21, wasm_v128_load32_splat(a2 + k), b0, b1);
          MAC_ROW(c30, c31, wasm_v128_load32_splat(a3 + k), b0, b1);
        }
        float* out = mp + r * kp + jb * 8;
        store8_partial(out, c00, c01, 8);
        store8_partial(out + kp, c10, c11, 8);
        store8_partial(out + 2 * kp, c20, c21, 8);
        store8_partial(out + 3 * kp, c30, c31, 8);
      }
    }
  }
}

enum { ACT_LINEAR = 0, ACT_RELU = 1, ACT_RELU6 = 2 };

static inline v4 activate(v4 y, int act) {
  if (act == ACT_RELU) return wasm_f32x4_max(y, wasm_f32x4_splat(0.0f));
  if (act == ACT_RELU6) return wasm_f32x4_min(wasm_f32x4_max(y, wasm_f32x4_splat(0.0f)), wasm_f32x4_splat(6.0f));
  return y;
}

/* y[tile] = A^T M A (+ bias, activation) for the block's tiles, clipped to the output's edges. */
static void output_block(const float* m, const float* bias, float* y, float* tmp, int t0, int tb, int tiles, int tiles_h,
                         int tiles_w, int oh, int ow, int k_out, int kp, int act) {
  const int row_stride = tb * kp;
  for (int r = 0; r < tb && t0 + r < tiles; r++) {
    const int t = t0 + r;
    const float* mt = m + r * kp;
    int n, y0, x0;
    tile_origin(t, tiles_h, tiles_w, &n, &y0, &x0);
    float* base = y + (unsigned)n * oh * ow * k_out;
    for (int k = 0; k < k_out; k += 4) {
      const int nk = k_out - k;
      const v4 b = bias ? load_partial(bias + k, nk) : wasm_f32x4_splat(0.0f);
      /* Down each column: tmp[j*4 + i] = (A^T M)[i][j]. */
      for (int j = 0; j < 6; j++) {
        v4 o[4];
        OUTPUT_1D(wasm_v128_load(mt + (0 * 6 + j) * row_stride + k), wasm_v128_load(mt + (1 * 6 + j) * row_stride + k),
                  wasm_v128_load(mt + (2 * 6 + j) * row_stride + k), wasm_v128_load(mt + (3 * 6 + j) * row_stride + k),
                  wasm_v128_load(mt + (4 * 6 + j) * row_stride + k), wasm_v128_load(mt + (5 * 6 + j) * row_stride + k), o);
        for (int i = 0; i < 4; i++) wasm_v128_store(tmp + (j * 4 + i) * 4, o[i]);
      }
      for (int i = 0; i < 4 && y0 + i < oh; i++) {
        v4 o[4];
        OUTPUT_1D(wasm_v128_load(tmp + (0 * 4 + i) * 4), wasm_v128_load(tmp + (1 * 4 + i) * 4),
                  wasm_v128_load(tmp + (2 * 4 + i) * 4), wasm_v128_load(tmp + (3 * 4 + i) * 4),
                  wasm_v128_load(tmp + (4 * 4 + i) * 4), wasm_v128_load(tmp + (5 * 4 + i) * 4), o);
        for (int j = 0; j < 4 && x0 + j < ow; j++) {
          const v4 val = activate(wasm_f32x4_add(o[j], b), act);
          store_partial(base + ((unsigned)(y0 + i) * ow + (x0 + j)) * k_out + k, val, nk);
        }
      }
    }
  }
}

/*
 * y = conv3x3(x, w) (+ bias, activation), stride 1, with pad_t/pad_l zero rows/columns before the
 * input (the rest of the padding is implied by oh/ow). u is wino_f43_filter's output for w;
 * scratch holds wino_f43_scratch_floats(c, k) floats.
 */
EXPORT(wino_f43_conv)
void wino_f43_conv(const float* x, const float* u, const float* bias, float* y, float* scratch, int n, int h, int w,
                   int c_in, int k_out, int oh, int ow, int pad_t, int pad_l, int act) {
  const int cp = round_up(c_in, 4), kp = round_up(k_out, 8);
  const int tb = block_tiles(cp, kp);
  const int tiles_h = (oh + 3) / 4, tiles_w = (ow + 3) / 4, tiles = n * tiles_h * tiles_w;
  float* v = scratch;
  float* m = v + 36 * tb * cp;
  float* tmp = m + 36 * tb * kp;
  for (int t0 = 0; t0 < tiles; t0 += tb) {
    input_block(x, v, tmp, t0, tb, tiles, tiles_h, tiles_w, h, w, c_in, cp, pad_t, pad_l);
    gemm_block(v, u, m, tb, cp, kp);
    output_block(m, bias, y, tmp, t0, tb, tiles, tiles_h, tiles_w, oh, ow, k_out, kp, act);
  }
}

/*
 * The filter gradient by the same transform (Lavin & Gray, section 4): with U = G g G^T and
 * V = B^T d B, a tile's output is A^T (U . V) A, so dL/dU = (A dY A^T) . V summed over tiles, and
 * dL/dg = G^T (dL/dU) G. Per tile position that is a GEMM reducing over tiles,
 * dU[p] (Cp x Kp) += V[p]^T (Cp x tiles) x E[p] (tiles x Kp), E = A dY A^T, with a quarter of the
 * multiply-adds of the direct sum over taps (conv_grad.c).
 */

/* e (4 values) -> A e (6 values), A = (A^T)^T: rows [1 0 0 0; 1 1 1 1; 1 -1 1 -1; 1 2 4 8; 1 -2 4 -8; 0 0 0 1]. */
#define GRAD_1D(e0, e1, e2, e3, o)                                                               \
  do {                                                                                           \
    v4 s02 = wasm_f32x4_add(e0, e2), s13 = wasm_f32x4_add(e1, e3);                               \
    v4 f02 = wasm_f32x4_add(e0, wasm_f32x4_mul(e2, wasm_f32x4_splat(4.0f)));                     \
    v4 f13 = wasm_f32x4_add(wasm_f32x4_mul(e1, wasm_f32x4_splat(2.0f)), wasm_f32x4_mul(e3, wasm_f32x4_splat(8.0f))); \
    o[0] = e0;                                                                                   \
    o[1] = wasm_f32x4_add(s02, s13);                                                             \
    o[2] = wasm_f32x4_sub(s02, s13);                                                             \
    o[3] = wasm_f32x4_add(f02, f13);                                                             \
    o[4] = wasm_f32x4_sub(f02, f13);                                                             \
    o[5] = e3;                                                                                   \
  } while (0)

/* g (6 values) -> G^T g (3 values), G^T = [1/4 -1/6 -1/6 1/24 1/24 0; 0 -1/6 1/6 1/12 -1/12 0; 0 -1/6 -1/6 1/6 1/6 1]. */
#define FILTER_GRAD_1D(g0, g1, g2, g3, g4, g5, o)                                                \
  do {                                                                                           \
    v4 s12 = wasm_f32x4_add(g1, g2), d12 = wasm_f32x4_sub(g2, g1);                               \
    v4 s34 = wasm_f32x4_add(g3, g4), d34 = wasm_f32x4_sub(g3, g4);                               \
    o[0] = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(g0, wasm_f32x4_splat(0.25f)),            \
                                         wasm_f32x4_mul(s12, wasm_f32x4_splat(-1.0f / 6))),      \
                          wasm_f32x4_mul(s34, wasm_f32x4_splat(1.0f / 24)));                     \
    o[1] = wasm_f32x4_add(wasm_f32x4_mul(d12, wasm_f32x4_splat(1.0f / 6)),                       \
                          wasm_f32x4_mul(d34, wasm_f32x4_splat(1.0f / 12)));                     \
    o[2] = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(s12, wasm_f32x4_splat(-1.0f / 6)),       \
                                         wasm_f32x4_mul(s34, wasm_f32x4_splat(1.0f / 6))),       \
                          g5);                                                                   \
  } while (0)

/* Tiles per block of the filter gradient: V and E of a block take about 1 MiB (at least 8 tiles). */
static inline int grad_block_tiles(int cp, int kp) {
  int tb = (1024 * 1024 / 4) / (36 * (cp + kp));
  return tb < 8 ? 8 : tb;
}

/* Scratch floats wino_f43_filter_grad needs: V, E, dU and 36 vectors for a tile in flight. */
EXPORT(wino_f43_filter_grad_scratch_floats) int wino_f43_filter_grad_scratch_floats(int c, int k) {
  int cp = round_up(c, 4), kp = round_up(k, 8), tb = grad_block_tiles(cp, kp);
  return 36 * tb * (cp + kp) + 36 * cp * kp + 36 * 4;
}

/* E = A dY A^T for the tiles [t0, t0 + tb) into e [36][tb][kp]; output positions past the edges read as 0. */
static void grad_block(const float* dy, float* e, float* tmp, int t0, int tb, int tiles, int tiles_h, int tiles_w, int oh, int ow,
                       int k_out, int kp) {
  const int row_stride = tb * kp;
  for (int r = 0; r < tb; r++) {
    const int t = t0 + r;
    float* et = e + r * kp;
    if (t >= tiles) {
      zero_tile(et, row_stride, kp);
      continue;
    }
    int n, y0, x0;
    tile_origin(t, tiles_h, tiles_w, &n, &y0, &x0);
    const float* base = dy + (unsigned)n * oh * ow * k_out;
    for (int k = 0; k < kp; k += 4) {
      const int nk = k_out - k;
      /* Down each column of the 4x4 tile: tmp[j*6 + i] = (A dY)[i][j]. */
      for (int j = 0; j < 4; j++) {
        v4 d[4];
        for (int i = 0; i < 4; i++) {
          const int yy = y0 + i, xx = x0 + j;
          d[i] = yy < oh && xx < ow && nk > 0 ? load_partial(base + ((unsigned)yy * ow + xx) * k_out + k, nk) : wasm_f32x4_splat(0.0f);
        }
        v4 o[6];
        GRAD_1D(d[0], d[1], d[2], d[3], o);
        for (int i = 0; i < 6; i++) wasm_v128_store(tmp + (j * 6 + i) * 4, o[i]);
      }
      /* Along each row: E[i*6 + m] = (A dY A^T)[i][m]. */
      for (int i = 0; i < 6; i++) {
        v4 o[6];
        GRAD_1D(wasm_v128_load(tmp + (0 * 6 + i) * 4), wasm_v128_load(tmp + (1 * 6 + i) * 4),
                wasm_v128_load(tmp + (2 * 6 + i) * 4), wasm_v128_load(tmp + (3 * 6 + i) * 4), o);
        for (int m = 0; m < 6; m++) wasm_v128_store(et + (i * 6 + m) * row_stride + k, o[m]);
      }
    }
  }
}

/* dU[p] += V[p]^T E[p] for the block: [cp, tb] x [tb, kp], in 4x8 register tiles. */
static void gemm_tn_block(const float* v, const float* e, float* du, int tb, int cp, int kp) {
  for (int p = 0; p < 36; p++) {
    const float* vp = v + p * tb * cp;
    const float* ep = e + p * tb * kp;
    float* dp = du + p * cp * kp;
    for (int c = 0; c < cp; c += 4) {
      for (int k = 0; k < kp; k += 8) {
        float* out = dp + c * kp + k;
        v4 c00, c01, c10, c11, c20, c21, c30, c31;
        load8_partial(out, 8, &c00, &c01);
        load8_partial(out + kp, 8, &c10, &c11);
        load8_partial(out + 2 * kp, 8, &c20, &c21);
        load8_partial(out + 3 * kp, 8, &c30, &c31);
        const float* a = vp + c;
        const float* b = ep + k;
        for (int t = 0; t < tb; t++, a += cp, b += kp) {
          const v4 b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
          MAC_ROW(c00, c01, wasm_v128_load32_splat(a), b0, b1);
          MAC_ROW(c10, c11, wasm_v128_load32_splat(a + 1), b0, b1);
          MAC_ROW(c20, c21, wasm_v128_load32_splat(a + 2), b0, b1);
          MAC_ROW(c30, c31, wasm_v128_load32_splat(a + 3), b0, b1);
        }
        store8_partial(out, c00, c01, 8);
        store8_partial(out + kp, c10, c11, 8);
        store8_partial(out + 2 * kp, c20, c21, 8);
        store8_partial(out + 3 * kp, c30, c31, 8);
      }
    }
  }
}

/*
 * dw [3, 3, C, K] = the filter gradient of wino_f43_conv's convolution (same geometry and
 * padding) for input x and output gradient dy; scratch holds
 * wino_f43_filter_grad_scratch_floats(c, k) floats. dw is overwritten.
 */
EXPORT(wino_f43_filter_grad)
void wino_f43_filter_grad(const float* x, const float* dy, float* dw, float* scratch, int n, int h, int w, int c_in, int k_out,
                          int oh, int ow, int pad_t, int pad_l) {
  const int cp = round_up(c_in, 4), kp = round_up(k_out, 8);
  const int tb = grad_block_tiles(cp, kp);
  const int tiles_h = (oh + 3) / 4, tiles_w = (ow + 3) / 4, tiles = n * tiles_h * tiles_w;
  float* v = scratch;
  float* e = v + 36 * tb * cp;
  float* du = e + 36 * tb * kp;
  float* tmp = du + 36 * cp * kp;
  for (int i = 0; i < 36 * cp * kp; i++) du[i] = 0.0f;
  for (int t0 = 0; t0 < tiles; t0 += tb) {
    input_block(x, v, tmp, t0, tb, tiles, tiles_h, tiles_w, h, w, c_in, cp, pad_t, pad_l);
    grad_block(dy, e, tmp, t0, tb, tiles, tiles_h, tiles_w, oh, ow, k_out, kp);
    gemm_tn_block(v, e, du, tb, cp, kp);
  }
  /* dw[., ., c, k] = G^T dU[., c, k] G, 4 output channels at a time. */
  for (int c = 0; c < c_in; c++) {
    for (int k = 0; k < k_out; k += 4) {
      const int nk = k_out - k;
      v4 col[6][3]; /* G^T applied down each column of dU: col[j][i] = (G^T dU)[i][j] */
      for (int j = 0; j < 6; j++) {
        const float* at = du + c * kp + k;
        FILTER_GRAD_1D(wasm_v128_load(at + (0 * 6 + j) * cp * kp), wasm_v128_load(at + (1 * 6 + j) * cp * kp),
                       wasm_v128_load(at + (2 * 6 + j) * cp * kp), wasm_v128_load(at + (3 * 6 + j) * cp * kp),
                       wasm_v128_load(at + (4 * 6 + j) * cp * kp), wasm_v128_load(at + (5 * 6 + j) * cp * kp), col[j]);
      }
      for (int i = 0; i < 3; i++) {
        v4 row[3];
        FILTER_GRAD_1D(col[0][i], col[1][i], col[2][i], col[3][i], col[4][i], col[5][i], row);
        for (int j = 0; j < 3; j++) store_partial(dw + ((i * 3 + j) * c_in + c) * k_out + k, row[j], nk);
      }
    }
  }
}
