// Node-API glue: every function takes tfjs's own Float32Array storage and writes into an output
// Float32Array the caller allocated, so no tensor data is copied between JS and C++.
#include <node_api.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <tuple>
#include <string>
#include <vector>

#include "data.h"
#include "ops.h"
#include "elementwise.h"
#include "kernels.h"


namespace {

struct Ctx {
  napi_env env;
  bool failed = false;
  void fail(const std::string& msg) {
    if (!failed) napi_throw_error(env, "USIBENCH_NATIVE", msg.c_str());
    failed = true;
  }
};

struct F32 {
  float* data = nullptr;
  size_t length = 0;
};

F32 get_f32(Ctx& c, napi_value v, const char* what, bool nullable = false) {
  F32 out;
  if (c.failed) return out;
  napi_valuetype t;
  napi_typeof(c.env, v, &t);
  if (nullable && (t == napi_null || t == napi_undefined)) return out;
  bool is_ta = false;
  napi_is_typedarray(c.env, v, &is_ta);
  if (!is_ta) {
    c.fail(std::string(what) + " must be a Float32Array");
    return out;
  }
  napi_typedarray_type type;
  void* data;
  napi_value ab;
  size_t off;
  napi_get_typedarray_info(c.env, v, &type, &out.length, &data, &ab, &off);
  if (type != napi_float32_array) {
    c.fail(std::string(what) + " must be a Float32Array");
    out.length = 0;
    return out;
  }
  out.data = static_cast<float*>(data);
  return out;
}

template <class T>
std::vector<T> get_ints(Ctx& c, napi_value v, const char* what) {
  std::vector<T> out;
  if (c.failed) return out;
  bool is_arr = false;
  napi_is_array(c.env, v, &is_arr);
  if (!is_arr) {
    c.fail(std::string(what) + " must be an array of integers");
    return out;
  }
  uint32_t n;
  napi_get_array_length(c.env, v, &n);
  out.resize(n);
  for (uint32_t i = 0; i < n; ++i) {
    napi_value e;
    napi_get_element(c.env, v, i, &e);
    int64_t x = 0;
    if (napi_get_value_int64(c.env, e, &x) != napi_ok) {
      c.fail(std::string(what) + " must be an array of integers");
      return out;
    }
    out[i] = static_cast<T>(x);
  }
  return out;
}

double get_num(Ctx& c, napi_value v, const char* what) {
  double d = 0;
  if (!c.failed && napi_get_value_double(c.env, v, &d) != napi_ok) c.fail(std::string(what) + " must be a number");
  return d;
}

std::vector<napi_value> args(napi_env env, napi_callback_info info, size_t n) {
  std::vector<napi_value> a(n);
  size_t got = n;
  napi_get_cb_info(env, info, &got, a.data(), nullptr, nullptr);
  napi_value undef;
  napi_get_undefined(env, &undef);
  for (size_t i = got; i < n; ++i) a[i] = undef;
  return a;
}

bool conv_params(Ctx& c, napi_value v, usn::ConvParams& p) {
  auto q = get_ints<int>(c, v, "params");
  if (c.failed) return false;
  if (q.size() != 15) {
    c.fail("params must hold 15 integers");
    return false;
  }
  p = {q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7], q[8], q[9], q[10], q[11], q[12], q[13], q[14]};
  for (int i = 0; i < 13; ++i)
    if (q[i] <= 0) {
      c.fail("params: sizes, strides and dilations must be positive");
      return false;
    }
  return true;
}

bool need(Ctx& c, const F32& t, int64_t n, const char* what) {
  if (c.failed) return false;
  if (static_cast<int64_t>(t.length) < n) {
    c.fail(std::string(what) + " is too short: " + std::to_string(t.length) + " < " + std::to_string(n));
    return false;
  }
  return true;
}

int64_t in_size(const usn::ConvParams& p) { return int64_t(p.n) * p.h * p.w * p.cin; }
int64_t out_size(const usn::ConvParams& p) { return int64_t(p.n) * p.oh * p.ow * p.cout; }
int64_t filt_size(const usn::ConvParams& p, bool depthwise) {
  return int64_t(p.fh) * p.fw * (depthwise ? p.cout : int64_t(p.cin) * p.cout);
}

napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

// conv2d(x, w, bias|null, y, params, act, alpha) and depthwise(...) share a signature.
template <bool Depthwise>
napi_value ConvForward(napi_env env, napi_callback_info info) {
  Ctx c{env};
  auto a = args(env, info, 7);
  usn::ConvParams p;
  if (!conv_params(c, a[4], p)) return nullptr;
  if (Depthwise && p.cout % p.cin) c.fail("depthwise: cout must be a multiple of cin");
  F32 x = get_f32(c, a[0], "x"), w = get_f32(c, a[1], "filter"), bias = get_f32(c, a[2], "bias", true), y = get_f32(c, a[3], "y");
  int act = static_cast<int>(get_num(c, a[5], "act"));
  float alpha = static_cast<float>(get_num(c, a[6], "alpha"));
  if (!need(c, x, in_size(p), "x") || !need(c, w, filt_size(p, Depthwise), "filter") || !need(c, y, out_size(p), "y")) return nullptr;
  if (bias.data && !need(c, bias, p.cout, "bias")) return nullptr;
  if (Depthwise)
    usn::depthwise(p, x.data, w.data, bias.data, act, alpha, y.data);
  else
    usn::conv2d(p, x.data, w.data, bias.data, act, alpha, y.data);
  return undefined(env);
}

