#include "host/quantize/operator_params.h"

namespace locus::host {

void append_per_channel_multipliers(float input_scale, std::span<const float> filter_scales,
                                    float output_scale, std::vector<int32_t>& multipliers,
                                    std::vector<int32_t>& shifts) {
  for (float filter_scale : filter_scales) {
    const QuantizedMultiplier m =
        per_channel_conv_multiplier(input_scale, filter_scale, output_scale);
    multipliers.push_back(m.multiplier);
    shifts.push_back(m.shift);
  }
}

schema::AddParamsT add_int8_params(float input1_scale, int32_t input1_zero_point,
                                   float input2_scale, int32_t input2_zero_point,
                                   float output_scale, int32_t output_zero_point,
                                   schema::Activation activation) {
  const AddScaling scaling = add_int8_scaling(input1_scale, input2_scale, output_scale);
  schema::AddParamsT params;
  params.input1_offset = -input1_zero_point;
  params.input2_offset = -input2_zero_point;
  params.output_offset = output_zero_point;
  params.left_shift = scaling.left_shift;
  params.input1_multiplier = scaling.input1.multiplier;
  params.input1_shift = scaling.input1.shift;
  params.input2_multiplier = scaling.input2.multiplier;
  params.input2_shift = scaling.input2.shift;
  params.output_multiplier = scaling.output.multiplier;
  params.output_shift = scaling.output.shift;
  set_fused_activation(params, activation, output_scale, output_zero_point);
  return params;
}

schema::SoftmaxParamsT softmax_int8_params(float beta, float input_scale) {
  const SoftmaxScaling scaling = softmax_int8_scaling(static_cast<double>(beta), input_scale);
  schema::SoftmaxParamsT params;
  params.beta = beta;
  params.input_multiplier = scaling.input_multiplier;
  params.input_left_shift = scaling.input_left_shift;
  params.diff_min = scaling.diff_min;
  return params;
}

}  // namespace locus::host
