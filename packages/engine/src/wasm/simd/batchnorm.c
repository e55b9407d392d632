/*
 * Training-mode batch norm over the last axis, forward and backward, in two SIMD passes each
 * (the same computation as native/src/elementwise.cc's batch_norm_train and _grad). tfjs-layers
 * otherwise runs moments and FusedBatchNorm, about 20 kernels and a dozen activation-sized
 * temporaries per layer and step: a sixth of a resnet_ref training step on wasm.
 *
 * Sums run in float over blocks of rows and are added into double per block. The variance is
 * taken around a shift (each channel's first value), so sum(d^2)/n - (sum(d)/n)^2 does not lose
 * the spread of activations whose mean is large next to it.
 *
 * x, y, dy, dx are [rows, C]; per-channel vectors are [C]. scratch holds bn_scratch_floats(C).
 */
#include "common.h"

/* Rows summed in float before their sums go into the double accumulators. */
#define BLOCK_ROWS 64

/* Two double sums per channel, then a centre, two partial sums and three coefficients, each 4-padded. */
EXPORT(bn_scratch_floats) int bn_scratch_floats(int c) { return 4 * c + 6 * round_up(c, 4); }

struct bn_scratch {
  double *s1, *s2;     /* the two per-channel sums */
  float* centre;       /* what the first sum is taken around */
  float* partial;      /* moments()'s float partial sums, 2 round_up(C, 4) */
  float *alpha, *beta, *delta; /* affine_rows()'s coefficients */
};

static struct bn_scratch carve(float* scratch, int C) {
  const int cp = round_up(C, 4);
  struct bn_scratch b;
  b.s1 = (double*)scratch;
  b.s2 = b.s1 + C;
  b.centre = scratch + 4 * C;
  b.partial = b.centre + cp;
  b.alpha = b.partial + 2 * cp;
  b.beta = b.alpha + cp;
  b.delta = b.beta + cp;
  return b;
}

static void flush(double* sum, float* part, int C) {
  for (int c = 0; c < C; c++) {
    sum[c] += part[c];
    part[c] = 0.0f;
  }
}

/* One row of a two-moment sum: s1 += u, s2 += u * v, with u = a - sa and v = b - sb (per channel). */
INLINE void moments_row(float* s1, float* s2, const float* a, const float* sa, const float* b, const float* sb, int C) {
  int c = 0;
  for (; c + 4 <= C; c += 4) {
    const v4 u = wasm_f32x4_sub(wasm_v128_load(a + c), wasm_v128_load(sa + c));
    const v4 v = wasm_f32x4_sub(wasm_v128_load(b + c), wasm_v128_load(sb + c));
    wasm_v128_store(s1 + c, wasm_f32x4_add(wasm_v128_load(s1 + c), u));
    wasm_v128_store(s2 + c, wasm_f32x4_add(wasm_v128_load(s2 + c), wasm_f32x4_mul(u, v)));
  }
  for (; c < C; c++) {
    const float u = a[c] - sa[c], v = b[c] - sb[c];
    s1[c] += u;
    s2[c] += u * v;
  }
}

/*
 * Per channel, sum1 = sum over rows of (a - sa) and sum2 = sum of (a - sa)(b - sb), in double.
 * scratch: 2 round_up(C, 4) floats of float partial sums (zeroed here).
 */
static void moments(const float* a, const float* sa, const float* b, const float* sb, int rows, int C, double* sum1, double* sum2,
                    float* scratch) {
  const int cp = round_up(C, 4);
  float* p1 = scratch;
  float* p2 = scratch + cp;
  for (int c = 0; c < C; c++) sum1[c] = sum2[c] = 0.0, p1[c] = p2[c] = 0.0f;
  for (int r0 = 0; r0 < rows; r0 += BLOCK_ROWS) {
    const int r1 = r0 + BLOCK_ROWS < rows ? r0 + BLOCK_ROWS : rows;
    for (int r = r0; r < r1; r++) moments_row(p1, p2, a + (unsigned)r * C, sa, b + (unsigned)r * C, sb, C);
    flush(sum1, p1, C);
    flush(sum2, p2, C);
  }
}