// backpropInput(dy, w, dx, params)
template <bool Depthwise>
napi_value ConvBackpropInput(napi_env env, napi_callback_info info) {
  Ctx c{env};
  auto a = args(env, info, 4);
  usn::ConvParams p;
  if (!conv_params(c, a[3], p)) return nullptr;
  if (Depthwise && p.cout % p.cin) c.fail("depthwise: cout must be a multiple of cin");
  F32 dy = get_f32(c, a[0], "dy"), w = get_f32(c, a[1], "filter"), dx = get_f32(c, a[2], "dx");
  if (!need(c, dy, out_size(p), "dy") || !need(c, w, filt_size(p, Depthwise), "filter") || !need(c, dx, in_size(p), "dx")) return nullptr;
  if (Depthwise)
    usn::depthwise_backprop_input(p, dy.data, w.data, dx.data);
  else
    usn::conv2d_backprop_input(p, dy.data, w.data, dx.data);
  return undefined(env);
}

// backpropFilter(x, dy, dw, params)
template <bool Depthwise>
napi_value ConvBackpropFilter(napi_env env, napi_callback_info info) {
  Ctx c{env};
  auto a = args(env, info, 4);
  usn::ConvParams p;
  if (!conv_params(c, a[3], p)) return nullptr;
  if (Depthwise && p.cout % p.cin) c.fail("depthwise: cout must be a multiple of cin");
  F32 x = get_f32(c, a[0], "x"), dy = get_f32(c, a[1], "dy"), dw = get_f32(c, a[2], "dw");
  if (!need(c, x, in_size(p), "x") || !need(c, dy, out_size(p), "dy") || !need(c, dw, filt_size(p, Depthwise), "dw")) return nullptr;
  if (Depthwise)
    usn::depthwise_backprop_filter(p, x.data, dy.data, dw.data);
  else
    usn::conv2d_backprop_filter(p, x.data, dy.data, dw.data);
  return undefined(env);
}

// batchMatMul(a, b, c, [batch, m, n, k, transA, transB], aOffsets, bOffsets)
napi_value BatchMatMul(napi_env env, napi_callback_info info) {
  Ctx c{env};
  auto a = args(env, info, 6);
  F32 A = get_f32(c, a[0], "a"), B = get_f32(c, a[1], "b"), C = get_f32(c, a[2], "c");
  auto d = get_ints<int64_t>(c, a[3], "dims");
  auto aoff = get_ints<int64_t>(c, a[4], "aOffsets");
  auto boff = get_ints<int64_t>(c, a[5], "bOffsets");
  if (c.failed) return nullptr;
  if (d.size() != 6 || d[0] < 0 || d[1] <= 0 || d[2] <= 0 || d[3] < 0) {
    c.fail("dims must be [batch, m, n, k, transA, transB]");
    return nullptr;
  }
  const int batch = int(d[0]), m = int(d[1]), n = int(d[2]), k = int(d[3]);
  if (int64_t(aoff.size()) != batch || int64_t(boff.size()) != batch) {
    c.fail("one a and one b offset per batch entry");
    return nullptr;
  }
  for (int i = 0; i < batch; ++i)
    if (aoff[i] < 0 || aoff[i] + int64_t(m) * k > int64_t(A.length) || boff[i] < 0 || boff[i] + int64_t(k) * n > int64_t(B.length)) {
      c.fail("a or b offset out of range");
      return nullptr;
    }
  if (!need(c, C, int64_t(batch) * m * n, "c")) return nullptr;
  if (k == 0) {
    std::memset(C.data, 0, sizeof(float) * size_t(batch) * m * n);
  } else {
    usn::batch_matmul(batch, m, n, k, d[4] != 0, d[5] != 0, A.data, aoff.data(), B.data, boff.data(), C.data);
  }
  return undefined(env);
}

// biasAct(y, cols, bias|null, act, alpha)
napi_value BiasAct(napi_env env, napi_callback_info info) {
  Ctx c{env};
  auto a = args(env, info, 5);
  F32 y = get_f32(c, a[0], "y"), bias = get_f32(c, a[2], "bias", true);
  int cols = static_cast<int>(get_num(c, a[1], "cols"));
  int act = static_cast<int>(get_num(c, a[3], "act"));
  float alpha = static_cast<float>(get_num(c, a[4], "alpha"));
  if (c.failed) return nullptr;
  if (cols <= 0 || y.length % cols) {
    c.fail("y's length must be a multiple of cols");
    return nullptr;
  }
  if (bias.data && !need(c, bias, cols, "bias")) return nullptr;
  usn::bias_act(y.data, int64_t(y.length / cols), cols, bias.data, act, alpha);
  return undefined(env);
}

napi_value boolean(napi_env env, bool v) {
  napi_value b;
  napi_get_boolean(env, v, &b);
  return b;
}

int64_t product(const std::vector<int64_t>& s) {
  int64_t p = 1;
  for (auto d : s) {
    if (d < 0) return -1;
    p *= d;
  }
  return p;
}

