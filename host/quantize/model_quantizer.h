// Post-training int8 quantisation: a trained float model (float_model.h)
// plus the activation ranges observed on calibration inputs become an int8
// host::Graph in the form the TFLite importer produces for a model that
// TFLite's converter quantised (TFLite int8 quantisation specification):
//
// - weights int8, symmetric, per output channel: scale = max|w| / 127, zero
//   point 0, quantized_dimension 0 (CONV_2D OHWI, FULLY_CONNECTED [out, in])
//   or 3 (DEPTHWISE_CONV_2D [1, H, W, C]);
// - bias int32, zero point 0, scale s_in * s_w[c], values rounded;
// - activations int8, per tensor, asymmetric, from the calibrated range
//   (activation_quantization); a fused ReLU/ReLU6 is the output's range
//   plus the operator's activation clamp;
// - MAX_POOL_2D, AVERAGE_POOL_2D and RESHAPE outputs keep their input's
//   quantisation; SOFTMAX outputs scale 1/256, zero point -128; CONV_2D,
//   DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD and MEAN outputs use their own
//   calibrated range;
// - the input uses model.input_quantization when set, else its range;
// - every multiplier, shift and clamp comes from quantize_params.h /
//   operator_params.h, the code the TFLite importer uses.
//
// See docs/quantization.md.
#ifndef LOCUS_HOST_QUANTIZE_MODEL_QUANTIZER_H_
#define LOCUS_HOST_QUANTIZE_MODEL_QUANTIZER_H_

#include <cstdint>
#include <span>
#include <vector>

#include "host/model/graph.h"
#include "host/quantize/float_model.h"

namespace locus::host {

// An int8 activation's quantisation from an observed float range: the range
// is widened to include 0, scale = (max - min) / 255 and zero_point =
// round(-128 - min / scale) clamped to [-128, 127]. A range of width 0 (a
// tensor that was always 0) gets scale 1/255 and zero point -128. Throws
// Error if min or max is not finite or min > max.
AffineQuantization activation_quantization(float min, float max);

// Symmetric per-channel int8 weight scales, max|w| / 127 for each index
// along `axis` of `shape` (weights in row-major order). A channel that is
// all zeros gets 1/127, as if its largest weight were 1.
std::vector<float> symmetric_weight_scales(std::span<const float> weights,
                                           const std::vector<int32_t>& shape, int32_t axis);

// TFLite's QUANTIZE: round(value / scale) (division in float, rounding half
// away from zero) + zero_point, clamped to int8; and DEQUANTIZE.
int8_t quantize_value(float value, const AffineQuantization& q);
float dequantize_value(int8_t value, const AffineQuantization& q);

// The int8 graph: one activation tensor per tensor the model uses (same
// names, shapes), then "<layer>/weights" and "<layer>/bias" constants; one
// operator per layer; input and output as the model's. `ranges` holds one
// range per model tensor (RangeObserver::ranges()). Throws Error naming the
// layer or tensor for anything it cannot quantise.
Graph quantize_model(const FloatModel& model, const ActivationRanges& ranges);

}  // namespace locus::host

#endif  // LOCUS_HOST_QUANTIZE_MODEL_QUANTIZER_H_
