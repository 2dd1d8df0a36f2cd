// Handlers defined by the per-family files, gathered by op_registry.cc.
#ifndef LOCUS_RUNTIME_OPS_OP_FAMILIES_H_
#define LOCUS_RUNTIME_OPS_OP_FAMILIES_H_

#include "runtime/ops/op_context.h"

namespace locus::ops {

extern const OpHandler kConv2DHandler;
extern const OpHandler kDepthwiseConv2DHandler;
extern const OpHandler kFullyConnectedHandler;
extern const OpHandler kAveragePool2DHandler;
extern const OpHandler kMaxPool2DHandler;
extern const OpHandler kAddHandler;
extern const OpHandler kMulHandler;
extern const OpHandler kSoftmaxHandler;
extern const OpHandler kLogisticHandler;
extern const OpHandler kQuantizeHandler;
extern const OpHandler kDequantizeHandler;
extern const OpHandler kReshapeHandler;
extern const OpHandler kMeanHandler;
extern const OpHandler kPadHandler;
extern const OpHandler kConcatenationHandler;

}  // namespace locus::ops

#endif  // LOCUS_RUNTIME_OPS_OP_FAMILIES_H_
