// The spectrogram, mfe and mfcc blocks on the host. The three configs share
// most fields, so one template reads them; the runtime's SpectralBlock does
// the work.
#include <cmath>
#include <cstdio>

#include "host/audio/clip.h"
#include "host/capsule/capsule_file.h"
#include "host/features/feature_block_factories.h"
#include "host/features/yaml_fields.h"
#include "runtime/dsp/spectral/mfcc.h"
#include "runtime/dsp/spectral/mfe.h"
#include "runtime/dsp/spectral/spectrogram.h"

namespace locus::host {
namespace {

struct ClipOptions {
  bool peak_normalize = false;  // MLPerf KWS: divide the clip by its maximum
  double length_ms = 0;         // pad or cut each clip (0: keep)
  bool quantize = false;        // int8 output with the scale / zero point below
  float scale = 1.0f;
  int32_t zero_point = 0;
};

template <typename Block, typename Config>
class SpectralFeatureBlock : public AudioFeatureBlock {
 public:
  SpectralFeatureBlock(std::string kind, schema::SpectralKind spectral_kind, uint32_t version,
                       const Config& config, const ClipOptions& clip, const std::string& where)
      : kind_(std::move(kind)), spectral_kind_(spectral_kind), version_(version), config_(config),
        clip_(clip) {
    memory_ = AlignedBuffer(Block::state_bytes(config) + 16);
    const Status s = block_.init(config, memory_.data(), memory_.size());
    if (!s) fail(where, ": ", kind_, ": ", s.message());
    if (clip_.quantize) {
      const Status q = quantizer_.init(clip_.scale, clip_.zero_point, config.fixed_frac_bits);
      if (config.arithmetic == dsp::Arithmetic::kFixed && !q) {
        fail(where, ": ", kind_, ".quantize: ", q.message());
      }
    }
  }
  std::string kind() const override { return kind_; }
  uint32_t implementation_version() const override { return version_; }
  uint32_t sample_rate() const override { return config_.sample_rate; }
  size_t state_bytes() const override { return Block::state_bytes(config_); }

  schema::DspBlockT to_capsule() const override {
    const dsp::SpectralParams sp = config_.params();
    schema::SpectralParamsT p;
    p.kind = spectral_kind_;
    p.frame_length = sp.frame_length;
    p.frame_step = sp.frame_step;
    p.fft_length = sp.fft_length;
    p.window = static_cast<uint8_t>(sp.window);
    p.spectrum = static_cast<uint8_t>(sp.spectrum);
    p.mel_bands = sp.mel_bands;
    p.lower_hz = sp.lower_hz;
    p.upper_hz = sp.upper_hz;
    p.log = static_cast<uint8_t>(sp.log);
    p.log_offset = sp.log_offset;
    p.noise_floor_db = sp.noise_floor_db;
    p.normalize_noise_floor = sp.normalize_noise_floor;
    p.coefficients = sp.dct_coefficients;
    p.arithmetic = static_cast<uint8_t>(sp.arithmetic);
    p.fixed_frac_bits = sp.fixed_frac_bits;
    p.quantize = clip_.quantize;
    p.quant_scale = clip_.scale;
    p.quant_zero_point = clip_.zero_point;
    schema::DspBlockT block;
    block.kind = kind_;
    block.implementation_version = version_;
    block.params.Set(std::move(p));
    return block;
  }
  int32_t features_per_frame() const override {
    return static_cast<int32_t>(block_.feature_count());
  }
  FeatureType output_type() const override {
    if (clip_.quantize) return FeatureType::kInt8;
    return FeatureType::kFloat32;
  }
  std::optional<FeatureQuantization> output_quantization() const override {
    if (!clip_.quantize) return std::nullopt;
    return FeatureQuantization{clip_.scale, clip_.zero_point};
  }
  int32_t frame_length() const override { return static_cast<int32_t>(config_.frame_length); }
  int32_t frame_step() const override { return static_cast<int32_t>(config_.frame_step); }
  // Clip-level options a stream cannot apply (the pipeline builder refuses
  // them); %a keeps clip_ms exact.
  std::string host_options() const override {
    std::string text;
    if (clip_.peak_normalize) text += "normalize=peak;";
    if (clip_.length_ms > 0) {
      char ms[64];
      std::snprintf(ms, sizeof ms, "clip_ms=%a;", clip_.length_ms);
      text += ms;
    }
    return text;
  }

