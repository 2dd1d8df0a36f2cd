#include "train/quantization_aware.h"

#include "host/common/error.h"

namespace locus::train {

void observe_activation_ranges(Network& network, const torch::Tensor& windows) {
  torch::NoGradGuard no_grad;
  const bool was_training = network.is_training();
  network.eval();
  network.quant_sim().set_mode(QuantSim::Mode::kObserve);
  constexpr int64_t kBatch = 256;
  for (int64_t start = 0; start < windows.size(0); start += kBatch) {
    network.forward(windows.slice(0, start, std::min(windows.size(0), start + kBatch)));
  }
  network.train(was_training);
}

TrainOutcome fine_tune_quantization_aware(Network& network, const TensorSet& train,
                                          const TensorSet& validation,
                                          const torch::Tensor& calibration, bool input_fixed,
                                          TrainLoopOptions options) {
  if (!network.simulates_int8()) {
    host::fail("quantisation-aware training: ", network.arch(), " has no int8 simulation");
  }
  if (calibration.size(0) == 0) host::fail("quantisation-aware training: no calibration windows");
  QuantSim& sim = network.quant_sim();
  sim.set_input_fixed(input_fixed);
  options.before_epoch = [&](int32_t) {
    observe_activation_ranges(network, calibration);
    sim.set_mode(QuantSim::Mode::kSimulate);
  };
  TrainOutcome outcome = fit(network, train, validation, options);
  sim.set_mode(QuantSim::Mode::kFloat);
  return outcome;
}

}  // namespace locus::train
