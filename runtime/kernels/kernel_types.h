// Shapes and parameter blocks shared by the int8 kernels.
//
// Kernels are plain functions over raw pointers, in the CMSIS-NN manner: the
// caller owns every buffer, all quantisation parameters are precomputed
// (multipliers and shifts exactly as TFLite computes them), and nothing is
// allocated. Shapes are NHWC. Each kernel is bit-exact with TensorFlow Lite
// Micro's reference kernel for the same parameters.
#ifndef LOCUS_RUNTIME_KERNELS_KERNEL_TYPES_H_
#define LOCUS_RUNTIME_KERNELS_KERNEL_TYPES_H_

#include <stdint.h>

namespace locus::kernels {

struct Dims4 {
  int32_t n = 1, h = 1, w = 1, c = 1;
  int32_t elements() const { return n * h * w * c; }
};

// Per-channel (or per-tensor when count is 1) requantisation.
struct Requant {
  const int32_t* multiplier = nullptr;
  const int32_t* shift = nullptr;  // positive = left shift
  int32_t count = 0;               // 1 = per tensor, else one per out channel
};

struct ConvParams {
  int32_t stride_h = 1, stride_w = 1;
  int32_t dilation_h = 1, dilation_w = 1;
  int32_t pad_top = 0, pad_left = 0;  // explicit, already resolved from SAME/VALID
  int32_t input_offset = 0;           // -input zero point
  int32_t output_offset = 0;          // output zero point
  int32_t activation_min = -128, activation_max = 127;
  int32_t depth_multiplier = 1;       // depthwise only
  Requant requant;
};

struct FullyConnectedParams {
  int32_t input_offset = 0;    // -input zero point
  int32_t weights_offset = 0;  // -weights zero point (0 for symmetric weights)
  int32_t output_offset = 0;   // output zero point
  int32_t activation_min = -128, activation_max = 127;
  Requant requant;
};

struct PoolParams {
  int32_t stride_h = 1, stride_w = 1;
  int32_t filter_h = 1, filter_w = 1;
  int32_t pad_top = 0, pad_left = 0;
  int32_t activation_min = -128, activation_max = 127;
};

struct AddParams {
  int32_t input1_offset = 0, input2_offset = 0, output_offset = 0;
  int32_t left_shift = 20;
  int32_t input1_multiplier = 0, input1_shift = 0;
  int32_t input2_multiplier = 0, input2_shift = 0;
  int32_t output_multiplier = 0, output_shift = 0;
  int32_t activation_min = -128, activation_max = 127;
};

struct MulParams {
  int32_t input1_offset = 0, input2_offset = 0, output_offset = 0;
  int32_t output_multiplier = 0, output_shift = 0;
  int32_t activation_min = -128, activation_max = 127;
};

struct SoftmaxParams {
  int32_t input_multiplier = 0;
  int32_t input_left_shift = 0;
  int32_t diff_min = 0;
};

struct LogisticParams {
  int32_t input_zero_point = 0;
  int32_t input_range_radius = 0;
  int32_t input_multiplier = 0;
  int32_t input_left_shift = 0;
};

struct RequantizeParams {
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
  int32_t output_multiplier = 0;
  int32_t output_shift = 0;
};

struct MeanParams {
  // Reduction over H and W of an NHWC tensor (the case int8 models use),
  // or over any subset of the four axes via the mask (bit 0 = N ... bit 3 = C).
  uint32_t axis_mask = 0;
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
  int32_t output_multiplier = 0;  // used when input and output quantisation differ
  int32_t output_shift = 0;
  bool same_quantization = true;
};

struct PadParams {
  int32_t before[4] = {0, 0, 0, 0};  // per dimension N, H, W, C
  int32_t after[4] = {0, 0, 0, 0};
};

}  // namespace locus::kernels

#endif  // LOCUS_RUNTIME_KERNELS_KERNEL_TYPES_H_
