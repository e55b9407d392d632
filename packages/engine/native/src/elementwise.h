#pragma once
#include <cstdint>
#include <vector>

#include "ops.h"

namespace usn {

// Adjacent dims that every operand walks contiguously (or broadcasts over together) merged, so a
// [64, 32, 32, 16] + [16] add becomes a [65536, 16] loop with strides {16, 1} and {0, 1}.
struct Walk {
  std::vector<int64_t> dims;
  std::vector<std::vector<int64_t>> strides;  // per operand, per dim
};
Walk collapse(const std::vector<int64_t>& dims, const std::vector<std::vector<int64_t>>& strides);
// Row-major strides of a contiguous tensor.
std::vector<int64_t> contiguous_strides(const std::vector<int64_t>& shape);

// out (contiguous, out_shape) = a op b; a_strides/b_strides are per output dim, 0 where broadcast.
bool binary(int op, const std::vector<int64_t>& out_shape, const float* a, const std::vector<int64_t>& a_strides,
            const float* b, const std::vector<int64_t>& b_strides, float* out);
bool unary(int op, const float* x, float* y, int64_t n, float alpha, float beta);
bool reduce(int op, const std::vector<int64_t>& shape, const std::vector<bool>& reduced, const float* x, float* out);
// out = x with its dims permuted (out dim d is x dim perm[d]).
void transpose(const std::vector<int64_t>& shape, const std::vector<int64_t>& perm, const float* x, float* out);
// Softmax over contiguous rows of `cols` values: exp(x - max) / sum(exp(x - max)).
void softmax(const float* x, float* y, int64_t rows, int64_t cols);
// dst[dst_off + r * dst_stride + j] = src[src_off + r * src_stride + j] for r < rows, j < len: one
// piece of a split or a concat along any axis.
void copy_rows(const float* src, int64_t src_off, int64_t src_stride, float* dst, int64_t dst_off, int64_t dst_stride,
               int64_t rows, int64_t len);
void tile(const std::vector<int64_t>& shape, const std::vector<int64_t>& reps, const float* x, float* out);
void batch_norm(const float* x, float* y, int64_t n, int64_t C, const float* mean, int64_t mean_n, const float* var,
                int64_t var_n, const float* offset, int64_t offset_n, const float* scale, int64_t scale_n, float eps);

// The gradient of batch_norm over the last axis with mean and variance as inputs; sums gets
// [sum(dy), sum(dy * (x - mean))] per channel (2C values).
void batch_norm_grad(const float* x, const float* dy, float* dx, int64_t n, int64_t C, const float* mean, int64_t mean_n,
                     const float* var, int64_t var_n, const float* scale, int64_t scale_n, float eps, double* sums);
// Training-mode batch norm over the last axis (statistics of this batch): writes y, mean and the
// biased variance (C values each). scale/offset may be null (1 and 0).
void batch_norm_train(const float* x, float* y, int64_t n, int64_t C, const float* scale, const float* offset, float eps,
                      float* mean, float* var);
// Its gradient: dx through the batch statistics, plus dmean/dvar where given (may be null); sums
// gets [sum(dy), sum(dy * (x - mean))] per channel (2C values).
void batch_norm_train_grad(const float* x, const float* dy, float* dx, int64_t n, int64_t C, const float* mean,
                           const float* var, const float* scale, const float* dmean, const float* dvar, float eps,
                           double* sums);

}  // namespace usn
