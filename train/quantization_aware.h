// Quantisation-aware fine-tuning: a trained network is trained a few more
// epochs with its forward pass on the int8 grid (QuantSim), so the weights
// settle where rounding costs least. Activation ranges are re-observed on
// the calibration windows before every epoch, on the float network, exactly
// as the post-training quantiser will observe them afterwards; batch-norm
// statistics stay frozen and are folded as the export folds them.
#ifndef LOCUS_TRAIN_QUANTIZATION_AWARE_H_
#define LOCUS_TRAIN_QUANTIZATION_AWARE_H_

#include <torch/torch.h>

#include "train/nn/network.h"
#include "train/trainer.h"

namespace locus::train {

// Records every activation's range over `windows` [N, frames, features]
// (float network, eval mode); leaves the simulation in kObserve.
void observe_activation_ranges(Network& network, const torch::Tensor& windows);

// Fine-tunes `network` in simulated int8 and returns the outcome (its
// validation accuracy is the simulated int8 accuracy). `input_fixed`: the
// model input is already int8 (an int8 feature block). The network is left
// in float mode with the best weights. Throws Error for a network without
// int8 simulation.
TrainOutcome fine_tune_quantization_aware(Network& network, const TensorSet& train,
                                          const TensorSet& validation,
                                          const torch::Tensor& calibration, bool input_fixed,
                                          TrainLoopOptions options);

}  // namespace locus::train

#endif  // LOCUS_TRAIN_QUANTIZATION_AWARE_H_
