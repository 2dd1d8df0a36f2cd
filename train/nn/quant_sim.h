// Simulated int8 for quantisation-aware fine-tuning. A network passes every
// tensor that its int8 graph quantises through one QuantSim:
//
// - kFloat: nothing changes (ordinary training and the export);
// - kObserve: each activation's min/max is recorded, on the float network,
//   as the post-training calibration (RangeObserver) records them;
// - kSimulate: weights are rounded to int8 per output channel (symmetric,
//   max|w| / 127) and activations per tensor with the recorded ranges, the
//   scales coming from model_quantizer.h's own functions, so the forward pass
//   sees the grid the int8 capsule will use; gradients pass straight through
//   (zero where an activation is clipped).
//
// Activations are numbered in the order forward() reaches them, so a
// network must visit the same sites in every pass.
#ifndef LOCUS_TRAIN_NN_QUANT_SIM_H_
#define LOCUS_TRAIN_NN_QUANT_SIM_H_

#include <torch/torch.h>

#include <utility>
#include <vector>

namespace locus::train {

class QuantSim {
 public:
  enum class Mode { kFloat, kObserve, kSimulate };

  Mode mode() const { return mode_; }
  // kObserve starts the ranges afresh; kSimulate needs observed ranges.
  void set_mode(Mode mode);
  // The model input is already int8 on the device (an int8 feature block):
  // it is not requantised. Otherwise the input is a site like the others.
  void set_input_fixed(bool fixed) { input_fixed_ = fixed; }

  // Called at the start of every forward pass.
  void begin_forward() { site_ = 0; }
  torch::Tensor input(const torch::Tensor& x);
  // An activation with its own calibrated range (convolution, dense, mean
  // outputs).
  torch::Tensor activation(const torch::Tensor& x);
  // Pooling keeps its input's quantisation: rounds to the previous site's grid.
  torch::Tensor same_as_previous(const torch::Tensor& x);
  // Weights [out, ...]: rounded per output channel in kSimulate.
  torch::Tensor weight(const torch::Tensor& w) const;

  size_t sites() const { return ranges_.size(); }

 private:
  torch::Tensor fake_quantize(const torch::Tensor& x, size_t site) const;

  Mode mode_ = Mode::kFloat;
  bool input_fixed_ = false;
  size_t site_ = 0;
  std::vector<std::pair<float, float>> ranges_;  // per site: min, max
};

}  // namespace locus::train

#endif  // LOCUS_TRAIN_NN_QUANT_SIM_H_
