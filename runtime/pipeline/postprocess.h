// Post-processing of model outputs into decisions, on a stream of inferences.
//
// Classify: the output scores, dequantised to float (an int8 softmax gives
// probabilities), are averaged per label over the last `average_count`
// inferences (fewer at the start of a stream); the top averaged label raises
// an event when its averaged score >= threshold, it is not a background
// label, and at least suppress_ms passed since the previous event (of any
// label, as TFLM's RecognizeCommands suppresses).
// Anomaly: the score (the autoencoder's reconstruction error, computed by the
// caller with mean_squared_error()) raises an event when >= anomaly_threshold
// (and suppress_ms passed since the previous event).
//
// Times are stream times in milliseconds derived from sample counts, never
// from a clock. All state lives in caller memory (history_bytes()).
#ifndef LOCUS_RUNTIME_PIPELINE_POSTPROCESS_H_
#define LOCUS_RUNTIME_PIPELINE_POSTPROCESS_H_

#include <stddef.h>
#include <stdint.h>

#include "locus/schema/capsule_generated.h"
#include "runtime/status.h"

namespace locus {

constexpr uint32_t kMaxPipelineLabels = 64;

// What one inference produced.
struct PipelineResult {
  uint64_t end_index = 0;     // audio: samples consumed so far (the window's end);
                              // IMU: frames; image: images
  uint64_t timestamp_ms = 0;  // end_index in stream milliseconds
  int32_t top_label = -1;     // highest averaged score (classify), else -1
  float top_score = 0.0f;     // its score in this inference
  float top_average = 0.0f;   // its averaged score
  uint32_t label_count = 0;
  float scores[kMaxPipelineLabels] = {};   // this inference, dequantised
  float average[kMaxPipelineLabels] = {};  // averaged over the history
  float anomaly_score = 0.0f;              // anomaly: mean squared error
  bool event = false;
  // Per-stage time in microseconds from the installed clock (0 without one):
  // DSP of the frames since the previous result, the model, post-processing.
  uint32_t dsp_us = 0;
  uint32_t model_us = 0;
  uint32_t post_us = 0;
};

struct PostProcessConfig {
  schema::PostProcessKind kind = schema::PostProcessKind::Classify;
  uint32_t label_count = 0;
  uint32_t average_count = 1;  // inferences averaged (>= 1)
  float threshold = 0.0f;
  uint32_t suppress_ms = 0;
  float anomaly_threshold = 0.0f;
  uint64_t background_mask = 0;  // bit i: label i never raises an event
  bool raise_events = true;      // false when the capsule has no post-processing
};

// From the capsule's PostProcess (may be null: classify, no averaging, no
// threshold). stride_ms is the time between inferences (0 = unknown: no
// averaging). Validates thresholds and background label indices.
Status postprocess_config_from_capsule(const schema::PostProcess* postprocess,
                                       uint32_t label_count, double stride_ms,
                                       PostProcessConfig* out);

class PostProcessor {
 public:
  // Bytes of history (16-byte multiple).
  static size_t history_bytes(const PostProcessConfig& config);

  // `memory` must be 4-byte aligned and hold history_bytes(config).
  Status init(const PostProcessConfig& config, uint8_t* memory, size_t bytes);
  void reset();

  // scores: label_count dequantised values. Fills scores, average, top_*,
  // event of *result.
  void classify(const float* scores, uint64_t timestamp_ms, PipelineResult* result);
  // Fills anomaly_score and event.
  void anomaly(float score, uint64_t timestamp_ms, PipelineResult* result);

  const PostProcessConfig& config() const { return config_; }

 private:
  bool may_raise(uint64_t timestamp_ms) const;

  PostProcessConfig config_;
  float* history_ = nullptr;  // average_count rows of label_count
  float* sums_ = nullptr;     // label_count (recomputed from the rows each time)
  uint32_t next_row_ = 0;
  uint32_t rows_ = 0;
  bool has_event_ = false;
  uint64_t last_event_ms_ = 0;
};

// Dequantises `count` values of a tensor of `type` (int8, uint8, int16,
// int32 with scale and zero point; float32 as is) into `out`.
void dequantize_values(schema::TensorType type, const void* data, size_t count, float scale,
                       int32_t zero_point, float* out);

// Reads element i of such a tensor as a float.
float dequantize_value(schema::TensorType type, const void* data, size_t i, float scale,
                       int32_t zero_point);

}  // namespace locus

#endif  // LOCUS_RUNTIME_PIPELINE_POSTPROCESS_H_
