// Convolutional classifiers: DS-CNN, the micro_speech-shaped CNN and a 1-D
// CNN for IMU windows. Each convolution is followed by batch norm (folded on
// export) and ReLU.
#ifndef LOCUS_TRAIN_MODELS_CONV_NETS_H_
#define LOCUS_TRAIN_MODELS_CONV_NETS_H_

#include <memory>

#include "train/models/model_zoo.h"

namespace locus::train {

std::shared_ptr<Network> make_ds_cnn(const ArchSpec& spec, int32_t frames, int32_t features,
                                     int32_t classes);
std::shared_ptr<Network> make_small_cnn(const ArchSpec& spec, int32_t frames, int32_t features,
                                        int32_t classes);
std::shared_ptr<Network> make_conv1d(const ArchSpec& spec, int32_t frames, int32_t features,
                                     int32_t classes);
std::shared_ptr<Network> make_autoencoder(const ArchSpec& spec, int32_t frames, int32_t features);

}  // namespace locus::train

#endif  // LOCUS_TRAIN_MODELS_CONV_NETS_H_
