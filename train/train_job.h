// `locus train`: from a pipeline file and a dataset to a trained, quantised,
// self-tested int8 capsule. The steps, each visible in the progress output:
// load and split the data (group-disjoint), compose the training set
// (unknown words, generated silence, augmented copies), compute features
// with the pipeline's own DSP block (cached, on both cores), train with
// early stopping and a resumable checkpoint, export the float network,
// calibrate activation ranges on representative windows, quantise to int8,
// build the capsule through the pipeline builder, and check the int8 model
// through the runtime against the float model on the validation and test
// splits.
#ifndef LOCUS_TRAIN_TRAIN_JOB_H_
#define LOCUS_TRAIN_TRAIN_JOB_H_

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "host/pipeline/pipeline_builder.h"
#include "host/training_data/feature_cache.h"
#include "train/trainer.h"

namespace locus::train {

struct TrainJobOptions {
  std::string pipeline;  // locus.yml
  // Override the pipeline's train section when set.
  std::string data, manifest, noise;
  int32_t epochs = 0;
  int32_t max_per_class = -1;
  std::string qat_when;   // auto | always | never; empty: the pipeline's train.qat.when
  std::string output;     // capsule path; default NAME.capsule in the current folder
  std::string work_dir;   // checkpoint and training.json; default OUTPUT minus .capsule + ".train"
  std::string cache_dir;  // feature cache; empty: the default
  bool fresh = false;     // ignore an existing checkpoint
  bool show_progress = true;
  uint64_t sequence = 1;
};

struct SplitSummary {
  size_t clips = 0;     // source clips (generated silence not included)
  size_t examples = 0;  // windows the model saw (variants and generated silence included)
  std::vector<size_t> per_label;
};

// Quantisation-aware fine-tuning, when it ran.
struct QatSummary {
  double post_training_int8_validation = NAN;  // what decided it (auto)
  bool ran = false;
  bool kept = false;  // its capsule did better on validation than post-training's
  TrainOutcome outcome;
  double int8_validation = NAN;
  double seconds = 0;
};

struct TrainJobResult {
  std::string capsule_path;
  std::string work_dir;
  std::vector<uint8_t> capsule;
  host::PipelineBuild build;
  std::string arch;
  Task task = Task::kClassify;
  std::vector<std::string> labels;
  SplitSummary train, validation, test;
  TrainOutcome outcome;
  // Classifiers: accuracy. Anomaly models: ROC AUC over clips (test) and
  // mean reconstruction error (validation, normal clips only).
  double float_validation = NAN, int8_validation = NAN;
  double float_test = NAN, int8_test = NAN;
  double silhouette = NAN;  // k-means
  QatSummary qat;
  host::FeatureCacheStats cache;
  double seconds_features = 0, seconds_training = 0, seconds_total = 0;
  std::vector<std::string> warnings;
};

TrainJobResult run_train_job(const TrainJobOptions& options);

// What `locus train --json` prints and WORK_DIR/training.json holds.
nlohmann::json train_summary_json(const TrainJobResult& result);

}  // namespace locus::train

#endif  // LOCUS_TRAIN_TRAIN_JOB_H_
