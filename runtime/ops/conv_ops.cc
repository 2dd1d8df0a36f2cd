// CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED: checks and dispatch.
#include "runtime/kernels/kernels.h"
#include "runtime/ops/kernel_params.h"
#include "runtime/ops/op_context.h"
#include "runtime/ops/op_families.h"

namespace locus::ops {
namespace {

using schema::TensorType;

constexpr int32_t kMaxPad = 1 << 16;

// Output extent of a window sliding over `in` with explicit padding.
int64_t window_extent(int64_t in, int64_t pad_before, int64_t pad_after, int64_t filter,
                      int64_t dilation, int64_t stride) {
  const int64_t effective = dilation * (filter - 1) + 1;
  const int64_t span = in + pad_before + pad_after - effective;
  return span < 0 ? 0 : span / stride + 1;
}

Status check_conv_geometry(int32_t stride_h, int32_t stride_w, int32_t dilation_h,
                           int32_t dilation_w, int32_t pad_top, int32_t pad_left,
                           int32_t pad_bottom, int32_t pad_right, const kernels::Dims4& in,
                           int32_t filter_h, int32_t filter_w, const kernels::Dims4& out) {
  LOCUS_RETURN_IF_ERROR(expect_range(stride_h, 1, kMaxPad, "stride_h"));
  LOCUS_RETURN_IF_ERROR(expect_range(stride_w, 1, kMaxPad, "stride_w"));
  LOCUS_RETURN_IF_ERROR(expect_range(dilation_h, 1, kMaxPad, "dilation_h"));
  LOCUS_RETURN_IF_ERROR(expect_range(dilation_w, 1, kMaxPad, "dilation_w"));
  LOCUS_RETURN_IF_ERROR(expect_range(pad_top, 0, kMaxPad, "pad_top"));
  LOCUS_RETURN_IF_ERROR(expect_range(pad_left, 0, kMaxPad, "pad_left"));
  LOCUS_RETURN_IF_ERROR(expect_range(pad_bottom, 0, kMaxPad, "pad_bottom"));
  LOCUS_RETURN_IF_ERROR(expect_range(pad_right, 0, kMaxPad, "pad_right"));
  const int64_t oh = window_extent(in.h, pad_top, pad_bottom, filter_h, dilation_h, stride_h);
  const int64_t ow = window_extent(in.w, pad_left, pad_right, filter_w, dilation_w, stride_w);
  if (oh != out.h || ow != out.w) {
    return Status::error(StatusCode::kMalformed,
                         "output is %dx%d but input %dx%d, filter %dx%d, strides and padding "
                         "give %lldx%lld",
                         out.h, out.w, in.h, in.w, filter_h, filter_w,
                         static_cast<long long>(oh), static_cast<long long>(ow));
  }
  if (out.n != in.n) {
    return Status::error(StatusCode::kMalformed, "output batch %d differs from input batch %d",
                         out.n, in.n);
  }
  return Status::ok();
}

Status check_bias(const schema::Tensor* bias, int32_t channels) {
  if (bias == nullptr) return Status::ok();
  LOCUS_RETURN_IF_ERROR(expect_type(bias, TensorType::Int32, "bias"));
  if (element_count(bias) != channels) {
    return Status::error(StatusCode::kMalformed, "bias has %lld values for %d output channels",
                         static_cast<long long>(element_count(bias)), channels);
  }
  return Status::ok();
}

Status check_int8_io(const OpContext& ctx) {
  LOCUS_RETURN_IF_ERROR(expect_type(ctx.input(0), TensorType::Int8, "input"));
  LOCUS_RETURN_IF_ERROR(expect_type(ctx.input(1), TensorType::Int8, "filter"));
  return expect_type(ctx.output(0), TensorType::Int8, "output");
}

kernels::Requant requant(const flatbuffers::Vector<int32_t>* m,
                         const flatbuffers::Vector<int32_t>* s) {
  kernels::Requant r;
  r.multiplier = m->data();
  r.shift = s->data();
  r.count = static_cast<int32_t>(m->size());
  return r;
}

// Checks shared by CONV_2D and DEPTHWISE_CONV_2D, whose parameter tables
// have the same fields (P is Conv2DParams or DepthwiseConv2DParams).
template <typename P>
Status check_convolution(const OpContext& ctx, const P* p, const kernels::Dims4& in,
                         const kernels::Dims4& f, const kernels::Dims4& out) {
  LOCUS_RETURN_IF_ERROR(check_conv_geometry(p->stride_h(), p->stride_w(), p->dilation_h(),
                                            p->dilation_w(), p->pad_top(), p->pad_left(),
                                            p->pad_bottom(), p->pad_right(), in, f.h, f.w, out));
  LOCUS_RETURN_IF_ERROR(check_bias(ctx.input_count() > 2 ? ctx.input(2) : nullptr, out.c));
  LOCUS_RETURN_IF_ERROR(expect_range(p->input_offset(), -127, 128, "input_offset"));
  LOCUS_RETURN_IF_ERROR(expect_range(p->output_offset(), -128, 127, "output_offset"));
  LOCUS_RETURN_IF_ERROR(expect_activation(p->activation_min(), p->activation_max()));
  return expect_requant(p->output_multiplier(), p->output_shift(), out.c);
}

Status check_convolution_tensors(const OpContext& ctx) {
  LOCUS_RETURN_IF_ERROR(expect_arity(ctx, 2, 3, 1));
  LOCUS_RETURN_IF_ERROR(check_int8_io(ctx));
  LOCUS_RETURN_IF_ERROR(expect_rank(ctx.input(0), 4, 4, "input"));
  LOCUS_RETURN_IF_ERROR(expect_rank(ctx.input(1), 4, 4, "filter"));
  return expect_rank(ctx.output(0), 4, 4, "output");
}

template <typename P>
kernels::ConvParams convolution_params(const P* p) {
  kernels::ConvParams k;
  k.stride_h = p->stride_h();
  k.stride_w = p->stride_w();
  k.dilation_h = p->dilation_h();
  k.dilation_w = p->dilation_w();
  k.pad_top = p->pad_top();
  k.pad_left = p->pad_left();
  k.input_offset = p->input_offset();
  k.output_offset = p->output_offset();
  k.activation_min = p->activation_min();
  k.activation_max = p->activation_max();
  k.requant = requant(p->output_multiplier(), p->output_shift());
  return k;
}

// ---- CONV_2D ----

Status check_conv_2d(const OpContext& ctx) {
  LOCUS_RETURN_IF_ERROR(check_convolution_tensors(ctx));
  const kernels::Dims4 in = dims4(ctx.input(0)), f = dims4(ctx.input(1)),
                       out = dims4(ctx.output(0));
  if (f.c != in.c) {
    return Status::error(StatusCode::kMalformed, "filter depth %d differs from input depth %d",
                         f.c, in.c);
  }
  if (f.n != out.c) {
    return Status::error(StatusCode::kMalformed, "filter has %d output channels, output has %d",
                         f.n, out.c);
  }
  return check_convolution(ctx, ctx.op->params_as_Conv2DParams(), in, f, out);
}

void run_conv_2d(const OpContext& ctx) {
  const kernels::ConvParams k = conv_2d_params(ctx);
  const int32_t* bias = ctx.input_count() > 2 ? ctx.in<int32_t>(2) : nullptr;
  kernels::conv_2d_s8(k, dims4(ctx.input(0)), ctx.in<int8_t>(0), dims4(ctx.input(1)),
                      ctx.in<int8_t>(1), bias, dims4(ctx.output(0)), ctx.out<int8_t>(0));
}

// ---- DEPTHWISE_CONV_2D ----

Status check_depthwise_conv_2d(const OpContext& ctx) {
  LOCUS_RETURN_IF_ERROR(check_convolution_tensors(ctx));
  const auto* p = ctx.op->params_as_DepthwiseConv2DParams();
  const kernels::Dims4 in = dims4(ctx.input(0)), f = dims4(ctx.input(1)),
                       out = dims4(ctx.output(0));
  LOCUS_RETURN_IF_ERROR(expect_range(p->depth_multiplier(), 1, 1 << 16, "depth_multiplier"));
  if (f.n != 1 || static_cast<int64_t>(in.c) * p->depth_multiplier() != f.c || f.c != out.c) {
    return Status::error(StatusCode::kMalformed,
                         "filter [%d,%d,%d,%d] does not match input depth %d x multiplier %d "
                         "= output depth %d",
                         f.n, f.h, f.w, f.c, in.c, p->depth_multiplier(), out.c);
  }
  return check_convolution(ctx, p, in, f, out);
}

void run_depthwise_conv_2d(const OpContext& ctx) {
  const kernels::ConvParams k = depthwise_conv_2d_params(ctx);
  const int32_t* bias = ctx.input_count() > 2 ? ctx.in<int32_t>(2) : nullptr;
  kernels::depthwise_conv_2d_s8(k, dims4(ctx.input(0)), ctx.in<int8_t>(0), dims4(ctx.input(1)),
                                ctx.in<int8_t>(1), bias, dims4(ctx.output(0)),
                                ctx.out<int8_t>(0));
}

// ---- FULLY_CONNECTED ----

Status check_fully_connected(const OpContext& ctx) {
  LOCUS_RETURN_IF_ERROR(expect_arity(ctx, 2, 3, 1));
  LOCUS_RETURN_IF_ERROR(check_int8_io(ctx));
  const auto* p = ctx.op->params_as_FullyConnectedParams();
  const schema::Tensor* weights = ctx.input(1);
  LOCUS_RETURN_IF_ERROR(expect_rank(weights, 2, 2, "weights"));
  const int32_t output_depth = dim(weights, 0);
  const int32_t accum_depth = dim(weights, 1);
  const int64_t input_elements = element_count(ctx.input(0));
  if (input_elements % accum_depth != 0) {
    return Status::error(StatusCode::kMalformed,
                         "input has %lld values, not a multiple of the weights' depth %d",
                         static_cast<long long>(input_elements), accum_depth);
  }
  const int64_t batches = input_elements / accum_depth;
  if (element_count(ctx.output(0)) != batches * output_depth) {
    return Status::error(StatusCode::kMalformed, "output has %lld values, expected %lld x %d",
                         static_cast<long long>(element_count(ctx.output(0))),
                         static_cast<long long>(batches), output_depth);
  }
  LOCUS_RETURN_IF_ERROR(check_bias(ctx.input_count() > 2 ? ctx.input(2) : nullptr, output_depth));
  LOCUS_RETURN_IF_ERROR(expect_range(p->input_offset(), -127, 128, "input_offset"));
  LOCUS_RETURN_IF_ERROR(expect_range(p->weights_offset(), -127, 128, "weights_offset"));
  LOCUS_RETURN_IF_ERROR(expect_range(p->output_offset(), -128, 127, "output_offset"));
  LOCUS_RETURN_IF_ERROR(expect_activation(p->activation_min(), p->activation_max()));
  return expect_requant(p->output_multiplier(), p->output_shift(), output_depth);
}

void run_fully_connected(const OpContext& ctx) {
  const FullyConnectedShape s = fully_connected_shape(ctx);
  const int32_t* bias = ctx.input_count() > 2 ? ctx.in<int32_t>(2) : nullptr;
  kernels::fully_connected_s8(fully_connected_params(ctx), s.batches, s.accum_depth,
                              ctx.in<int8_t>(0), s.output_depth, ctx.in<int8_t>(1), bias,
                              ctx.out<int8_t>(0));
}

}  // namespace

kernels::ConvParams conv_2d_params(const OpContext& ctx) {
  return convolution_params(ctx.op->params_as_Conv2DParams());
}

kernels::ConvParams depthwise_conv_2d_params(const OpContext& ctx) {
  const auto* p = ctx.op->params_as_DepthwiseConv2DParams();
  kernels::ConvParams k = convolution_params(p);
  k.depth_multiplier = p->depth_multiplier();
  return k;
}

kernels::FullyConnectedParams fully_connected_params(const OpContext& ctx) {
  const auto* p = ctx.op->params_as_FullyConnectedParams();
  kernels::FullyConnectedParams k;
  k.input_offset = p->input_offset();
  k.weights_offset = p->weights_offset();
  k.output_offset = p->output_offset();
  k.activation_min = p->activation_min();
  k.activation_max = p->activation_max();
  k.requant = requant(p->output_multiplier(), p->output_shift());
  return k;
}

FullyConnectedShape fully_connected_shape(const OpContext& ctx) {
  const schema::Tensor* weights = ctx.input(1);
  FullyConnectedShape s;
  s.output_depth = dim(weights, 0);
  s.accum_depth = dim(weights, 1);
  s.batches = static_cast<int32_t>(element_count(ctx.input(0)) / s.accum_depth);
  return s;
}

const OpHandler kConv2DHandler = {"CONV_2D", schema::OpParams::Conv2DParams, check_conv_2d,
                                  run_conv_2d};
const OpHandler kDepthwiseConv2DHandler = {"DEPTHWISE_CONV_2D",
                                           schema::OpParams::DepthwiseConv2DParams,
                                           check_depthwise_conv_2d, run_depthwise_conv_2d};
const OpHandler kFullyConnectedHandler = {"FULLY_CONNECTED",
                                          schema::OpParams::FullyConnectedParams,
                                          check_fully_connected, run_fully_connected};

}  // namespace locus::ops
