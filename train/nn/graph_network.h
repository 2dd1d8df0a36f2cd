// A trainable float network made from a capsule's int8 graph: every weight
// and bias is dequantised into a libtorch parameter, so a model trained
// here, or imported from a TFLite file (e.g. MLPerf Tiny's DS-CNN), can be
// fine-tuned for a location and written back as a float model for
// requantisation. The graph must be a chain of CONV_2D, DEPTHWISE_CONV_2D,
// FULLY_CONNECTED, AVERAGE_POOL_2D, MAX_POOL_2D (no padding), MEAN over
// height and width, RESHAPE and a final SOFTMAX; anything else is refused
// with the operator named. Activations are held NHWC, as the runtime holds
// them, so reshapes keep their meaning.
#ifndef LOCUS_TRAIN_NN_GRAPH_NETWORK_H_
#define LOCUS_TRAIN_NN_GRAPH_NETWORK_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "locus/schema/capsule_generated.h"
#include "train/nn/network.h"

namespace locus::train {

class GraphNetwork : public Network {
 public:
  // `where` names the source in errors (the capsule file).
  GraphNetwork(const schema::Graph& graph, Task task, const std::string& where);

  torch::Tensor forward(const torch::Tensor& features) override;
  void export_layers(FloatModelBuilder& builder) override;
  std::vector<int32_t> input_shape(int32_t frames, int32_t features) const override;
  Task task() const override { return task_; }
  std::string arch() const override { return "graph"; }
  bool simulates_int8() const override { return true; }

  // The graph input's quantisation: what the feature block's int8 values mean.
  host::AffineQuantization input_quantization() const { return input_quantization_; }
  int64_t input_size() const;
  // Output classes (classifiers) or values (reconstructions).
  int64_t output_size() const;
  // Layers with weights, in execution order.
  size_t weighted_layers() const;
  // Only the last `n` weighted layers learn; 0 or more than there are: all.
  void train_only_last(size_t n);
  // Replaces the last dense layer with one of `classes` outputs, keeping the
  // rows of labels that stay (`keep[i]`: old row for new class i, or -1 for
  // a new class, initialised small).
  void resize_classifier(const std::vector<int32_t>& keep);

 private:
  struct Layer {
    schema::OpKind kind = schema::OpKind::Conv2D;
    std::string name;
    torch::Tensor weight, bias;  // conv OIHW, depthwise [C, 1, H, W], dense [out, in]
    Geometry2d geometry;
    int32_t filter_h = 0, filter_w = 0;  // pools
    bool keep_dims = true;               // MEAN
    host::FloatActivation activation = host::FloatActivation::kNone;
    std::vector<int32_t> output_shape;  // NHWC or [1, N], batch 1
  };

  torch::Tensor activate(const torch::Tensor& x, host::FloatActivation a) const;

  Task task_;
  std::vector<int32_t> input_shape_;
  host::AffineQuantization input_quantization_;
  std::vector<Layer> layers_;
  bool softmax_ = false;
};

}  // namespace locus::train

#endif  // LOCUS_TRAIN_NN_GRAPH_NETWORK_H_
