// The architectures `model.arch` names in a pipeline file, with the size
// knobs tuning searches over:
//   ds_cnn       MLPerf Tiny's depthwise-separable CNN for keyword spotting
//                (width = filters, depth = separable blocks)
//   cnn          TFLM micro_speech's shape: strided convolutions then dense
//                (width = filters of the first conv, depth = conv layers)
//   conv1d       1-D CNN over time for IMU windows (features as channels)
//   autoencoder  dense autoencoder for anomaly detection (MLPerf Tiny AD
//                shape; width = hidden units, depth = layers per side,
//                bottleneck = code size)
//   kmeans       k-means for anomaly detection (clusters = k); not a
//                network, see kmeans.h
#ifndef LOCUS_TRAIN_MODELS_MODEL_ZOO_H_
#define LOCUS_TRAIN_MODELS_MODEL_ZOO_H_

#include <yaml-cpp/yaml.h>

#include <memory>
#include <string>
#include <vector>

#include "train/nn/network.h"

namespace locus::train {

struct ArchSpec {
  std::string arch;
  int32_t width = 0;       // 0: the architecture's default
  int32_t depth = 0;
  float dropout = 0.1f;
  int32_t bottleneck = 8;
  int32_t clusters = 8;
};

std::vector<std::string> architectures();
bool is_network_arch(const std::string& arch);  // false for kmeans
Task arch_task(const std::string& arch);

// `node` is the pipeline's model map; errors name file:line:col.
ArchSpec parse_arch(const YAML::Node& node, const std::string& where);

// outputs: classes for classifiers (ignored by autoencoders).
std::shared_ptr<Network> make_network(const ArchSpec& spec, int32_t frames, int32_t features,
                                      int32_t outputs);

}  // namespace locus::train

#endif  // LOCUS_TRAIN_MODELS_MODEL_ZOO_H_