// binary(op, a, aStrides, b, bStrides, out, outShape): strides per output dim, 0 where broadcast.
napi_value Binary(napi_env env, napi_callback_info info) {
  Ctx c{env};
  auto a = args(env, info, 7);
  int op = static_cast<int>(get_num(c, a[0], "op"));
  F32 A = get_f32(c, a[1], "a"), B = get_f32(c, a[3], "b"), O = get_f32(c, a[5], "out");
  auto as = get_ints<int64_t>(c, a[2], "aStrides"), bs = get_ints<int64_t>(c, a[4], "bStrides"), shape = get_ints<int64_t>(c, a[6], "outShape");
  if (c.failed) return nullptr;
  if (as.size() != shape.size() || bs.size() != shape.size()) {
    c.fail("one stride per output dim");
    return nullptr;
  }
  const int64_t n = product(shape);
  if (n <= 0 || !need(c, O, n, "out")) return c.failed ? nullptr : boolean(env, false);
  int64_t amax = 0, bmax = 0;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (as[d] < 0 || bs[d] < 0) {
      c.fail("negative stride");
      return nullptr;
    }
    amax += as[d] * (shape[d] - 1);
    bmax += bs[d] * (shape[d] - 1);
  }
  if (amax >= int64_t(A.length) || bmax >= int64_t(B.length)) {
    c.fail("strides reach past a or b");
    return nullptr;
  }
  return boolean(env, usn::binary(op, shape, A.data, as, B.data, bs, O.data));
}

// unary(op, x, y, alpha, beta?)
napi_value Unary(napi_env env, napi_callback_info info) {
  Ctx c{env};
  auto a = args(env, info, 5);
  int op = static_cast<int>(get_num(c, a[0], "op"));
  F32 x = get_f32(c, a[1], "x"), y = get_f32(c, a[2], "y");
  float alpha = static_cast<float>(get_num(c, a[3], "alpha"));
  napi_valuetype bt;
  napi_typeof(env, a[4], &bt);
  float beta = bt == napi_undefined ? 0.f : static_cast<float>(get_num(c, a[4], "beta"));
  if (c.failed || !need(c, y, int64_t(x.length), "y")) return nullptr;
  return boolean(env, usn::unary(op, x.data, y.data, int64_t(x.length), alpha, beta));
}

// reduce(op, x, shape, reducedAxes, out): false when the layout is not one it handles.
napi_value Reduce(napi_env env, napi_callback_info info) {
  Ctx c{env};
  auto a = args(env, info, 5);
  int op = static_cast<int>(get_num(c, a[0], "op"));
  F32 x = get_f32(c, a[1], "x"), out = get_f32(c, a[4], "out");
  auto shape = get_ints<int64_t>(c, a[2], "shape"), axes = get_ints<int64_t>(c, a[3], "axes");
  if (c.failed) return nullptr;
  const int64_t n = product(shape);
  if (n <= 0 || !need(c, x, n, "x")) return c.failed ? nullptr : boolean(env, false);
  std::vector<bool> red(shape.size(), false);
  int64_t keep = 1;
  for (auto ax : axes) {
    if (ax < 0 || ax >= int64_t(shape.size())) {
      c.fail("axis out of range");
      return nullptr;
    }
    red[ax] = true;
  }
  for (size_t d = 0; d < shape.size(); ++d)
    if (!red[d]) keep *= shape[d];
  if (!need(c, out, keep, "out")) return nullptr;
  return boolean(env, usn::reduce(op, shape, red, x.data, out.data));
}

// tile(x, shape, reps, out)
napi_value Tile(napi_env env, napi_callback_info info) {
  Ctx c{env};
  auto a = args(env, info, 4);
  F32 x = get_f32(c, a[0], "x"), out = get_f32(c, a[3], "out");
  auto shape = get_ints<int64_t>(c, a[1], "shape"), reps = get_ints<int64_t>(c, a[2], "reps");
  if (c.failed) return nullptr;
  if (shape.empty() || reps.size() != shape.size()) {
    c.fail("one rep per dim");
    return nullptr;
  }
  std::vector<int64_t> oshape(shape.size());
  for (size_t d = 0; d < shape.size(); ++d) oshape[d] = shape[d] * reps[d];
  const int64_t n = product(shape), on = product(oshape);
  if (n <= 0 || on <= 0) return boolean(env, false);
  if (!need(c, x, n, "x") || !need(c, out, on, "out")) return nullptr;
  usn::tile(shape, reps, x.data, out.data);
  return boolean(env, true);
}

// transpose(x, shape, perm, out)
napi_value Transpose(napi_env env, napi_callback_info info) {
  Ctx c{env};
  auto a = args(env, info, 4);
  F32 x = get_f32(c, a[0], "x"), out = get_f32(c, a[3], "out");
  auto shape = get_ints<int64_t>(c, a[1], "shape"), perm = get_ints<int64_t>(c, a[2], "perm");
  if (c.failed) return nullptr;
  std::vector<bool> seen(shape.size(), false);
  bool ok = !shape.empty() && perm.size() == shape.size();
  for (size_t d = 0; ok && d < perm.size(); ++d) {
    ok = perm[d] >= 0 && perm[d] < int64_t(shape.size()) && !seen[perm[d]];
    if (ok) seen[perm[d]] = true;
  }
  if (!ok) {
    c.fail("perm must be a permutation of the dims");
    return nullptr;
  }
  const int64_t n = product(shape);
  if (n <= 0) return boolean(env, false);
  if (!need(c, x, n, "x") || !need(c, out, n, "out")) return nullptr;
  usn::transpose(shape, perm, x.data, out.data);
  return boolean(env, true);
}

