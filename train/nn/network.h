// The trainable networks: a libtorch module that maps a batch of feature
// windows [B, frames, features] to logits (classifiers) or to a
// reconstruction (autoencoders), and that can write itself out as a float
// model in the int8 runtime's layout for quantisation.
#ifndef LOCUS_TRAIN_NN_NETWORK_H_
#define LOCUS_TRAIN_NN_NETWORK_H_

#include <torch/torch.h>

#include <string>

#include "train/export/float_model_builder.h"
#include "train/nn/quant_sim.h"

namespace locus::train {

enum class Task { kClassify, kReconstruct };

class Network : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const torch::Tensor& features) = 0;
  // Appends the network's layers after the builder's input (eval mode).
  virtual void export_layers(FloatModelBuilder& builder) = 0;
  // How the runtime holds one window: NHWC [1, frames, features, 1], or
  // [1, frames, 1, features] (1-D over time), or [1, frames * features].
  virtual std::vector<int32_t> input_shape(int32_t frames, int32_t features) const = 0;
  virtual Task task() const = 0;
  virtual std::string arch() const = 0;
  // Whether the network supports quantisation-aware fine-tuning; forward()
  // then routes its weights and activations through quant_sim().
  virtual bool simulates_int8() const { return false; }
  QuantSim& quant_sim() { return quant_sim_; }

 protected:
  QuantSim quant_sim_;
};

}  // namespace locus::train

#endif  // LOCUS_TRAIN_NN_NETWORK_H_
