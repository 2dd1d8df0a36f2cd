// Logistic int8, bit-exact with TFLite's reference_integer_ops::Logistic.
//
// The output depends only on the int8 input value, so inputs larger than
// the table are mapped through a 256-entry table built once per call.
#include "runtime/kernels/fixed_point.h"
#include "runtime/kernels/kernels.h"

namespace locus::kernels {
namespace {

constexpr int32_t kTableThreshold = 256;

inline int8_t logistic_one(const LogisticParams& p, int32_t q) {
  const int32_t x = q - p.input_zero_point;
  if (x <= -p.input_range_radius) return -128;
  if (x >= p.input_range_radius) return 127;
  const int32_t x_q4 =
      fp::multiply_by_quantized_multiplier(x, p.input_multiplier, p.input_left_shift);
  const int32_t y = fp::rounding_divide_by_pot(fp::logistic<4>(x_q4), 31 - 8) - 128;
  return static_cast<int8_t>(fp::clamp(y, -128, 127));
}

}  // namespace

void logistic_s8(const LogisticParams& p, int32_t size, const int8_t* input, int8_t* output) {
  if (size < kTableThreshold) {
    for (int32_t i = 0; i < size; ++i) output[i] = logistic_one(p, input[i]);
    return;
  }
  int8_t table[256];
  for (int32_t v = -128; v < 128; ++v) table[v + 128] = logistic_one(p, v);
  for (int32_t i = 0; i < size; ++i) output[i] = table[input[i] + 128];
}

}  // namespace locus::kernels
