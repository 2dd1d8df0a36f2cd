// ADD, MUL, SOFTMAX, LOGISTIC, QUANTIZE and DEQUANTIZE: checks and dispatch.
#include "runtime/kernels/kernels.h"
#include "runtime/ops/kernel_params.h"
#include "runtime/ops/op_context.h"
#include "runtime/ops/op_families.h"

namespace locus::ops {
namespace {

using schema::TensorType;

Status check_broadcast(const OpContext& ctx) {
  LOCUS_RETURN_IF_ERROR(expect_arity(ctx, 2, 2, 1));
  for (int i = 0; i < 2; ++i) {
    LOCUS_RETURN_IF_ERROR(expect_type(ctx.input(i), TensorType::Int8, i ? "input 2" : "input 1"));
    LOCUS_RETURN_IF_ERROR(expect_rank(ctx.input(i), 0, 4, i ? "input 2" : "input 1"));
  }
  LOCUS_RETURN_IF_ERROR(expect_type(ctx.output(0), TensorType::Int8, "output"));
  LOCUS_RETURN_IF_ERROR(expect_rank(ctx.output(0), 0, 4, "output"));
  const kernels::Dims4 a = dims4(ctx.input(0)), b = dims4(ctx.input(1)), o = dims4(ctx.output(0));
  const int32_t da[4] = {a.n, a.h, a.w, a.c}, db[4] = {b.n, b.h, b.w, b.c},
                dout[4] = {o.n, o.h, o.w, o.c};
  for (int d = 0; d < 4; ++d) {
    const bool a_ok = da[d] == dout[d] || da[d] == 1;
    const bool b_ok = db[d] == dout[d] || db[d] == 1;
    if (!a_ok || !b_ok || (da[d] != dout[d] && db[d] != dout[d])) {
      return Status::error(StatusCode::kMalformed,
                           "shapes do not broadcast in dimension %d (%d and %d to %d)", d, da[d],
                           db[d], dout[d]);
    }
  }
  return Status::ok();
}

// ---- ADD ----

Status check_add(const OpContext& ctx) {
  LOCUS_RETURN_IF_ERROR(check_broadcast(ctx));
  const auto* p = ctx.op->params_as_AddParams();
  LOCUS_RETURN_IF_ERROR(expect_range(p->input1_offset(), -127, 128, "input1_offset"));
  LOCUS_RETURN_IF_ERROR(expect_range(p->input2_offset(), -127, 128, "input2_offset"));
  LOCUS_RETURN_IF_ERROR(expect_range(p->output_offset(), -128, 127, "output_offset"));
  // (x + offset) < 2^8, shifted left must stay inside int32.
  LOCUS_RETURN_IF_ERROR(expect_range(p->left_shift(), 0, 22, "left_shift"));
  LOCUS_RETURN_IF_ERROR(expect_multiplier(p->input1_multiplier(), p->input1_shift(), "input1"));
  LOCUS_RETURN_IF_ERROR(expect_multiplier(p->input2_multiplier(), p->input2_shift(), "input2"));
  LOCUS_RETURN_IF_ERROR(expect_multiplier(p->output_multiplier(), p->output_shift(), "output"));
  // Add multipliers are all smaller than one (shift <= 0).
  if (p->input1_shift() > 0 || p->input2_shift() > 0 || p->output_shift() > 0) {
    return Status::error(StatusCode::kMalformed, "add multipliers must have non-positive shifts");
  }
  return expect_activation(p->activation_min(), p->activation_max());
}

void run_add(const OpContext& ctx) {
  const kernels::AddParams k = add_params(ctx);
  kernels::add_s8(k, dims4(ctx.input(0)), ctx.in<int8_t>(0), dims4(ctx.input(1)),
                  ctx.in<int8_t>(1), dims4(ctx.output(0)), ctx.out<int8_t>(0));
}

// ---- MUL ----

Status check_mul(const OpContext& ctx) {
  LOCUS_RETURN_IF_ERROR(check_broadcast(ctx));
  const auto* p = ctx.op->params_as_MulParams();
  LOCUS_RETURN_IF_ERROR(expect_range(p->input1_offset(), -127, 128, "input1_offset"));
  LOCUS_RETURN_IF_ERROR(expect_range(p->input2_offset(), -127, 128, "input2_offset"));
  LOCUS_RETURN_IF_ERROR(expect_range(p->output_offset(), -128, 127, "output_offset"));
  LOCUS_RETURN_IF_ERROR(expect_multiplier(p->output_multiplier(), p->output_shift(), "output"));
  return expect_activation(p->activation_min(), p->activation_max());
}

void run_mul(const OpContext& ctx) {
  const kernels::MulParams k = mul_params(ctx);
  kernels::mul_s8(k, dims4(ctx.input(0)), ctx.in<int8_t>(0), dims4(ctx.input(1)),
                  ctx.in<int8_t>(1), dims4(ctx.output(0)), ctx.out<int8_t>(0));
}

// ---- SOFTMAX ----

Status check_softmax(const OpContext& ctx) {
  LOCUS_RETURN_IF_ERROR(expect_arity(ctx, 1, 1, 1));
  LOCUS_RETURN_IF_ERROR(expect_type(ctx.input(0), TensorType::Int8, "input"));
  LOCUS_RETURN_IF_ERROR(expect_rank(ctx.input(0), 1, kMaxRank, "input"));
  const TensorType out = ctx.output(0)->type();
  if (out != TensorType::Int8 && out != TensorType::Int16) {
    return Status::error(StatusCode::kUnsupported, "output has type %s, expected Int8 or Int16",
                         schema::EnumNameTensorType(out));
  }
  if (!same_shape(ctx.input(0), ctx.output(0))) {
    return Status::error(StatusCode::kMalformed, "output shape differs from input shape");
  }
  const auto* p = ctx.op->params_as_SoftmaxParams();
  LOCUS_RETURN_IF_ERROR(expect_range(p->input_left_shift(), 0, 31, "input_left_shift"));
  LOCUS_RETURN_IF_ERROR(expect_range(p->input_multiplier(), 0, INT32_MAX, "input_multiplier"));
  // Differences below diff_min are skipped; those above, shifted left, must
  // stay inside int32 (this is TFLite's input radius for 5 integer bits).
  const int64_t radius = (int64_t{31} << 26) >> p->input_left_shift();
  return expect_range(p->diff_min(), -radius, 0, "diff_min");
}

void run_softmax(const OpContext& ctx) {
  const kernels::SoftmaxParams k = softmax_params(ctx);
  const RowShape s = softmax_shape(ctx);
  if (ctx.output(0)->type() == TensorType::Int16) {
    kernels::softmax_s8_s16(k, s.outer, s.depth, ctx.in<int8_t>(0), ctx.out<int16_t>(0));
  } else {
    kernels::softmax_s8(k, s.outer, s.depth, ctx.in<int8_t>(0), ctx.out<int8_t>(0));
  }
}

// ---- LOGISTIC ----

Status check_logistic(const OpContext& ctx) {
  LOCUS_RETURN_IF_ERROR(expect_arity(ctx, 1, 1, 1));
  LOCUS_RETURN_IF_ERROR(expect_type(ctx.input(0), TensorType::Int8, "input"));
  LOCUS_RETURN_IF_ERROR(expect_type(ctx.output(0), TensorType::Int8, "output"));
  if (element_count(ctx.input(0)) != element_count(ctx.output(0))) {
    return Status::error(StatusCode::kMalformed, "output size differs from input size");
  }
  const auto* p = ctx.op->params_as_LogisticParams();
  LOCUS_RETURN_IF_ERROR(expect_range(p->input_zero_point(), -128, 127, "input_zero_point"));
  LOCUS_RETURN_IF_ERROR(expect_range(p->input_range_radius(), 0, INT32_MAX, "input_range_radius"));
  return expect_multiplier(p->input_multiplier(), p->input_left_shift(), "input");
}

void run_logistic(const OpContext& ctx) {
  kernels::logistic_s8(logistic_params(ctx), static_cast<int32_t>(element_count(ctx.input(0))), ctx.in<int8_t>(0),
                       ctx.out<int8_t>(0));
}

// ---- QUANTIZE / DEQUANTIZE ----

Status check_quantize(const OpContext& ctx) {
  LOCUS_RETURN_IF_ERROR(expect_arity(ctx, 1, 1, 1));
  LOCUS_RETURN_IF_ERROR(expect_type(ctx.output(0), TensorType::Int8, "output"));
  LOCUS_RETURN_IF_ERROR(expect_quantized(ctx.output(0), "output"));
  if (element_count(ctx.input(0)) != element_count(ctx.output(0))) {
    return Status::error(StatusCode::kMalformed, "output size differs from input size");
  }
  const TensorType in = ctx.input(0)->type();
  if (in == TensorType::Float32) return Status::ok();
  if (in != TensorType::Int8) {
    return Status::error(StatusCode::kUnsupported, "input has type %s, expected Float32 or Int8",
                         schema::EnumNameTensorType(in));
  }
  const auto* p = ctx.op->params_as_QuantizeParams();
  return expect_multiplier(p->output_multiplier(), p->output_shift(), "output");
}

void run_quantize(const OpContext& ctx) {
  const schema::Tensor* input = ctx.input(0);
  const schema::Tensor* output = ctx.output(0);
  const auto size = static_cast<int32_t>(element_count(input));
  if (input->type() == TensorType::Float32) {
    kernels::quantize_f32_s8(scale(output), zero_point(output), size, ctx.in<float>(0),
                             ctx.out<int8_t>(0));
    return;
  }
  kernels::requantize_s8(requantize_params(ctx), size, ctx.in<int8_t>(0), ctx.out<int8_t>(0));
}

Status check_dequantize(const OpContext& ctx) {
  LOCUS_RETURN_IF_ERROR(expect_arity(ctx, 1, 1, 1));
  LOCUS_RETURN_IF_ERROR(expect_type(ctx.input(0), TensorType::Int8, "input"));
  LOCUS_RETURN_IF_ERROR(expect_type(ctx.output(0), TensorType::Float32, "output"));
  LOCUS_RETURN_IF_ERROR(expect_quantized(ctx.input(0), "input"));
  if (element_count(ctx.input(0)) != element_count(ctx.output(0))) {
    return Status::error(StatusCode::kMalformed, "output size differs from input size");
  }
  return Status::ok();
}

void run_dequantize(const OpContext& ctx) {
  const schema::Tensor* input = ctx.input(0);
  kernels::dequantize_s8_f32(scale(input), zero_point(input),
                             static_cast<int32_t>(element_count(input)), ctx.in<int8_t>(0),
                             ctx.out<float>(0));
}

}  // namespace

kernels::AddParams add_params(const OpContext& ctx) {
  const auto* p = ctx.op->params_as_AddParams();
  kernels::AddParams k;
  k.input1_offset = p->input1_offset();
  k.input2_offset = p->input2_offset();
  k.output_offset = p->output_offset();
  k.left_shift = p->left_shift();
  k.input1_multiplier = p->input1_multiplier();
  k.input1_shift = p->input1_shift();
  k.input2_multiplier = p->input2_multiplier();
  k.input2_shift = p->input2_shift();
  k.output_multiplier = p->output_multiplier();
  k.output_shift = p->output_shift();
  k.activation_min = p->activation_min();
  k.activation_max = p->activation_max();
  return k;
}

kernels::MulParams mul_params(const OpContext& ctx) {
  const auto* p = ctx.op->params_as_MulParams();
  kernels::MulParams k;
  k.input1_offset = p->input1_offset();
  k.input2_offset = p->input2_offset();
  k.output_offset = p->output_offset();
  k.output_multiplier = p->output_multiplier();
  k.output_shift = p->output_shift();
  k.activation_min = p->activation_min();
  k.activation_max = p->activation_max();
  return k;
}

kernels::SoftmaxParams softmax_params(const OpContext& ctx) {
  const auto* p = ctx.op->params_as_SoftmaxParams();
  kernels::SoftmaxParams k;
  k.input_multiplier = p->input_multiplier();
  k.input_left_shift = p->input_left_shift();
  k.diff_min = p->diff_min();
  return k;
}

RowShape softmax_shape(const OpContext& ctx) {
  const schema::Tensor* input = ctx.input(0);
  RowShape s;
  s.depth = dim(input, rank(input) - 1);
  s.outer = static_cast<int32_t>(element_count(input) / s.depth);
  return s;
}

kernels::LogisticParams logistic_params(const OpContext& ctx) {
  const auto* p = ctx.op->params_as_LogisticParams();
  kernels::LogisticParams k;
  k.input_zero_point = p->input_zero_point();
  k.input_range_radius = p->input_range_radius();
  k.input_multiplier = p->input_multiplier();
  k.input_left_shift = p->input_left_shift();
  return k;
}

kernels::RequantizeParams requantize_params(const OpContext& ctx) {
  const auto* p = ctx.op->params_as_QuantizeParams();
  kernels::RequantizeParams k;
  k.input_zero_point = zero_point(ctx.input(0));
  k.output_zero_point = zero_point(ctx.output(0));
  k.output_multiplier = p->output_multiplier();
  k.output_shift = p->output_shift();
  return k;
}

const OpHandler kAddHandler = {"ADD", schema::OpParams::AddParams, check_add, run_add};
const OpHandler kMulHandler = {"MUL", schema::OpParams::MulParams, check_mul, run_mul};
const OpHandler kSoftmaxHandler = {"SOFTMAX", schema::OpParams::SoftmaxParams, check_softmax,
                                   run_softmax};
const OpHandler kLogisticHandler = {"LOGISTIC", schema::OpParams::LogisticParams, check_logistic,
                                    run_logistic};
const OpHandler kQuantizeHandler = {"QUANTIZE", schema::OpParams::QuantizeParams, check_quantize,
                                    run_quantize};
const OpHandler kDequantizeHandler = {"DEQUANTIZE", schema::OpParams::DequantizeParams,
                                      check_dequantize, run_dequantize};

}  // namespace locus::ops
