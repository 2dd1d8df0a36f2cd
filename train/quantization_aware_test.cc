// Quantisation-aware fine-tuning: the simulated forward pass sees what the
// int8 capsule computes (checked against the runtime), and fine-tuning in
// simulation keeps a network accurate.
#include "train/quantization_aware.h"

#include <gtest/gtest.h>

#include <cmath>

#include "host/capsule/capsule_builder.h"
#include "host/capsule/capsule_file.h"
#include "host/capsule/raw_runner.h"
#include "host/common/error.h"
#include "host/quantize/model_quantizer.h"
#include "train/models/model_zoo.h"

namespace locus::train {
namespace {

constexpr int32_t kFrames = 12, kFeatures = 8, kClasses = 3;

// Class k has a bright band at feature rows 2k..2k+1, plus noise.
TensorSet banded(int64_t per_class, uint64_t seed) {
  torch::Generator gen = at::detail::createCPUGenerator(seed);
  std::vector<torch::Tensor> xs, ys;
  for (int32_t k = 0; k < kClasses; ++k) {
    torch::Tensor x = torch::randn({per_class, kFrames, kFeatures}, gen);
    x.slice(2, 2 * k, 2 * k + 2) += 2.0;
    xs.push_back(x);
    ys.push_back(torch::full({per_class}, k, torch::kInt64));
  }
  return {torch::cat(xs), torch::cat(ys)};
}

std::shared_ptr<Network> network(const std::string& arch) {
  ArchSpec spec;
  spec.arch = arch;
  spec.width = arch == "autoencoder" ? 16 : 8;
  spec.depth = arch == "autoencoder" ? 1 : 2;
  spec.bottleneck = 4;
  return make_network(spec, kFrames, kFeatures, kClasses);
}

TrainLoopOptions quiet(int32_t epochs, float learning_rate) {
  TrainLoopOptions o;
  o.settings.epochs = epochs;
  o.settings.batch = 16;
  o.settings.learning_rate = learning_rate;
  o.settings.warmup_epochs = 0;
  o.settings.seed = 5;
  o.show_progress = false;
  o.fingerprint = "quantization-aware test";
  return o;
}

// The int8 graph's outputs (dequantised) for each window, through a real
// capsule and the runtime.
torch::Tensor run_int8(const host::Graph& graph, const torch::Tensor& windows) {
  host::CapsuleSpec spec;
  spec.identity.name = "qat";
  spec.identity.version = "1.0.0";
  spec.graph = graph;
  const host::LoadedCapsule loaded =
      host::open_capsule(host::copy_to_aligned(host::build_capsule(std::move(spec)).bytes), "qat");
  const host::TensorDef& in = graph.tensors.at(static_cast<size_t>(graph.inputs.at(0)));
  const host::TensorDef& out = graph.tensors.at(static_cast<size_t>(graph.outputs.at(0)));
  const host::AffineQuantization in_q{in.scale.at(0), in.zero_point.at(0)};
  const host::AffineQuantization out_q{out.scale.at(0), out.zero_point.at(0)};
  host::RawRunOptions options;
  options.self_test = false;
  std::vector<torch::Tensor> rows;
  for (int64_t i = 0; i < windows.size(0); ++i) {
    const torch::Tensor w = windows[i].contiguous();
    std::vector<uint8_t> bytes(static_cast<size_t>(w.numel()));
    for (size_t k = 0; k < bytes.size(); ++k) {
      bytes[k] = static_cast<uint8_t>(host::quantize_value(w.data_ptr<float>()[k], in_q));
    }
    const auto result = host::run_raw(loaded.capsule, bytes, options);
    std::vector<float> values;
    for (uint8_t b : result.outputs.at(0)) {
      values.push_back(host::dequantize_value(static_cast<int8_t>(b), out_q));
    }
    rows.push_back(torch::tensor(values));
  }
  return torch::stack(rows);
}

host::Graph quantized(Network& net, const torch::Tensor& calibration) {
  FloatModelBuilder builder(net.input_shape(kFrames, kFeatures), std::nullopt);
  net.export_layers(builder);
  host::FloatModel model = builder.finish();
  // Compared on logits: the softmax's fixed 1/256 output grid would hide
  // the differences.
  if (model.layers.back().op == host::FloatOp::kSoftmax) {
    if (model.layers.back().output + 1 == static_cast<int32_t>(model.tensors.size())) {
      model.tensors.pop_back();
    }
    model.layers.pop_back();
    model.output = model.layers.back().output;
  }
  host::RangeObserver observer(model);
  for (int64_t i = 0; i < calibration.size(0); ++i) {
    const torch::Tensor x = calibration[i].contiguous();
    observer.observe({x.data_ptr<float>(), static_cast<size_t>(x.numel())});
  }
  return host::quantize_model(model, observer.ranges());
}

torch::Tensor forward_in(Network& net, QuantSim::Mode mode, const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  net.eval();
  net.quant_sim().set_mode(mode);
  torch::Tensor y = net.forward(x);
  net.quant_sim().set_mode(QuantSim::Mode::kFloat);
  return y.flatten(1);
}

class Simulation : public testing::TestWithParam<const char*> {};

// The simulated network is closer to the int8 capsule than the float network
// is: it rounds where the int8 graph rounds. Classifiers are compared on
// logits (the graph without its softmax).
TEST_P(Simulation, IsCloserToTheInt8CapsuleThanTheFloatNetwork) {
  torch::manual_seed(1);
  auto net = network(GetParam());
  const TensorSet train = banded(40, 1), test = banded(15, 2);
  fit(*net, train, test, quiet(4, 1e-2f));
  const torch::Tensor calibration = train.x.slice(0, 0, 120, 2);

  const torch::Tensor int8 = run_int8(quantized(*net, calibration), test.x);
  observe_activation_ranges(*net, calibration);
  const torch::Tensor simulated = forward_in(*net, QuantSim::Mode::kSimulate, test.x);
  const torch::Tensor floating = forward_in(*net, QuantSim::Mode::kFloat, test.x);

  const double simulated_error = (simulated - int8).abs().mean().item<double>();
  const double float_error = (floating - int8).abs().mean().item<double>();
  EXPECT_LT(simulated_error, 0.4 * float_error)
      << GetParam() << ": simulated " << simulated_error << ", float " << float_error;
  if (net->task() == Task::kClassify) {
    const double agreement = simulated.argmax(1).eq(int8.argmax(1)).to(torch::kFloat64).mean()
                                 .item<double>();
    EXPECT_GE(agreement, 0.97) << GetParam();
  }
}

INSTANTIATE_TEST_SUITE_P(Architectures, Simulation,
                         testing::Values("ds_cnn", "cnn", "conv1d", "autoencoder"));

TEST(QuantizationAware, FineTuningInSimulationKeepsTheNetworkAccurate) {
  torch::manual_seed(2);
  auto net = network("ds_cnn");
  const TensorSet train = banded(40, 3), val = banded(20, 4);
  fit(*net, train, val, quiet(5, 1e-2f));
  const torch::Tensor calibration = train.x.slice(0, 0, 120, 2);
  const TrainOutcome outcome =
      fine_tune_quantization_aware(*net, train, val, calibration, false, quiet(2, 1e-3f));
  EXPECT_EQ(outcome.history.size(), 2u);
  EXPECT_GT(outcome.best_val_accuracy, 0.9);
  EXPECT_EQ(net->quant_sim().mode(), QuantSim::Mode::kFloat);
  EXPECT_GT(net->quant_sim().sites(), 5u);  // input, conv0, 2 x (dw, pw), fc

  // The fine-tuned network's int8 capsule is as accurate as the simulation said.
  const torch::Tensor int8 = run_int8(quantized(*net, calibration), val.x);
  const double accuracy = int8.argmax(1).eq(val.y).to(torch::kFloat64).mean().item<double>();
  EXPECT_NEAR(accuracy, outcome.best_val_accuracy, 0.05);
}

TEST(QuantizationAware, SimulationNeedsObservedRanges) {
  auto net = network("cnn");
  try {
    net->quant_sim().set_mode(QuantSim::Mode::kSimulate);
    FAIL() << "no error";
  } catch (const host::Error& e) {
    EXPECT_STREQ(e.what(), "quantisation-aware training: no activation ranges observed yet");
  }
}

}  // namespace
}  // namespace locus::train
