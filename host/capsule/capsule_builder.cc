#include "host/capsule/capsule_builder.h"

#include <cstring>

#include "host/capsule/capsule_file.h"
#include "host/common/error.h"
#include "runtime/engine/engine.h"

namespace locus::host {

std::vector<uint8_t> self_test_pattern(size_t bytes, uint32_t seed) {
  std::vector<uint8_t> out(bytes);
  uint32_t x = seed == 0 ? 0x9E3779B9u : seed;
  for (uint8_t& b : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    b = static_cast<uint8_t>(x >> 24);
  }
  return out;
}

namespace {

// Float inputs get small finite values rather than random bit patterns.
std::vector<uint8_t> input_pattern(const TensorDef& t, uint32_t seed) {
  if (t.type != schema::TensorType::Float32) return self_test_pattern(t.byte_size(), seed);
  std::vector<uint8_t> raw = self_test_pattern(static_cast<size_t>(t.element_count()), seed);
  std::vector<uint8_t> out(t.byte_size());
  for (size_t i = 0; i < raw.size(); ++i) {
    const float v = (static_cast<int>(raw[i]) - 128) / 64.0f;
    std::memcpy(out.data() + 4 * i, &v, 4);
  }
  return out;
}

}  // namespace

BuiltCapsule build_capsule(CapsuleSpec spec) {
  BuiltCapsule built;
  built.plan = plan_memory(spec.graph);

  if (spec.self_test_inputs.empty()) {
    for (size_t i = 0; i < spec.graph.inputs.size(); ++i) {
      const TensorDef& t = spec.graph.tensors.at(spec.graph.inputs[i]);
      spec.self_test_inputs.push_back(input_pattern(t, 0x9E3779B9u * static_cast<uint32_t>(i + 1)));
    }
  }
  spec.self_test_outputs.clear();

  // First pass: a capsule without expected outputs, run by the runtime.
  std::vector<uint8_t> draft = write_capsule(spec);
  LoadedCapsule loaded = open_capsule(copy_to_aligned(draft), "built capsule");
  AlignedBuffer arena(loaded.capsule.arena_bytes());
  Engine engine;
  Status s = engine.init(loaded.capsule, arena.data(), arena.size());
  if (!s) fail("built capsule: ", s.message());
  for (size_t i = 0; i < engine.input_count(); ++i) {
    const TensorView in = engine.input(i);
    const auto& bytes = spec.self_test_inputs.at(i);
    if (bytes.size() != in.bytes) {
      fail("self-test input ", i, " has ", bytes.size(), " bytes, the graph input needs ", in.bytes);
    }
    std::memcpy(in.data, bytes.data(), bytes.size());
  }
  s = engine.invoke();
  if (!s) fail("built capsule: ", s.message());
  for (size_t i = 0; i < engine.output_count(); ++i) {
    const TensorView out = engine.output(i);
    const auto* p = static_cast<const uint8_t*>(out.data);
    spec.self_test_outputs.emplace_back(p, p + out.bytes);
  }

  built.bytes = write_capsule(spec);
  return built;
}

CapsuleSpec spec_from_capsule(const schema::CapsuleBody& body) {
  std::unique_ptr<schema::CapsuleBodyT> unpacked(body.UnPack());
  CapsuleSpec spec;
  if (unpacked->identity) spec.identity = *unpacked->identity;
  if (unpacked->input) spec.input = *unpacked->input;
  for (const auto& block : unpacked->dsp) {
    if (block) spec.dsp.push_back(*block);
  }
  spec.labels = unpacked->labels;
  if (unpacked->postprocess) spec.postprocess = *unpacked->postprocess;
  if (unpacked->feature_stats) {
    spec.feature_mean = unpacked->feature_stats->mean;
    spec.feature_variance = unpacked->feature_stats->variance;
  }
  if (unpacked->feature_window) spec.feature_window = *unpacked->feature_window;
  if (unpacked->calibration) spec.calibration = *unpacked->calibration;
  return spec;
}

}  // namespace locus::host
