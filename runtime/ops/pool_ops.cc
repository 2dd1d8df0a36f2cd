// AVERAGE_POOL_2D and MAX_POOL_2D: checks and dispatch.
#include "runtime/kernels/kernels.h"
#include "runtime/ops/kernel_params.h"
#include "runtime/ops/op_context.h"
#include "runtime/ops/op_families.h"

namespace locus::ops {
namespace {

using schema::TensorType;

Status check_pool(const OpContext& ctx) {
  LOCUS_RETURN_IF_ERROR(expect_arity(ctx, 1, 1, 1));
  LOCUS_RETURN_IF_ERROR(expect_type(ctx.input(0), TensorType::Int8, "input"));
  LOCUS_RETURN_IF_ERROR(expect_type(ctx.output(0), TensorType::Int8, "output"));
  LOCUS_RETURN_IF_ERROR(expect_rank(ctx.input(0), 4, 4, "input"));
  LOCUS_RETURN_IF_ERROR(expect_rank(ctx.output(0), 4, 4, "output"));
  const auto* p = ctx.op->params_as_Pool2DParams();
  const kernels::Dims4 in = dims4(ctx.input(0)), out = dims4(ctx.output(0));
  LOCUS_RETURN_IF_ERROR(expect_range(p->stride_h(), 1, 1 << 16, "stride_h"));
  LOCUS_RETURN_IF_ERROR(expect_range(p->stride_w(), 1, 1 << 16, "stride_w"));
  LOCUS_RETURN_IF_ERROR(expect_range(p->filter_h(), 1, 1 << 16, "filter_h"));
  LOCUS_RETURN_IF_ERROR(expect_range(p->filter_w(), 1, 1 << 16, "filter_w"));
  LOCUS_RETURN_IF_ERROR(expect_range(p->pad_top(), 0, 1 << 16, "pad_top"));
  LOCUS_RETURN_IF_ERROR(expect_range(p->pad_left(), 0, 1 << 16, "pad_left"));
  LOCUS_RETURN_IF_ERROR(expect_range(p->pad_bottom(), 0, 1 << 16, "pad_bottom"));
  LOCUS_RETURN_IF_ERROR(expect_range(p->pad_right(), 0, 1 << 16, "pad_right"));
  LOCUS_RETURN_IF_ERROR(expect_activation(p->activation_min(), p->activation_max()));
  // A window wholly inside the padding would average zero taps.
  if (p->pad_top() >= p->filter_h() || p->pad_bottom() >= p->filter_h() ||
      p->pad_left() >= p->filter_w() || p->pad_right() >= p->filter_w()) {
    return Status::error(StatusCode::kMalformed, "padding must be smaller than the filter");
  }
  if (in.n != out.n || in.c != out.c) {
    return Status::error(StatusCode::kMalformed, "output [%d,%d,%d,%d] does not match input "
                         "[%d,%d,%d,%d] in batch and depth",
                         out.n, out.h, out.w, out.c, in.n, in.h, in.w, in.c);
  }
  const int64_t span_h = int64_t{in.h} + p->pad_top() + p->pad_bottom() - p->filter_h();
  const int64_t span_w = int64_t{in.w} + p->pad_left() + p->pad_right() - p->filter_w();
  const int64_t oh = span_h < 0 ? 0 : span_h / p->stride_h() + 1;
  const int64_t ow = span_w < 0 ? 0 : span_w / p->stride_w() + 1;
  if (oh != out.h || ow != out.w) {
    return Status::error(StatusCode::kMalformed, "output is %dx%d, geometry gives %lldx%lld",
                         out.h, out.w, static_cast<long long>(oh), static_cast<long long>(ow));
  }
  return Status::ok();
}

void run_average_pool(const OpContext& ctx) {
  kernels::average_pool_2d_s8(pool_params(ctx), dims4(ctx.input(0)), ctx.in<int8_t>(0),
                              dims4(ctx.output(0)), ctx.out<int8_t>(0));
}

void run_max_pool(const OpContext& ctx) {
  kernels::max_pool_2d_s8(pool_params(ctx), dims4(ctx.input(0)), ctx.in<int8_t>(0),
                          dims4(ctx.output(0)), ctx.out<int8_t>(0));
}

}  // namespace

kernels::PoolParams pool_params(const OpContext& ctx) {
  const auto* p = ctx.op->params_as_Pool2DParams();
  kernels::PoolParams k;
  k.stride_h = p->stride_h();
  k.stride_w = p->stride_w();
  k.filter_h = p->filter_h();
  k.filter_w = p->filter_w();
  k.pad_top = p->pad_top();
  k.pad_left = p->pad_left();
  k.activation_min = p->activation_min();
  k.activation_max = p->activation_max();
  return k;
}

const OpHandler kAveragePool2DHandler = {"AVERAGE_POOL_2D", schema::OpParams::Pool2DParams,
                                         check_pool, run_average_pool};
const OpHandler kMaxPool2DHandler = {"MAX_POOL_2D", schema::OpParams::Pool2DParams, check_pool,
                                     run_max_pool};

}  // namespace locus::ops
