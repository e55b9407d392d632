/*
 * Batched matrix products C[b] = A[b] B[b], A [M, K] (or stored transposed, [K, M]), B [K, N],
 * C [M, N], row-major, where either operand may be shared by every batch (a stride of 0). Attention's products are many
 * small ones (256 batches of 65x65 by 65x16 in a small ViT): one XNNPACK call per batch, with
 * copies in and out, ran at about 6 GFLOP/s, and the shipped kernel's loop at 1-2.
 *
 * A transposed A is read in place (a weight gradient's x^T dy over thousands of rows: transposing
 * it first for XNNPACK cost as much as the product).
 *
 * 4 rows by 8 columns of C accumulate over K in registers (as in the conv kernels); rows and
 * columns past the edges are computed on zeros and not stored. K is cut into chunks whose rows of
 * A and B stay in cache while every block of C sweeps them.
 */

/* Floats of A's and B's rows in one chunk of K: 256 KiB. */
#define CHUNK_FLOATS (64 * 1024)
#include "common.h"

/*
 * One 4x8 block of C at (i, j): mr (1..4) rows and nr (1..8) columns exist. A's element (i, k) is
 * a[i * si + k * sk]: si = K, sk = 1 as stored, si = 1, sk = M transposed.
 */
INLINE void block(const float* a, const float* b, float* c, int k0, int k_len, int n, int si, int sk, int i, int j, int mr, int nr) {
  v4 c00 = wasm_f32x4_splat(0.0f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  const float* a0 = a + (unsigned)i * si + (unsigned)k0 * sk;
  /* Rows past mr repeat row 0 (real memory) and are dropped. */
  const float* a1 = mr > 1 ? a0 + si : a0;
  const float* a2 = mr > 2 ? a0 + 2 * si : a0;
  const float* a3 = mr > 3 ? a0 + 3 * si : a0;
  const float* bk = b + (unsigned)k0 * n + j;
  for (int k = 0; k < k_len; k++, bk += n, a0 += sk, a1 += sk, a2 += sk, a3 += sk) {
    v4 b0, b1;
    load8_partial(bk, nr, &b0, &b1);
    MAC_ROW(c00, c01, wasm_v128_load32_splat(a0), b0, b1);
    MAC_ROW(c10, c11, wasm_v128_load32_splat(a1), b0, b1);
    MAC_ROW(c20, c21, wasm_v128_load32_splat(a2), b0, b1);
    MAC_ROW(c30, c31, wasm_v128_load32_splat(a3), b0, b1);
  }
  /* The first chunk of K writes C, the others add to it. */
  const v4 rows[4][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}};
  for (int r = 0; r < mr; r++) {
    float* o = c + (unsigned)(i + r) * n + j;
    if (k0) add8_partial(o, rows[r][0], rows[r][1], nr);
    else store8_partial(o, rows[r][0], rows[r][1], nr);
  }
}

EXPORT(batched_matmul)
void batched_matmul(const float* a, const float* b, float* c, int batch, int m, int k, int n, int a_stride, int b_stride, int transpose_a) {
  const int si = transpose_a ? 1 : k, sk = transpose_a ? m : 1;
  const int chunk = max_int(16, CHUNK_FLOATS / (m + n));
  for (int t = 0; t < batch; t++, a += a_stride, b += b_stride, c += m * n) {
    for (int k0 = 0; k0 < k || k0 == 0; k0 += chunk) {
      const int kc = min_int(chunk, k - k0);
      for (int i = 0; i < m; i += 4) {
        const int mr = min_int(4, m - i);
        for (int j = 0; j < n; j += 8) {
          const int nr = min_int(8, n - j);
          if (mr == 4 && nr == 8) block(a, b, c, k0, kc, n, si, sk, i, j, 4, 8);
          else block(a, b, c, k0, kc, n, si, sk, i, j, mr, nr);
        }
      }
    }
  }
}