// softmax(x, cols, out): over contiguous rows of cols values.
napi_value Softmax(napi_env env, napi_callback_info info) {
  Ctx c{env};
  auto a = args(env, info, 3);
  F32 x = get_f32(c, a[0], "x"), out = get_f32(c, a[2], "out");
  const int64_t cols = static_cast<int64_t>(get_num(c, a[1], "cols"));
  if (c.failed) return nullptr;
  if (cols <= 0 || x.length == 0 || x.length % cols) {
    c.fail("softmax: x's length must be a positive multiple of cols");
    return nullptr;
  }
  if (!need(c, out, int64_t(x.length), "out")) return nullptr;
  usn::softmax(x.data, out.data, int64_t(x.length) / cols, cols);
  return undefined(env);
}

// copyRows(src, dst, [srcOffset, srcStride, dstOffset, dstStride, rows, len])
napi_value CopyRows(napi_env env, napi_callback_info info) {
  Ctx c{env};
  auto a = args(env, info, 3);
  F32 src = get_f32(c, a[0], "src"), dst = get_f32(c, a[1], "dst");
  auto d = get_ints<int64_t>(c, a[2], "dims");
  if (c.failed) return nullptr;
  if (d.size() != 6 || d[0] < 0 || d[1] < 0 || d[2] < 0 || d[3] < 0 || d[4] < 0 || d[5] < 0) {
    c.fail("dims must be [srcOffset, srcStride, dstOffset, dstStride, rows, len], all >= 0");
    return nullptr;
  }
  if (d[4] == 0 || d[5] == 0) return undefined(env);
  if (d[0] + (d[4] - 1) * d[1] + d[5] > int64_t(src.length) || d[2] + (d[4] - 1) * d[3] + d[5] > int64_t(dst.length)) {
    c.fail("copyRows: rows reach past src or dst");
    return nullptr;
  }
  usn::copy_rows(src.data, d[0], d[1], dst.data, d[2], d[3], d[4], d[5]);
  return undefined(env);
}

// batchNorm(x, y, channels, mean, variance, offset|null, scale|null, eps)
napi_value BatchNorm(napi_env env, napi_callback_info info) {
  Ctx c{env};
  auto a = args(env, info, 8);
  F32 x = get_f32(c, a[0], "x"), y = get_f32(c, a[1], "y");
  int64_t C = static_cast<int64_t>(get_num(c, a[2], "channels"));
  F32 mean = get_f32(c, a[3], "mean"), var = get_f32(c, a[4], "variance"), off = get_f32(c, a[5], "offset", true),
      scale = get_f32(c, a[6], "scale", true);
  float eps = static_cast<float>(get_num(c, a[7], "eps"));
  if (c.failed) return nullptr;
  auto ok = [&](const F32& t) { return !t.data || t.length == 1 || int64_t(t.length) == C; };
  if (C <= 0 || x.length % C || !ok(mean) || !ok(var) || !ok(off) || !ok(scale) || !mean.data || !var.data) {
    c.fail("batchNorm: per-channel tensors must have 1 or C values and x a multiple of C");
    return nullptr;
  }
  if (!need(c, y, int64_t(x.length), "y")) return nullptr;
  usn::batch_norm(x.data, y.data, int64_t(x.length), C, mean.data, int64_t(mean.length), var.data, int64_t(var.length), off.data,
                  int64_t(off.length), scale.data, int64_t(scale.length), eps);
  return undefined(env);
}

// The batch-norm gradients sum per channel in double; JS gets the 2C sums as floats.
template <class F>
void channel_sums_into(F32& sums, int64_t C, F&& compute) {
  std::vector<double> s(2 * C);
  compute(s.data());
  for (int64_t i = 0; i < 2 * C; ++i) sums.data[i] = static_cast<float>(s[i]);
}

// batchNormGrad(x, dy, dx, channels, mean, variance, scale|null, eps, sums): sums gets
// [sum(dy) per channel, sum(dy * (x - mean)) per channel] (2C values).
napi_value BatchNormGrad(napi_env env, napi_callback_info info) {
  Ctx c{env};
  auto a = args(env, info, 9);
  F32 x = get_f32(c, a[0], "x"), dy = get_f32(c, a[1], "dy"), dx = get_f32(c, a[2], "dx");
  int64_t C = static_cast<int64_t>(get_num(c, a[3], "channels"));
  F32 mean = get_f32(c, a[4], "mean"), var = get_f32(c, a[5], "variance"), scale = get_f32(c, a[6], "scale", true);
  float eps = static_cast<float>(get_num(c, a[7], "eps"));
  F32 sums = get_f32(c, a[8], "sums");
  if (c.failed) return nullptr;
  auto ok = [&](const F32& t) { return !t.data || t.length == 1 || int64_t(t.length) == C; };
  if (C <= 0 || x.length % C || !ok(mean) || !ok(var) || !ok(scale) || !mean.data || !var.data) {
    c.fail("batchNormGrad: per-channel tensors must have 1 or C values and x a multiple of C");
    return nullptr;
  }
  if (!need(c, dy, int64_t(x.length), "dy") || !need(c, dx, int64_t(x.length), "dx") || !need(c, sums, 2 * C, "sums")) return nullptr;
  channel_sums_into(sums, C, [&](double* s) {
    usn::batch_norm_grad(x.data, dy.data, dx.data, int64_t(x.length), C, mean.data, int64_t(mean.length), var.data,
                         int64_t(var.length), scale.data, int64_t(scale.length), eps, s);
  });
  return undefined(env);
}

