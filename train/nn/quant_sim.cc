#include "train/nn/quant_sim.h"

#include <algorithm>

#include "host/common/error.h"
#include "host/quantize/model_quantizer.h"
#include "train/export/float_model_builder.h"

namespace locus::train {

void QuantSim::set_mode(Mode mode) {
  if (mode == Mode::kObserve) ranges_.clear();
  if (mode == Mode::kSimulate && ranges_.empty()) {
    host::fail("quantisation-aware training: no activation ranges observed yet");
  }
  mode_ = mode;
}

torch::Tensor QuantSim::input(const torch::Tensor& x) {
  return input_fixed_ ? x : activation(x);
}

torch::Tensor QuantSim::activation(const torch::Tensor& x) {
  const size_t site = site_++;
  if (mode_ == Mode::kObserve) {
    torch::NoGradGuard no_grad;
    const auto lo = x.min().item<float>(), hi = x.max().item<float>();
    if (site == ranges_.size()) {
      ranges_.emplace_back(lo, hi);
    } else {
      ranges_[site].first = std::min(ranges_[site].first, lo);
      ranges_[site].second = std::max(ranges_[site].second, hi);
    }
    return x;
  }
  return mode_ == Mode::kSimulate ? fake_quantize(x, site) : x;
}

torch::Tensor QuantSim::same_as_previous(const torch::Tensor& x) {
  if (mode_ != Mode::kSimulate || site_ == 0) return x;
  return fake_quantize(x, site_ - 1);
}

torch::Tensor QuantSim::fake_quantize(const torch::Tensor& x, size_t site) const {
  if (site >= ranges_.size()) {
    host::fail("quantisation-aware training: activation ", site, " was not observed (",
               ranges_.size(), " ranges)");
  }
  const host::AffineQuantization q =
      host::activation_quantization(ranges_[site].first, ranges_[site].second);
  return torch::fake_quantize_per_tensor_affine(x, q.scale, q.zero_point, -128, 127);
}

torch::Tensor QuantSim::weight(const torch::Tensor& w) const {
  if (mode_ != Mode::kSimulate) return w;
  std::vector<int32_t> shape;
  for (int64_t d : w.sizes()) shape.push_back(static_cast<int32_t>(d));
  const std::vector<float> scales = host::symmetric_weight_scales(to_vector(w), shape, 0);
  const torch::Tensor scale = torch::tensor(scales, torch::kFloat32);
  const torch::Tensor zero = torch::zeros({w.size(0)}, torch::kInt32);
  return torch::fake_quantize_per_channel_affine(w, scale, zero, 0, -127, 127);
}

}  // namespace locus::train
