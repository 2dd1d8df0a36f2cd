// Test helper: builds FloatModels layer by layer, optionally with seeded
// random weights.
#ifndef LOCUS_HOST_QUANTIZE_FLOAT_MODEL_TESTING_H_
#define LOCUS_HOST_QUANTIZE_FLOAT_MODEL_TESTING_H_

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "host/quantize/float_model.h"

namespace locus::host::testing {

class FloatModelBuilder {
 public:
  explicit FloatModelBuilder(uint32_t seed = 1) : random_(seed) {}

  int32_t tensor(std::string name, std::vector<int32_t> shape) {
    model_.tensors.push_back({std::move(name), std::move(shape)});
    return static_cast<int32_t>(model_.tensors.size() - 1);
  }

  // Adds a layer writing a new tensor `name` of `shape`; returns the layer.
  FloatLayer& layer(FloatOp op, std::vector<int32_t> inputs, std::string name,
                    std::vector<int32_t> shape) {
    FloatLayer layer;
    layer.name = name;
    layer.op = op;
    layer.inputs = std::move(inputs);
    layer.output = tensor(std::move(name), std::move(shape));
    model_.layers.push_back(std::move(layer));
    return model_.layers.back();
  }

  // Uniform random weights in +-gain * sqrt(3 / fan_in) and small biases.
  void randomize(FloatLayer& layer, std::vector<int32_t> weight_shape, float gain = 1.0f) {
    layer.weight_shape = std::move(weight_shape);
    int64_t count = 1;
    for (int32_t d : layer.weight_shape) count *= d;
    const int32_t channels = layer.op == FloatOp::kDepthwiseConv2D ? layer.weight_shape[3]
                                                                   : layer.weight_shape[0];
    const int64_t fan_in = count / channels;
    const float limit = gain * std::sqrt(3.0f / static_cast<float>(fan_in));
    std::uniform_real_distribution<float> weight(-limit, limit);
    std::uniform_real_distribution<float> bias(-0.1f, 0.1f);
    layer.weights.resize(static_cast<size_t>(count));
    for (float& w : layer.weights) w = weight(random_);
    layer.bias.resize(static_cast<size_t>(channels));
    for (float& b : layer.bias) b = bias(random_);
  }

  std::vector<float> uniform(size_t count, float low, float high) {
    std::uniform_real_distribution<float> value(low, high);
    std::vector<float> values(count);
    for (float& v : values) v = value(random_);
    return values;
  }

  FloatModel& model() { return model_; }
  std::mt19937& random() { return random_; }

 private:
  FloatModel model_;
  std::mt19937 random_;
};

}  // namespace locus::host::testing

#endif  // LOCUS_HOST_QUANTIZE_FLOAT_MODEL_TESTING_H_
