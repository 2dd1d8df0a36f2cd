// A capsule's int8 graph as a trainable float network: imported MLPerf Tiny
// models and graphs trained here come back with their weights, compute what
// the int8 capsule computes (within quantisation error), export and
// requantise to an equivalent capsule, and can train only their last layers.
#include "train/nn/graph_network.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "host/capsule/capsule_builder.h"
#include "host/capsule/capsule_file.h"
#include "host/capsule/raw_runner.h"
#include "host/common/error.h"
#include "host/quantize/model_quantizer.h"
#include "host/features/feature_block.h"
#include "host/tflite/tflite_importer.h"
#include "train/models/model_zoo.h"

namespace locus::train {
namespace {

const char* test_data() { return std::getenv("LOCUS_TEST_DATA"); }

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

host::LoadedCapsule capsule_of(host::Graph graph) {
  host::CapsuleSpec spec;
  spec.identity.name = "graph";
  spec.identity.version = "1.0.0";
  spec.graph = std::move(graph);
  return host::open_capsule(host::copy_to_aligned(host::build_capsule(std::move(spec)).bytes),
                            "graph");
}

const schema::Graph& graph_of(const host::LoadedCapsule& c) { return *c.capsule.body()->graph(); }

host::LoadedCapsule mlperf(const std::string& name) {
  const std::string path = std::string(test_data()) + "/mlperf_tiny_models/" + name + ".tflite";
  return capsule_of(host::import_tflite(read_bytes(path)));
}

// Dequantised outputs of the capsule's graph for int8 input rows.
torch::Tensor run_int8(const host::LoadedCapsule& c, const std::vector<std::vector<uint8_t>>& inputs) {
  const auto* g = c.capsule.body()->graph();
  const auto* out = g->tensors()->Get(static_cast<flatbuffers::uoffset_t>(g->outputs()->Get(0)));
  const host::AffineQuantization q{out->quantization()->scale()->Get(0),
                                   out->quantization()->zero_point()->Get(0)};
  host::RawRunOptions options;
  options.self_test = false;
  std::vector<torch::Tensor> rows;
  for (const auto& input : inputs) {
    const auto r = host::run_raw(c.capsule, input, options);
    std::vector<float> v;
    for (uint8_t b : r.outputs.at(0)) v.push_back(host::dequantize_value(static_cast<int8_t>(b), q));
    rows.push_back(torch::tensor(v));
  }
  return torch::stack(rows);
}

// Real model inputs: MLPerf's MFCC block (int8, the model's own input
// quantisation) on Speech Commands clips. (The golden inputs are random
// bytes, far outside the ranges the model was calibrated on.)
std::vector<std::vector<uint8_t>> kws_inputs() {
  const auto block = host::load_feature_block("mlperf_kws");
  std::vector<std::vector<uint8_t>> inputs;
  const std::string root = std::string(test_data()) + "/speech_commands_test_v0.02/";
  for (const char* word : {"yes", "no", "up", "down", "left", "right", "on", "off"}) {
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(root + word)) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (size_t i = 0; i < 5 && i < files.size(); ++i) {
      const host::FeatureMatrix m = block->compute_file(files[i]);
      std::vector<uint8_t> bytes;
      for (size_t k = 0; k < 490 && k < m.values.size(); ++k) {
        bytes.push_back(static_cast<uint8_t>(static_cast<int8_t>(m.values[k])));
      }
      if (bytes.size() == 490) inputs.push_back(std::move(bytes));
    }
  }
  return inputs;
}

// Real-valued windows for the float network.
torch::Tensor real_inputs(const std::vector<std::vector<uint8_t>>& inputs,
                          const host::AffineQuantization& q, int64_t size) {
  std::vector<float> values;
  for (const auto& input : inputs) {
    for (uint8_t b : input) values.push_back(host::dequantize_value(static_cast<int8_t>(b), q));
  }
  return torch::tensor(values).view({static_cast<int64_t>(inputs.size()), 1, size});
}

host::Graph requantized(GraphNetwork& net, const torch::Tensor& calibration) {
  FloatModelBuilder builder(net.input_shape(0, 0), net.input_quantization());
  net.export_layers(builder);
  const host::FloatModel model = builder.finish();
  host::RangeObserver observer(model);
  for (int64_t i = 0; i < calibration.size(0); ++i) {
    const torch::Tensor x = calibration[i].contiguous();
    observer.observe({x.data_ptr<float>(), static_cast<size_t>(x.numel())});
  }
  return host::quantize_model(model, observer.ranges());
}

double argmax_agreement(const torch::Tensor& a, const torch::Tensor& b) {
  return a.argmax(1).eq(b.argmax(1)).to(torch::kFloat64).mean().item<double>();
}

TEST(GraphNetwork, MlperfKwsComputesWhatItsInt8CapsuleComputes) {
  if (test_data() == nullptr) GTEST_SKIP() << "LOCUS_TEST_DATA is not set";
  const host::LoadedCapsule original = mlperf("kws_ref_model");
  GraphNetwork net(graph_of(original), Task::kClassify, "kws_ref_model");
  EXPECT_EQ(net.input_size(), 490);
  EXPECT_EQ(net.output_size(), 12);
  EXPECT_EQ(net.weighted_layers(), 10u);  // conv, 4 x (depthwise, pointwise), dense

  const auto inputs = kws_inputs();
  const torch::Tensor x = real_inputs(inputs, net.input_quantization(), 490);
  const torch::Tensor int8 = run_int8(original, inputs);
  net.eval();
  torch::Tensor floating;
  {
    torch::NoGradGuard no_grad;
    floating = torch::softmax(net.forward(x), 1);
  }
  EXPECT_GE(argmax_agreement(floating, int8), 0.95);
  EXPECT_LT((floating - int8).abs().mean().item<double>(), 0.01);
  EXPECT_LT((floating - int8).abs().max().item<double>(), 0.25);

  // Exported and requantised, it is the same model again.
  const host::LoadedCapsule again = capsule_of(requantized(net, x));
  const torch::Tensor int8_again = run_int8(again, inputs);
  EXPECT_GE(argmax_agreement(int8_again, int8), 0.95);
  EXPECT_LT((int8_again - int8).abs().mean().item<double>(), 0.01);
}

// An autoencoder trained here, through its int8 capsule and back: the
// graph network reconstructs as the original float network does, within
// the weights' quantisation error.
TEST(GraphNetwork, AutoencoderFromItsCapsuleReconstructsLikeTheOriginal) {
  torch::manual_seed(4);
  ArchSpec spec;
  spec.arch = "autoencoder";
  spec.width = 32;
  spec.depth = 2;
  spec.bottleneck = 6;
  auto original = make_network(spec, 5, 16, 0);
  original->eval();
  const torch::Tensor x = torch::rand({64, 5, 16});
  FloatModelBuilder builder(original->input_shape(5, 16), std::nullopt);
  original->export_layers(builder);
  const host::FloatModel model = builder.finish();
  host::RangeObserver observer(model);
  for (int64_t i = 0; i < x.size(0); ++i) {
    const torch::Tensor row = x[i].contiguous();
    observer.observe({row.data_ptr<float>(), static_cast<size_t>(row.numel())});
  }
  const host::LoadedCapsule capsule = capsule_of(host::quantize_model(model, observer.ranges()));
  GraphNetwork net(graph_of(capsule), Task::kReconstruct, "autoencoder.capsule");
  EXPECT_EQ(net.input_size(), 80);
  EXPECT_EQ(net.output_size(), 80);
  EXPECT_EQ(net.weighted_layers(), 6u);
  net.eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor expected = original->forward(x);
  const torch::Tensor actual = net.forward(x);
  ASSERT_EQ(actual.sizes(), expected.sizes());
  const double spread = expected.std().item<double>();
  EXPECT_LT((actual - expected).abs().mean().item<double>(), 0.05 * spread);
}

TEST(GraphNetwork, TrainsOnlyTheLastLayersAndChangesClasses) {
  if (test_data() == nullptr) GTEST_SKIP() << "LOCUS_TEST_DATA is not set";
  const host::LoadedCapsule original = mlperf("kws_ref_model");
  GraphNetwork net(graph_of(original), Task::kClassify, "kws_ref_model");
  net.train_only_last(1);
  int64_t learning = 0, frozen = 0;
  for (const auto& p : net.parameters()) (p.requires_grad() ? learning : frozen) += p.numel();
  EXPECT_EQ(learning, 64 * 12 + 12);  // the dense head
  EXPECT_GT(frozen, 20000);
  net.train_only_last(0);
  for (const auto& p : net.parameters()) EXPECT_TRUE(p.requires_grad());

  // Four classes: old outputs 2 and 3 kept (as 0 and 1), two new ones.
  const torch::Tensor x = real_inputs(kws_inputs(), net.input_quantization(), 490);
  net.eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor before = net.forward(x);
  net.resize_classifier({2, 3, -1, -1});
  EXPECT_EQ(net.output_size(), 4);
  const torch::Tensor after = net.forward(x);
  ASSERT_EQ(after.size(1), 4);
  EXPECT_TRUE(torch::allclose(after.slice(1, 0, 2), before.slice(1, 2, 4)));
  // And it still exports.
  FloatModelBuilder builder(net.input_shape(0, 0), net.input_quantization());
  net.export_layers(builder);
  EXPECT_EQ(builder.shape(), (std::vector<int32_t>{1, 4}));
}

TEST(GraphNetwork, RefusesGraphsItCannotTrain) {
  if (test_data() == nullptr) GTEST_SKIP() << "LOCUS_TEST_DATA is not set";
  const host::LoadedCapsule resnet = mlperf("pretrainedResnet_quant");
  try {
    GraphNetwork net(graph_of(resnet), Task::kClassify, "resnet.capsule");
    FAIL() << "no error";
  } catch (const host::Error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind("resnet.capsule: operator ", 0), 0u) << message;
  }
  // An anomaly graph is not a classifier.
  const host::LoadedCapsule ad = mlperf("ad01_int8");
  try {
    GraphNetwork net(graph_of(ad), Task::kClassify, "ad.capsule");
    FAIL() << "no error";
  } catch (const host::Error& e) {
    EXPECT_STREQ(e.what(), "ad.capsule: a classifier graph must end in SOFTMAX");
  }
}

}  // namespace
}  // namespace locus::train
