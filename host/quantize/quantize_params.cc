#include "host/quantize/quantize_params.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "host/common/error.h"

namespace locus::host {
namespace {

constexpr int64_t kTwoTo31 = int64_t{1} << 31;

void require_finite(double value, const char* what) {
  if (!std::isfinite(value)) fail("quantize: ", what, " ", value, " is not finite");
}

void require_positive_scale(float scale, const char* what) {
  if (!std::isfinite(scale) || !(scale > 0.0f)) {
    fail("quantize: ", what, " ", scale, " must be a positive finite number");
  }
}

// frexp + round-half-away of the fraction to Q31, folding 2^31 into 2^30.
QuantizedMultiplier split_multiplier(double real_multiplier) {
  int exponent = 0;
  const double fraction = std::frexp(real_multiplier, &exponent);
  int64_t fixed = static_cast<int64_t>(std::round(fraction * static_cast<double>(kTwoTo31)));
  if (fixed == kTwoTo31) {
    fixed /= 2;
    ++exponent;
  }
  return {static_cast<int32_t>(fixed), exponent};
}

}  // namespace

QuantizedMultiplier quantize_multiplier(double real_multiplier) {
  require_finite(real_multiplier, "multiplier");
  if (real_multiplier == 0.0) return {0, 0};
  QuantizedMultiplier result = split_multiplier(real_multiplier);
  // Shifting right by more than 31 would discard every bit: TFLite flushes
  // such tiny multipliers to zero instead.
  if (result.shift < -31) return {0, 0};
  return result;
}

QuantizedMultiplier quantize_multiplier_smaller_than_one_exp(double real_multiplier) {
  require_finite(real_multiplier, "multiplier");
  if (!(real_multiplier > 0.0 && real_multiplier < 1.0)) {
    fail("quantize: multiplier ", real_multiplier, " must be in (0, 1)");
  }
  const QuantizedMultiplier result = quantize_multiplier(real_multiplier);
  if (result.shift > 0) {  // rounded up to 1.0
    fail("quantize: multiplier ", real_multiplier, " rounds to 1 or more");
  }
  return result;
}

QuantizedMultiplier quantize_multiplier_greater_than_one(double real_multiplier) {
  require_finite(real_multiplier, "multiplier");
  if (!(real_multiplier > 1.0)) fail("quantize: multiplier ", real_multiplier, " must be > 1");
  return quantize_multiplier(real_multiplier);
}

QuantizedMultiplier per_channel_conv_multiplier(float input_scale, float filter_scale,
                                                float output_scale) {
  require_positive_scale(input_scale, "input scale");
  require_positive_scale(output_scale, "output scale");
  require_finite(filter_scale, "filter scale");
  return quantize_multiplier(static_cast<double>(input_scale) * static_cast<double>(filter_scale) /
                             static_cast<double>(output_scale));
}

QuantizedMultiplier per_tensor_conv_multiplier(float input_scale, float filter_scale,
                                               float output_scale) {
  require_positive_scale(input_scale, "input scale");
  require_positive_scale(output_scale, "output scale");
  require_finite(filter_scale, "filter scale");
  // The product is deliberately rounded to float before widening: TFLite
  // does it this way and the last bit of the multiplier can depend on it.
  const float product = input_scale * filter_scale;
  return quantize_multiplier(static_cast<double>(product) / static_cast<double>(output_scale));
}

QuantizedMultiplier rescale_multiplier(float input_scale, float output_scale) {
  require_positive_scale(input_scale, "input scale");
  require_positive_scale(output_scale, "output scale");
  return quantize_multiplier(static_cast<double>(input_scale) / static_cast<double>(output_scale));
}

QuantizedMultiplier mul_multiplier(float input1_scale, float input2_scale, float output_scale) {
  require_positive_scale(input1_scale, "input 1 scale");
  require_positive_scale(input2_scale, "input 2 scale");
  require_positive_scale(output_scale, "output scale");
  return quantize_multiplier(static_cast<double>(input1_scale) * static_cast<double>(input2_scale) /
                             static_cast<double>(output_scale));
}

ActivationRange activation_range_quantized(schema::Activation activation, float output_scale,
                                           int32_t output_zero_point, int32_t qmin, int32_t qmax) {
  require_positive_scale(output_scale, "output scale");
  // zero_point + round(value / scale), the division and rounding in float.
  const auto quantize = [&](float value) -> int64_t {
    const float rounded = std::round(value / output_scale);
    if (!(rounded >= -2147483648.0f && rounded < 2147483648.0f)) {
      fail("quantize: activation bound ", value, " overflows int32 at scale ", output_scale);
    }
    return int64_t{output_zero_point} + static_cast<int64_t>(rounded);
  };
  const auto clamp_min = [&](int64_t q) {
    return static_cast<int32_t>(std::max<int64_t>(qmin, q));
  };
  const auto clamp_max = [&](int64_t q) {
    return static_cast<int32_t>(std::min<int64_t>(qmax, q));
  };
  switch (activation) {
    case schema::Activation::None:
      return {qmin, qmax};
    case schema::Activation::Relu:
      return {clamp_min(quantize(0.0f)), qmax};
    case schema::Activation::Relu6:
      return {clamp_min(quantize(0.0f)), clamp_max(quantize(6.0f))};
    case schema::Activation::ReluN1To1:
      return {clamp_min(quantize(-1.0f)), clamp_max(quantize(1.0f))};
  }
  fail("quantize: unknown activation ", static_cast<int>(activation));
}

int32_t calculate_input_radius(int input_integer_bits, int input_left_shift,
                               int total_signed_bits) {
  if (input_integer_bits < 0 || input_integer_bits > 30 || total_signed_bits < input_integer_bits ||
      total_signed_bits - input_integer_bits > 62 || input_left_shift < 0 ||
      input_left_shift > 62) {
    fail("quantize: input radius arguments out of range (integer bits ", input_integer_bits,
         ", left shift ", input_left_shift, ", total bits ", total_signed_bits, ")");
  }
  const double max_input_rescaled =
      1.0 * ((1 << input_integer_bits) - 1) *
      static_cast<double>(int64_t{1} << (total_signed_bits - input_integer_bits)) /
      static_cast<double>(int64_t{1} << input_left_shift);
  const double radius = std::floor(max_input_rescaled);  // floor keeps it strictly inside
  if (radius > std::numeric_limits<int32_t>::max()) {
    fail("quantize: input radius ", radius, " overflows int32");
  }
  return static_cast<int32_t>(radius);
}

AddScaling add_int8_scaling(float input1_scale, float input2_scale, float output_scale) {
  require_positive_scale(input1_scale, "input 1 scale");
  require_positive_scale(input2_scale, "input 2 scale");
  require_positive_scale(output_scale, "output scale");
  AddScaling scaling;
  scaling.left_shift = 20;
  const double twice_max_input_scale =
      2 * static_cast<double>(std::max(input1_scale, input2_scale));
  scaling.input1 = quantize_multiplier_smaller_than_one_exp(static_cast<double>(input1_scale) /
                                                            twice_max_input_scale);
  scaling.input2 = quantize_multiplier_smaller_than_one_exp(static_cast<double>(input2_scale) /
                                                            twice_max_input_scale);
  scaling.output = quantize_multiplier_smaller_than_one_exp(
      twice_max_input_scale /
      (static_cast<double>(1 << scaling.left_shift) * static_cast<double>(output_scale)));
  return scaling;
}

SoftmaxScaling softmax_int8_scaling(double beta, float input_scale) {
  require_finite(beta, "softmax beta");
  require_positive_scale(input_scale, "input scale");
  constexpr int kScaledDiffIntegerBits = 5;
  const double max_real_multiplier = static_cast<double>(kTwoTo31) - 1.0;
  const double real_multiplier =
      std::min<double>(beta * static_cast<double>(input_scale) *
                           static_cast<double>(1 << (31 - kScaledDiffIntegerBits)),
                       max_real_multiplier);
  const QuantizedMultiplier multiplier = quantize_multiplier_greater_than_one(real_multiplier);
  SoftmaxScaling scaling;
  scaling.input_multiplier = multiplier.multiplier;
  scaling.input_left_shift = multiplier.shift;
  scaling.diff_min = -calculate_input_radius(kScaledDiffIntegerBits, multiplier.shift);
  return scaling;
}

LogisticScaling logistic_int8_scaling(float input_scale, int32_t input_zero_point) {
  require_positive_scale(input_scale, "input scale");
  constexpr int kInputIntegerBits = 4;
  const double real_multiplier =
      static_cast<double>(input_scale) * static_cast<double>(1 << (31 - kInputIntegerBits));
  // TFLM splits with frexp directly (no folding); a fraction that rounds up
  // to 2^31 would overflow its int32 cast, so we fold it like QuantizeMultiplier.
  const QuantizedMultiplier multiplier = split_multiplier(real_multiplier);
  if (multiplier.shift < 0) {
    fail("quantize: logistic input scale ", input_scale, " is too small (below 2^-28)");
  }
  LogisticScaling scaling;
  scaling.input_zero_point = input_zero_point;
  scaling.input_multiplier = multiplier.multiplier;
  scaling.input_left_shift = multiplier.shift;
  scaling.input_range_radius = calculate_input_radius(kInputIntegerBits, multiplier.shift, 31);
  return scaling;
}

}  // namespace locus::host
