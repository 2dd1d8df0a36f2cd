#include "runtime/ops/op_families.h"

namespace locus::ops {
namespace {

// Indexed by schema::OpKind; the order is the format's.
const OpHandler* const kHandlers[] = {
    &kConv2DHandler,        &kDepthwiseConv2DHandler, &kFullyConnectedHandler,
    &kAveragePool2DHandler, &kMaxPool2DHandler,       &kAddHandler,
    &kMulHandler,           &kReshapeHandler,         &kSoftmaxHandler,
    &kLogisticHandler,      &kQuantizeHandler,        &kDequantizeHandler,
    &kMeanHandler,          &kPadHandler,             &kConcatenationHandler,
};
static_assert(sizeof(kHandlers) / sizeof(kHandlers[0]) ==
                  static_cast<size_t>(schema::OpKind::MAX) + 1,
              "every OpKind needs a handler");

}  // namespace

const OpHandler* find_op_handler(schema::OpKind kind) {
  const auto index = static_cast<size_t>(kind);
  if (index >= sizeof(kHandlers) / sizeof(kHandlers[0])) return nullptr;
  return kHandlers[index];
}

}  // namespace locus::ops
