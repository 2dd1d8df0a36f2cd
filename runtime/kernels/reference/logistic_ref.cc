#include "runtime/kernels/reference/logistic_ref.h"

#include "runtime/kernels/fixed_point.h"

namespace locus::kernels::reference {

// Mirrors TFLite's reference_integer_ops::Logistic for int8: input rescaled
// to Q4.27, gemmlowp logistic, result Q0.31 rounded to 1/256 steps, -128.
void logistic_s8(const LogisticParams& p, int32_t size, const int8_t* input, int8_t* output) {
  for (int32_t i = 0; i < size; ++i) {
    const int32_t x = input[i] - p.input_zero_point;
    if (x <= -p.input_range_radius) {
      output[i] = -128;
    } else if (x >= p.input_range_radius) {
      output[i] = 127;
    } else {
      const int32_t x_q4 =
          fp::multiply_by_quantized_multiplier(x, p.input_multiplier, p.input_left_shift);
      const int32_t y_q0 = fp::logistic<4>(x_q4);
      const int32_t y = fp::rounding_divide_by_pot(y_q0, 31 - 8) - 128;
      output[i] = static_cast<int8_t>(fp::clamp(y, -128, 127));
    }
  }
}

}  // namespace locus::kernels::reference