// x holds whole rows of C channels; each per-channel array named in `arrays` holds at least C
// values, the optional ones (nullable) only where given.
bool channel_rows(Ctx& c, const char* fn, const F32& x, int64_t C, std::initializer_list<std::tuple<const F32*, const char*, bool>> arrays) {
  if (c.failed) return false;
  if (C <= 0 || x.length == 0 || x.length % C) {
    c.fail(std::string(fn) + ": x must be a non-empty multiple of channels");
    return false;
  }
  for (const auto& [t, what, optional] : arrays)
    if ((!optional || t->data) && !need(c, *t, C, what)) return false;
  return true;
}

// batchNormTrain(x, y, channels, scale|null, offset|null, eps, mean, variance): mean and variance
// get the batch's per-channel statistics.
napi_value BatchNormTrain(napi_env env, napi_callback_info info) {
  Ctx c{env};
  auto a = args(env, info, 8);
  F32 x = get_f32(c, a[0], "x"), y = get_f32(c, a[1], "y");
  int64_t C = static_cast<int64_t>(get_num(c, a[2], "channels"));
  F32 scale = get_f32(c, a[3], "scale", true), off = get_f32(c, a[4], "offset", true);
  float eps = static_cast<float>(get_num(c, a[5], "eps"));
  F32 mean = get_f32(c, a[6], "mean"), var = get_f32(c, a[7], "variance");
  if (!channel_rows(c, "batchNormTrain", x, C, {{&mean, "mean", false}, {&var, "variance", false}, {&scale, "scale", true}, {&off, "offset", true}}) ||
      !need(c, y, int64_t(x.length), "y"))
    return nullptr;
  usn::batch_norm_train(x.data, y.data, int64_t(x.length), C, scale.data, off.data, eps, mean.data, var.data);
  return undefined(env);
}

// batchNormTrainGrad(x, dy, dx, channels, mean, variance, scale|null, dmean|null, dvariance|null, eps, sums)
napi_value BatchNormTrainGrad(napi_env env, napi_callback_info info) {
  Ctx c{env};
  auto a = args(env, info, 11);
  F32 x = get_f32(c, a[0], "x"), dy = get_f32(c, a[1], "dy"), dx = get_f32(c, a[2], "dx");
  int64_t C = static_cast<int64_t>(get_num(c, a[3], "channels"));
  F32 mean = get_f32(c, a[4], "mean"), var = get_f32(c, a[5], "variance"), scale = get_f32(c, a[6], "scale", true),
      dmean = get_f32(c, a[7], "dmean", true), dvar = get_f32(c, a[8], "dvariance", true);
  float eps = static_cast<float>(get_num(c, a[9], "eps"));
  F32 sums = get_f32(c, a[10], "sums");
  if (!channel_rows(c, "batchNormTrainGrad", x, C, {{&mean, "mean", false}, {&var, "variance", false}, {&scale, "scale", true},
                                                         {&dmean, "dmean", true}, {&dvar, "dvariance", true}}) ||
      !need(c, dy, int64_t(x.length), "dy") || !need(c, dx, int64_t(x.length), "dx") || !need(c, sums, 2 * C, "sums"))
    return nullptr;
  channel_sums_into(sums, C, [&](double* s) {
    usn::batch_norm_train_grad(x.data, dy.data, dx.data, int64_t(x.length), C, mean.data, var.data, scale.data, dmean.data,
                               dvar.data, eps, s);
  });
  return undefined(env);
}

// ---- data.h kernels: typed arrays of tfjs's three dtypes (float32, int32, bool as Uint8Array) ----

struct TA {
  void* data = nullptr;
  int64_t length = 0;
  int dtype = -1;  // usn::DType
  int width = 0;   // bytes per element
};

TA get_ta(Ctx& c, napi_value v, const char* what) {
  TA out;
  if (c.failed) return out;
  bool is_ta = false;
  napi_is_typedarray(c.env, v, &is_ta);
  if (is_ta) {
    napi_typedarray_type type;
    size_t len, off;
    napi_value ab;
    napi_get_typedarray_info(c.env, v, &type, &len, &out.data, &ab, &off);
    out.length = int64_t(len);
    if (type == napi_float32_array) out.dtype = usn::DT_F32, out.width = 4;
    else if (type == napi_int32_array) out.dtype = usn::DT_I32, out.width = 4;
    else if (type == napi_uint8_array) out.dtype = usn::DT_BOOL, out.width = 1;
  }
  if (out.dtype < 0) c.fail(std::string(what) + " must be a Float32Array, Int32Array or Uint8Array");
  return out;
}

bool need_ta(Ctx& c, const TA& t, int64_t n, const char* what) {
  if (c.failed) return false;
  if (t.length < n) {
    c.fail(std::string(what) + " is too short: " + std::to_string(t.length) + " < " + std::to_string(n));
    return false;
  }
  return true;
}

bool same_type(Ctx& c, const TA& a, const TA& b, int dtype = -1) {
  if (c.failed) return false;
  if (a.dtype != b.dtype || (dtype >= 0 && a.dtype != dtype)) {
    c.fail("typed arrays of the wrong element type");
    return false;
  }
  return true;
}

