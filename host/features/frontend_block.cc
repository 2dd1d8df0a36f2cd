// The audio_frontend block (TFLM's microfrontend) on the host.
#include "host/capsule/capsule_file.h"
#include "host/features/feature_block_factories.h"
#include "host/features/yaml_fields.h"
#include "runtime/dsp/frontend/audio_frontend.h"

namespace locus::host {
namespace {

// ---- audio_frontend: TFLM's microfrontend ----

class AudioFrontendBlock : public AudioFeatureBlock {
 public:
  AudioFrontendBlock(const dsp::AudioFrontendConfig& config, uint32_t rate, bool int8_output,
                     const std::string& where)
      : config_(config), rate_(rate), int8_output_(int8_output) {
    memory_ = AlignedBuffer(dsp::AudioFrontend::state_bytes(config, rate) + 16);
    const Status s = frontend_.init(config, rate, memory_.data(), memory_.size());
    if (!s) fail(where, ": audio_frontend: ", s.message());
  }
  std::string kind() const override { return "audio_frontend"; }
  uint32_t implementation_version() const override {
    return dsp::kAudioFrontendImplementationVersion;
  }
  uint32_t sample_rate() const override { return rate_; }
  size_t state_bytes() const override { return dsp::AudioFrontend::state_bytes(config_, rate_); }

  schema::DspBlockT to_capsule() const override {
    schema::AudioFrontendParamsT p;
    p.window_ms = config_.window_ms;
    p.step_ms = config_.step_ms;
    p.channels = config_.channels;
    p.lower_band_hz = config_.lower_band_hz;
    p.upper_band_hz = config_.upper_band_hz;
    p.smoothing_bits = config_.smoothing_bits;
    p.even_smoothing = config_.even_smoothing;
    p.odd_smoothing = config_.odd_smoothing;
    p.min_signal_remaining = config_.min_signal_remaining;
    p.enable_pcan = config_.enable_pcan;
    p.pcan_strength = config_.pcan_strength;
    p.pcan_offset = config_.pcan_offset;
    p.pcan_gain_bits = config_.pcan_gain_bits;
    p.enable_log = config_.enable_log;
    p.log_scale_shift = config_.log_scale_shift;
    p.legacy_tables = config_.table_arithmetic == dsp::frontend::TableArithmetic::kLegacyDouble;
    p.int8_output = int8_output_;
    schema::DspBlockT block;
    block.kind = kind();
    block.implementation_version = implementation_version();
    block.params.Set(std::move(p));
    return block;
  }
  int32_t features_per_frame() const override { return frontend_.channels(); }
  FeatureType output_type() const override {
    return int8_output_ ? FeatureType::kInt8 : FeatureType::kUInt16;
  }
  // micro_speech's int8 mapping q = (f * 256 + 333) / 666 - 128 is
  // round(f / 25.6 / scale) - 128 with scale = 666 / 256 / 25.6 = 1665/16384
  // (exact in float): the real value is TFLM's training feature f / 25.6.
  std::optional<FeatureQuantization> output_quantization() const override {
    if (!int8_output_) return std::nullopt;
    return FeatureQuantization{1665.0f / 16384.0f, -128};
  }
  int32_t frame_length() const override { return frontend_.frame_length(); }
  int32_t frame_step() const override { return frontend_.frame_step(); }

  FeatureMatrix compute(const Audio& clip) override {
    if (clip.sample_rate != rate_) {
      fail("audio_frontend: clip is ", clip.sample_rate, " Hz, the block runs at ", rate_, " Hz");
    }
    FeatureMatrix m;
    m.features = frontend_.channels();
    const size_t frames = frontend_.frames_for(clip.samples.size());
    std::vector<uint16_t> out(frames * static_cast<size_t>(m.features));
    size_t produced = 0;
    const Status s = frontend_.process_clip(clip.samples.data(), clip.samples.size(), out.data(),
                                            out.size(), &produced);
    if (!s) fail("audio_frontend: ", s.message());
    m.frames = static_cast<int32_t>(produced);
    if (int8_output_) {
      std::vector<int8_t> q(out.size());
      dsp::frontend_to_int8_micro_speech(out.data(), static_cast<int32_t>(out.size()), q.data());
      m.type = FeatureType::kInt8;
      m.values.assign(q.begin(), q.end());
    } else {
      m.type = FeatureType::kUInt16;
      m.values.assign(out.begin(), out.end());
    }
    return m;
  }

 private:
  dsp::AudioFrontendConfig config_;
  uint32_t rate_;
  bool int8_output_;
  AlignedBuffer memory_;
  dsp::AudioFrontend frontend_;
};

}  // namespace

std::unique_ptr<FeatureBlock> make_audio_frontend(const YAML::Node& params,
                                                  const std::string& where) {
  YamlFields f(params, where, "audio_frontend");
  std::string preset = "defaults";
  f.get("preset", preset);
  dsp::AudioFrontendConfig c;
  if (preset == "micro_speech") {
    c = dsp::AudioFrontendConfig::micro_speech();
  } else if (preset == "defaults") {
    c = dsp::AudioFrontendConfig::defaults();
  } else {
    f.error_at(params["preset"], "audio_frontend.preset: unknown preset '" + preset +
                                     "' (expected micro_speech or defaults)");
  }
  uint32_t rate = 16000;
  f.get("sample_rate", rate);
  f.get("window_ms", c.window_ms);
  f.get("step_ms", c.step_ms);
  f.get("channels", c.channels);
  f.get("lower_band_hz", c.lower_band_hz);
  f.get("upper_band_hz", c.upper_band_hz);
  YamlFields nr(f.child("noise_reduction"), where, "audio_frontend.noise_reduction");
  nr.get("smoothing_bits", c.smoothing_bits);
  nr.get("even_smoothing", c.even_smoothing);
  nr.get("odd_smoothing", c.odd_smoothing);
  nr.get("min_signal_remaining", c.min_signal_remaining);
  nr.reject_unknown();
  const YAML::Node gain = f.child("gain_control");
  if (gain) c.enable_pcan = true;  // present means on, unless `enabled: false`
  YamlFields gc(gain, where, "audio_frontend.gain_control");
  gc.get("enabled", c.enable_pcan);
  gc.get("strength", c.pcan_strength);
  gc.get("offset", c.pcan_offset);
  gc.get("gain_bits", c.pcan_gain_bits);
  gc.reject_unknown();
  YamlFields ls(f.child("log_scale"), where, "audio_frontend.log_scale");
  ls.get("enabled", c.enable_log);
  ls.get("scale_shift", c.log_scale_shift);
  ls.reject_unknown();
  std::string tables = "float", output = "uint16";
  f.get("tables", tables);
  f.get("output", output);
  if (tables == "legacy_double") {
    c.table_arithmetic = dsp::frontend::TableArithmetic::kLegacyDouble;
  } else if (tables != "float") {
    f.error_at(params["tables"], "audio_frontend.tables: expected float or legacy_double");
  }
  if (output != "uint16" && output != "int8") {
    f.error_at(params["output"], "audio_frontend.output: expected uint16 or int8");
  }
  f.reject_unknown();
  return std::make_unique<AudioFrontendBlock>(c, rate, output == "int8", where);
}

std::unique_ptr<FeatureBlock> audio_frontend_from_config(const DspBlockConfig& config,
                                                         const std::string& where) {
  return std::make_unique<AudioFrontendBlock>(config.audio, config.sample_rate_hz,
                                              config.int8_output, where);
}

}  // namespace locus::host
