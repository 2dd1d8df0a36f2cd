// RESHAPE, MEAN, PAD and CONCATENATION: checks and dispatch.
#include <string.h>

#include "runtime/kernels/kernels.h"
#include "runtime/ops/kernel_params.h"
#include "runtime/ops/op_context.h"
#include "runtime/ops/op_families.h"

namespace locus::ops {
namespace {

using schema::TensorType;

// ---- RESHAPE ----

Status check_reshape(const OpContext& ctx) {
  LOCUS_RETURN_IF_ERROR(expect_arity(ctx, 1, 1, 1));
  if (ctx.input(0)->type() != ctx.output(0)->type()) {
    return Status::error(StatusCode::kMalformed, "output type differs from input type");
  }
  if (element_count(ctx.input(0)) != element_count(ctx.output(0))) {
    return Status::error(StatusCode::kMalformed, "output has %lld values, input %lld",
                         static_cast<long long>(element_count(ctx.output(0))),
                         static_cast<long long>(element_count(ctx.input(0))));
  }
  return Status::ok();
}

void run_reshape(const OpContext& ctx) {
  // The memory planner usually places the output on the input: nothing to do.
  const void* from = ctx.data(ctx.input(0));
  void* to = ctx.mutable_data(ctx.output(0));
  if (from != to) {
    memmove(to, from, static_cast<size_t>(element_count(ctx.input(0))) *
                          type_size(ctx.input(0)->type()));
  }
}

// ---- MEAN ----

// Reduced axes of the input, as a mask over its 4-D (NHWC) extension.
Status reduction_mask(const OpContext& ctx, uint32_t* mask) {
  const auto* axes = ctx.op->params_as_MeanParams()->axes();
  const int32_t r = rank(ctx.input(0));
  if (axes == nullptr || axes->size() == 0) {
    return Status::error(StatusCode::kMalformed, "no axes to reduce");
  }
  *mask = 0;
  for (int32_t axis : *axes) {
    LOCUS_RETURN_IF_ERROR(expect_range(axis, -r, r - 1, "axis"));
    const int32_t a = axis < 0 ? axis + r : axis;
    *mask |= 1u << (a + 4 - r);
  }
  return Status::ok();
}

Status check_mean(const OpContext& ctx) {
  LOCUS_RETURN_IF_ERROR(expect_arity(ctx, 1, 1, 1));
  LOCUS_RETURN_IF_ERROR(expect_type(ctx.input(0), TensorType::Int8, "input"));
  LOCUS_RETURN_IF_ERROR(expect_type(ctx.output(0), TensorType::Int8, "output"));
  LOCUS_RETURN_IF_ERROR(expect_rank(ctx.input(0), 1, 4, "input"));
  uint32_t mask = 0;
  LOCUS_RETURN_IF_ERROR(reduction_mask(ctx, &mask));
  const kernels::Dims4 out = reduced_dims(dims4(ctx.input(0)), mask);
  if (element_count(ctx.output(0)) != out.elements()) {
    return Status::error(StatusCode::kMalformed, "output has %lld values, reduction gives %d",
                         static_cast<long long>(element_count(ctx.output(0))), out.elements());
  }
  const auto* p = ctx.op->params_as_MeanParams();
  return expect_multiplier(p->output_multiplier(), p->output_shift(), "output");
}

void run_mean(const OpContext& ctx) {
  const kernels::MeanParams k = mean_params(ctx);
  const kernels::Dims4 in = dims4(ctx.input(0));
  kernels::mean_s8(k, in, ctx.in<int8_t>(0), reduced_dims(in, k.axis_mask), ctx.out<int8_t>(0));
}

// ---- PAD ----

Status check_pad(const OpContext& ctx) {
  LOCUS_RETURN_IF_ERROR(expect_arity(ctx, 1, 1, 1));
  const schema::Tensor* input = ctx.input(0);
  const schema::Tensor* output = ctx.output(0);
  if (input->type() != TensorType::Int8 && input->type() != TensorType::Float32) {
    return Status::error(StatusCode::kUnsupported, "input has type %s, expected Int8 or Float32",
                         schema::EnumNameTensorType(input->type()));
  }
  LOCUS_RETURN_IF_ERROR(expect_type(output, input->type(), "output"));
  LOCUS_RETURN_IF_ERROR(expect_rank(input, 1, 4, "input"));
  const auto* p = ctx.op->params_as_PadParams();
  const int32_t r = rank(input);
  if (p->paddings() == nullptr || static_cast<int32_t>(p->paddings()->size()) != 2 * r ||
      rank(output) != r) {
    return Status::error(StatusCode::kMalformed, "needs two paddings per dimension of rank %d", r);
  }
  for (int32_t d = 0; d < r; ++d) {
    const int32_t before = p->paddings()->Get(2 * d), after = p->paddings()->Get(2 * d + 1);
    LOCUS_RETURN_IF_ERROR(expect_range(before, 0, 1 << 16, "padding"));
    LOCUS_RETURN_IF_ERROR(expect_range(after, 0, 1 << 16, "padding"));
    if (dim(output, d) != dim(input, d) + before + after) {
      return Status::error(StatusCode::kMalformed, "output dimension %d is %d, padding gives %d",
                           d, dim(output, d), dim(input, d) + before + after);
    }
  }
  if (input->type() == TensorType::Int8) {
    return expect_range(p->pad_value(), -128, 127, "pad_value");
  }
  return Status::ok();
}

void run_pad(const OpContext& ctx) {
  const auto* p = ctx.op->params_as_PadParams();
  const schema::Tensor* input = ctx.input(0);
  const kernels::PadParams k = pad_params(ctx);
  const int8_t value_s8 = static_cast<int8_t>(p->pad_value());
  const float value_f32 = static_cast<float>(p->pad_value());
  const bool is_int8 = input->type() == TensorType::Int8;
  kernels::pad(k, dims4(input), ctx.data(input), type_size(input->type()),
               is_int8 ? static_cast<const void*>(&value_s8) : &value_f32,
               dims4(ctx.output(0)), ctx.mutable_data(ctx.output(0)));
}

// ---- CONCATENATION ----

Status check_concatenation(const OpContext& ctx) {
  LOCUS_RETURN_IF_ERROR(expect_arity(ctx, 1, kMaxConcatInputs, 1));
  const schema::Tensor* output = ctx.output(0);
  LOCUS_RETURN_IF_ERROR(expect_rank(output, 1, 4, "output"));
  const int32_t r = rank(output);
  const int32_t axis = ctx.op->params_as_ConcatenationParams()->axis();
  LOCUS_RETURN_IF_ERROR(expect_range(axis, 0, r - 1, "axis"));
  int64_t along_axis = 0;
  for (int i = 0; i < ctx.input_count(); ++i) {
    const schema::Tensor* in = ctx.input(i);
    if (in == nullptr) return Status::error(StatusCode::kMalformed, "input %d is absent", i);
    if (in->type() != output->type() || rank(in) != r) {
      return Status::error(StatusCode::kMalformed, "input %d differs from the output in type or "
                           "rank", i);
    }
    if (in->type() == TensorType::Int8 && !same_quantization(in, output)) {
      return Status::error(StatusCode::kUnsupported,
                           "input %d quantisation differs from the output's", i);
    }
    for (int32_t d = 0; d < r; ++d) {
      if (d != axis && dim(in, d) != dim(output, d)) {
        return Status::error(StatusCode::kMalformed, "input %d dimension %d is %d, output %d", i,
                             d, dim(in, d), dim(output, d));
      }
    }
    along_axis += dim(in, axis);
  }
  if (along_axis != dim(output, axis)) {
    return Status::error(StatusCode::kMalformed, "inputs add up to %lld along axis %d, output %d",
                         static_cast<long long>(along_axis), axis, dim(output, axis));
  }
  return Status::ok();
}

void run_concatenation(const OpContext& ctx) {
  const void* inputs[kMaxConcatInputs];
  kernels::Dims4 dims[kMaxConcatInputs];
  const int count = ctx.input_count();
  for (int i = 0; i < count; ++i) {
    inputs[i] = ctx.data(ctx.input(i));
    dims[i] = dims4(ctx.input(i));
  }
  const schema::Tensor* output = ctx.output(0);
  kernels::concatenation(concatenation_axis(ctx), count, inputs, dims,
                         type_size(output->type()), dims4(output), ctx.mutable_data(output));
}

}  // namespace

kernels::Dims4 reduced_dims(const kernels::Dims4& in, uint32_t mask) {
  kernels::Dims4 out = in;
  if (mask & 1u) out.n = 1;
  if (mask & 2u) out.h = 1;
  if (mask & 4u) out.w = 1;
  if (mask & 8u) out.c = 1;
  return out;
}

kernels::MeanParams mean_params(const OpContext& ctx) {
  const auto* p = ctx.op->params_as_MeanParams();
  kernels::MeanParams k;
  reduction_mask(ctx, &k.axis_mask);
  k.input_zero_point = zero_point(ctx.input(0));
  k.output_zero_point = zero_point(ctx.output(0));
  k.output_multiplier = p->output_multiplier();
  k.output_shift = p->output_shift();
  k.same_quantization = same_quantization(ctx.input(0), ctx.output(0));
  return k;
}

kernels::PadParams pad_params(const OpContext& ctx) {
  const auto* p = ctx.op->params_as_PadParams();
  const int32_t r = rank(ctx.input(0));
  kernels::PadParams k;
  for (int32_t d = 0; d < r; ++d) {
    k.before[d + 4 - r] = p->paddings()->Get(2 * d);
    k.after[d + 4 - r] = p->paddings()->Get(2 * d + 1);
  }
  return k;
}

int32_t concatenation_axis(const OpContext& ctx) {
  return ctx.op->params_as_ConcatenationParams()->axis() + 4 - rank(ctx.output(0));
}

const OpHandler kReshapeHandler = {"RESHAPE", schema::OpParams::ReshapeParams, check_reshape,
                                   run_reshape};
const OpHandler kMeanHandler = {"MEAN", schema::OpParams::MeanParams, check_mean, run_mean};
const OpHandler kPadHandler = {"PAD", schema::OpParams::PadParams, check_pad, run_pad};
const OpHandler kConcatenationHandler = {"CONCATENATION", schema::OpParams::ConcatenationParams,
                                         check_concatenation, run_concatenation};

}  // namespace locus::ops