// The lowest and highest element a strided walk over `shape` touches, relative to its offset.
std::pair<int64_t, int64_t> reach(const std::vector<int64_t>& shape, const std::vector<int64_t>& strides) {
  int64_t lo = 0, hi = 0;
  for (size_t d = 0; d < shape.size(); ++d) {
    const int64_t e = strides[d] * (shape[d] - 1);
    (e < 0 ? lo : hi) += e;
  }
  return {lo, hi};
}

// stridedCopy(src, dst, shape, srcOffset, srcStrides, dstOffset, dstStrides)
napi_value StridedCopy(napi_env env, napi_callback_info info) {
  Ctx c{env};
  auto a = args(env, info, 7);
  TA src = get_ta(c, a[0], "src"), dst = get_ta(c, a[1], "dst");
  auto shape = get_ints<int64_t>(c, a[2], "shape"), ss = get_ints<int64_t>(c, a[4], "srcStrides"), ds = get_ints<int64_t>(c, a[6], "dstStrides");
  const int64_t so = int64_t(get_num(c, a[3], "srcOffset")), dof = int64_t(get_num(c, a[5], "dstOffset"));
  if (c.failed) return nullptr;
  if (src.width != dst.width || ss.size() != shape.size() || ds.size() != shape.size()) {
    c.fail("stridedCopy: src and dst of one element size, one stride per dim");
    return nullptr;
  }
  if (product(shape) <= 0) return undefined(env);
  auto [slo, shi] = reach(shape, ss);
  auto [dlo, dhi] = reach(shape, ds);
  if (so + slo < 0 || so + shi >= src.length || dof + dlo < 0 || dof + dhi >= dst.length) {
    c.fail("stridedCopy: the walk reaches outside src or dst");
    return nullptr;
  }
  if (src.width == 4)
    usn::strided_copy(static_cast<const uint32_t*>(src.data), so, ss, static_cast<uint32_t*>(dst.data), dof, ds, shape);
  else
    usn::strided_copy(static_cast<const uint8_t*>(src.data), so, ss, static_cast<uint8_t*>(dst.data), dof, ds, shape);
  return undefined(env);
}

// fillRange(out, start, delta)
napi_value FillRange(napi_env env, napi_callback_info info) {
  Ctx c{env};
  auto a = args(env, info, 3);
  TA out = get_ta(c, a[0], "out");
  const double start = get_num(c, a[1], "start"), delta = get_num(c, a[2], "delta");
  if (c.failed) return nullptr;
  if (out.dtype == usn::DT_F32) usn::fill_range(static_cast<float*>(out.data), out.length, start, delta);
  else if (out.dtype == usn::DT_I32) usn::fill_range(static_cast<int32_t*>(out.data), out.length, start, delta);
  else usn::fill_range(static_cast<uint8_t*>(out.data), out.length, start, delta);
  return undefined(env);
}

// cast(src, dst): the element types are the arrays'.
napi_value Cast(napi_env env, napi_callback_info info) {
  Ctx c{env};
  auto a = args(env, info, 2);
  TA src = get_ta(c, a[0], "src"), dst = get_ta(c, a[1], "dst");
  if (c.failed || !need_ta(c, dst, src.length, "dst")) return nullptr;
  usn::cast(src.data, src.dtype, dst.data, dst.dtype, src.length);
  return undefined(env);
}

// compare(op, a, aStrides, b, bStrides, out, outShape): a and b of one type, out a Uint8Array.
napi_value Compare(napi_env env, napi_callback_info info) {
  Ctx c{env};
  auto a = args(env, info, 7);
  int op = static_cast<int>(get_num(c, a[0], "op"));
  TA A = get_ta(c, a[1], "a"), B = get_ta(c, a[3], "b"), O = get_ta(c, a[5], "out");
  auto as = get_ints<int64_t>(c, a[2], "aStrides"), bs = get_ints<int64_t>(c, a[4], "bStrides"), shape = get_ints<int64_t>(c, a[6], "outShape");
  if (!same_type(c, A, B) || O.dtype != usn::DT_BOOL || as.size() != shape.size() || bs.size() != shape.size()) {
    c.fail("compare: a and b of one type, a Uint8Array out, one stride per output dim");
    return nullptr;
  }
  const int64_t n = product(shape);
  if (n <= 0) return boolean(env, false);
  auto [alo, ahi] = reach(shape, as);
  auto [blo, bhi] = reach(shape, bs);
  if (!need_ta(c, O, n, "out") || alo < 0 || blo < 0 || ahi >= A.length || bhi >= B.length) {
    c.fail("compare: strides reach past a or b");
    return nullptr;
  }
  bool ok;
  if (A.dtype == usn::DT_F32) ok = usn::compare(op, shape, static_cast<const float*>(A.data), as, static_cast<const float*>(B.data), bs, static_cast<uint8_t*>(O.data));
  else if (A.dtype == usn::DT_I32) ok = usn::compare(op, shape, static_cast<const int32_t*>(A.data), as, static_cast<const int32_t*>(B.data), bs, static_cast<uint8_t*>(O.data));
  else ok = usn::compare(op, shape, static_cast<const uint8_t*>(A.data), as, static_cast<const uint8_t*>(B.data), bs, static_cast<uint8_t*>(O.data));
  return boolean(env, ok);
}

