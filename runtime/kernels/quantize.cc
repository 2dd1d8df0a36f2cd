// Quantize (float -> int8), Requantize (int8 -> int8) and Dequantize
// (int8 -> float), bit-exact with TFLite's AffineQuantize, Requantize and
// Dequantize reference kernels.
#include <math.h>

#include "runtime/kernels/fixed_point.h"
#include "runtime/kernels/kernels.h"

namespace locus::kernels {

void quantize_f32_s8(float scale, int32_t zero_point, int32_t size, const float* input,
                     int8_t* output) {
  for (int32_t i = 0; i < size; ++i) {
    // Float division and round-half-away, as TFLite; bounded before the
    // int conversion (anything that large saturates anyway).
    float r = roundf(input[i] / scale);
    r = r > -1.0e6f ? r : -1.0e6f;  // also maps NaN to the low end
    r = r < 1.0e6f ? r : 1.0e6f;
    output[i] = static_cast<int8_t>(fp::clamp(static_cast<int32_t>(r) + zero_point, -128, 127));
  }
}

void requantize_s8(const RequantizeParams& p, int32_t size, const int8_t* input, int8_t* output) {
  // Each output depends only on the input value: tabulate for long inputs.
  auto one = [&p](int32_t v) {
    const int32_t r = fp::multiply_by_quantized_multiplier(v - p.input_zero_point,
                                                           p.output_multiplier, p.output_shift) +
                      p.output_zero_point;
    return static_cast<int8_t>(fp::clamp(r, -128, 127));
  };
  if (size < 256) {
    for (int32_t i = 0; i < size; ++i) output[i] = one(input[i]);
    return;
  }
  int8_t table[256];
  for (int32_t v = -128; v < 128; ++v) table[v + 128] = one(v);
  for (int32_t i = 0; i < size; ++i) output[i] = table[input[i] + 128];
}

void dequantize_s8_f32(float scale, int32_t zero_point, int32_t size, const int8_t* input,
                       float* output) {
  // TFLite multiplies in double and rounds to float. The exact product of a
  // float and an integer below 2^9 fits in a double, so that equals one
  // correctly rounded float multiply: same bits, no soft-double on Cortex-M.
  for (int32_t i = 0; i < size; ++i) {
    output[i] = scale * static_cast<float>(input[i] - zero_point);
  }
}

}  // namespace locus::kernels
