// Post-processing on hand-made score sequences: averaging window, top
// label, threshold, background labels, suppression, anomaly threshold, and
// the capsule-side checks.
#include "runtime/pipeline/postprocess.h"

#include <gtest/gtest.h>

#include <vector>

namespace locus {
namespace {

struct Harness {
  explicit Harness(const PostProcessConfig& c) : memory(PostProcessor::history_bytes(c) / 4 + 1) {
    const Status s = post.init(c, reinterpret_cast<uint8_t*>(memory.data()),
                               memory.size() * sizeof(float));
    EXPECT_TRUE(s.is_ok()) << s.message();
  }
  PipelineResult step(std::vector<float> scores, uint64_t ms) {
    PipelineResult r;
    post.classify(scores.data(), ms, &r);
    return r;
  }
  std::vector<float> memory;
  PostProcessor post;
};

PostProcessConfig classify_config() {
  PostProcessConfig c;
  c.label_count = 3;
  c.average_count = 3;
  c.threshold = 0.6f;
  c.suppress_ms = 1000;
  c.background_mask = 1;  // label 0 is silence
  return c;
}

TEST(PostProcess, AveragesOverTheLastInferences) {
  Harness h(classify_config());
  PipelineResult r = h.step({0.1f, 0.9f, 0.0f}, 100);
  EXPECT_FLOAT_EQ(r.average[1], 0.9f);  // one inference so far
  r = h.step({0.1f, 0.3f, 0.6f}, 200);
  EXPECT_FLOAT_EQ(r.average[1], 0.6f);
  EXPECT_FLOAT_EQ(r.average[2], 0.3f);
  r = h.step({0.1f, 0.0f, 0.9f}, 300);
  EXPECT_FLOAT_EQ(r.average[1], 0.4f);
  EXPECT_FLOAT_EQ(r.average[2], 0.5f);
  EXPECT_EQ(r.top_label, 2);
  EXPECT_FLOAT_EQ(r.top_score, 0.9f);
  EXPECT_FLOAT_EQ(r.top_average, 0.5f);
  r = h.step({0.4f, 0.0f, 0.6f}, 400);  // the first row leaves the window
  EXPECT_FLOAT_EQ(r.average[0], 0.2f);
  EXPECT_FLOAT_EQ(r.average[1], 0.1f);
  EXPECT_FLOAT_EQ(r.average[2], 0.7f);
  EXPECT_EQ(r.label_count, 3u);
}

TEST(PostProcess, ThresholdBackgroundAndSuppression) {
  Harness h(classify_config());
  EXPECT_TRUE(h.step({0.0f, 0.9f, 0.1f}, 0).event);    // first event at time 0
  EXPECT_FALSE(h.step({0.0f, 0.9f, 0.1f}, 500).event);  // suppressed
  EXPECT_FALSE(h.step({0.0f, 0.9f, 0.1f}, 999).event);  // still suppressed
  EXPECT_TRUE(h.step({0.0f, 0.9f, 0.1f}, 1000).event);  // exactly suppress_ms later
  h.post.reset();
  EXPECT_FALSE(h.step({0.95f, 0.05f, 0.0f}, 5000).event);  // background never fires
  h.post.reset();
  EXPECT_FALSE(h.step({0.3f, 0.2f, 0.5f}, 6000).event);  // below threshold
  EXPECT_TRUE(h.step({0.0f, 0.0f, 1.0f}, 6200).event);   // average 0.75 >= 0.6
}

TEST(PostProcess, AnomalyThreshold) {
  PostProcessConfig c;
  c.kind = schema::PostProcessKind::Anomaly;
  c.anomaly_threshold = 2.5f;
  EXPECT_EQ(PostProcessor::history_bytes(c), 0u);
  PostProcessor post;
  ASSERT_TRUE(post.init(c, nullptr, 0).is_ok());
  PipelineResult r;
  post.anomaly(2.4f, 10, &r);
  EXPECT_FALSE(r.event);
  EXPECT_FLOAT_EQ(r.anomaly_score, 2.4f);
  post.anomaly(2.5f, 20, &r);
  EXPECT_TRUE(r.event);
  post.anomaly(9.0f, 30, &r);
  EXPECT_TRUE(r.event);  // suppress_ms 0
}

TEST(PostProcess, ConfigFromCapsule) {
  flatbuffers::FlatBufferBuilder fbb;
  schema::PostProcessT t;
  t.average_ms = 1000;
  t.threshold = 0.7f;
  t.suppress_ms = 1500;
  t.background_labels = {0, 1};
  fbb.Finish(schema::PostProcess::Pack(fbb, &t));
  const auto* p = flatbuffers::GetRoot<schema::PostProcess>(fbb.GetBufferPointer());
  PostProcessConfig c;
  ASSERT_TRUE(postprocess_config_from_capsule(p, 4, 200.0, &c).is_ok());
  EXPECT_EQ(c.average_count, 5u);
  EXPECT_EQ(c.background_mask, 3u);
  EXPECT_EQ(c.suppress_ms, 1500u);
  ASSERT_TRUE(postprocess_config_from_capsule(p, 4, 3000.0, &c).is_ok());
  EXPECT_EQ(c.average_count, 1u);  // at least one inference
  ASSERT_TRUE(postprocess_config_from_capsule(p, 4, 0.0, &c).is_ok());
  EXPECT_EQ(c.average_count, 1u);  // unknown stride: no averaging
  Status s = postprocess_config_from_capsule(p, 1, 200.0, &c);
  EXPECT_EQ(s.code(), StatusCode::kMalformed);
  EXPECT_STREQ(s.message(), "postprocess: background label 1 is not one of the 1 labels");
  s = postprocess_config_from_capsule(p, 65, 200.0, &c);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_STREQ(s.message(), "postprocess: 65 labels, this runtime supports at most 64");

  // No post-processing: scores and averages, never an event.
  ASSERT_TRUE(postprocess_config_from_capsule(nullptr, 3, 200.0, &c).is_ok());
  Harness h(c);
  const PipelineResult r = h.step({0.0f, 1.0f, 0.0f}, 0);
  EXPECT_EQ(r.top_label, 1);
  EXPECT_FALSE(r.event);
}

TEST(PostProcess, Dequantize) {
  const int8_t q[3] = {-128, 0, 127};
  float out[3];
  dequantize_values(schema::TensorType::Int8, q, 3, 1.0f / 256, -128, out);
  EXPECT_EQ(out[0], 0.0f);
  EXPECT_EQ(out[1], 0.5f);
  EXPECT_EQ(out[2], 255.0f / 256);
  const int16_t w[2] = {-3, 5};
  dequantize_values(schema::TensorType::Int16, w, 2, 0.5f, 1, out);
  EXPECT_EQ(out[0], -2.0f);
  EXPECT_EQ(out[1], 2.0f);
  const float f[1] = {1.25f};
  EXPECT_EQ(dequantize_value(schema::TensorType::Float32, f, 0, 0.0f, 0), 1.25f);
}

}  // namespace
}  // namespace locus
