// A trained float network in the shapes the int8 runtime executes, before
// quantisation: what a trainer exports (batch-norm already folded into the
// weights) and what the post-training quantiser turns into an int8 Graph.
// Layout is TFLite's: activations NHWC (batch 1) or [1, N]; conv weights
// OHWI, depthwise weights [1, H, W, C], fully-connected weights [out, in].
#ifndef LOCUS_HOST_QUANTIZE_FLOAT_MODEL_H_
#define LOCUS_HOST_QUANTIZE_FLOAT_MODEL_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace locus::host {

enum class FloatOp {
  kConv2D,
  kDepthwiseConv2D,
  kFullyConnected,
  kAveragePool2D,
  kMaxPool2D,
  kMean,     // average over H and W, keeping [1, 1, 1, C] (global average pool)
  kReshape,  // to the output tensor's shape (flatten)
  kAdd,      // two inputs of the same shape (residual connections)
  kSoftmax,  // over the last dimension
};

enum class FloatActivation { kNone, kRelu, kRelu6 };

struct FloatTensor {
  std::string name;
  std::vector<int32_t> shape;
};

struct FloatLayer {
  std::string name;
  FloatOp op = FloatOp::kConv2D;
  std::vector<int32_t> inputs;  // tensor indices
  int32_t output = 0;
  std::vector<int32_t> weight_shape;  // convolutions and fully connected
  std::vector<float> weights;
  std::vector<float> bias;            // one per output channel; empty means zeros
  int32_t stride_h = 1, stride_w = 1;
  int32_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;  // zero padding
  int32_t filter_h = 0, filter_w = 0;                               // pools
  FloatActivation activation = FloatActivation::kNone;
};

struct AffineQuantization {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

struct FloatModel {
  std::vector<FloatTensor> tensors;
  std::vector<FloatLayer> layers;  // execution order
  int32_t input = 0;
  int32_t output = 0;
  // Set when the model's input arrives already int8 (features a DSP block
  // quantises): the quantiser keeps it instead of calibrating the input.
  std::optional<AffineQuantization> input_quantization;
};

// Checks shapes, indices and weight sizes; throws Error naming the layer.
void validate_float_model(const FloatModel& model);

// Reference float execution of one input; returns every tensor's values
// (index = tensor index), which calibration observes.
std::vector<std::vector<float>> run_float_model(const FloatModel& model,
                                                std::span<const float> input);

// Observed float ranges per tensor over a representative set.
struct ActivationRanges {
  std::vector<float> min, max;
};

class RangeObserver {
 public:
  explicit RangeObserver(const FloatModel& model);
  void observe(std::span<const float> input);
  ActivationRanges ranges() const;

 private:
  const FloatModel& model_;
  ActivationRanges ranges_;
  size_t count_ = 0;
};

}  // namespace locus::host

#endif  // LOCUS_HOST_QUANTIZE_FLOAT_MODEL_H_
