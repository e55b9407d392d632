// 3x3 stride-1 convolutions by Winograd's minimal filtering, F(4x4, 3x3) (Lavin & Gray, 2016): each
// 6x6 input tile and 3x3 filter are transformed so that a 4x4 output tile costs 36 multiply-adds
// per channel pair instead of 144, and the convolution becomes 36 independent GEMMs (one per tile
// position) that BLAS runs. The same algorithm as the wasm backend's src/wasm/simd/winograd.c;
// here the GEMMs are OpenBLAS's and the transforms are loops over channels that the compiler
// vectorises. Tiles go in blocks, one block per thread at a time, so that a block's transformed
// input and products stay in that core's cache between the three steps.
#include "winograd.h"

#include <algorithm>
#include <cstring>
#include <vector>

#if defined(USIBENCH_ACCELERATE)
#include <Accelerate/Accelerate.h>
#else
#include <cblas.h>
#endif

#include "parallel.h"

namespace usn {

namespace {

// Below this many input channels the transforms cost more than the multiply-adds they save.
constexpr int kMinChannels = 8;

struct Geometry {
  int n, h, w, c;       // input
  int k;                // output channels
  int oh, ow;           // output
  int pt, pl;           // zero rows/columns before the input
  int tiles_h, tiles_w, tiles;
  int tb;               // tiles per block
};

Geometry geometry(int n, int h, int w, int c, int k, int oh, int ow, int pt, int pl) {
  Geometry g{n, h, w, c, k, oh, ow, pt, pl, (oh + 3) / 4, (ow + 3) / 4, 0, 0};
  g.tiles = n * g.tiles_h * g.tiles_w;
  // V and M of a block take at most about 4 MiB together: each of the 36 GEMMs must be big enough
  // to be worth BLAS's packing of its filter matrix (16-tile blocks ran 15-100% slower than 64-112).
  const int most = std::max(16, (1024 * 1024) / (36 * (c + k)) / 16 * 16);
  // Then as many blocks as it takes to give every thread the same number: 256 tiles in blocks of
  // 112 made 3 blocks, two for one thread and one for the other.
  const int t = std::max(1, threads());
  int blocks = (g.tiles + most - 1) / most;
  if (t > 1) blocks = (blocks + t - 1) / t * t;
  g.tb = std::max(16, ((g.tiles + blocks - 1) / blocks + 15) / 16 * 16);
  return g;
}


// U[p] (c x k, row-major) = (G g G^T)[p] for filter w [3][3][c][k] (HWIO),
// G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1].
USN_HOT void filter_transform(const float* w, int c, int k, float* u) {
  const int64_t plane = int64_t(c) * k;
  parallel_for(c, 36.0 * k * 8, [&](int64_t c0, int64_t c1, int) {
    std::vector<float> col(3 * 6 * k);  // G applied down each filter column: col[j][i][k]
    for (int64_t ci = c0; ci < c1; ++ci) {
      for (int j = 0; j < 3; ++j) {
        const float* g0 = w + ((0 * 3 + j) * int64_t(c) + ci) * k;
        const float* g1 = w + ((1 * 3 + j) * int64_t(c) + ci) * k;
        const float* g2 = w + ((2 * 3 + j) * int64_t(c) + ci) * k;
        float* o = col.data() + j * 6 * k;
        for (int q = 0; q < k; ++q) {
          const float s02 = g0[q] + g2[q];
          const float a = g0[q] * (1.f / 24) + g2[q] * (1.f / 6), b = g1[q] * (1.f / 12);
          o[0 * k + q] = g0[q] * 0.25f;
          o[1 * k + q] = (s02 + g1[q]) * (-1.f / 6);
          o[2 * k + q] = (s02 - g1[q]) * (-1.f / 6);
          o[3 * k + q] = a + b;
          o[4 * k + q] = a - b;
          o[5 * k + q] = g2[q];
        }
      }
      for (int i = 0; i < 6; ++i) {
        const float* g0 = col.data() + (0 * 6 + i) * k;
        const float* g1 = col.data() + (1 * 6 + i) * k;
        const float* g2 = col.data() + (2 * 6 + i) * k;
        float* o[6];
        for (int j = 0; j < 6; ++j) o[j] = u + (i * 6 + j) * plane + ci * k;
        for (int q = 0; q < k; ++q) {
          const float s02 = g0[q] + g2[q];
          const float a = g0[q] * (1.f / 24) + g2[q] * (1.f / 6), b = g1[q] * (1.f / 12);
          o[0][q] = g0[q] * 0.25f;
          o[1][q] = (s02 + g1[q]) * (-1.f / 6);
          o[2][q] = (s02 - g1[q]) * (-1.f / 6);
          o[3][q] = a + b;
          o[4][q] = a - b;
          o[5][q] = g2[q];
        }
      }
    }
  });
}

// B^T d over 6 rows of c channels: B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0;
// 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]. out[r] is written at out + r * stride.
static inline __attribute__((always_inline)) void input_1d(const float* const d[6], float* out, int64_t stride, int c) {
  float* o0 = out;
  float* o1 = out + stride;
  float* o2 = out + 2 * stride;
  float* o3 = out + 3 * stride;
  float* o4 = out + 4 * stride;
  float* o5 = out + 5 * stride;
  for (int q = 0; q < c; ++q) {
    const float d0 = d[0][q], d1 = d[1][q], d2 = d[2][q], d3 = d[3][q], d4 = d[4][q], d5 = d[5][q];
    const float a = d4 - 4.f * d2, b = d3 - 4.f * d1, e = d4 - d2, f = 2.f * (d3 - d1);
    o0[q] = 4.f * d0 - 5.f * d2 + d4;
    o1[q] = a + b;
    o2[q] = a - b;
    o3[q] = e + f;
    o4[q] = e - f;
    o5[q] = 4.f * d1 - 5.f * d3 + d5;
  }
}

// V[p][r] (rows of c) = (B^T d B)[p] for the block's tiles; rows past the last tile are zero.
USN_HOT void input_block(const Geometry& g, const float* x, int t0, float* v, float* tmp, const float* zeros) {
  const int64_t vstride = int64_t(g.tb) * g.c;  // between V's tile positions
  for (int r = 0; r < g.tb; ++r) {
    const int t = t0 + r;
    if (t >= g.tiles) {
      for (int p = 0; p < 36; ++p) std::memset(v + p * vstride + int64_t(r) * g.c, 0, sizeof(float) * g.c);
      continue;
    }
    const int n = t / (g.tiles_h * g.tiles_w), rest = t % (g.tiles_h * g.tiles_w);
    const int y0 = (rest / g.tiles_w) * 4 - g.pt, x0 = (rest % g.tiles_w) * 4 - g.pl;
    // Down each column j of the tile: tmp[i][j] = (B^T d)[i][j].
    for (int j = 0; j < 6; ++j) {
      const int xx = x0 + j;
      const float* d[6];
      for (int i = 0; i < 6; ++i) {
        const int yy = y0 + i;
        d[i] = (yy >= 0 && yy < g.h && xx >= 0 && xx < g.w) ? x + ((int64_t(n) * g.h + yy) * g.w + xx) * g.c : zeros;
      }
      input_1d(d, tmp + j * g.c, 6 * int64_t(g.c), g.c);
    }
    // Along each row i: V[i*6 + k] = (B^T d B)[i][k].
    for (int i = 0; i < 6; ++i) {
      const float* d[6];
      for (int j = 0; j < 6; ++j) d[j] = tmp + (i * 6 + j) * int64_t(g.c);
      input_1d(d, v + (i * 6) * vstride + int64_t(r) * g.c, vstride, g.c);
    }
  }
}

// A^T m over 6 rows of k channels: A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1].
static inline __attribute__((always_inline)) void output_1d(const float* const m[6], float* const out[4], int k) {
  for (int q = 0; q < k; ++q) {
    const float s12 = m[1][q] + m[2][q], d12 = m[1][q] - m[2][q];
    const float s34 = m[3][q] + m[4][q], d34 = m[3][q] - m[4][q];
    out[0][q] = m[0][q] + s12 + s34;
    out[1][q] = d12 + 2.f * d34;
    out[2][q] = s12 + 4.f * s34;
    out[3][q] = d12 + 8.f * d34 + m[5][q];
  }
}

// y[tile] = A^T M A for the block's tiles, clipped to the output's edges.
USN_HOT void output_block(const Geometry& g, const float* m, int t0, float* y, float* tmp, float* spill) {
  const int64_t mstride = int64_t(g.tb) * g.k;
  for (int r = 0; r < g.tb && t0 + r < g.tiles; ++r) {
    const int t = t0 + r;
    const int n = t / (g.tiles_h * g.tiles_w), rest = t % (g.tiles_h * g.tiles_w);
    const int y0 = (rest / g.tiles_w) * 4, x0 = (rest % g.tiles_w) * 4;
    // Down each column j: tmp[i][j] = (A^T M)[i][j].
    for (int j = 0; j < 6; ++j) {
      const float* mm[6];
      for (int i = 0; i < 6; ++i) mm[i] = m + (i * 6 + j) * mstride + int64_t(r) * g.k;
      float* out[4];
      for (int i = 0; i < 4; ++i) out[i] = tmp + (i * 6 + j) * int64_t(g.k);
      output_1d(mm, out, g.k);
    }
    // Along each row i: the 4 outputs, straight into y where they exist (else into a spill row).
    for (int i = 0; i < 4; ++i) {
      const float* mm[6];
      for (int j = 0; j < 6; ++j) mm[j] = tmp + (i * 6 + j) * int64_t(g.k);
      float* out[4];
      for (int j = 0; j < 4; ++j) {
        const bool inside = y0 + i < g.oh && x0 + j < g.ow;
        out[j] = inside ? y + ((int64_t(n) * g.oh + y0 + i) * g.ow + x0 + j) * g.k : spill + j * int64_t(g.k);
      }
      output_1d(mm, out, g.k);
    }
  }
}

void run(const Geometry& g, const float* x, const float* u, float* y) {
  const int blocks = (g.tiles + g.tb - 1) / g.tb;
  const double flops_per_block = 36.0 * 2.0 * g.tb * g.c * g.k;
  parallel_for(blocks, flops_per_block, [&](int64_t b0, int64_t b1, int) {
    const size_t vsize = size_t(36) * g.tb * g.c, msize = size_t(36) * g.tb * g.k;
    float* v = thread_scratch(vsize + msize + 36 * size_t(std::max(g.c, g.k)) + 4 * size_t(g.k) + g.c);
    float* m = v + vsize;
    float* tmp = m + msize;
    float* spill = tmp + 36 * size_t(std::max(g.c, g.k));
    float* zeros = spill + 4 * size_t(g.k);
    std::memset(zeros, 0, sizeof(float) * g.c);
    for (int64_t b = b0; b < b1; ++b) {
      const int t0 = static_cast<int>(b) * g.tb;
      input_block(g, x, t0, v, tmp, zeros);
      for (int p = 0; p < 36; ++p)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, g.tb, g.k, g.c, 1.f, v + p * int64_t(g.tb) * g.c, g.c,
                    u + p * int64_t(g.c) * g.k, g.k, 0.f, m + p * int64_t(g.tb) * g.k, g.k);
      output_block(g, m, t0, y, tmp, spill);
    }
  });
}

// The transformed filter, held by the calling thread while it also runs blocks of run() (slot 0).
float* filter_scratch(size_t count) { return thread_scratch<1>(count); }

}  // namespace