  FeatureMatrix compute(const Audio& audio) override {
    if (audio.sample_rate != config_.sample_rate) {
      fail(kind_, ": clip is ", audio.sample_rate, " Hz, the block runs at ", config_.sample_rate,
           " Hz");
    }
    std::vector<int16_t> samples = audio.samples;
    if (clip_.length_ms > 0) {
      fit_length(samples, static_cast<size_t>(std::lround(clip_.length_ms * sample_rate() / 1000)));
    }
    FeatureMatrix m;
    m.features = static_cast<int32_t>(block_.feature_count());
    const size_t capacity = Block::clip_frames(config_, samples.size()) * m.features;
    size_t frames = 0;
    Status s;
    std::vector<int8_t> q(capacity);
    if (config_.arithmetic == dsp::Arithmetic::kFixed) {
      if (clip_.peak_normalize) peak_normalize_int16(samples);
      std::vector<int16_t> out(capacity);
      s = block_.compute_clip(samples.data(), samples.size(), out.data(), out.size(), &frames);
      if (clip_.quantize) {
        quantizer_.quantize(out.data(), out.size(), q.data());
      } else {
        const float unit = 1.0f / static_cast<float>(1 << config_.fixed_frac_bits);
        for (int16_t v : out) m.values.push_back(v * unit);
      }
    } else {
      const std::vector<float> in =
          clip_.peak_normalize ? peak_normalized(samples) : to_float(samples);
      m.values.resize(capacity);
      s = block_.compute_clip(in.data(), in.size(), m.values.data(), capacity, &frames);
      if (clip_.quantize) {
        dsp::quantize_features(m.values.data(), capacity, clip_.scale, clip_.zero_point, q.data());
      }
    }
    if (!s) fail(kind_, ": ", s.message());
    m.frames = static_cast<int32_t>(frames);
    if (clip_.quantize) {
      m.type = FeatureType::kInt8;
      m.values.assign(q.begin(), q.end());
    }
    return m;
  }

