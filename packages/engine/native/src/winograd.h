// 3x3 stride-1 convolutions (forward and input gradient) by Winograd F(4x4, 3x3); see winograd.cc.
#pragma once
#include "kernels.h"

namespace usn {

// Whether winograd_conv2d / winograd_conv2d_backprop_input compute this convolution.
bool winograd_applies(const ConvParams& p);
// y = conv(x, w) without bias or activation.
void winograd_conv2d(const ConvParams& p, const float* x, const float* w, float* y);
// dx = the gradient of conv(x, w) with respect to x, given dy.
void winograd_conv2d_backprop_input(const ConvParams& p, const float* dy, const float* w, float* dx);

}  // namespace usn
