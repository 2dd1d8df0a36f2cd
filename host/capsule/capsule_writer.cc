#include "host/capsule/capsule_writer.h"

#include <sodium.h>

#include "host/common/error.h"
#include "host/signing/capsule_signing.h"
#include "runtime/capsule/capsule_reader.h"

namespace locus::host {
namespace {

namespace fb = flatbuffers;
constexpr size_t kDataAlignment = 16;

fb::Offset<schema::Tensor> write_tensor(fb::FlatBufferBuilder& b, const TensorDef& t,
                                        size_t index) {
  fb::Offset<fb::Vector<uint8_t>> data;
  if (t.constant) {
    if (t.data.size() != t.byte_size()) {
      fail("capsule writer: tensor ", index, " '", t.name, "': data has ", t.data.size(),
           " bytes, shape and type need ", t.byte_size());
    }
    // Weights start on a 16-byte boundary so SIMD kernels can load them.
    b.ForceVectorAlignment(t.data.size(), 1, kDataAlignment);
    data = b.CreateVector(t.data);
  }
  fb::Offset<schema::Quantization> quant;
  if (!t.scale.empty() || !t.zero_point.empty()) {
    quant = schema::CreateQuantization(b, b.CreateVector(t.scale), b.CreateVector(t.zero_point),
                                       t.quantized_dimension);
  }
  auto name = b.CreateString(t.name);
  auto shape = b.CreateVector(t.shape);
  return schema::CreateTensor(b, name, t.type, shape, quant, data,
                              t.constant ? 0 : t.arena_offset);
}

fb::Offset<schema::Graph> write_graph(fb::FlatBufferBuilder& b, const Graph& g) {
  std::vector<fb::Offset<schema::Tensor>> tensors;
  tensors.reserve(g.tensors.size());
  for (size_t i = 0; i < g.tensors.size(); ++i) tensors.push_back(write_tensor(b, g.tensors[i], i));
  std::vector<fb::Offset<schema::Operator>> ops;
  ops.reserve(g.operators.size());
  for (const OperatorDef& op : g.operators) {
    auto inputs = b.CreateVector(op.inputs);
    auto outputs = b.CreateVector(op.outputs);
    auto params = op.params.Pack(b);
    ops.push_back(schema::CreateOperator(b, op.kind, inputs, outputs, op.params.type, params));
  }
  auto tv = b.CreateVector(tensors);
  auto ov = b.CreateVector(ops);
  auto in = b.CreateVector(g.inputs);
  auto out = b.CreateVector(g.outputs);
  return schema::CreateGraph(b, tv, ov, in, out, g.arena_bytes, g.arena_lower_bound);
}

fb::Offset<schema::SelfTest> write_self_test(fb::FlatBufferBuilder& b, const CapsuleSpec& s) {
  if (s.self_test_inputs.empty() && s.self_test_outputs.empty()) return 0;
  auto pack = [&](const std::vector<std::vector<uint8_t>>& all) {
    std::vector<fb::Offset<schema::TensorBytes>> v;
    for (const auto& bytes : all) {
      b.ForceVectorAlignment(bytes.size(), 1, kDataAlignment);
      v.push_back(schema::CreateTensorBytes(b, b.CreateVector(bytes)));
    }
    return b.CreateVector(v);
  };
  auto inputs = pack(s.self_test_inputs);
  auto outputs = pack(s.self_test_outputs);
  return schema::CreateSelfTest(b, inputs, outputs);
}

}  // namespace

std::vector<uint8_t> write_capsule_body(const CapsuleSpec& spec) {
  fb::FlatBufferBuilder b(64 * 1024);
  auto graph = write_graph(b, spec.graph);
  auto identity = schema::CreateIdentity(b, &spec.identity);
  fb::Offset<schema::InputSpec> input;
  if (spec.input) input = schema::CreateInputSpec(b, &*spec.input);
  std::vector<fb::Offset<schema::DspBlock>> dsp;
  for (const auto& block : spec.dsp) dsp.push_back(schema::CreateDspBlock(b, &block));
  auto dsp_vec = b.CreateVector(dsp);
  auto labels = b.CreateVectorOfStrings(spec.labels);
  fb::Offset<schema::PostProcess> post;
  if (spec.postprocess) post = schema::CreatePostProcess(b, &*spec.postprocess);
  auto self_test = write_self_test(b, spec);
  fb::Offset<schema::FeatureStats> stats;
  if (!spec.feature_mean.empty() || !spec.feature_variance.empty()) {
    stats = schema::CreateFeatureStats(b, b.CreateVector(spec.feature_mean),
                                       b.CreateVector(spec.feature_variance));
  }
  fb::Offset<schema::FeatureWindow> window;
  if (spec.feature_window) window = schema::CreateFeatureWindow(b, &*spec.feature_window);
  fb::Offset<schema::CalibrationRecord> calibration;
  if (spec.calibration) calibration = schema::CreateCalibrationRecord(b, &*spec.calibration);
  auto body = schema::CreateCapsuleBody(b, identity, input, dsp_vec, graph, labels, post,
                                        self_test, stats, window, calibration);
  b.Finish(body);
  // Finish() pads the size to a multiple of the largest alignment used (16),
  // so nested at a 16-byte boundary the body's aligned data stays aligned.
  return {b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize()};
}

std::vector<uint8_t> write_capsule(const CapsuleSpec& spec) {
  std::vector<uint8_t> body = write_capsule_body(spec);
  const Sha256 digest = sha256(body.data(), body.size());
  return encode_capsule_envelope(kCapsuleFormatVersion, body, digest, std::nullopt);
}

Sha256 sha256(const uint8_t* data, size_t size) {
  Sha256 out{};
  crypto_hash_sha256(out.data(), data, size);
  return out;
}

std::string to_hex(const uint8_t* data, size_t size) {
  static const char* kDigits = "0123456789abcdef";
  std::string s;
  s.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    s.push_back(kDigits[data[i] >> 4]);
    s.push_back(kDigits[data[i] & 15]);
  }
  return s;
}

}  // namespace locus::host
