// FullyConnected int8, bit-exact with TFLite Micro's
// reference_integer_ops::FullyConnected / FullyConnectedPerChannel.
//
// Each batch row is widened once to int16 (x + input_offset) and every
// output is a dot product with its weight row, four rows at a time. Rows
// longer than the stack buffer use the folded form
// sum(w*x) + input_offset * sum(w), which is the same int32 sum. A nonzero
// weights_offset (legacy asymmetric weights) takes the simple loop.
#include "runtime/kernels/dot_product.h"
#include "runtime/kernels/kernels.h"

namespace locus::kernels {
namespace {

inline int8_t finish(const FullyConnectedParams& p, int32_t acc, const int32_t* bias, int32_t oc) {
  if (bias != nullptr) acc = fp::wrapping_add(acc, bias[oc]);
  const int32_t q = p.requant.count == 1 ? 0 : oc;
  return detail::requantize_acc(acc, p.requant.multiplier[q], p.requant.shift[q],
                                p.output_offset, p.activation_min, p.activation_max);
}

}  // namespace

void fully_connected_s8(const FullyConnectedParams& p, int32_t batches, int32_t accum_depth,
                        const int8_t* input, int32_t output_depth, const int8_t* weights,
                        const int32_t* bias, int8_t* output) {
  if (p.weights_offset != 0) {
    for (int32_t b = 0; b < batches; ++b) {
      const int8_t* x = input + b * accum_depth;
      for (int32_t oc = 0; oc < output_depth; ++oc) {
        const int8_t* w = weights + oc * accum_depth;
        int32_t acc = 0;
        for (int32_t d = 0; d < accum_depth; ++d)
          acc += (w[d] + p.weights_offset) * (x[d] + p.input_offset);
        output[b * output_depth + oc] = finish(p, acc, bias, oc);
      }
    }
    return;
  }

  if (accum_depth > detail::kPatchCapacity) {
    for (int32_t b = 0; b < batches; ++b) {
      const int8_t* x = input + b * accum_depth;
      for (int32_t oc = 0; oc < output_depth; ++oc) {
        int32_t dot = 0, sum_w = 0;
        detail::dot_and_sum_s8(x, weights + oc * accum_depth, accum_depth, &dot, &sum_w);
        output[b * output_depth + oc] =
            finish(p, fp::wrapping_add(dot, sum_w * p.input_offset), bias, oc);
      }
    }
    return;
  }

  int16_t row[detail::kPatchCapacity];
  for (int32_t b = 0; b < batches; ++b) {
    detail::widen_with_offset(input + b * accum_depth, p.input_offset, accum_depth, row);
    int8_t* out = output + b * output_depth;
    int32_t oc = 0;
    int32_t acc[4];
    for (; oc + 4 <= output_depth; oc += 4) {
      detail::dot4_s16_s8(row, weights + oc * accum_depth, accum_depth, accum_depth, acc);
      for (int32_t j = 0; j < 4; ++j) out[oc + j] = finish(p, acc[j], bias, oc + j);
    }
    for (; oc < output_depth; ++oc) {
      out[oc] = finish(p, detail::dot_s16_s8(row, weights + oc * accum_depth, accum_depth), bias, oc);
    }
  }
}

}  // namespace locus::kernels