 private:
  std::string kind_;
  schema::SpectralKind spectral_kind_;
  uint32_t version_;
  Config config_;
  ClipOptions clip_;
  AlignedBuffer memory_;
  Block block_;
  dsp::FixedFeatureQuantizer quantizer_;
};

template <typename E>
E choose(YamlFields& f, const YAML::Node& params, const char* key, E current,
         std::initializer_list<std::pair<const char*, E>> options) {
  std::string value;
  f.get(key, value);
  if (value.empty()) return current;
  std::string names;
  for (const auto& [name, e] : options) {
    if (value == name) return e;
    names += (names.empty() ? "" : ", ") + std::string(name);
  }
  f.error_at(params[key], std::string(key) + ": expected one of " + names + ", got '" + value + "'");
}

// Fields every spectral config has, then the kind-specific ones via `extra`.
template <typename Config, typename Extra>
Config read_config(YamlFields& f, const YAML::Node& params, Config c, ClipOptions& clip,
                   Extra extra) {
  f.get("sample_rate", c.sample_rate);
  double window_ms = 0, step_ms = 0;
  f.get("window_ms", window_ms);
  f.get("step_ms", step_ms);
  f.get("frame_length", c.frame_length);
  f.get("frame_step", c.frame_step);
  if (window_ms > 0) c.frame_length = static_cast<uint32_t>(std::lround(window_ms * c.sample_rate / 1000));
  if (step_ms > 0) c.frame_step = static_cast<uint32_t>(std::lround(step_ms * c.sample_rate / 1000));
  f.get("fft_length", c.fft_length);
  c.window = choose(f, params, "window", c.window,
                    {{"none", dsp::Window::kNone},
                     {"hann", dsp::Window::kHannPeriodic},
                     {"hann_symmetric", dsp::Window::kHannSymmetric},
                     {"hamming", dsp::Window::kHammingPeriodic},
                     {"hamming_symmetric", dsp::Window::kHammingSymmetric}});
  c.spectrum = choose(f, params, "spectrum", c.spectrum,
                      {{"magnitude", dsp::SpectrumType::kMagnitude},
                       {"power", dsp::SpectrumType::kPower}});
  c.log = choose(f, params, "log", c.log,
                 {{"none", dsp::LogScale::kNone},
                  {"natural", dsp::LogScale::kNatural},
                  {"decibel", dsp::LogScale::kDecibel}});
  f.get("log_offset", c.log_offset);
  c.arithmetic = choose(f, params, "arithmetic", c.arithmetic,
                        {{"float", dsp::Arithmetic::kFloat}, {"fixed", dsp::Arithmetic::kFixed}});
  f.get("fixed_frac_bits", c.fixed_frac_bits);
  extra(c);
  std::string normalize = "none";
  f.get("normalize", normalize);
  if (normalize == "peak") clip.peak_normalize = true;
  else if (normalize != "none") f.error_at(params["normalize"], "normalize: expected none or peak");
  f.get("clip_ms", clip.length_ms);
  YAML::Node q = f.child("quantize");
  if (q) {
    YamlFields qf(q, f.where(), "quantize");
    qf.get("scale", clip.scale);
    qf.get("zero_point", clip.zero_point);
    qf.reject_unknown();
    if (!(clip.scale > 0)) qf.error_at(q, "quantize.scale: must be positive");
    clip.quantize = true;
  }
  f.reject_unknown();
  return c;
}

// Each kind's name, schema kind and implementation version, in one place
// for both ways of making the block.
std::unique_ptr<FeatureBlock> spectrogram_block(const dsp::SpectrogramConfig& c,
                                                const ClipOptions& clip, const std::string& where) {
  return std::make_unique<SpectralFeatureBlock<dsp::Spectrogram, dsp::SpectrogramConfig>>(
      "spectrogram", schema::SpectralKind::Spectrogram, dsp::kSpectrogramImplementationVersion, c,
      clip, where);
}

std::unique_ptr<FeatureBlock> mfe_block(const dsp::MfeConfig& c, const ClipOptions& clip,
                                        const std::string& where) {
  return std::make_unique<SpectralFeatureBlock<dsp::Mfe, dsp::MfeConfig>>(
      "mfe", schema::SpectralKind::Mfe, dsp::kMfeImplementationVersion, c, clip, where);
}

std::unique_ptr<FeatureBlock> mfcc_block(const dsp::MfccConfig& c, const ClipOptions& clip,
                                         const std::string& where) {
  return std::make_unique<SpectralFeatureBlock<dsp::Mfcc, dsp::MfccConfig>>(
      "mfcc", schema::SpectralKind::Mfcc, dsp::kMfccImplementationVersion, c, clip, where);
}

}  // namespace

std::unique_ptr<FeatureBlock> make_spectrogram(const YAML::Node& params, const std::string& where) {
  YamlFields f(params, where, "spectrogram");
  ClipOptions clip;
  auto c = read_config(f, params, dsp::SpectrogramConfig::defaults(), clip, [&](auto& c) {
    f.get("noise_floor_db", c.noise_floor_db);
    f.get("normalize_noise_floor", c.normalize_noise_floor);
  });
  return spectrogram_block(c, clip, where);
}

std::unique_ptr<FeatureBlock> make_mfe(const YAML::Node& params, const std::string& where) {
  YamlFields f(params, where, "mfe");
  ClipOptions clip;
  auto c = read_config(f, params, dsp::MfeConfig::defaults(), clip, [&](auto& c) {
    f.get("mel_bands", c.mel_bands);
    f.get("lower_hz", c.lower_hz);
    f.get("upper_hz", c.upper_hz);
    f.get("noise_floor_db", c.noise_floor_db);
    f.get("normalize_noise_floor", c.normalize_noise_floor);
  });
  return mfe_block(c, clip, where);
}

std::unique_ptr<FeatureBlock> make_mfcc(const YAML::Node& params, const std::string& where) {
  YamlFields f(params, where, "mfcc");
  ClipOptions clip;
  auto c = read_config(f, params, dsp::MfccConfig::defaults(), clip, [&](auto& c) {
    f.get("mel_bands", c.mel_bands);
    f.get("lower_hz", c.lower_hz);
    f.get("upper_hz", c.upper_hz);
    f.get("coefficients", c.coefficients);
  });
  return mfcc_block(c, clip, where);
}

std::unique_ptr<FeatureBlock> spectral_from_config(const DspBlockConfig& config,
                                                   const std::string& where) {
  // A capsule carries the int8 mapping but no clip-level options.
  ClipOptions clip;
  clip.quantize = config.quantize;
  clip.scale = config.quant_scale;
  clip.zero_point = config.quant_zero_point;
  switch (config.kind) {
    case DspBlockKind::kSpectrogram: return spectrogram_block(config.spectrogram, clip, where);
    case DspBlockKind::kMfe: return mfe_block(config.mfe, clip, where);
    case DspBlockKind::kMfcc: return mfcc_block(config.mfcc, clip, where);
    default: break;
  }
  fail(where, ": ", dsp_block_kind_name(config.kind), " is not a spectral block");
}

}  // namespace locus::host