// select(cond, inner, a, b, out): 32-bit a, b and out of one length, cond one value per `inner` of them.
napi_value Select(napi_env env, napi_callback_info info) {
  Ctx c{env};
  auto a = args(env, info, 5);
  TA cond = get_ta(c, a[0], "cond"), A = get_ta(c, a[2], "a"), B = get_ta(c, a[3], "b"), O = get_ta(c, a[4], "out");
  const int64_t inner = int64_t(get_num(c, a[1], "inner"));
  if (!same_type(c, A, B) || !same_type(c, A, O) || cond.dtype != usn::DT_BOOL || A.width != 4 || inner <= 0 ||
      A.length != B.length || A.length > O.length || cond.length * inner != A.length) {
    c.fail("select: a Uint8Array cond of length n / inner, 32-bit a, b and out of length n");
    return nullptr;
  }
  usn::select(static_cast<const uint8_t*>(cond.data), inner, static_cast<const uint32_t*>(A.data), static_cast<const uint32_t*>(B.data),
              static_cast<uint32_t*>(O.data), A.length);
  return undefined(env);
}

// gather(x, [outer, axis, inner], indices, out): false when an index is out of range.
napi_value Gather(napi_env env, napi_callback_info info) {
  Ctx c{env};
  auto a = args(env, info, 4);
  TA x = get_ta(c, a[0], "x"), idx = get_ta(c, a[2], "indices"), out = get_ta(c, a[3], "out");
  auto d = get_ints<int64_t>(c, a[1], "dims");
  if (c.failed) return nullptr;
  if (d.size() != 3 || x.width != 4 || !same_type(c, x, out) || idx.dtype != usn::DT_I32) {
    c.fail("gather: dims [outer, axis, inner], 32-bit x and out, Int32Array indices");
    return nullptr;
  }
  if (!need_ta(c, x, d[0] * d[1] * d[2], "x") || !need_ta(c, out, d[0] * idx.length * d[2], "out")) return nullptr;
  return boolean(env, usn::gather(static_cast<const uint32_t*>(x.data), d[0], d[1], d[2], static_cast<const int32_t*>(idx.data), idx.length,
                                  static_cast<uint32_t*>(out.data)));
}

// oneHot(indices, depth, on, off, out): out Float32Array or Int32Array.
napi_value OneHot(napi_env env, napi_callback_info info) {
  Ctx c{env};
  auto a = args(env, info, 5);
  TA idx = get_ta(c, a[0], "indices"), out = get_ta(c, a[4], "out");
  const int64_t depth = int64_t(get_num(c, a[1], "depth"));
  const double on = get_num(c, a[2], "on"), off = get_num(c, a[3], "off");
  if (c.failed) return nullptr;
  if (idx.dtype != usn::DT_I32 || out.width != 4 || depth <= 0) {
    c.fail("oneHot: Int32Array indices, a 32-bit out, a positive depth");
    return nullptr;
  }
  if (!need_ta(c, out, idx.length * depth, "out")) return nullptr;
  auto word = [&](double v) {
    uint32_t w;
    if (out.dtype == usn::DT_F32) {
      float f = static_cast<float>(v);
      std::memcpy(&w, &f, 4);
    } else {
      int32_t i = static_cast<int32_t>(v);
      std::memcpy(&w, &i, 4);
    }
    return w;
  };
  usn::one_hot(static_cast<const int32_t*>(idx.data), idx.length, depth, word(on), word(off), static_cast<uint32_t*>(out.data));
  return undefined(env);
}

// cumsum(x, out, [outer, len, inner], exclusive, reverse)
napi_value Cumsum(napi_env env, napi_callback_info info) {
  Ctx c{env};
  auto a = args(env, info, 5);
  F32 x = get_f32(c, a[0], "x"), out = get_f32(c, a[1], "out");
  auto d = get_ints<int64_t>(c, a[2], "dims");
  bool exclusive = false, reverse = false;
  napi_get_value_bool(env, a[3], &exclusive);
  napi_get_value_bool(env, a[4], &reverse);
  if (c.failed) return nullptr;
  if (d.size() != 3 || product(d) <= 0) {
    c.fail("cumsum: dims [outer, len, inner], all positive");
    return nullptr;
  }
  if (!need(c, x, product(d), "x") || !need(c, out, product(d), "out")) return nullptr;
  usn::cumsum(x.data, out.data, d[0], d[1], d[2], exclusive, reverse);
  return undefined(env);
}

// segmentSum(x, ids, inner, segments, out)
napi_value SegmentSum(napi_env env, napi_callback_info info) {
  Ctx c{env};
  auto a = args(env, info, 5);
  F32 x = get_f32(c, a[0], "x"), out = get_f32(c, a[4], "out");
  TA ids = get_ta(c, a[1], "ids");
  const int64_t inner = int64_t(get_num(c, a[2], "inner")), segs = int64_t(get_num(c, a[3], "segments"));
  if (c.failed) return nullptr;
  if (ids.dtype != usn::DT_I32 || inner <= 0 || segs < 0) {
    c.fail("segmentSum: Int32Array ids, positive inner");
    return nullptr;
  }
  if (!need(c, x, ids.length * inner, "x") || !need(c, out, segs * inner, "out")) return nullptr;
  usn::segment_sum(x.data, static_cast<const int32_t*>(ids.data), ids.length, inner, segs, out.data);
  return undefined(env);
}

