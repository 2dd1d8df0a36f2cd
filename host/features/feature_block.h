// A DSP block configured on the host: parsed from YAML (the shape of one
// entry under `features:` in a pipeline file), named by a preset, or read
// back from a capsule's DSP block, and run over whole clips with the
// runtime's own block code, so features here are the features a device
// computes. Each block family has one host class whichever way it is made.
#ifndef LOCUS_HOST_FEATURES_FEATURE_BLOCK_H_
#define LOCUS_HOST_FEATURES_FEATURE_BLOCK_H_

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "host/audio/audio_file.h"
#include "host/features/feature_writers.h"
#include "locus/schema/capsule_generated.h"

namespace locus::host {

// The real value an int8 feature stands for: (q - zero_point) * scale.
struct FeatureQuantization {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

class FeatureBlock {
 public:
  virtual ~FeatureBlock() = default;
  virtual std::string kind() const = 0;
  virtual uint32_t implementation_version() const = 0;
  virtual uint32_t sample_rate() const = 0;
  // Bytes of caller memory the block needs on a device.
  virtual size_t state_bytes() const = 0;
  // Features of a whole recording (audio file, or CSV for IMU blocks),
  // from a fresh state as training computes them.
  virtual FeatureMatrix compute_file(const std::string& path) = 0;
  // The block as a capsule stores it (kind, implementation version,
  // parameters), from which a device rebuilds exactly this block.
  virtual schema::DspBlockT to_capsule() const = 0;
  // Per frame: how many feature values, of which type, every how many
  // samples (0 for blocks that see one whole input, e.g. an image).
  virtual int32_t features_per_frame() const = 0;
  virtual FeatureType output_type() const = 0;
  // For int8 output: what the values mean, so that a model trained on the
  // real values takes the int8 features directly as its quantised input.
  // nullopt for other output types (and int8 without a real meaning).
  virtual std::optional<FeatureQuantization> output_quantization() const { return std::nullopt; }
  virtual int32_t frame_length() const = 0;
  virtual int32_t frame_step() const = 0;
  // Settings that change the features but that to_capsule() cannot carry
  // (spectral blocks' clip-level `normalize: peak` and `clip_ms`), as
  // canonical text; empty when the capsule form says everything, as for
  // every block made from a capsule. The feature cache keys on both.
  virtual std::string host_options() const { return {}; }
};

// Blocks whose input is sound.
class AudioFeatureBlock : public FeatureBlock {
 public:
  // The clip must already be at sample_rate().
  virtual FeatureMatrix compute(const Audio& clip) = 0;
  // Reads at the block's rate (resampling if needed) and computes.
  FeatureMatrix compute_file(const std::string& path) override;
};

// `node` is a one-key map {block_kind: {parameters}}; `where` names the
// source for error messages (file name). Unknown kinds or keys and values
// of the wrong type are errors naming file, line and column.
std::unique_ptr<FeatureBlock> make_feature_block(const YAML::Node& node, const std::string& where);

// A YAML file holding one block, or a preset name: micro_speech
// (TFLM's audio front end) or mlperf_kws (MLPerf Tiny KWS MFCC).
std::unique_ptr<FeatureBlock> load_feature_block(const std::string& file_or_preset);

std::vector<std::string> feature_block_presets();

// From a capsule: the block a device builds from the capsule's DSP block,
// for computing training features without the pipeline file (calibration).
// The block is untrusted input: it is converted and checked by the
// runtime's dsp_block_from_capsule (kind, params type, implementation
// version, enumerations, counts) and then by the block's own init()
// (ranges, Nyquist, sizes). Anything wrong throws Error
// "WHERE: dsp block INDEX (KIND): problem". The result computes the same
// features as the YAML block the capsule was built from, reports the same
// shape, type and output_quantization(), and its to_capsule() gives `block`
// back unchanged. Host-only clip options (spectral `normalize`, `clip_ms`)
// are not in a capsule, so such a block has none.
//
// `input_sample_rate_hz` is the capsule's InputSpec.sample_rate_hz (audio
// block params do not repeat it); `index` is the block's place in
// CapsuleBody.dsp, for messages.
std::unique_ptr<FeatureBlock> feature_block_from_capsule(const schema::DspBlock& block,
                                                         uint32_t index,
                                                         uint32_t input_sample_rate_hz,
                                                         const std::string& where);
// The same from the object form (e.g. a block's to_capsule(), or a DSP
// block unpacked from a capsule), as block 0.
std::unique_ptr<FeatureBlock> feature_block_from_capsule(const schema::DspBlockT& block,
                                                         uint32_t input_sample_rate_hz,
                                                         const std::string& where);
// A verified capsule's (LoadedCapsule::capsule.body()) one feature block,
// at its input's rate; a capsule without exactly one DSP block is an error.
std::unique_ptr<FeatureBlock> feature_block_from_capsule(const schema::CapsuleBody& body,
                                                         const std::string& where);

// Where blocks come from for a consumer that builds several (one per
// worker thread) and keys caches on them: a block's YAML or a capsule's
// DSP block. make() builds a fresh block; call it from one thread at a
// time (yaml-cpp nodes are not safe to read concurrently). Both kinds key
// the feature cache the same way (from the block itself), so features a
// YAML block computed are found again from the capsule built with it.
class FeatureBlockSource {
 public:
  // `node` as for make_feature_block.
  FeatureBlockSource(YAML::Node node, std::string where);
  // As for feature_block_from_capsule(const schema::DspBlockT&, ...).
  FeatureBlockSource(schema::DspBlockT block, uint32_t input_sample_rate_hz, std::string where);

  std::unique_ptr<FeatureBlock> make() const { return make_(); }
  const std::string& where() const { return where_; }

 private:
  std::function<std::unique_ptr<FeatureBlock>()> make_;
  std::string where_;
};

struct FeatureSummary {
  float min = 0, max = 0, mean = 0;
};
FeatureSummary summarize(const FeatureMatrix& m);

}  // namespace locus::host

#endif  // LOCUS_HOST_FEATURES_FEATURE_BLOCK_H_
