// One factory per feature block kind, each in its block family's file.
#ifndef LOCUS_HOST_FEATURES_FEATURE_BLOCK_FACTORIES_H_
#define LOCUS_HOST_FEATURES_FEATURE_BLOCK_FACTORIES_H_

#include <memory>
#include <string>

#include "host/features/feature_block.h"

namespace locus::host {

std::unique_ptr<FeatureBlock> make_audio_frontend(const YAML::Node& params, const std::string& where);
std::unique_ptr<FeatureBlock> make_imu_features(const YAML::Node& params, const std::string& where);
std::unique_ptr<FeatureBlock> make_spectrogram(const YAML::Node& params, const std::string& where);
std::unique_ptr<FeatureBlock> make_mfe(const YAML::Node& params, const std::string& where);
std::unique_ptr<FeatureBlock> make_mfcc(const YAML::Node& params, const std::string& where);
std::unique_ptr<FeatureBlock> make_image_preprocess(const YAML::Node& params,
                                                    const std::string& where);

}  // namespace locus::host

#endif  // LOCUS_HOST_FEATURES_FEATURE_BLOCK_FACTORIES_H_
