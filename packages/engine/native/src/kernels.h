// Compute kernels behind the tfjs `native` backend. All tensors are float32, NHWC, row-major,
// with the layouts tfjs uses (conv filters [fh, fw, cin, cout], depthwise [fh, fw, cin, mult]).
#pragma once
#include <cstdint>

#include "ops.h"

namespace usn {

void set_threads(int n);
int threads();
const char* blas_name();
const char* simd_name();

struct ConvParams {
  int n, h, w, cin;      // input
  int fh, fw, cout;      // filter (cout = cin * mult for depthwise)
  int oh, ow;            // output
  int sh, sw, dh, dw;    // strides, dilations
  int pt, pl;            // top/left padding
};


void conv2d(const ConvParams& p, const float* x, const float* w, const float* bias, int act, float alpha, float* y);
void conv2d_backprop_input(const ConvParams& p, const float* dy, const float* w, float* dx);
void conv2d_backprop_filter(const ConvParams& p, const float* x, const float* dy, float* dw);

void depthwise(const ConvParams& p, const float* x, const float* w, const float* bias, int act, float alpha, float* y);
void depthwise_backprop_input(const ConvParams& p, const float* dy, const float* w, float* dx);
void depthwise_backprop_filter(const ConvParams& p, const float* x, const float* dy, float* dw);

// c[i] = op(a + aoff[i]) x op(b + boff[i]) for i < batch; op(a) is m x k, op(b) is k x n.
void batch_matmul(int batch, int m, int n, int k, bool ta, bool tb, const float* a, const int64_t* aoff,
                  const float* b, const int64_t* boff, float* c);

// y[r, c] = act(y[r, c] + bias[c]) in place; bias may be null.
void bias_act(float* y, int64_t rows, int cols, const float* bias, int act, float alpha);

}  // namespace usn
