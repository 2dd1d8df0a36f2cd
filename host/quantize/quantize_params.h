// Fixed-point quantisation parameters, computed exactly as TensorFlow Lite
// (Micro) computes them when it prepares an int8 operator, so the device can
// run with precomputed multipliers and still match TFLM bit for bit.
//
// Conventions: a multiplier is an int32 in [2^30, 2^31) (or 0) representing
// a real number in [0.5, 1) (or 0), and `shift` is a power-of-two exponent,
// positive = left shift: real ~= multiplier * 2^(shift - 31).
// Invalid arguments (non-finite values, a value outside a function's
// documented domain) throw host::Error.
#ifndef LOCUS_HOST_QUANTIZE_QUANTIZE_PARAMS_H_
#define LOCUS_HOST_QUANTIZE_QUANTIZE_PARAMS_H_

#include <cstdint>

#include "locus/schema/capsule_generated.h"

namespace locus::host {

struct QuantizedMultiplier {
  int32_t multiplier = 0;
  int32_t shift = 0;
  bool operator==(const QuantizedMultiplier&) const = default;
};

// TFLite QuantizeMultiplier: frexp, round half away from zero of q * 2^31,
// 2^31 folds to 2^30 with shift + 1, shifts below -31 flush to (0, 0).
QuantizedMultiplier quantize_multiplier(double real_multiplier);
// Requires 0 < real < 1; shift <= 0.
QuantizedMultiplier quantize_multiplier_smaller_than_one_exp(double real_multiplier);
// Requires real > 1; shift >= 0.
QuantizedMultiplier quantize_multiplier_greater_than_one(double real_multiplier);

// Per-channel conv/depthwise/FC rule: double(s_in) * double(s_w) / double(s_out).
QuantizedMultiplier per_channel_conv_multiplier(float input_scale, float filter_scale,
                                                float output_scale);
// Legacy per-tensor FC rule (GetQuantizedConvolutionMultipler): the
// product s_in * s_w is taken in float, then widened and divided.
QuantizedMultiplier per_tensor_conv_multiplier(float input_scale, float filter_scale,
                                               float output_scale);
// s_in / s_out (QUANTIZE int8->int8, MEAN int8).
QuantizedMultiplier rescale_multiplier(float input_scale, float output_scale);
// s1 * s2 / s_out (MUL).
QuantizedMultiplier mul_multiplier(float input1_scale, float input2_scale, float output_scale);

struct ActivationRange {
  int32_t min = 0;
  int32_t max = 0;
  bool operator==(const ActivationRange&) const = default;
};

// CalculateActivationRangeQuantized: the fused activation's bounds in the
// output's quantised domain, clipped to [qmin, qmax]. 0, 6, -1 and 1 are
// quantised in float: zero_point + round(value / scale).
ActivationRange activation_range_quantized(schema::Activation activation, float output_scale,
                                           int32_t output_zero_point, int32_t qmin, int32_t qmax);
inline ActivationRange activation_range_int8(schema::Activation activation, float output_scale,
                                             int32_t output_zero_point) {
  return activation_range_quantized(activation, output_scale, output_zero_point, -128, 127);
}

// CalculateInputRadius: floor((2^bits - 1) * 2^(total - bits) / 2^left_shift).
int32_t calculate_input_radius(int input_integer_bits, int input_left_shift,
                               int total_signed_bits = 31);

struct AddScaling {
  int32_t left_shift = 20;
  QuantizedMultiplier input1;
  QuantizedMultiplier input2;
  QuantizedMultiplier output;
};
// int8 ADD: twice_max = 2 * max(s1, s2); s1/twice_max, s2/twice_max and
// twice_max / (2^20 * s_out), each with quantize_multiplier_smaller_than_one_exp.
AddScaling add_int8_scaling(float input1_scale, float input2_scale, float output_scale);

struct SoftmaxScaling {
  int32_t input_multiplier = 0;
  int32_t input_left_shift = 0;
  int32_t diff_min = 0;
};
// int8-input SOFTMAX (PreprocessSoftmaxScaling with 5 integer bits):
// min(beta * s_in * 2^26, 2^31 - 1) -> greater-than-one multiplier;
// diff_min = -CalculateInputRadius(5, left_shift).
SoftmaxScaling softmax_int8_scaling(double beta, float input_scale);

struct LogisticScaling {
  int32_t input_zero_point = 0;
  int32_t input_range_radius = 0;
  int32_t input_multiplier = 0;
  int32_t input_left_shift = 0;
};
// int8 LOGISTIC (4 integer bits): s_in * 2^27 split with frexp into a
// multiplier and left shift; radius = CalculateInputRadius(4, left_shift).
LogisticScaling logistic_int8_scaling(float input_scale, int32_t input_zero_point);

}  // namespace locus::host

#endif  // LOCUS_HOST_QUANTIZE_QUANTIZE_PARAMS_H_
