// `locus calibrate`: a base capsule and a handful of examples from one
// location become a capsule for that location. The steps:
//
// 1. The base capsule is opened and verified; its int8 graph becomes a
//    trainable float network (GraphNetwork), so capsules trained here and
//    models imported from TFLite calibrate alike.
// 2. The location's data is split by group (speaker, voice or device):
//    `shots` clips per class come from its train split, the validation
//    split chooses the mode, the test split is held out for the report.
// 3. Features come from the capsule's own DSP block, or from a new block
//    (`features`) to recalibrate the model to another front end; shots get
//    augmented copies; clips of the base data can be replayed so the model
//    does not forget what it knew.
// 4. Head, last blocks or everything is fine-tuned (`auto` tries each and
//    keeps the best on validation), requantised post-training, and written
//    with the base capsule's identity, a higher sequence, the base's body
//    digest as parent, the location and the calibration data's summary.
// 5. Base and calibrated capsules are evaluated through the runtime on the
//    location's held-out clips.
#ifndef LOCUS_TRAIN_CALIBRATE_CALIBRATION_JOB_H_
#define LOCUS_TRAIN_CALIBRATE_CALIBRATION_JOB_H_

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "host/evaluation/capsule_evaluator.h"

namespace locus::train {

struct CalibrationOptions {
  std::string base;      // base capsule path
  std::string data;      // the location's dataset
  std::string manifest;  // optional
  std::string location;  // recorded in the capsule
  std::string output;    // default BASE-LOCATION.capsule
  int32_t shots = 10;    // training clips per class from the location
  std::string mode = "auto";  // head | partial | full | auto
  std::string features;       // a block YAML file: recalibrate to that block
  std::string base_data;      // the base model's data, for replay (optional)
  int32_t replay_per_class = -1;  // -1: 2 x shots
  std::string noise;              // background noise for augmentation and _silence_
  bool extend_labels = false;     // location labels the model lacks become classes
  uint32_t variants = 4;          // augmented copies per shot
  int32_t epochs = 40;
  double validation_share = 0.2;  // of the location's groups, when it has no splits
  double test_share = 0.5;
  uint64_t seed = 0;
  uint64_t sequence = 0;  // 0: the base's sequence + 1
  std::string cache_dir;
  bool show_progress = true;
};

struct ModeTrial {
  std::string mode;
  size_t trained_layers = 0;
  double validation = 0;  // int8 accuracy on the location's validation clips
  int32_t best_epoch = 0;
};

struct CalibrationResult {
  std::string output;
  std::vector<uint8_t> capsule;
  std::string parent_digest;  // hex
  std::string location;
  std::string mode;  // the one kept
  std::vector<ModeTrial> trials;
  std::vector<std::string> labels;
  std::vector<std::string> added_labels;
  size_t shots = 0, augmented = 0, replayed = 0, generated_silence = 0;
  size_t validation_clips = 0;
  host::EvalResult before, after;  // held-out clips, through the runtime
  double seconds_features = 0, seconds_training = 0, seconds_total = 0;
  std::vector<std::string> warnings;
};

CalibrationResult run_calibration(const CalibrationOptions& options);

nlohmann::json calibration_summary_json(const CalibrationResult& result);

}  // namespace locus::train

#endif  // LOCUS_TRAIN_CALIBRATE_CALIBRATION_JOB_H_
