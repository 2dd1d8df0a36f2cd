// The training loop: mini-batches on both cores, Adam or AdamW with a
// warm-up and cosine (or step) schedule, early stopping on the validation
// split, the best weights kept, a resumable checkpoint after every epoch, and
// a progress line per epoch.
#ifndef LOCUS_TRAIN_TRAINER_H_
#define LOCUS_TRAIN_TRAINER_H_

#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

#include "train/nn/network.h"

namespace locus::train {

struct OptimizerSettings {
  int32_t epochs = 40;
  int32_t batch = 64;
  float learning_rate = 3e-3f;
  float weight_decay = 1e-2f;
  std::string optimizer = "adamw";  // adam | adamw
  std::string schedule = "cosine";  // cosine | step | constant
  int32_t warmup_epochs = 1;
  int32_t patience = 10;            // epochs without improvement before stopping
  float label_smoothing = 0.0f;
  // Feature-space masking (SpecAugment style): up to this many whole frames
  // and feature rows set to the window's mean, per training example. 0 = off.
  int32_t time_mask = 0;
  int32_t feature_mask = 0;
  uint64_t seed = 0;
  int32_t threads = 2;
};

// Examples as tensors: x [N, frames, features] float; y [N] int64 for
// classifiers, undefined for autoencoders (the target is x).
struct TensorSet {
  torch::Tensor x;
  torch::Tensor y;
  int64_t size() const { return x.defined() ? x.size(0) : 0; }
};

struct EpochStats {
  int32_t epoch = 0;
  double loss = 0, accuracy = 0;          // training (accuracy: classifiers)
  double val_loss = 0, val_accuracy = 0;  // validation
  double learning_rate = 0;
  double seconds = 0;
};

struct TrainOutcome {
  std::vector<EpochStats> history;
  int32_t best_epoch = 0;
  double best_val_loss = 0, best_val_accuracy = 0;
  bool stopped_early = false;
  int32_t resumed_from_epoch = 0;  // 0: a fresh start
};

struct TrainLoopOptions {
  OptimizerSettings settings;
  // Saved after every epoch (atomically); when it exists and `resume` is set
  // and its fingerprint matches, training continues from it.
  std::string checkpoint;
  bool resume = true;
  std::string fingerprint;  // describes data + model + settings
  bool show_progress = true;
  std::function<void(const EpochStats&)> on_epoch;
  // Before each epoch's training pass (quantisation-aware training refreshes
  // its activation ranges here).
  std::function<void(int32_t epoch)> before_epoch;
};

TrainOutcome fit(Network& network, const TensorSet& train, const TensorSet& validation,
                 const TrainLoopOptions& options);

struct Evaluation {
  double loss = 0;
  double accuracy = 0;  // classifiers
  torch::Tensor outputs;  // logits or reconstructions, [N, ...]
};
// Float evaluation in eval mode, in batches.
Evaluation evaluate_float(Network& network, const TensorSet& set, int32_t batch = 256);

}  // namespace locus::train

#endif  // LOCUS_TRAIN_TRAINER_H_
