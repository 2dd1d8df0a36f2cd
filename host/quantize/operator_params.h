// Parameter fields that several int8 operators share, filled from tensor
// quantisation the way TFLite's Prepare computes them. The TFLite importer
// and the post-training quantiser both fill their operators through these,
// so an imported model and a quantised one carry the same numbers for the
// same scales.
#ifndef LOCUS_HOST_QUANTIZE_OPERATOR_PARAMS_H_
#define LOCUS_HOST_QUANTIZE_OPERATOR_PARAMS_H_

#include <cstdint>
#include <span>
#include <vector>

#include "host/quantize/quantize_params.h"
#include "locus/schema/capsule_generated.h"

namespace locus::host {

// activation, activation_min and activation_max of a parameter table with a
// fused activation (Conv2D, DepthwiseConv2D, FullyConnected, Pool2D, Add,
// Mul), the bounds in the output's quantised domain.
template <typename Params>
void set_fused_activation(Params& params, schema::Activation activation, float output_scale,
                          int32_t output_zero_point) {
  const ActivationRange range = activation_range_int8(activation, output_scale, output_zero_point);
  params.activation = activation;
  params.activation_min = range.min;
  params.activation_max = range.max;
}

// Appends one (multiplier, shift) per filter scale, each
// per_channel_conv_multiplier(s_in, s_w[c], s_out).
void append_per_channel_multipliers(float input_scale, std::span<const float> filter_scales,
                                    float output_scale, std::vector<int32_t>& multipliers,
                                    std::vector<int32_t>& shifts);

// The quantisation fields of an int8 CONV_2D, DEPTHWISE_CONV_2D or
// per-channel FULLY_CONNECTED table (the three share these member names):
// input_offset = -zp_in, output_offset = zp_out, the fused activation's
// clamp and one requantisation multiplier per output channel.
template <typename Params>
void fill_conv_quantization(Params& params, float input_scale, int32_t input_zero_point,
                            std::span<const float> filter_scales, float output_scale,
                            int32_t output_zero_point, schema::Activation activation) {
  params.input_offset = -input_zero_point;
  params.output_offset = output_zero_point;
  set_fused_activation(params, activation, output_scale, output_zero_point);
  params.output_multiplier.clear();
  params.output_shift.clear();
  append_per_channel_multipliers(input_scale, filter_scales, output_scale,
                                 params.output_multiplier, params.output_shift);
}

// int8 ADD: offsets, add_int8_scaling's multipliers and the clamp.
schema::AddParamsT add_int8_params(float input1_scale, int32_t input1_zero_point,
                                   float input2_scale, int32_t input2_zero_point,
                                   float output_scale, int32_t output_zero_point,
                                   schema::Activation activation);

// int8-input SOFTMAX: beta and softmax_int8_scaling's fields.
schema::SoftmaxParamsT softmax_int8_params(float beta, float input_scale);

}  // namespace locus::host

#endif  // LOCUS_HOST_QUANTIZE_OPERATOR_PARAMS_H_
