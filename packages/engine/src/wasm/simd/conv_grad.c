/*
 * The gradients of a 2-D convolution computed directly in WebAssembly SIMD, for the geometries
 * Winograd (winograd.c) does not take: strided convs, other kernel sizes, few input channels.
 *
 * Filter gradient: dW[p][q][c][k] = sum over (n, y, x) of X[n][y*sh + p - pt][x*sw + q - pl][c] * dY[n][y][x][k].
 *
 * As GEMMs (one per filter tap, X gathered for the tap times dY), the wasm backend ran at about
 * 8 GFLOP/s: each tap copied the input it reads, and each GEMM repacked its operands. Here the
 * taps read the input in place. For one tap, 4 input channels and 8 output channels, 8 SIMD
 * accumulators sum over every output position of a chunk of images; the chunk is sized to stay in
 * cache while every (tap, channel block) sweeps it.
 *
 * Input gradient: dX[n][y*sh + p - pt][x*sw + q - pl][c] += sum over k of W[p][q][c][k] * dY[n][y][x][k],
 * for every tap (p, q) and output position (y, x). A GEMM of dY by every tap's filter followed by
 * a col2im in JavaScript took a tenth of a training step; here 4 output positions by 8 input
 * channels accumulate over the output channels in registers and are added into dX in place.
 *
 * Same conventions as winograd.c: the module runs on the tfjs wasm backend's memory (no data
 * segments, no globals but the stack pointer); layouts are tfjs's, x [N, H, W, C],
 * dy [N, OH, OW, K], dw [KH, KW, C, K].
 */
#include "common.h"

/* Input and output-gradient bytes of the images in one chunk: kept below about half a MiB. */
#define CHUNK_BYTES (512 * 1024)

