#include "runtime/kernels/reference/fully_connected_ref.h"

#include "runtime/kernels/fixed_point.h"

namespace locus::kernels::reference {

// Mirrors TFLite Micro's reference_integer_ops::FullyConnected (per tensor,
// with weights_offset) and FullyConnectedPerChannel (weights_offset is 0 for
// per-channel weights, so one formula serves both).
void fully_connected_s8(const FullyConnectedParams& p, int32_t batches, int32_t accum_depth,
                        const int8_t* input, int32_t output_depth, const int8_t* weights,
                        const int32_t* bias, int8_t* output) {
  for (int32_t b = 0; b < batches; ++b) {
    for (int32_t oc = 0; oc < output_depth; ++oc) {
      int32_t acc = 0;
      for (int32_t d = 0; d < accum_depth; ++d) {
        const int32_t x = input[b * accum_depth + d];
        const int32_t w = weights[oc * accum_depth + d];
        acc = fp::wrapping_add(acc, (w + p.weights_offset) * (x + p.input_offset));
      }
      if (bias != nullptr) acc = fp::wrapping_add(acc, bias[oc]);
      const int32_t q = p.requant.count == 1 ? 0 : oc;
      acc = fp::multiply_by_quantized_multiplier(acc, p.requant.multiplier[q], p.requant.shift[q]);
      acc += p.output_offset;
      output[b * output_depth + oc] =
          static_cast<int8_t>(fp::clamp(acc, p.activation_min, p.activation_max));
    }
  }
}

}  // namespace locus::kernels::reference
