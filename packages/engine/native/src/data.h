// Data-movement, comparison and image kernels: what augmentation, losses and indexing run besides
// the arithmetic in elementwise.h. Each matches the tfjs cpu kernel of the same name element for
// element (the image ones compute coordinates in double, as the JS reference does).
#pragma once
#include <cstdint>
#include <vector>

#include "ops.h"

namespace usn {

// dst[dst_off + sum_d i_d * dst_strides[d]] = src[src_off + sum_d i_d * src_strides[d]] over every
// index of `shape`; strides may be negative (a reversed axis). Slice, Reverse and Pad are this copy.
void strided_copy(const uint32_t* src, int64_t src_off, const std::vector<int64_t>& src_strides, uint32_t* dst,
                  int64_t dst_off, const std::vector<int64_t>& dst_strides, const std::vector<int64_t>& shape);
void strided_copy(const uint8_t* src, int64_t src_off, const std::vector<int64_t>& src_strides, uint8_t* dst,
                  int64_t dst_off, const std::vector<int64_t>& dst_strides, const std::vector<int64_t>& shape);

// out[0] = start, out[i] = out[i - 1] + delta in the output's type (tfjs's Range accumulates so).
template <class T>
void fill_range(T* out, int64_t n, double start, double delta);

enum DType { DT_F32 = 0, DT_I32 = 1, DT_BOOL = 2 };
// Casts as tfjs does: float -> int truncates (NaN and infinities to 0), anything -> bool is x != 0.
void cast(const void* src, int src_type, void* dst, int dst_type, int64_t n);

// out (bool, contiguous out_shape) = a op b with broadcasting strides, as binary() in elementwise.h.
template <class T>
bool compare(int op, const std::vector<int64_t>& out_shape, const T* a, const std::vector<int64_t>& a_strides,
             const T* b, const std::vector<int64_t>& b_strides, uint8_t* out);

// out[i] = cond[i / inner] ? a[i] : b[i] for i < n.
void select(const uint8_t* cond, int64_t inner, const uint32_t* a, const uint32_t* b, uint32_t* out, int64_t n);

// out[o, j, :] = x[o, idx[j], :] for x [outer, axis, inner]; false (nothing written) when an index
// is outside [0, axis).
bool gather(const uint32_t* x, int64_t outer, int64_t axis, int64_t inner, const int32_t* idx, int64_t n_idx,
            uint32_t* out);

// out[i, d] = idx[i] == d ? on : off (32-bit words, so float32 and int32 outputs alike).
void one_hot(const int32_t* idx, int64_t n, int64_t depth, uint32_t on, uint32_t off, uint32_t* out);

// Running sums along the middle axis of [outer, len, inner], accumulated in float like tfjs.
void cumsum(const float* x, float* out, int64_t outer, int64_t len, int64_t inner, bool exclusive, bool reverse);

// out [segments, inner] = sum of the rows of x [rows, inner] with that segment id; rows whose id is
// outside [0, segments) are dropped.
void segment_sum(const float* x, const int32_t* ids, int64_t rows, int64_t inner, int64_t segments, float* out);

// tf.image.cropAndResize, NHWC; dims = {batch, h, w, c, boxes, crop_h, crop_w}.
void crop_and_resize(const float* image, const float* boxes, const int32_t* box_ind, float* out, const int64_t* dims,
                     bool nearest, float extrapolation);

// tf.image.transform, NHWC; dims = {batch, h, w, c, out_h, out_w}; one 8-value projective row per
// image, or one for all (per_image false); fill_mode 0 constant, 1 reflect, 2 wrap, 3 nearest.
void transform(const float* image, const float* transforms, bool per_image, float* out, const int64_t* dims,
               bool nearest, int fill_mode, float fill_value);

}  // namespace usn
