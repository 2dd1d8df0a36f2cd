#include "tests/support/tiny_models.h"

#include <cstring>

#include "host/capsule/capsule_builder.h"
#include "host/quantize/quantize_params.h"

namespace locus::testing {
namespace {

host::TensorDef activation(std::string name, std::vector<int32_t> shape, float scale, int32_t zp) {
  host::TensorDef t;
  t.name = std::move(name);
  t.type = schema::TensorType::Int8;
  t.shape = std::move(shape);
  t.scale = {scale};
  t.zero_point = {zp};
  return t;
}

template <typename T>
std::vector<uint8_t> bytes_of(const std::vector<T>& values) {
  std::vector<uint8_t> out(values.size() * sizeof(T));
  std::memcpy(out.data(), values.data(), out.size());
  return out;
}

}  // namespace

host::Graph tiny_classifier() {
  host::Graph g;
  g.tensors.push_back(activation("input", {1, 4}, 0.5f, 0));  // 0
  host::TensorDef weights = activation("weights", {3, 4}, 0.25f, 0);
  weights.constant = true;
  weights.data = bytes_of<int8_t>({1, 1, 1, 1, -1, 0, 0, 1, 2, 2, 2, 2});
  g.tensors.push_back(weights);  // 1
  host::TensorDef bias;
  bias.name = "bias";
  bias.type = schema::TensorType::Int32;
  bias.shape = {3};
  bias.scale = {0.125f};
  bias.zero_point = {0};
  bias.constant = true;
  // With input {2,4,6,8}: dot products 20, 6, 40; plus bias -> 24, 8, 40;
  // times 0.5 * 0.25 / 1.0 -> 3, 1, 5.
  bias.data = bytes_of<int32_t>({4, 2, 0});
  g.tensors.push_back(bias);                                        // 2
  g.tensors.push_back(activation("fc", {1, 3}, 1.0f, 0));           // 3
  g.tensors.push_back(activation("fc_4d", {1, 1, 1, 3}, 1.0f, 0));  // 4
  g.tensors.push_back(activation("probs", {1, 1, 1, 3}, 1.0f / 256, -128));  // 5

  host::OperatorDef fc;
  fc.kind = schema::OpKind::FullyConnected;
  fc.inputs = {0, 1, 2};
  fc.outputs = {3};
  schema::FullyConnectedParamsT fcp;
  const host::QuantizedMultiplier m = host::per_tensor_conv_multiplier(0.5f, 0.25f, 1.0f);
  fcp.output_multiplier = {m.multiplier};
  fcp.output_shift = {m.shift};
  fc.params.Set(std::move(fcp));
  g.operators.push_back(std::move(fc));

  host::OperatorDef reshape;
  reshape.kind = schema::OpKind::Reshape;
  reshape.inputs = {3};
  reshape.outputs = {4};
  reshape.params.Set(schema::ReshapeParamsT());
  g.operators.push_back(std::move(reshape));

  host::OperatorDef softmax;
  softmax.kind = schema::OpKind::Softmax;
  softmax.inputs = {4};
  softmax.outputs = {5};
  const host::SoftmaxScaling s = host::softmax_int8_scaling(1.0, 1.0f);
  schema::SoftmaxParamsT sp;
  sp.input_multiplier = s.input_multiplier;
  sp.input_left_shift = s.input_left_shift;
  sp.diff_min = s.diff_min;
  softmax.params.Set(std::move(sp));
  g.operators.push_back(std::move(softmax));

  g.inputs = {0};
  g.outputs = {5, 3};
  return g;
}

host::CapsuleSpec tiny_classifier_spec() {
  host::CapsuleSpec spec;
  spec.identity.name = "tiny";
  spec.identity.version = "1.2.3";
  spec.identity.sequence = 7;
  spec.identity.location = "lab";
  spec.labels = {"a", "b", "c"};
  spec.graph = tiny_classifier();
  return spec;
}

std::vector<uint8_t> tiny_classifier_capsule() {
  return host::build_capsule(tiny_classifier_spec()).bytes;
}

std::string test_data_dir() {
  const char* dir = std::getenv("LOCUS_TEST_DATA");
  return dir == nullptr ? std::string() : std::string(dir);
}

}  // namespace locus::testing
