// Feature matrices as training windows, and the int8 capsule run on those
// windows through the runtime: the pieces `locus train` and `locus
// calibrate` share.
#ifndef LOCUS_TRAIN_FEATURE_WINDOWS_H_
#define LOCUS_TRAIN_FEATURE_WINDOWS_H_

#include <torch/torch.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "host/features/feature_block.h"
#include "host/training_data/training_set.h"
#include "train/nn/network.h"

namespace locus::train {

// Windows of `frames` rows: the whole matrix for clip-sized classifier
// inputs, every `step` frames for anomaly models.
struct Windows {
  torch::Tensor x;              // [N, frames, features] float (real values)
  torch::Tensor raw;            // same, the block's own values (int8 values for int8 blocks)
  std::vector<int64_t> origin;  // example index of each window
};

// `q`: what an int8 block's values mean (x = (raw - zero_point) * scale).
// Throws Error when a matrix has another number of features.
Windows windows_of(const std::vector<host::FeatureMatrix>& matrices, int32_t frames,
                   int32_t features, int32_t step,
                   const std::optional<host::FeatureQuantization>& q);

// The label of each window's example.
torch::Tensor labels_of(const std::vector<host::TrainingExample>& examples,
                        const std::vector<int64_t>& origin);

// Per-window outputs of an int8 capsule through the runtime: the class
// index for classifiers, the mean squared reconstruction error for anomaly
// models. `q` as for windows_of (nullopt: float features, quantised with the
// graph input's scale).
std::vector<double> run_int8(const std::vector<uint8_t>& capsule_bytes, const Windows& w,
                             const std::optional<host::FeatureQuantization>& q, Task task);

// Share of predicted class indices equal to `y`; NaN when empty.
double accuracy_of(const std::vector<double>& predicted, const torch::Tensor& y);

}  // namespace locus::train

#endif  // LOCUS_TRAIN_FEATURE_WINDOWS_H_
