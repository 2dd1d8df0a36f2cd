// Helpers shared by the pipeline tests: capsules built with the host library
// from real models, and a pipeline with its memory.
#ifndef LOCUS_TESTS_SUPPORT_PIPELINE_TESTING_H_
#define LOCUS_TESTS_SUPPORT_PIPELINE_TESTING_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "host/capsule/capsule_builder.h"
#include "host/capsule/capsule_file.h"
#include "host/features/feature_block.h"
#include "host/tflite/tflite_importer.h"
#include "runtime/pipeline/pipeline.h"
#include "tests/support/tiny_models.h"

namespace locus::pipeline_test {

inline host::Graph import_model(const std::string& path) {
  host::AlignedBuffer model = host::read_file(path);
  return host::import_tflite(model.span());
}

inline std::unique_ptr<host::LoadedCapsule> build(host::CapsuleSpec spec) {
  host::BuiltCapsule built = host::build_capsule(std::move(spec));
  return std::make_unique<host::LoadedCapsule>(
      host::open_capsule(host::copy_to_aligned(built.bytes), "test capsule"));
}

// The TFLM micro_speech model behind its own front end (preset micro_speech,
// int8 output), 49 x 40 window, a new inference every 10 frames (200 ms).
inline host::CapsuleSpec micro_speech_spec(const std::string& data) {
  static const host::Graph graph =
      import_model(data + "/tflm_micro_speech/micro_speech_quantized.tflite");
  host::CapsuleSpec spec;
  spec.identity.name = "micro_speech";
  spec.identity.version = "1.0.0";
  schema::InputSpecT input;
  input.sensor = schema::SensorKind::Audio;
  input.sample_rate_hz = 16000;
  input.window_ms = 1000;
  input.stride_ms = 200;
  spec.input = input;
  spec.dsp.push_back(host::load_feature_block("micro_speech")->to_capsule());
  spec.labels = {"silence", "unknown", "yes", "no"};
  schema::PostProcessT post;
  post.kind = schema::PostProcessKind::Classify;
  post.average_ms = 1000;
  post.threshold = 0.7f;
  post.suppress_ms = 1500;
  post.background_labels = {0, 1};
  spec.postprocess = post;
  schema::FeatureWindowT window;
  window.frames = 49;
  window.features = 40;
  window.stride_frames = 10;
  spec.feature_window = window;
  spec.graph = graph;
  return spec;
}

struct PipelineWithMemory {
  host::AlignedBuffer memory;
  Pipeline pipeline;
};

// init() must succeed (checked by the caller through the returned status).
inline Status make_pipeline(const Capsule& capsule, PipelineWithMemory* out) {
  size_t bytes = 0;
  LOCUS_RETURN_IF_ERROR(Pipeline::memory_bytes(capsule, &bytes));
  out->memory = host::AlignedBuffer(bytes);
  return out->pipeline.init(capsule, out->memory.data(), out->memory.size());
}

// The built micro_speech capsule, once per test binary.
using pipeline_test::build;
using pipeline_test::make_pipeline;
using pipeline_test::micro_speech_spec;
using pipeline_test::PipelineWithMemory;

#define NEED_DATA(data)                                                                \
  const std::string data = testing::test_data_dir();                                   \
  if (data.empty()) GTEST_SKIP() << "LOCUS_TEST_DATA is not set; this test needs the " \
                                    "datasets (micro_speech, MLPerf Tiny models)"

inline std::vector<int8_t> read_i8(const std::string& path) {
  host::AlignedBuffer b = host::read_file(path);
  return {reinterpret_cast<const int8_t*>(b.data()),
          reinterpret_cast<const int8_t*>(b.data()) + b.size()};
}

inline const host::LoadedCapsule& micro_speech(const std::string& data) {
  static std::unique_ptr<host::LoadedCapsule> capsule = build(micro_speech_spec(data));
  return *capsule;
}

// Pushes all samples in chunks of `chunk`; collects every result.
inline std::vector<PipelineResult> stream(Pipeline& p, const std::vector<int16_t>& samples,
                                   size_t chunk) {
  std::vector<PipelineResult> results;
  PipelineResult r;
  for (size_t at = 0; at < samples.size();) {
    const size_t n = std::min(chunk, samples.size() - at);
    size_t done = 0;
    while (done < n) {
      size_t used = 0;
      bool has = false;
      const Status s = p.push(samples.data() + at + done, n - done, &used, &r, &has);
      EXPECT_TRUE(s.is_ok()) << s.message();
      if (!s) return results;
      done += used;
      if (has) results.push_back(r);
      if (!has) EXPECT_EQ(done, n);  // without a result everything is consumed
    }
    at += n;
  }
  return results;
}

inline uint64_t fake_clock(void* context) { return (*static_cast<uint64_t*>(context) += 7); }


}  // namespace locus::pipeline_test

#endif  // LOCUS_TESTS_SUPPORT_PIPELINE_TESTING_H_
