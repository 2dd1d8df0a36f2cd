// From a verified operator to its kernel's parameter block and shapes. The
// engine calls these on every invoke; the code generator (host/codegen) calls
// the same functions once and prints the results as constants, so both ways
// of running a capsule hand the kernels identical arguments.
//
// Every function assumes the operator passed its check at Capsule::open.
#ifndef LOCUS_RUNTIME_OPS_KERNEL_PARAMS_H_
#define LOCUS_RUNTIME_OPS_KERNEL_PARAMS_H_

#include <stdint.h>

#include "runtime/kernels/kernel_types.h"
#include "runtime/ops/op_context.h"

namespace locus::ops {

// CONV_2D and DEPTHWISE_CONV_2D (depth_multiplier set for the latter).
kernels::ConvParams conv_2d_params(const OpContext& ctx);
kernels::ConvParams depthwise_conv_2d_params(const OpContext& ctx);

struct FullyConnectedShape {
  int32_t batches = 1, accum_depth = 1, output_depth = 1;
};
kernels::FullyConnectedParams fully_connected_params(const OpContext& ctx);
FullyConnectedShape fully_connected_shape(const OpContext& ctx);

// AVERAGE_POOL_2D and MAX_POOL_2D.
kernels::PoolParams pool_params(const OpContext& ctx);

kernels::AddParams add_params(const OpContext& ctx);
kernels::MulParams mul_params(const OpContext& ctx);

// Softmax runs over rows of the innermost dimension.
struct RowShape {
  int32_t outer = 1, depth = 1;
};
kernels::SoftmaxParams softmax_params(const OpContext& ctx);
RowShape softmax_shape(const OpContext& ctx);

kernels::LogisticParams logistic_params(const OpContext& ctx);
// QUANTIZE with an int8 input (a float input needs only scale and zero point).
kernels::RequantizeParams requantize_params(const OpContext& ctx);

kernels::MeanParams mean_params(const OpContext& ctx);
kernels::Dims4 reduced_dims(const kernels::Dims4& in, uint32_t axis_mask);

kernels::PadParams pad_params(const OpContext& ctx);

// CONCATENATION's axis in the 4-D (NHWC) extension of the output.
int32_t concatenation_axis(const OpContext& ctx);

}  // namespace locus::ops

#endif  // LOCUS_RUNTIME_OPS_KERNEL_PARAMS_H_
