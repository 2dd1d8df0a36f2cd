// From a capsule's DSP block (schema DspBlock: kind, implementation version,
// a params union) to the runtime block configuration that computes exactly
// those features. Capsules are untrusted: every enumeration, count and the
// implementation version are checked here, and the block's own init() checks
// the rest (ranges, Nyquist, table sizes) when the pipeline builds it.
//
//   DspBlockConfig config;
//   LOCUS_RETURN_IF_ERROR(dsp_block_from_capsule(body->dsp()->Get(0), 0,
//                                               body->input()->sample_rate_hz(), &config));
//   // config.kind says which member (audio, mfcc, imu, ...) is in use.
#ifndef LOCUS_RUNTIME_PIPELINE_DSP_FROM_CAPSULE_H_
#define LOCUS_RUNTIME_PIPELINE_DSP_FROM_CAPSULE_H_

#include <stddef.h>
#include <stdint.h>

#include "locus/schema/capsule_generated.h"
#include "runtime/dsp/frontend/audio_frontend.h"
#include "runtime/dsp/image/image_preprocess.h"
#include "runtime/dsp/imu/imu_features.h"
#include "runtime/dsp/spectral/mfcc.h"
#include "runtime/dsp/spectral/mfe.h"
#include "runtime/dsp/spectral/spectrogram.h"
#include "runtime/status.h"

namespace locus {

enum class DspBlockKind : uint8_t {
  kAudioFrontend = 0,
  kSpectrogram,
  kMfe,
  kMfcc,
  kImuFeatures,
  kImagePreprocess,
};

// "audio_frontend", "spectrogram", "mfe", "mfcc", "imu_features", "image_preprocess".
const char* dsp_block_kind_name(DspBlockKind kind);

// The element type of one feature value as the block hands it to the model.
enum class FeatureElement : uint8_t { kInt8 = 0, kUInt16, kInt16, kFloat32 };
const char* feature_element_name(FeatureElement type);
size_t feature_element_bytes(FeatureElement type);

// One block, converted. Only the member matching `kind` is meaningful.
struct DspBlockConfig {
  DspBlockKind kind = DspBlockKind::kAudioFrontend;
  uint32_t implementation_version = 0;
  uint32_t sample_rate_hz = 0;  // audio blocks: the input's rate

  // audio_frontend
  dsp::AudioFrontendConfig audio;
  bool int8_output = false;  // micro_speech's int8 mapping of the uint16 features

  // spectrogram / mfe / mfcc
  dsp::SpectrogramConfig spectrogram;
  dsp::MfeConfig mfe;
  dsp::MfccConfig mfcc;
  bool quantize = false;  // int8 features: clamp(round(x / quant_scale) + quant_zero_point)
  float quant_scale = 1.0f;
  int32_t quant_zero_point = 0;

  // imu_features (imu.max_frames is the window)
  dsp::ImuFeaturesConfig imu{};
  int32_t imu_stride_frames = 0;

  // image_preprocess
  dsp::ImagePreprocessConfig image{};

  // Derived from the above.
  bool is_audio() const { return kind <= DspBlockKind::kMfcc; }
  bool is_spectral() const {
    return kind == DspBlockKind::kSpectrogram || kind == DspBlockKind::kMfe ||
           kind == DspBlockKind::kMfcc;
  }
  // Type of each feature value after the block (and its int8 mapping, if any).
  FeatureElement output_element() const;
  // Audio blocks: samples between frames and per frame. IMU: stride/window frames.
  uint32_t frame_step() const;
  uint32_t frame_length() const;
  // Spectral blocks: the config's arithmetic and fraction bits.
  dsp::Arithmetic arithmetic() const;
  uint32_t fixed_frac_bits() const;
};

// Conversions of one params table. `sample_rate_hz` comes from the capsule's
// InputSpec (audio params do not repeat it). Errors name the field.
Status audio_frontend_config_from_capsule(const schema::AudioFrontendParams& params,
                                          dsp::AudioFrontendConfig* config, bool* int8_output);
Status spectral_config_from_capsule(const schema::SpectralParams& params, uint32_t sample_rate_hz,
                                    DspBlockConfig* out);
Status imu_features_config_from_capsule(const schema::ImuFeaturesParams& params,
                                        dsp::ImuFeaturesConfig* config, int32_t* stride_frames);
Status image_preprocess_config_from_capsule(const schema::ImagePreprocessParams& params,
                                            dsp::ImagePreprocessConfig* config);

// The whole block: kind string and params type must agree, the
// implementation version must be one this runtime has. Messages start with
// "dsp block INDEX (KIND): ".
Status dsp_block_from_capsule(const schema::DspBlock* block, uint32_t index,
                              uint32_t sample_rate_hz, DspBlockConfig* out);

// Bytes of block state (tables and streaming buffers) the runtime block
// needs for `config`, or 0 when the block itself rejects the config.
size_t dsp_block_state_bytes(const DspBlockConfig& config);

}  // namespace locus

#endif  // LOCUS_RUNTIME_PIPELINE_DSP_FROM_CAPSULE_H_
