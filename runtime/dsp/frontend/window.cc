#include "runtime/dsp/frontend/window.h"

namespace locus {
namespace dsp {
namespace frontend {

void build_window(int32_t size, TableArithmetic arithmetic, int16_t* coefficients) {
  // The promotions below mirror TFLM's C expressions exactly; they decide
  // the last bit of the coefficients.
  if (arithmetic == TableArithmetic::kLegacyDouble) {
    // arg is a float computed from double pi; the rest is double.
    const float arg = static_cast<float>(kPi * 2.0 / static_cast<double>(static_cast<float>(size)));
    for (int32_t i = 0; i < size; ++i) {
      const double c = cos_double(static_cast<double>(arg) * (static_cast<double>(i) + 0.5));
      const float value = static_cast<float>(0.5 - 0.5 * c);
      coefficients[i] = static_cast<int16_t>(
          floor_double(static_cast<double>(value * static_cast<float>(1 << kWindowBits)) + 0.5));
    }
    return;
  }
  const float arg = static_cast<float>(kPi) * 2.0f / static_cast<float>(size);
  for (int32_t i = 0; i < size; ++i) {
    const float value = 0.5f - 0.5f * cos_float(arg * (static_cast<float>(i) + 0.5f));
    coefficients[i] = static_cast<int16_t>(
        floor_float(value * static_cast<float>(1 << kWindowBits) + 0.5f));
  }
}

int16_t apply_window(const int16_t* in, const int16_t* coefficients, int32_t size, int16_t* out) {
  int16_t max_abs = 0;
  for (int32_t i = 0; i < size; ++i) {
    const int16_t v = static_cast<int16_t>((static_cast<int32_t>(in[i]) * coefficients[i]) >> kWindowBits);
    out[i] = v;
    // |v| in int16 as TFLM takes it: |-32768| wraps to -32768 and so never
    // becomes the maximum.
    const int16_t a = v < 0 ? static_cast<int16_t>(-v) : v;
    if (a > max_abs) max_abs = a;
  }
  return max_abs;
}

}  // namespace frontend
}  // namespace dsp
}  // namespace locus