/*
 * out = alpha * u + beta * (x - mean) + delta per channel, for every row; without u (0: the
 * forward pass) the alpha term is left out, not multiplied by zero.
 */
INLINE void affine_rows(const float* u, const float* x, float* out, int rows, int C, const float* mean, const float* alpha,
                        const float* beta, const float* delta) {
  for (int r = 0; r < rows; r++) {
    const float* ur = u + (unsigned)r * C;
    const float* xr = x + (unsigned)r * C;
    float* o = out + (unsigned)r * C;
    int c = 0;
    for (; c + 4 <= C; c += 4) {
      const v4 centred = wasm_f32x4_sub(wasm_v128_load(xr + c), wasm_v128_load(mean + c));
      v4 v = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(beta + c), centred), wasm_v128_load(delta + c));
      if (u) v = wasm_f32x4_add(v, wasm_f32x4_mul(wasm_v128_load(alpha + c), wasm_v128_load(ur + c)));
      wasm_v128_store(o + c, v);
    }
    for (; c < C; c++) o[c] = beta[c] * (xr[c] - mean[c]) + delta[c] + (u ? alpha[c] * ur[c] : 0.0f);
  }
}

/*
 * mean and var (biased) of x per channel over its rows, then y = (x - mean) * scale / sqrt(var + eps)
 * + offset (scale and offset may be 0: 1 and 0).
 */
EXPORT(bn_train)
void bn_train(const float* x, float* y, int rows, int C, const float* scale, const float* offset, float eps, float* mean, float* var,
              float* scratch) {
  const struct bn_scratch b = carve(scratch, C);
  for (int c = 0; c < C; c++) b.centre[c] = x[c];
  moments(x, b.centre, x, b.centre, rows, C, b.s1, b.s2, b.partial);
  for (int c = 0; c < C; c++) {
    const double d = b.s1[c] / rows, v = b.s2[c] / rows - d * d;
    mean[c] = (float)(b.centre[c] + d);
    var[c] = v > 0 ? (float)v : 0.0f;
    b.beta[c] = (float)((scale ? scale[c] : 1.0) / __builtin_sqrt((double)var[c] + eps));
    b.delta[c] = offset ? offset[c] : 0.0f;
  }
  affine_rows(0, x, y, rows, C, mean, b.alpha, b.beta, b.delta);
}

/*
 * The gradient of bn_train with respect to x, through the batch statistics too:
 * dx = k dy - k sum(dy)/n - k inv^2 (x - mean) sum(dy (x - mean))/n, k = scale * inv,
 * inv = 1/sqrt(var + eps), plus dmean/n + 2 dvar (x - mean)/n for gradients that reach the mean
 * and variance outputs directly (each may be 0). sums gets [sum(dy), sum(dy (x - mean))] per
 * channel: the offset's and (times inv) the scale's gradients.
 */
EXPORT(bn_train_grad)
void bn_train_grad(const float* x, const float* dy, float* dx, int rows, int C, const float* mean, const float* var, const float* scale,
                   const float* dmean, const float* dvar, float eps, float* sums, float* scratch) {
  const struct bn_scratch b = carve(scratch, C);
  for (int c = 0; c < C; c++) b.centre[c] = 0.0f;
  moments(dy, b.centre, x, mean, rows, C, b.s1, b.s2, b.partial);
  for (int c = 0; c < C; c++) {
    const double inv = 1.0 / __builtin_sqrt((double)var[c] + eps);
    const double k = (scale ? scale[c] : 1.0) * inv;
    b.alpha[c] = (float)k;
    b.beta[c] = (float)((-k * inv * inv * b.s2[c] + (dvar ? 2.0 * dvar[c] : 0.0)) / rows);
    b.delta[c] = (float)((-k * b.s1[c] + (dmean ? dmean[c] : 0.0)) / rows);
    sums[c] = (float)b.s1[c];
    sums[C + c] = (float)b.s2[c];
  }
  affine_rows(dy, x, dx, rows, C, mean, b.alpha, b.beta, b.delta);
}
