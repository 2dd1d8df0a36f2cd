#include "runtime/kernels/reference/quantize_ref.h"

#include <math.h>

#include "runtime/kernels/fixed_point.h"

namespace locus::kernels::reference {

// TFLite AffineQuantize: divide in float, round half away from zero.
void quantize_f32_s8(float scale, int32_t zero_point, int32_t size, const float* input,
                     int8_t* output) {
  for (int32_t i = 0; i < size; ++i) {
    float r = roundf(input[i] / scale);
    // Out-of-range values saturate anyway; bound before the int conversion
    // so it stays defined.
    if (!(r > -1.0e6f)) r = -1.0e6f;
    if (r > 1.0e6f) r = 1.0e6f;
    output[i] = static_cast<int8_t>(fp::clamp(static_cast<int32_t>(r) + zero_point, -128, 127));
  }
}

// TFLite reference_ops::Requantize, int8 -> int8.
void requantize_s8(const RequantizeParams& p, int32_t size, const int8_t* input, int8_t* output) {
  for (int32_t i = 0; i < size; ++i) {
    const int32_t v = fp::multiply_by_quantized_multiplier(input[i] - p.input_zero_point,
                                                           p.output_multiplier, p.output_shift) +
                      p.output_zero_point;
    output[i] = static_cast<int8_t>(fp::clamp(v, -128, 127));
  }
}

// TFLite reference_ops::Dequantize: the scale is widened to double and the
// product narrowed back to float.
void dequantize_s8_f32(float scale, int32_t zero_point, int32_t size, const int8_t* input,
                       float* output) {
  const double s = static_cast<double>(scale);
  for (int32_t i = 0; i < size; ++i) {
    output[i] = static_cast<float>(s * static_cast<double>(input[i] - zero_point));
  }
}

}  // namespace locus::kernels::reference