// cropAndResize(image, boxes, boxInd, out, [batch, h, w, c, boxes, cropH, cropW], nearest, extrapolation)
napi_value CropAndResize(napi_env env, napi_callback_info info) {
  Ctx c{env};
  auto a = args(env, info, 7);
  F32 img = get_f32(c, a[0], "image"), boxes = get_f32(c, a[1], "boxes"), out = get_f32(c, a[3], "out");
  TA ind = get_ta(c, a[2], "boxInd");
  auto d = get_ints<int64_t>(c, a[4], "dims");
  bool nearest = false;
  napi_get_value_bool(env, a[5], &nearest);
  const float extra = static_cast<float>(get_num(c, a[6], "extrapolation"));
  if (c.failed) return nullptr;
  if (d.size() != 7 || ind.dtype != usn::DT_I32 || product(d) <= 0) {
    c.fail("cropAndResize: 7 positive dims, Int32Array boxInd");
    return nullptr;
  }
  if (!need(c, img, d[0] * d[1] * d[2] * d[3], "image") || !need(c, boxes, 4 * d[4], "boxes") || !need_ta(c, ind, d[4], "boxInd") ||
      !need(c, out, d[4] * d[5] * d[6] * d[3], "out"))
    return nullptr;
  usn::crop_and_resize(img.data, boxes.data, static_cast<const int32_t*>(ind.data), out.data, d.data(), nearest, extra);
  return undefined(env);
}

// transform(image, transforms, out, [batch, h, w, c, outH, outW], nearest, fillMode, fillValue)
napi_value Transform(napi_env env, napi_callback_info info) {
  Ctx c{env};
  auto a = args(env, info, 7);
  F32 img = get_f32(c, a[0], "image"), t = get_f32(c, a[1], "transforms"), out = get_f32(c, a[2], "out");
  auto d = get_ints<int64_t>(c, a[3], "dims");
  bool nearest = false;
  napi_get_value_bool(env, a[4], &nearest);
  const int mode = static_cast<int>(get_num(c, a[5], "fillMode"));
  const float fill = static_cast<float>(get_num(c, a[6], "fillValue"));
  if (c.failed) return nullptr;
  if (d.size() != 6 || product(d) <= 0 || mode < 0 || mode > 3 || (t.length != 8 && int64_t(t.length) != 8 * d[0])) {
    c.fail("transform: 6 positive dims, 8 or 8 x batch transform values, fill mode 0-3");
    return nullptr;
  }
  if (!need(c, img, d[0] * d[1] * d[2] * d[3], "image") || !need(c, out, d[0] * d[4] * d[5] * d[3], "out")) return nullptr;
  usn::transform(img.data, t.data, int64_t(t.length) == 8 * d[0] && d[0] > 1, out.data, d.data(), nearest, mode, fill);
  return undefined(env);
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  Ctx c{env};
  auto a = args(env, info, 1);
  int n = static_cast<int>(get_num(c, a[0], "threads"));
  if (c.failed) return nullptr;
  usn::set_threads(n);
  return undefined(env);
}

napi_value Info(napi_env env, napi_callback_info) {
  napi_value o, v;
  napi_create_object(env, &o);
  napi_create_string_utf8(env, usn::blas_name(), NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, o, "blas", v);
  napi_create_int32(env, usn::threads(), &v);
  napi_set_named_property(env, o, "threads", v);
  napi_create_string_utf8(env, USN_VERSION, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, o, "version", v);
  napi_create_string_utf8(env, usn::simd_name(), NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, o, "simd", v);
  return o;
}

napi_value Init(napi_env env, napi_value exports) {
#if defined(__GLIBC__)
  // tfjs's cpu storage allocates a fresh Float32Array for every op's output; glibc serves blocks
  // over its mmap threshold with new pages, whose first-touch faults (one per 4 KB page) cost more
  // than the op itself. Serving them from the heap, and not trimming it back, lets freed
  // tensors' memory be reused warm.
  static bool tuned = false;
  if (!tuned) {
    tuned = true;
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
  }
#endif
  napi_property_descriptor props[] = {
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2d", nullptr, ConvForward<false>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dBackpropInput", nullptr, ConvBackpropInput<false>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dBackpropFilter", nullptr, ConvBackpropFilter<false>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"depthwise", nullptr, ConvForward<true>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"depthwiseBackpropInput", nullptr, ConvBackpropInput<true>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"depthwiseBackpropFilter", nullptr, ConvBackpropFilter<true>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchMatMul", nullptr, BatchMatMul, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"biasAct", nullptr, BiasAct, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"reduce", nullptr, Reduce, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"tile", nullptr, Tile, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchNormGrad", nullptr, BatchNormGrad, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchNorm", nullptr, BatchNorm, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchNormTrain", nullptr, BatchNormTrain, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchNormTrainGrad", nullptr, BatchNormTrainGrad, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"transpose", nullptr, Transpose, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"softmax", nullptr, Softmax, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"copyRows", nullptr, CopyRows, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"stridedCopy", nullptr, StridedCopy, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"fillRange", nullptr, FillRange, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"cast", nullptr, Cast, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"compare", nullptr, Compare, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"select", nullptr, Select, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"gather", nullptr, Gather, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"oneHot", nullptr, OneHot, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"cumsum", nullptr, Cumsum, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"segmentSum", nullptr, SegmentSum, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"cropAndResize", nullptr, CropAndResize, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"transform", nullptr, Transform, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
