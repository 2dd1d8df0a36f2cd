// Importer tests: the reference models (found through LOCUS_TEST_DATA) and
// synthetic one-operator models whose parameters are derived by hand.
#include "host/tflite/tflite_importer.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "host/common/error.h"
#include "host/tflite/tflite_test_model.h"

namespace locus::host {
namespace {

namespace tfl = tflite;
using tfl::testing::TestModel;
using tfl::testing::TestTensor;

// ---------------------------------------------------------------------------
// Reference models

std::vector<uint8_t> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The model's bytes, or empty when the reference data is not available.
std::vector<uint8_t> load_reference_model(const std::string& relative_path) {
  const char* root = std::getenv("LOCUS_TEST_DATA");
  if (root == nullptr) return {};
  const std::filesystem::path path = std::filesystem::path(root) / relative_path;
  if (!std::filesystem::exists(path)) return {};
  return read_file(path);
}

#define LOAD_OR_SKIP(bytes, relative_path)                                           \
  const std::vector<uint8_t> bytes = load_reference_model(relative_path);            \
  if (bytes.empty()) {                                                               \
    GTEST_SKIP() << "reference model " << relative_path                              \
                 << " not found: set LOCUS_TEST_DATA to the shared datasets folder"; \
  }

std::map<schema::OpKind, int> count_kinds(const Graph& graph) {
  std::map<schema::OpKind, int> counts;
  for (const OperatorDef& op : graph.operators) ++counts[op.kind];
  return counts;
}

// Structural facts every imported graph must satisfy.
void expect_well_formed(const Graph& graph) {
  const auto valid = [&](int32_t t) {
    return t >= 0 && t < static_cast<int32_t>(graph.tensors.size());
  };
  for (int32_t t : graph.inputs) EXPECT_TRUE(valid(t));
  for (int32_t t : graph.outputs) EXPECT_TRUE(valid(t));
  for (const OperatorDef& op : graph.operators) {
    ASSERT_EQ(op.outputs.size(), 1u);
    EXPECT_TRUE(valid(op.outputs[0]));
    for (int32_t t : op.inputs) EXPECT_TRUE(t == -1 || valid(t));
    EXPECT_NE(op.params.type, schema::OpParams::NONE);
    const auto check_requant = [](const std::vector<int32_t>& multipliers, size_t expected) {
      EXPECT_EQ(multipliers.size(), expected);
      for (int32_t m : multipliers) EXPECT_TRUE(m == 0 || m >= (1 << 30)) << m;
    };
    if (const auto* p = op.params.AsConv2DParams()) {
      check_requant(p->output_multiplier, graph.tensors[op.inputs[1]].shape[0]);
      EXPECT_LE(p->activation_min, p->activation_max);
    }
    if (const auto* p = op.params.AsDepthwiseConv2DParams()) {
      check_requant(p->output_multiplier, graph.tensors[op.inputs[1]].shape[3]);
    }
  }
  for (const TensorDef& t : graph.tensors) {
    if (t.constant) EXPECT_EQ(t.data.size(), t.byte_size()) << t.name;
    EXPECT_LE(t.shape.size(), 4u) << t.name;
  }
}

struct TensorFacts {
  std::vector<int32_t> shape;
  schema::TensorType type;
  float scale;
  int32_t zero_point;
};

void expect_tensor(const TensorDef& t, const TensorFacts& facts) {
  EXPECT_EQ(t.shape, facts.shape) << t.name;
  EXPECT_EQ(t.type, facts.type) << t.name;
  ASSERT_EQ(t.scale.size(), 1u) << t.name;
  EXPECT_NEAR(t.scale[0], facts.scale, facts.scale * 1e-5) << t.name;
  EXPECT_EQ(t.zero_point.at(0), facts.zero_point) << t.name;
}

using K = schema::OpKind;
constexpr auto kInt8 = schema::TensorType::Int8;

TEST(ImportReferenceModel, MicroSpeech) {
  LOAD_OR_SKIP(bytes, "tflm_micro_speech/micro_speech_quantized.tflite");
  const Graph graph = import_tflite(bytes);
  expect_well_formed(graph);
  ASSERT_EQ(graph.inputs.size(), 1u);
  ASSERT_EQ(graph.outputs.size(), 1u);
  expect_tensor(graph.tensors[graph.inputs[0]], {{1, 1960}, kInt8, 0.101715684f, -128});
  expect_tensor(graph.tensors[graph.outputs[0]], {{1, 4}, kInt8, 1.0f / 256, -128});
  ASSERT_EQ(graph.operators.size(), 4u);
  EXPECT_EQ(graph.operators[0].kind, K::Reshape);
  EXPECT_EQ(graph.operators[1].kind, K::DepthwiseConv2D);
  EXPECT_EQ(graph.operators[2].kind, K::FullyConnected);
  EXPECT_EQ(graph.operators[3].kind, K::Softmax);
  EXPECT_EQ(graph.tensors.size(), 9u);  // the reshape's shape tensor is dropped

  const auto* depthwise = graph.operators[1].params.AsDepthwiseConv2DParams();
  ASSERT_NE(depthwise, nullptr);
  EXPECT_EQ(depthwise->stride_h, 2);
  EXPECT_EQ(depthwise->stride_w, 2);
  EXPECT_EQ(depthwise->depth_multiplier, 8);
  // 49x40 input, 10x8 filter, SAME, stride 2: 25x20 output, padding 4/5 and 3/3.
  EXPECT_EQ(depthwise->pad_top, 4);
  EXPECT_EQ(depthwise->pad_bottom, 5);
  EXPECT_EQ(depthwise->pad_left, 3);
  EXPECT_EQ(depthwise->pad_right, 3);
  EXPECT_EQ(depthwise->input_offset, 128);
  EXPECT_EQ(depthwise->output_multiplier.size(), 8u);

  const auto* fc = graph.operators[2].params.AsFullyConnectedParams();
  ASSERT_NE(fc, nullptr);
  EXPECT_EQ(fc->output_multiplier.size(), 1u);  // per-tensor weights
  EXPECT_EQ(fc->weights_offset, 0);

  // Softmax over an input of scale 0x1.77bbe4p-4: beta * s * 2^26 =
  // 0.7338... * 2^23 -> multiplier 1575942400, shift 23; diff_min = -floor(31 * 2^3).
  const auto* softmax = graph.operators[3].params.AsSoftmaxParams();
  ASSERT_NE(softmax, nullptr);
  EXPECT_EQ(softmax->input_multiplier, 1575942400);
  EXPECT_EQ(softmax->input_left_shift, 23);
  EXPECT_EQ(softmax->diff_min, -248);
}

TEST(ImportReferenceModel, PersonDetection) {
  LOAD_OR_SKIP(bytes, "tflm_person_detection/person_detect.tflite");
  const Graph graph = import_tflite(bytes);
  expect_well_formed(graph);
  expect_tensor(graph.tensors[graph.inputs[0]], {{1, 96, 96, 1}, kInt8, 2.0f / 255, -1});
  expect_tensor(graph.tensors[graph.outputs[0]], {{1, 2}, kInt8, 1.0f / 256, -128});
  const auto kinds = count_kinds(graph);
  EXPECT_EQ(kinds, (std::map<K, int>{{K::Conv2D, 14},
                                     {K::DepthwiseConv2D, 14},
                                     {K::AveragePool2D, 1},
                                     {K::Reshape, 1},
                                     {K::Softmax, 1}}));
}

TEST(ImportReferenceModel, MlperfKeywordSpotting) {
  LOAD_OR_SKIP(bytes, "mlperf_tiny_models/kws_ref_model.tflite");
  const Graph graph = import_tflite(bytes);
  expect_well_formed(graph);
  expect_tensor(graph.tensors[graph.inputs[0]], {{1, 49, 10, 1}, kInt8, 0.584703f, 83});
  expect_tensor(graph.tensors[graph.outputs[0]], {{1, 12}, kInt8, 1.0f / 256, -128});
  EXPECT_EQ(count_kinds(graph), (std::map<K, int>{{K::Conv2D, 5},
                                                  {K::DepthwiseConv2D, 4},
                                                  {K::AveragePool2D, 1},
                                                  {K::FullyConnected, 1},
                                                  {K::Reshape, 1},
                                                  {K::Softmax, 1}}));
}

TEST(ImportReferenceModel, MlperfVisualWakeWords) {
  LOAD_OR_SKIP(bytes, "mlperf_tiny_models/vww_96_int8.tflite");
  const Graph graph = import_tflite(bytes);
  expect_well_formed(graph);
  expect_tensor(graph.tensors[graph.inputs[0]], {{1, 96, 96, 3}, kInt8, 1.0f / 255, -128});
  expect_tensor(graph.tensors[graph.outputs[0]], {{1, 2}, kInt8, 1.0f / 256, -128});
  EXPECT_EQ(count_kinds(graph), (std::map<K, int>{{K::Conv2D, 14},
                                                  {K::DepthwiseConv2D, 13},
                                                  {K::AveragePool2D, 1},
                                                  {K::FullyConnected, 1},
                                                  {K::Reshape, 1},
                                                  {K::Softmax, 1}}));
}

TEST(ImportReferenceModel, MlperfResNet8) {
  LOAD_OR_SKIP(bytes, "mlperf_tiny_models/pretrainedResnet_quant.tflite");
  const Graph graph = import_tflite(bytes);
  expect_well_formed(graph);
  expect_tensor(graph.tensors[graph.inputs[0]], {{1, 32, 32, 3}, kInt8, 1.0f, -128});
  expect_tensor(graph.tensors[graph.outputs[0]], {{1, 10}, kInt8, 1.0f / 256, -128});
  EXPECT_EQ(count_kinds(graph), (std::map<K, int>{{K::Conv2D, 9},
                                                  {K::Add, 3},
                                                  {K::AveragePool2D, 1},
                                                  {K::FullyConnected, 1},
                                                  {K::Reshape, 1},
                                                  {K::Softmax, 1}}));
}

TEST(ImportReferenceModel, MlperfAnomalyDetection) {
  LOAD_OR_SKIP(bytes, "mlperf_tiny_models/ad01_int8.tflite");
  const Graph graph = import_tflite(bytes);
  expect_well_formed(graph);
  expect_tensor(graph.tensors[graph.inputs[0]], {{1, 640}, kInt8, 0.391015f, 89});
  expect_tensor(graph.tensors[graph.outputs[0]], {{1, 640}, kInt8, 0.3644985f, 96});
  EXPECT_EQ(count_kinds(graph), (std::map<K, int>{{K::FullyConnected, 10}}));
}

TEST(ImportReferenceModel, MisalignedBytesImportTheSame) {
  LOAD_OR_SKIP(bytes, "tflm_micro_speech/micro_speech_quantized.tflite");
  std::vector<uint8_t> shifted(bytes.size() + 1);
  std::copy(bytes.begin(), bytes.end(), shifted.begin() + 1);
  const Graph aligned = import_tflite(bytes);
  const Graph misaligned = import_tflite(std::span(shifted).subspan(1));
  ASSERT_EQ(aligned.tensors.size(), misaligned.tensors.size());
  for (size_t i = 0; i < aligned.tensors.size(); ++i) {
    EXPECT_EQ(aligned.tensors[i].data, misaligned.tensors[i].data);
  }
}

}  // namespace
}  // namespace locus::host
