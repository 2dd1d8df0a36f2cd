#include "runtime/pipeline/dsp_from_capsule.h"

#include <string.h>

namespace locus {
namespace {

constexpr StatusCode kBad = StatusCode::kMalformed;

bool finite(float v) { return v == v && v - v == 0.0f; }

struct KindInfo {
  const char* name;
  DspBlockKind kind;
  schema::DspParams params;
  uint32_t version;  // the newest (and so far only) implementation this runtime has
};

constexpr KindInfo kKinds[] = {
    {"audio_frontend", DspBlockKind::kAudioFrontend, schema::DspParams::AudioFrontendParams,
     dsp::kAudioFrontendImplementationVersion},
    {"spectrogram", DspBlockKind::kSpectrogram, schema::DspParams::SpectralParams,
     dsp::kSpectrogramImplementationVersion},
    {"mfe", DspBlockKind::kMfe, schema::DspParams::SpectralParams, dsp::kMfeImplementationVersion},
    {"mfcc", DspBlockKind::kMfcc, schema::DspParams::SpectralParams,
     dsp::kMfccImplementationVersion},
    {"imu_features", DspBlockKind::kImuFeatures, schema::DspParams::ImuFeaturesParams,
     dsp::kImuFeaturesImplementationVersion},
    {"image_preprocess", DspBlockKind::kImagePreprocess, schema::DspParams::ImagePreprocessParams,
     dsp::kImagePreprocessImplementationVersion},
};

const char* params_name(schema::DspParams p) {
  switch (p) {
    case schema::DspParams::NONE: return "none";
    case schema::DspParams::AudioFrontendParams: return "AudioFrontendParams";
    case schema::DspParams::SpectralParams: return "SpectralParams";
    case schema::DspParams::ImuFeaturesParams: return "ImuFeaturesParams";
    case schema::DspParams::ImagePreprocessParams: return "ImagePreprocessParams";
  }
  return "unknown";
}

}  // namespace

const char* dsp_block_kind_name(DspBlockKind kind) {
  for (const KindInfo& k : kKinds) {
    if (k.kind == kind) return k.name;
  }
  return "unknown";
}

const char* feature_element_name(FeatureElement type) {
  switch (type) {
    case FeatureElement::kInt8: return "int8";
    case FeatureElement::kUInt16: return "uint16";
    case FeatureElement::kInt16: return "int16";
    case FeatureElement::kFloat32: return "float32";
  }
  return "unknown";
}

size_t feature_element_bytes(FeatureElement type) {
  switch (type) {
    case FeatureElement::kInt8: return 1;
    case FeatureElement::kUInt16:
    case FeatureElement::kInt16: return 2;
    case FeatureElement::kFloat32: return 4;
  }
  return 0;
}

FeatureElement DspBlockConfig::output_element() const {
  switch (kind) {
    case DspBlockKind::kAudioFrontend:
      return int8_output ? FeatureElement::kInt8 : FeatureElement::kUInt16;
    case DspBlockKind::kSpectrogram:
    case DspBlockKind::kMfe:
    case DspBlockKind::kMfcc:
      if (quantize) return FeatureElement::kInt8;
      return arithmetic() == dsp::Arithmetic::kFixed ? FeatureElement::kInt16
                                                    : FeatureElement::kFloat32;
    case DspBlockKind::kImuFeatures: return FeatureElement::kFloat32;
    case DspBlockKind::kImagePreprocess: return FeatureElement::kInt8;
  }
  return FeatureElement::kFloat32;
}

uint32_t DspBlockConfig::frame_step() const {
  switch (kind) {
    case DspBlockKind::kAudioFrontend:
      return static_cast<uint32_t>(uint64_t{audio.step_ms} * sample_rate_hz / 1000);
    case DspBlockKind::kSpectrogram: return spectrogram.frame_step;
    case DspBlockKind::kMfe: return mfe.frame_step;
    case DspBlockKind::kMfcc: return mfcc.frame_step;
    case DspBlockKind::kImuFeatures: return static_cast<uint32_t>(imu_stride_frames);
    case DspBlockKind::kImagePreprocess: return 0;
  }
  return 0;
}

uint32_t DspBlockConfig::frame_length() const {
  switch (kind) {
    case DspBlockKind::kAudioFrontend:
      return static_cast<uint32_t>(uint64_t{audio.window_ms} * sample_rate_hz / 1000);
    case DspBlockKind::kSpectrogram: return spectrogram.frame_length;
    case DspBlockKind::kMfe: return mfe.frame_length;
    case DspBlockKind::kMfcc: return mfcc.frame_length;
    case DspBlockKind::kImuFeatures: return static_cast<uint32_t>(imu.max_frames);
    case DspBlockKind::kImagePreprocess: return 0;
  }
  return 0;
}

dsp::Arithmetic DspBlockConfig::arithmetic() const {
  switch (kind) {
    case DspBlockKind::kSpectrogram: return spectrogram.arithmetic;
    case DspBlockKind::kMfe: return mfe.arithmetic;
    case DspBlockKind::kMfcc: return mfcc.arithmetic;
    default: return dsp::Arithmetic::kFloat;
  }
}

uint32_t DspBlockConfig::fixed_frac_bits() const {
  switch (kind) {
    case DspBlockKind::kSpectrogram: return spectrogram.fixed_frac_bits;
    case DspBlockKind::kMfe: return mfe.fixed_frac_bits;
    case DspBlockKind::kMfcc: return mfcc.fixed_frac_bits;
    default: return 0;
  }
}

Status audio_frontend_config_from_capsule(const schema::AudioFrontendParams& p,
                                          dsp::AudioFrontendConfig* c, bool* int8_output) {
  *c = dsp::AudioFrontendConfig();
  c->window_ms = p.window_ms();
  c->step_ms = p.step_ms();
  c->channels = p.channels();
  c->lower_band_hz = p.lower_band_hz();
  c->upper_band_hz = p.upper_band_hz();
  c->smoothing_bits = p.smoothing_bits();
  c->even_smoothing = p.even_smoothing();
  c->odd_smoothing = p.odd_smoothing();
  c->min_signal_remaining = p.min_signal_remaining();
  c->enable_pcan = p.enable_pcan();
  c->pcan_strength = p.pcan_strength();
  c->pcan_offset = p.pcan_offset();
  c->pcan_gain_bits = p.pcan_gain_bits();
  c->enable_log = p.enable_log();
  c->log_scale_shift = p.log_scale_shift();
  c->table_arithmetic = p.legacy_tables() ? dsp::frontend::TableArithmetic::kLegacyDouble
                                          : dsp::frontend::TableArithmetic::kFloat;
  *int8_output = p.int8_output();
  const float floats[] = {c->lower_band_hz, c->upper_band_hz,       c->even_smoothing,
                          c->odd_smoothing, c->min_signal_remaining, c->pcan_strength,
                          c->pcan_offset};
  for (float f : floats) {
    if (!finite(f)) return Status::error(kBad, "a frequency or smoothing parameter is not finite");
  }
  if (c->window_ms == 0 || c->step_ms == 0) {
    return Status::error(kBad, "window_ms (%u) and step_ms (%u) must be > 0",
                         unsigned(c->window_ms), unsigned(c->step_ms));
  }
  if (c->channels < 1) return Status::error(kBad, "channels is %d, must be >= 1", int(c->channels));
  // micro_speech's int8 mapping assumes the log output (values up to ~2^10).
  if (*int8_output && !c->enable_log) {
    return Status::error(kBad, "int8_output needs enable_log");
  }
  return Status::ok();
}

// The fields every spectral config shares, under the same names.
template <typename Config>
static void fill_common(const schema::SpectralParams& p, uint32_t sample_rate_hz, Config& c) {
  c.sample_rate = sample_rate_hz;
  c.frame_length = p.frame_length();
  c.frame_step = p.frame_step();
  c.fft_length = p.fft_length();
  c.window = static_cast<dsp::Window>(p.window());
  c.spectrum = static_cast<dsp::SpectrumType>(p.spectrum());
  c.log = static_cast<dsp::LogScale>(p.log());
  c.log_offset = p.log_offset();
  c.arithmetic = static_cast<dsp::Arithmetic>(p.arithmetic());
  c.fixed_frac_bits = p.fixed_frac_bits();
}

Status spectral_config_from_capsule(const schema::SpectralParams& p, uint32_t sample_rate_hz,
                                    DspBlockConfig* out) {
  if (p.window() > uint8_t(dsp::Window::kHammingSymmetric)) {
    return Status::error(kBad, "window %u is not a known window", unsigned(p.window()));
  }
  if (p.spectrum() > uint8_t(dsp::SpectrumType::kPower)) {
    return Status::error(kBad, "spectrum %u is not a known spectrum type", unsigned(p.spectrum()));
  }
  if (p.log() > uint8_t(dsp::LogScale::kDecibel)) {
    return Status::error(kBad, "log %u is not a known log scale", unsigned(p.log()));
  }
  if (p.arithmetic() > uint8_t(dsp::Arithmetic::kFixed)) {
    return Status::error(kBad, "arithmetic %u is not known", unsigned(p.arithmetic()));
  }
  if (!finite(p.lower_hz()) || !finite(p.upper_hz()) || !finite(p.log_offset()) ||
      !finite(p.noise_floor_db())) {
    return Status::error(kBad, "lower_hz, upper_hz, log_offset and noise_floor_db must be finite");
  }
  if (p.fixed_frac_bits() > 15) {
    return Status::error(kBad, "fixed_frac_bits is %u, must be <= 15", unsigned(p.fixed_frac_bits()));
  }
  out->quantize = p.quantize();
  out->quant_scale = p.quant_scale();
  out->quant_zero_point = p.quant_zero_point();
  if (out->quantize) {
    if (!finite(out->quant_scale) || !(out->quant_scale > 0.0f)) {
      return Status::error(kBad, "quant_scale must be positive and finite");
    }
    if (out->quant_zero_point < -128 || out->quant_zero_point > 127) {
      return Status::error(kBad, "quant_zero_point %d is outside -128..127",
                           int(out->quant_zero_point));
    }
  }
  const auto log = static_cast<dsp::LogScale>(p.log());
  switch (p.kind()) {
    case schema::SpectralKind::Spectrogram: {
      if (p.mel_bands() != 0 || p.coefficients() != 0) {
        return Status::error(kBad, "a spectrogram has no mel_bands or coefficients");
      }
      dsp::SpectrogramConfig& c = out->spectrogram;
      c = dsp::SpectrogramConfig();
      fill_common(p, sample_rate_hz, c);
      c.noise_floor_db = p.noise_floor_db();
      c.normalize_noise_floor = p.normalize_noise_floor();
      return Status::ok();
    }
    case schema::SpectralKind::Mfe: {
      if (p.mel_bands() == 0) return Status::error(kBad, "mel_bands must be > 0");
      if (p.coefficients() != 0) return Status::error(kBad, "mfe has no coefficients");
      dsp::MfeConfig& c = out->mfe;
      c = dsp::MfeConfig();
      fill_common(p, sample_rate_hz, c);
      c.mel_bands = p.mel_bands();
      c.lower_hz = p.lower_hz();
      c.upper_hz = p.upper_hz();
      c.noise_floor_db = p.noise_floor_db();
      c.normalize_noise_floor = p.normalize_noise_floor();
      return Status::ok();
    }
    case schema::SpectralKind::Mfcc: {
      if (p.mel_bands() == 0) return Status::error(kBad, "mel_bands must be > 0");
      if (p.coefficients() == 0 || p.coefficients() > p.mel_bands()) {
        return Status::error(kBad, "coefficients is %u, must be 1..mel_bands (%u)",
                             unsigned(p.coefficients()), unsigned(p.mel_bands()));
      }
      if (log == dsp::LogScale::kNone) return Status::error(kBad, "mfcc needs a log scale");
      dsp::MfccConfig& c = out->mfcc;
      c = dsp::MfccConfig();
      fill_common(p, sample_rate_hz, c);
      c.mel_bands = p.mel_bands();
      c.lower_hz = p.lower_hz();
      c.upper_hz = p.upper_hz();
      c.coefficients = p.coefficients();
      return Status::ok();
    }
  }
  return Status::error(kBad, "spectral kind %u is not known", unsigned(p.kind()));
}

Status imu_features_config_from_capsule(const schema::ImuFeaturesParams& p,
                                        dsp::ImuFeaturesConfig* c, int32_t* stride_frames) {
  *c = dsp::ImuFeaturesConfig{};
  c->axes = p.axes();
  c->sample_rate_hz = p.sample_rate_hz();
  c->max_frames = p.window_frames();
  c->scale = p.scale();
  if (p.filter() > uint8_t(dsp::ImuFilterType::kHighPass)) {
    return Status::error(kBad, "filter %u is not a known filter", unsigned(p.filter()));
  }
  c->filter = static_cast<dsp::ImuFilterType>(p.filter());
  c->filter_cutoff_hz = p.filter_cutoff_hz();
  c->filter_order = p.filter_order();
  if ((p.stats() & ~uint32_t{dsp::kImuStatAll}) != 0) {
    return Status::error(kBad, "stats 0x%x has unknown bits", unsigned(p.stats()));
  }
  c->stats = p.stats();
  if (p.spectrum() > uint8_t(dsp::ImuSpectrum::kLogBins)) {
    return Status::error(kBad, "spectrum %u is not a known spectrum", unsigned(p.spectrum()));
  }
  c->spectrum = static_cast<dsp::ImuSpectrum>(p.spectrum());
  c->fft_length = p.fft_length();
  if (p.window() > uint8_t(dsp::ImuWindow::kRectangular)) {
    return Status::error(kBad, "window %u is not a known window", unsigned(p.window()));
  }
  c->window = static_cast<dsp::ImuWindow>(p.window());
  c->remove_mean = p.remove_mean();
  const auto* edges = p.band_edges_hz();
  const uint32_t edge_count = edges ? edges->size() : 0;
  if (c->spectrum == dsp::ImuSpectrum::kBandPower) {
    if (edge_count < 2 || edge_count > uint32_t(dsp::ImuFeaturesConfig::kMaxBands) + 1) {
      return Status::error(kBad, "band_edges_hz has %u edges, band power needs 2..%d",
                           unsigned(edge_count), int(dsp::ImuFeaturesConfig::kMaxBands) + 1);
    }
  } else if (edge_count > uint32_t(dsp::ImuFeaturesConfig::kMaxBands) + 1) {
    return Status::error(kBad, "band_edges_hz has %u edges, at most %d", unsigned(edge_count),
                         int(dsp::ImuFeaturesConfig::kMaxBands) + 1);
  }
  c->band_count = edge_count >= 2 ? static_cast<int32_t>(edge_count) - 1 : 0;
  for (uint32_t i = 0; i < edge_count; ++i) c->band_edges_hz[i] = edges->Get(i);
  c->peak_count = p.peak_count();
  c->peak_threshold = p.peak_threshold();
  *stride_frames = p.stride_frames();
  if (*stride_frames < 1 || *stride_frames > dsp::ImuFeaturesConfig::kMaxFrames) {
    return Status::error(kBad, "stride_frames is %d, must be 1..%d", int(*stride_frames),
                         int(dsp::ImuFeaturesConfig::kMaxFrames));
  }
  return Status::ok();
}

Status image_preprocess_config_from_capsule(const schema::ImagePreprocessParams& p,
                                            dsp::ImagePreprocessConfig* c) {
  *c = dsp::ImagePreprocessConfig::defaults();
  c->output_width = p.width();
  c->output_height = p.height();
  c->output_channels = p.channels();
  if (p.crop() > uint8_t(dsp::ImageCrop::kCenterAspect)) {
    return Status::error(kBad, "crop %u is not a known crop", unsigned(p.crop()));
  }
  // The capsule carries no rectangle: only "none" and "centre crop to the
  // output's aspect" can be described.
  if (p.crop() == uint8_t(dsp::ImageCrop::kRect)) {
    return Status::error(kBad, "crop rect needs a rectangle the capsule cannot carry");
  }
  c->crop = static_cast<dsp::ImageCrop>(p.crop());
  c->crop_rect = dsp::ImageRect{0, 0, 0, 0};
  c->aspect_width = 0;
  c->aspect_height = 0;
  if (p.resize() > uint8_t(dsp::ImageResize::kBilinear)) {
    return Status::error(kBad, "resize %u is not a known resize", unsigned(p.resize()));
  }
  c->resize = static_cast<dsp::ImageResize>(p.resize());
  if (p.quantization() > uint8_t(dsp::ImageQuantization::kAffine)) {
    return Status::error(kBad, "quantization %u is not known", unsigned(p.quantization()));
  }
  c->quantization = static_cast<dsp::ImageQuantization>(p.quantization());
  c->input_scale = p.input_scale();
  c->input_zero_point = p.input_zero_point();
  c->real_min = p.real_min();
  c->real_max = p.real_max();
  if (c->quantization == dsp::ImageQuantization::kAffine &&
      (!finite(c->input_scale) || !finite(c->real_min) || !finite(c->real_max))) {
    return Status::error(kBad, "input_scale, real_min and real_max must be finite");
  }
  return Status::ok();
}

Status dsp_block_from_capsule(const schema::DspBlock* block, uint32_t index,
                              uint32_t sample_rate_hz, DspBlockConfig* out) {
  *out = DspBlockConfig();
  if (block == nullptr) {
    return Status::error(kBad, "dsp block %u: missing", unsigned(index));
  }
  const char* kind = block->kind() ? block->kind()->c_str() : "";
  const KindInfo* info = nullptr;
  for (const KindInfo& k : kKinds) {
    if (strcmp(k.name, kind) == 0) info = &k;
  }
  if (info == nullptr) {
    return Status::error(StatusCode::kUnsupported, "dsp block %u (%s): unknown block kind",
                         unsigned(index), kind[0] ? kind : "no kind");
  }
  if (block->params_type() != info->params) {
    return Status::error(kBad, "dsp block %u (%s): parameters are %s, expected %s",
                         unsigned(index), kind, params_name(block->params_type()),
                         params_name(info->params));
  }
  if (block->implementation_version() != info->version) {
    return Status::error(StatusCode::kUnsupported,
                         "dsp block %u (%s): implementation version %u not available (this "
                         "runtime has %u)",
                         unsigned(index), kind, unsigned(block->implementation_version()),
                         unsigned(info->version));
  }
  out->kind = info->kind;
  out->implementation_version = info->version;
  out->sample_rate_hz = sample_rate_hz;
  Status s;
  switch (info->kind) {
    case DspBlockKind::kAudioFrontend:
      s = audio_frontend_config_from_capsule(*block->params_as_AudioFrontendParams(), &out->audio,
                                             &out->int8_output);
      break;
    case DspBlockKind::kSpectrogram:
    case DspBlockKind::kMfe:
    case DspBlockKind::kMfcc: {
      const schema::SpectralParams* p = block->params_as_SpectralParams();
      const schema::SpectralKind want =
          info->kind == DspBlockKind::kSpectrogram ? schema::SpectralKind::Spectrogram
          : info->kind == DspBlockKind::kMfe       ? schema::SpectralKind::Mfe
                                                   : schema::SpectralKind::Mfcc;
      if (p->kind() != want) {
        s = Status::error(kBad, "SpectralParams.kind %u does not match the block kind",
                          unsigned(p->kind()));
        break;
      }
      s = spectral_config_from_capsule(*p, sample_rate_hz, out);
      break;
    }
    case DspBlockKind::kImuFeatures:
      s = imu_features_config_from_capsule(*block->params_as_ImuFeaturesParams(), &out->imu,
                                           &out->imu_stride_frames);
      break;
    case DspBlockKind::kImagePreprocess:
      s = image_preprocess_config_from_capsule(*block->params_as_ImagePreprocessParams(),
                                               &out->image);
      break;
  }
  if (s.is_ok() && out->is_audio() && sample_rate_hz == 0) {
    s = Status::error(kBad, "the input's sample_rate_hz is 0");
  }
  if (!s.is_ok()) s.prefix("dsp block %u (%s)", unsigned(index), kind);
  return s;
}

size_t dsp_block_state_bytes(const DspBlockConfig& c) {
  switch (c.kind) {
    case DspBlockKind::kAudioFrontend: return dsp::AudioFrontend::state_bytes(c.audio, c.sample_rate_hz);
    case DspBlockKind::kSpectrogram: return dsp::Spectrogram::state_bytes(c.spectrogram);
    case DspBlockKind::kMfe: return dsp::Mfe::state_bytes(c.mfe);
    case DspBlockKind::kMfcc: return dsp::Mfcc::state_bytes(c.mfcc);
    case DspBlockKind::kImuFeatures: return dsp::ImuFeatures::state_bytes(c.imu);
    case DspBlockKind::kImagePreprocess: return dsp::ImagePreprocessor::state_bytes(c.image);
  }
  return 0;
}

}  // namespace locus
