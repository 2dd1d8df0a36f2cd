// Evaluating a capsule on labelled data exactly as a device runs it: every
// clip goes through the runtime's Pipeline (the capsule's own DSP block,
// feature window, int8 graph and post-processing) in a caller-owned buffer
// of Pipeline::memory_bytes(), the same code `locus run` and devices use.
//
// Classifiers: a clip is read at the capsule's input rate, padded with
// zeros or cut to the capsule's window (window_ms, at least what the first
// inference needs), pushed through a reset pipeline, and the dequantised
// model scores of the last inference (the one covering the clip) are the
// prediction: predicted = argmax, confidence = its score.
// Anomaly detectors: the clip's score is the mean anomaly score over every
// window of the whole clip (padded to one window when shorter); a sample is
// anomalous when its label is in `anomalous_labels`.
// IMU capsules read CSV files, image capsules BMP/PGM/PPM (one inference).
//
// Files that cannot be read or run are reported one by one and counted as
// errors; the evaluation goes on. Dataset labels the capsule does not know
// (model_label_index gives -1) are skipped and listed.
#ifndef LOCUS_HOST_EVALUATION_CAPSULE_EVALUATOR_H_
#define LOCUS_HOST_EVALUATION_CAPSULE_EVALUATOR_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "host/dataset/dataset.h"
#include "host/evaluation/metrics.h"

namespace locus::host {

struct EvalOptions {
  // Anomaly capsules: labels that mean "anomalous". Empty: every label
  // starting with "anomal" or "abnormal" (case-insensitive).
  std::vector<std::string> anomalous_labels;
  int threads = 2;           // one Pipeline and its memory per thread
  double max_fpr = 0.1;      // partial AUC range
  // Called after each sample (from worker threads, one call at a time).
  std::function<void(size_t done, size_t total)> progress;
};

struct SamplePrediction {
  std::string path;
  std::string label;             // the dataset's label
  int32_t truth = -1;            // class index (anomaly: 0 normal, 1 anomalous)
  int32_t predicted = -1;        // class index
  float confidence = 0.0f;       // classify: the predicted class's score
  float anomaly_score = 0.0f;    // anomaly: mean score over the clip's windows
  std::vector<float> scores;     // classify: every class's dequantised score
  uint32_t inferences = 0;       // inferences run for this clip
  bool correct() const { return truth == predicted; }
};

struct SampleError {
  std::string path;
  std::string label;
  std::string message;
};

struct CapsuleSummary {
  std::string name;
  std::string version;
  std::string digest;          // hex SHA-256 of the body
  std::string sensor;          // audio, accelerometer, image
  std::string dsp_block;       // e.g. audio_frontend
  uint32_t sample_rate_hz = 0;
  uint32_t window_ms = 0;
  bool anomaly = false;
  size_t capsule_bytes = 0;    // the file: what a device stores in flash
  size_t weight_bytes = 0;     // constant tensor data inside it
  size_t arena_bytes = 0;      // the graph's arena
  size_t memory_bytes = 0;     // everything the Pipeline needs (arena included)
  uint32_t fit_samples = 0;    // samples (IMU: frames) per classifier clip
};

struct LatencySummary {
  // Per inference, from a steady clock installed in the Pipeline: the model
  // is timed around Engine::invoke() alone; DSP covers the feature frames
  // computed since the previous inference.
  uint64_t inferences = 0;
  double mean_model_us = 0.0;
  double max_model_us = 0.0;
  double mean_dsp_us = 0.0;
  int threads = 1;
  double wall_seconds = 0.0;
};

struct AnomalySummary {
  uint64_t normal = 0;
  uint64_t anomalous = 0;
  std::vector<RocPoint> roc;  // empty when one of the two is missing
  double auc = 0.0;
  double partial_auc = 0.0;
  double max_fpr = 0.1;
  double threshold = 0.0;     // the capsule's anomaly_threshold (the confusion matrix's)
  std::vector<std::string> anomalous_labels;  // the dataset labels counted anomalous
};

struct EvalResult {
  CapsuleSummary capsule;
  std::vector<std::string> classes;  // the confusion matrix's labels
  std::vector<SamplePrediction> predictions;  // in sample order
  std::vector<SampleError> errors;
  std::map<std::string, uint64_t> skipped_labels;  // dataset label -> samples skipped
  std::map<std::string, uint64_t> dataset_labels;  // label -> samples given
  ConfusionMatrix confusion;
  ClassificationMetrics metrics;
  std::optional<AnomalySummary> anomaly;
  LatencySummary latency;
  std::vector<std::string> warnings;
};

// Opens and checks the capsule (runtime verification, body digest), then
// evaluates `samples`. Throws Error for a capsule that cannot be evaluated
// (corrupt, no sensor pipeline, no labels); per-file problems land in
// EvalResult::errors.
EvalResult evaluate_capsule(std::span<const uint8_t> capsule_bytes,
                            const std::vector<Sample>& samples, const EvalOptions& options = {},
                            const std::string& origin = "capsule");

// The default anomalous-label rule.
bool is_default_anomalous_label(const std::string& label);

}  // namespace locus::host

#endif  // LOCUS_HOST_EVALUATION_CAPSULE_EVALUATOR_H_
