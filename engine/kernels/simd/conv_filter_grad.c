/*
 * The filter gradient of a 2-D convolution, dW[p][q][c][k] = sum over (n, y, x) of
 * X[n][y*sh + p - pt][x*sw + q - pl][c] * dY[n][y][x][k], computed directly in WebAssembly SIMD.
 *
 * As GEMMs (one per filter tap, X gathered for the tap times dY), the wasm backend ran at about
 * 8 GFLOP/s: each tap copied the input it reads, and each GEMM repacked its operands. Here the
 * taps read the input in place. For one tap, 4 input channels and 8 output channels, 8 SIMD
 * accumulators sum over every output position of a chunk of images; the chunk is sized to stay in
 * cache while every (tap, channel block) sweeps it.
 *
 * Same conventions as winograd.c: the module runs on the tfjs wasm backend's memory (no data
 * segments, no globals but the stack pointer); layouts are tfjs's, x [N, H, W, C],
 * dy [N, OH, OW, K], dw [KH, KW, C, K].
 */
#include "common.h"

/* Input and output-gradient bytes of the images in one chunk: kept below about half a MiB. */
#define CHUNK_BYTES (512 * 1024)

static inline int min_int(int a, int b) { return a < b ? a : b; }
static inline int max_int(int a, int b) { return a > b ? a : b; }
/* Floor division for any sign of a (b > 0). */
static inline int floor_div(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

INLINE v4 splat_or_zero(const float* p, int i, int nc) { return i < nc ? wasm_v128_load32_splat(p + i) : wasm_f32x4_splat(0.0f); }

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

struct geometry {
  int h, w, c_in, oh, ow, k_out, kh, kw, sh, sw, pt, pl;
};

/*
 * One (tap, 4 input channels, 8 output channels) block over images [n0, n0 + nn): nc (1..4) and
 * nk (1..8) say how many of the channels exist. Called with nc = 4, nk = 8 for the full blocks,
 * which the compiler specialises (always_inline) into the loop without lane checks.
 */
INLINE void tap_block(const float* x, const float* dy, float* dw, const struct geometry* g, int n0, int nn, int p, int q,
                      int ylo, int yhi, int xlo, int xhi, int c, int k, int nc, int nk) {
  v4 a00 = wasm_f32x4_splat(0.0f), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
  const int x_step = g->sw * g->c_in, count = xhi - xlo;
  for (int n = n0; n < n0 + nn; n++) {
    for (int y = ylo; y < yhi; y++) {
      const float* xr = x + (((unsigned)n * g->h + (y * g->sh + p - g->pt)) * g->w + (xlo * g->sw + q - g->pl)) * g->c_in + c;
      const float* dr = dy + (((unsigned)n * g->oh + y) * g->ow + xlo) * g->k_out + k;
      for (int i = 0; i < count; i++, xr += x_step, dr += g->k_out) {
        const v4 b0 = load_partial(dr, nk);
        const v4 b1 = nk > 4 ? load_partial(dr + 4, nk - 4) : wasm_f32x4_splat(0.0f);
        MAC_ROW(a00, a01, splat_or_zero(xr, 0, nc), b0, b1);
        MAC_ROW(a10, a11, splat_or_zero(xr, 1, nc), b0, b1);
        MAC_ROW(a20, a21, splat_or_zero(xr, 2, nc), b0, b1);
        MAC_ROW(a30, a31, splat_or_zero(xr, 3, nc), b0, b1);
      }
    }
  }
  float* out = dw + ((p * g->kw + q) * g->c_in + c) * g->k_out + k;
  const v4 rows[4][2] = {{a00, a01}, {a10, a11}, {a20, a21}, {a30, a31}};
  for (int r = 0; r < nc; r++) {
    add_partial(out + r * g->k_out, rows[r][0], nk);
    if (nk > 4) add_partial(out + r * g->k_out + 4, rows[r][1], nk - 4);
  }
}

/*
 * dw = the filter gradient for input x and output gradient dy, stride (sh, sw), with pt/pl zero
 * rows/columns of padding before the input (the rest is implied by oh/ow). dw is overwritten.
 */
EXPORT(conv_filter_grad)
void conv_filter_grad(const float* x, const float* dy, float* dw, int n, int h, int w, int c_in, int oh, int ow, int k_out,
                      int kh, int kw, int sh, int sw, int pt, int pl) {
  const struct geometry g = {h, w, c_in, oh, ow, k_out, kh, kw, sh, sw, pt, pl};
  for (int i = 0, size = kh * kw * c_in * k_out; i < size; i++) dw[i] = 0.0f;
  const int image_bytes = (h * w * c_in + oh * ow * k_out) * 4;
  const int chunk = max_int(1, CHUNK_BYTES / image_bytes);
  for (int n0 = 0; n0 < n; n0 += chunk) {
    const int nn = min_int(chunk, n - n0);
    for (int p = 0; p < kh; p++) {
      /* Output rows whose input row y*sh + p - pt lies inside the image. */
      const int ylo = max_int(0, floor_div(pt - p + sh - 1, sh)), yhi = min_int(oh, floor_div(h - 1 + pt - p, sh) + 1);
      if (ylo >= yhi) continue;
      for (int q = 0; q < kw; q++) {
        const int xlo = max_int(0, floor_div(pl - q + sw - 1, sw)), xhi = min_int(ow, floor_div(w - 1 + pl - q, sw) + 1);
        if (xlo >= xhi) continue;
        for (int c = 0; c < c_in; c += 4) {
          const int nc = min_int(4, c_in - c);
          for (int k = 0; k < k_out; k += 8) {
            const int nk = min_int(8, k_out - k);
            if (nc == 4 && nk == 8) tap_block(x, dy, dw, &g, n0, nn, p, q, ylo, yhi, xlo, xhi, c, k, 4, 8);
            else tap_block(x, dy, dw, &g, n0, nn, p, q, ylo, yhi, xlo, xhi, c, k, nc, nk);
          }
        }
      }
    }
  }
}
