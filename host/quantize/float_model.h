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

// "CONV_2D", "MEAN", ... (the int8 operator each float op becomes).
const char* float_op_name(FloatOp op);
// For messages: "layer 3 'fc1' (FULLY_CONNECTED)", "tensor 2 'conv1'".
std::string float_layer_label(const FloatModel& model, size_t index);
std::string float_tensor_label(const FloatModel& model, int32_t index);

// Checks shapes, indices and weight sizes; throws Error naming the layer.
// Also: tensors have rank 1..4, every layer input is the model input or an
// earlier layer's output, each tensor is written once, weights and biases
// are finite, pool padding is smaller than the window, and MEAN, RESHAPE
// and SOFTMAX have no fused activation (their int8 operators have none).
void validate_float_model(const FloatModel& model);

// Reference float execution of one input; returns every tensor's values
// (index = tensor index, empty for tensors no layer computes), which
// calibration observes. Validates the model; the input must have the input
// tensor's element count.
std::vector<std::vector<float>> run_float_model(const FloatModel& model,
                                                std::span<const float> input);

// Observed float ranges per tensor over a representative set (index =
// tensor index; every range includes 0).
struct ActivationRanges {
  std::vector<float> min, max;
};

// Runs the float model over calibration inputs and keeps each tensor's
// min and max. The model must outlive the observer.
class RangeObserver {
 public:
  explicit RangeObserver(const FloatModel& model);  // validates the model
  void observe(std::span<const float> input);
  // Throws Error if nothing was observed yet.
  ActivationRanges ranges() const;

 private:
  const FloatModel& model_;
  ActivationRanges ranges_;
  size_t count_ = 0;
};

}  // namespace locus::host

#endif  // LOCUS_HOST_QUANTIZE_FLOAT_MODEL_H_
