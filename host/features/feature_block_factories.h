// One factory per feature block kind, each in its block family's file:
// from YAML parameters, and from a runtime configuration (a capsule's DSP
// block after dsp_block_from_capsule), both building the same host class.
#ifndef LOCUS_HOST_FEATURES_FEATURE_BLOCK_FACTORIES_H_
#define LOCUS_HOST_FEATURES_FEATURE_BLOCK_FACTORIES_H_

#include <memory>
#include <string>

#include "host/features/feature_block.h"
#include "runtime/pipeline/dsp_from_capsule.h"

namespace locus::host {

std::unique_ptr<FeatureBlock> make_audio_frontend(const YAML::Node& params, const std::string& where);
std::unique_ptr<FeatureBlock> make_imu_features(const YAML::Node& params, const std::string& where);
std::unique_ptr<FeatureBlock> make_spectrogram(const YAML::Node& params, const std::string& where);
std::unique_ptr<FeatureBlock> make_mfe(const YAML::Node& params, const std::string& where);
std::unique_ptr<FeatureBlock> make_mfcc(const YAML::Node& params, const std::string& where);
std::unique_ptr<FeatureBlock> make_image_preprocess(const YAML::Node& params,
                                                    const std::string& where);

// `config` as dsp_block_from_capsule converted and checked it; the block's
// init() checks the rest and failures throw Error naming `where`.
std::unique_ptr<FeatureBlock> audio_frontend_from_config(const DspBlockConfig& config,
                                                         const std::string& where);
// spectrogram, mfe and mfcc.
std::unique_ptr<FeatureBlock> spectral_from_config(const DspBlockConfig& config,
                                                   const std::string& where);
std::unique_ptr<FeatureBlock> imu_features_from_config(const DspBlockConfig& config,
                                                       const std::string& where);
std::unique_ptr<FeatureBlock> image_preprocess_from_config(const DspBlockConfig& config,
                                                           const std::string& where);

}  // namespace locus::host

#endif  // LOCUS_HOST_FEATURES_FEATURE_BLOCK_FACTORIES_H_
