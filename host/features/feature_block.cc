#include "host/features/feature_block.h"

#include <filesystem>
#include <functional>
#include <map>

#include "host/capsule/capsule_file.h"
#include "host/features/yaml_fields.h"
#include "host/features/feature_block_factories.h"
#include "runtime/pipeline/dsp_from_capsule.h"

namespace locus::host {
namespace {

using Factory = std::function<std::unique_ptr<FeatureBlock>(const YAML::Node&, const std::string&)>;

const std::map<std::string, Factory>& factories() {
  static const std::map<std::string, Factory> kFactories = {
      {"audio_frontend", make_audio_frontend},
      {"imu_features", make_imu_features},
      {"spectrogram", make_spectrogram},
      {"mfe", make_mfe},
      {"mfcc", make_mfcc},
      {"image_preprocess", make_image_preprocess},
  };
  return kFactories;
}

const std::map<std::string, std::string>& presets() {
  static const std::map<std::string, std::string> kPresets = {
      {"micro_speech", "audio_frontend: { preset: micro_speech, output: int8 }"},
      // MLPerf Tiny KWS (kws_ref_model.tflite): MFCC of 1 s clips scaled to
      // their peak, int8 with the model's input quantisation.
      // TFLM's person_detect: 96x96 grayscale, the pixel bytes as int8.
      {"person_detect", "image_preprocess: { width: 96, height: 96, channels: 1, quantization: raw }"},
      {"mlperf_kws",
       "mfcc: { normalize: peak, clip_ms: 1000, quantize: { scale: 0.5847029089927673, zero_point: 83 } }"},
  };
  return kPresets;
}

}  // namespace

std::unique_ptr<FeatureBlock> make_feature_block(const YAML::Node& node, const std::string& where) {
  if (!node.IsMap() || node.size() != 1) {
    fail(yaml_position(where, node.Mark()),
         ": a feature block is a map with one key, the block kind (e.g. audio_frontend: {...})");
  }
  const auto entry = *node.begin();
  const std::string kind = entry.first.as<std::string>();
  const auto it = factories().find(kind);
  if (it == factories().end()) {
    std::string known;
    for (const auto& [name, _] : factories()) known += (known.empty() ? "" : ", ") + name;
    fail(yaml_position(where, entry.first.Mark()), ": unknown feature block '", kind,
         "' (known: ", known, ")");
  }
  return it->second(entry.second, where);
}

std::unique_ptr<FeatureBlock> load_feature_block(const std::string& file_or_preset) {
  if (const auto it = presets().find(file_or_preset); it != presets().end()) {
    return make_feature_block(YAML::Load(it->second), "preset " + file_or_preset);
  }
  if (!std::filesystem::exists(file_or_preset)) {
    std::string known;
    for (const auto& [name, _] : presets()) known += (known.empty() ? "" : ", ") + name;
    fail(file_or_preset, ": no such file, and not a preset (presets: ", known, ")");
  }
  YAML::Node node;
  try {
    node = YAML::LoadFile(file_or_preset);
  } catch (const YAML::Exception& e) {
    fail(yaml_position(file_or_preset, e.mark), ": ", e.msg);
  }
  return make_feature_block(node, file_or_preset);
}

std::vector<std::string> feature_block_presets() {
  std::vector<std::string> names;
  for (const auto& [name, _] : presets()) names.push_back(name);
  return names;
}

std::unique_ptr<FeatureBlock> feature_block_from_capsule(const schema::DspBlock& block,
                                                         uint32_t index,
                                                         uint32_t input_sample_rate_hz,
                                                         const std::string& where) {
  DspBlockConfig config;
  const Status s = dsp_block_from_capsule(&block, index, input_sample_rate_hz, &config);
  if (!s) fail(where, ": ", s.message());
  // The block's init() reports the rest under this name.
  const std::string named = where + ": dsp block " + std::to_string(index);
  switch (config.kind) {
    case DspBlockKind::kAudioFrontend: return audio_frontend_from_config(config, named);
    case DspBlockKind::kSpectrogram:
    case DspBlockKind::kMfe:
    case DspBlockKind::kMfcc: return spectral_from_config(config, named);
    case DspBlockKind::kImuFeatures: return imu_features_from_config(config, named);
    case DspBlockKind::kImagePreprocess: return image_preprocess_from_config(config, named);
  }
  fail(named, ": unknown block kind");
}

std::unique_ptr<FeatureBlock> feature_block_from_capsule(const schema::DspBlockT& block,
                                                         uint32_t input_sample_rate_hz,
                                                         const std::string& where) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(schema::DspBlock::Pack(fbb, &block));
  return feature_block_from_capsule(*flatbuffers::GetRoot<schema::DspBlock>(fbb.GetBufferPointer()),
                                    0, input_sample_rate_hz, where);
}

std::unique_ptr<FeatureBlock> feature_block_from_capsule(const schema::CapsuleBody& body,
                                                         const std::string& where) {
  const auto* blocks = body.dsp();
  const uint32_t count = blocks != nullptr ? blocks->size() : 0;
  if (count != 1) {
    fail(where, ": the capsule has ", count, " DSP blocks; features come from exactly one");
  }
  const uint32_t rate = body.input() != nullptr ? body.input()->sample_rate_hz() : 0;
  return feature_block_from_capsule(*blocks->Get(0), 0, rate, where);
}

FeatureBlockSource::FeatureBlockSource(YAML::Node node, std::string where)
    : make_([node, where] { return make_feature_block(node, where); }), where_(std::move(where)) {}

FeatureBlockSource::FeatureBlockSource(schema::DspBlockT block, uint32_t input_sample_rate_hz,
                                       std::string where)
    : make_([block = std::move(block), input_sample_rate_hz, where] {
        return feature_block_from_capsule(block, input_sample_rate_hz, where);
      }),
      where_(std::move(where)) {}

FeatureMatrix AudioFeatureBlock::compute_file(const std::string& path) {
  const Audio audio = read_audio(path, sample_rate());
  try {
    return compute(audio);
  } catch (const Error& e) {
    fail(path, ": ", e.what());
  }
}

FeatureSummary summarize(const FeatureMatrix& m) {
  FeatureSummary s;
  if (m.values.empty()) return s;
  s.min = s.max = m.values[0];
  double sum = 0;
  for (float v : m.values) {
    s.min = std::min(s.min, v);
    s.max = std::max(s.max, v);
    sum += v;
  }
  s.mean = static_cast<float>(sum / m.values.size());
  return s;
}

}  // namespace locus::host