bool winograd_applies(const ConvParams& p) {
  // Padding of at most 2 (all a 3x3 conv uses) keeps the input gradient's padding, 2 - pad, valid.
  return p.fh == 3 && p.fw == 3 && p.sh == 1 && p.sw == 1 && p.dh == 1 && p.dw == 1 && p.cin >= kMinChannels &&
         p.cout >= kMinChannels && p.n > 0 && p.oh > 0 && p.ow > 0 && p.pt <= 2 && p.pl <= 2;
}

void winograd_conv2d(const ConvParams& p, const float* x, const float* w, float* y) {
  float* u = filter_scratch(size_t(36) * p.cin * p.cout);
  filter_transform(w, p.cin, p.cout, u);
  run(geometry(p.n, p.h, p.w, p.cin, p.cout, p.oh, p.ow, p.pt, p.pl), x, u, y);
}

void winograd_conv2d_backprop_input(const ConvParams& p, const float* dy, const float* w, float* dx) {
  // dx is the correlation of dy, padded by 2 - pt above and 2 - pl left, with the filter turned
  // half a circle and its channel axes swapped: w'[i][j][k][c] = w[2-i][2-j][c][k].
  const int c = p.cin, k = p.cout;
  float* u = filter_scratch(size_t(36) * c * k + size_t(9) * c * k);
  float* turned = u + size_t(36) * c * k;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      const float* src = w + ((2 - i) * 3 + (2 - j)) * int64_t(c) * k;
      float* dst = turned + (i * 3 + j) * int64_t(k) * c;
      for (int a = 0; a < c; ++a)
        for (int b = 0; b < k; ++b) dst[int64_t(b) * c + a] = src[int64_t(a) * k + b];
    }
  filter_transform(turned, k, c, u);
  run(geometry(p.n, p.oh, p.ow, k, c, p.h, p.w, 2 - p.pt, 2 - p.pl), dy, u, dx);
}

}  // namespace usn
