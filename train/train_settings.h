// The `train:` section of a pipeline file: where the data is, how it is
// split and augmented, and how the optimiser runs.
//
//   train:
//     data: data/keywords             # dataset folder (or --data)
//     manifest: manifest.csv          # optional
//     noise: ${LOCUS_TEST_DATA}/speech_commands_background_noise
//     split: { validation: 0.1, test: 0.1, seed: 0 }
//     augment: { noise: 0.8, snr_db: [0, 20], shift_ms: 100, gain_db: [-6, 6] }
//     variants: 2                     # augmented copies per training clip
//     unknown_share: 1.0
//     silence_share: 1.0
//     epochs: 40
//     batch: 64
//     optimizer: adamw                # adam | adamw
//     learning_rate: 0.003
//     weight_decay: 0.01
//     schedule: cosine                # cosine | step | constant
//     warmup_epochs: 1
//     patience: 10
//     label_smoothing: 0.0
//     time_mask: 0                    # SpecAugment-style masks (frames)
//     feature_mask: 0                 # (feature rows)
//     calibration_windows: 400        # representative windows for int8 ranges
//     qat:                            # quantisation-aware fine-tuning
//       when: auto                    # auto | always | never
//       epochs: 5
//       learning_rate: 0.0003
//       max_loss: 0.01                # auto: when int8 loses more accuracy than this
//     max_per_class: 0                # cap clips per label and split (0: all)
//     anomalous_labels: [anomalous]   # anomaly models: labels that are not normal
//     seed: 0
#ifndef LOCUS_TRAIN_TRAIN_SETTINGS_H_
#define LOCUS_TRAIN_TRAIN_SETTINGS_H_

#include <string>
#include <vector>

#include "host/dataset/dataset.h"
#include "host/pipeline/pipeline_file.h"
#include "host/training_data/augment.h"
#include "train/trainer.h"

namespace locus::train {

// Quantisation-aware fine-tuning after post-training quantisation. `auto`
// runs it for classifiers whose int8 validation accuracy is more than
// `max_loss` below the float model's, and keeps whichever capsule does
// better on validation.
struct QatSettings {
  std::string when = "auto";  // auto | always | never
  int32_t epochs = 5;
  float learning_rate = 3e-4f;
  double max_loss = 0.01;
};

struct TrainSettings {
  std::string data;      // absolute, or empty
  std::string manifest;  // absolute, or empty
  std::string noise;     // absolute, or empty
  host::SplitOptions split;
  host::AugmentOptions augment;
  uint32_t variants = 2;
  double unknown_share = 1.0;
  double silence_share = 1.0;
  OptimizerSettings optimizer;
  int32_t calibration_windows = 400;
  QatSettings qat;
  int32_t max_per_class = 0;
  std::vector<std::string> anomalous_labels;  // empty: labels starting "anomal"/"abnormal"
};

// Throws Error with file:line:col for unknown keys and values out of range.
TrainSettings parse_train_settings(const host::PipelineFile& pipeline);

// Whether a dataset label marks anomalous data for an anomaly model.
bool is_anomalous_label(const std::string& label, const std::vector<std::string>& anomalous);

}  // namespace locus::train

#endif  // LOCUS_TRAIN_TRAIN_SETTINGS_H_