/* Floor division for any sign of a (b > 0). */
static inline int floor_div(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

INLINE v4 splat_or_zero(const float* p, int i, int nc) { return i < nc ? wasm_v128_load32_splat(p + i) : wasm_f32x4_splat(0.0f); }

struct geometry {
  int h, w, c_in, oh, ow, k_out, kh, kw, sh, sw, pt, pl;
};

/* The output indices [*lo, *hi) whose input index i*s + tap - pad lies in [0, size). */
static void tap_range(int tap, int s, int pad, int size, int out_size, int* lo, int* hi) {
  *lo = max_int(0, floor_div(pad - tap + s - 1, s));
  *hi = min_int(out_size, floor_div(size - 1 + pad - tap, s) + 1);
}

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
        v4 b0, b1;
        load8_partial(dr, nk, &b0, &b1);
        MAC_ROW(a00, a01, splat_or_zero(xr, 0, nc), b0, b1);
        MAC_ROW(a10, a11, splat_or_zero(xr, 1, nc), b0, b1);
        MAC_ROW(a20, a21, splat_or_zero(xr, 2, nc), b0, b1);
        MAC_ROW(a30, a31, splat_or_zero(xr, 3, nc), b0, b1);
      }
    }
  }
  float* out = dw + ((p * g->kw + q) * g->c_in + c) * g->k_out + k;
  const v4 rows[4][2] = {{a00, a01}, {a10, a11}, {a20, a21}, {a30, a31}};
  for (int r = 0; r < nc; r++) add8_partial(out + r * g->k_out, rows[r][0], rows[r][1], nk);
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
      int ylo, yhi, xlo, xhi;
      tap_range(p, sh, pt, h, oh, &ylo, &yhi);
      if (ylo >= yhi) continue;
      for (int q = 0; q < kw; q++) {
        tap_range(q, sw, pl, w, ow, &xlo, &xhi);
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

/*
 * Four output positions (npos of them real, 1..4) of one row by 8 input channels (nc real, 1..8)
 * of tap (p, q): acc[i] = sum over k of dY[pos i][k] * wt[k][c..c+8], added into dX. wt is the
 * tap's filter transposed, [K][C]. Full blocks are specialised like tap_block's.
 */
INLINE void input_block(const float* dyr, const float* wt, float* dxr, const struct geometry* g, int c, int npos, int nc) {
  v4 a00 = wasm_f32x4_splat(0.0f), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
  const float* d1 = dyr + (npos > 1 ? g->k_out : 0);
  const float* d2 = dyr + (npos > 2 ? 2 * g->k_out : 0);
  const float* d3 = dyr + (npos > 3 ? 3 * g->k_out : 0);
  const float* b = wt + c;
  for (int k = 0; k < g->k_out; k++, b += g->c_in) {
    v4 b0, b1;
    load8_partial(b, nc, &b0, &b1);
    MAC_ROW(a00, a01, wasm_v128_load32_splat(dyr + k), b0, b1);
    MAC_ROW(a10, a11, wasm_v128_load32_splat(d1 + k), b0, b1);
    MAC_ROW(a20, a21, wasm_v128_load32_splat(d2 + k), b0, b1);
    MAC_ROW(a30, a31, wasm_v128_load32_splat(d3 + k), b0, b1);
  }
  /* Positions past npos read a real row (the first) and are not stored. */
  const int step = g->sw * g->c_in;
  add8_partial(dxr + c, a00, a01, nc);
  if (npos > 1) add8_partial(dxr + step + c, a10, a11, nc);
  if (npos > 2) add8_partial(dxr + 2 * step + c, a20, a21, nc);
  if (npos > 3) add8_partial(dxr + 3 * step + c, a30, a31, nc);
}

/* Floats of scratch conv_input_grad needs: every tap's filter, transposed. */
EXPORT(conv_input_grad_scratch_floats) int conv_input_grad_scratch_floats(int c_in, int k_out, int kh, int kw) { return kh * kw * c_in * k_out; }

/*
 * dx = the input gradient for filter wgt [KH, KW, C, K] and output gradient dy, stride (sh, sw),
 * pt/pl padding rows/columns before the input. dx is overwritten; scratch holds
 * conv_input_grad_scratch_floats floats.
 */
EXPORT(conv_input_grad)
void conv_input_grad(const float* dy, const float* wgt, float* dx, float* scratch, int n, int h, int w, int c_in, int oh, int ow,
                     int k_out, int kh, int kw, int sh, int sw, int pt, int pl) {
  const struct geometry g = {h, w, c_in, oh, ow, k_out, kh, kw, sh, sw, pt, pl};
  for (int i = 0, size = n * h * w * c_in; i < size; i++) dx[i] = 0.0f;
  /* scratch[tap][k][c] = wgt[tap][c][k] */
  for (int t = 0; t < kh * kw; t++)
    for (int c = 0; c < c_in; c++)
      for (int k = 0; k < k_out; k++) scratch[(t * k_out + k) * c_in + c] = wgt[(t * c_in + c) * k_out + k];
  for (int img = 0; img < n; img++) {
    for (int p = 0; p < kh; p++) {
      int ylo, yhi, xlo, xhi;
      tap_range(p, sh, pt, h, oh, &ylo, &yhi);
      for (int q = 0; q < kw; q++) {
        tap_range(q, sw, pl, w, ow, &xlo, &xhi);
        if (ylo >= yhi || xlo >= xhi) continue;
        const float* wt = scratch + (p * kw + q) * k_out * c_in;
        for (int y = ylo; y < yhi; y++) {
          const float* dyr = dy + (((unsigned)img * oh + y) * ow) * k_out;
          float* dxr = dx + (((unsigned)img * h + (y * sh + p - pt)) * w) * c_in;
          for (int x = xlo; x < xhi; x += 4) {
            const int npos = min_int(4, xhi - x);
            const float* d = dyr + x * k_out;
            float* o = dxr + (x * sw + q - pl) * c_in;
            for (int c = 0; c < c_in; c += 8) {
              const int nc = min_int(8, c_in - c);
              if (npos == 4 && nc == 8) input_block(d, wt, o, &g, c, 4, 8);
              else input_block(d, wt, o, &g, c, npos, nc);
            }
          }
        }
      }
    }
  }
}
