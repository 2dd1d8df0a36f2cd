// The imu_features block on the host: slides a window over a CSV recording
// and computes one feature vector per window with the runtime's block.
#include <cmath>

#include "host/capsule/capsule_file.h"
#include "host/features/feature_block_factories.h"
#include "host/features/yaml_fields.h"
#include "host/sensors/imu_csv.h"
#include "runtime/dsp/imu/imu_features.h"

namespace locus::host {
namespace {

class ImuFeatureBlock : public FeatureBlock {
 public:
  ImuFeatureBlock(const dsp::ImuFeaturesConfig& config, int32_t stride, const std::string& where)
      : config_(config), stride_(stride) {
    memory_ = AlignedBuffer(dsp::ImuFeatures::state_bytes(config) + 16);
    const Status s = block_.init(config, memory_.data(), memory_.size());
    if (!s) fail(where, ": imu_features: ", s.message());
  }
  std::string kind() const override { return "imu_features"; }
  uint32_t implementation_version() const override {
    return dsp::kImuFeaturesImplementationVersion;
  }
  uint32_t sample_rate() const override {
    return static_cast<uint32_t>(std::lround(config_.sample_rate_hz));
  }
  size_t state_bytes() const override { return dsp::ImuFeatures::state_bytes(config_); }

  schema::DspBlockT to_capsule() const override {
    schema::ImuFeaturesParamsT p;
    p.axes = config_.axes;
    p.sample_rate_hz = config_.sample_rate_hz;
    p.window_frames = config_.max_frames;
    p.stride_frames = stride_;
    p.scale = config_.scale;
    p.filter = static_cast<uint8_t>(config_.filter);
    p.filter_cutoff_hz = config_.filter_cutoff_hz;
    p.filter_order = config_.filter_order;
    p.stats = config_.stats;
    p.spectrum = static_cast<uint8_t>(config_.spectrum);
    p.fft_length = config_.fft_length;
    p.window = static_cast<uint8_t>(config_.window);
    p.remove_mean = config_.remove_mean;
    p.band_edges_hz.assign(config_.band_edges_hz, config_.band_edges_hz + config_.band_count + 1);
    p.peak_count = config_.peak_count;
    p.peak_threshold = config_.peak_threshold;
    schema::DspBlockT block;
    block.kind = kind();
    block.implementation_version = implementation_version();
    block.params.Set(std::move(p));
    return block;
  }
  int32_t features_per_frame() const override { return static_cast<int32_t>(block_.feature_count()); }
  FeatureType output_type() const override { return FeatureType::kFloat32; }
  int32_t frame_length() const override { return config_.max_frames; }
  int32_t frame_step() const override { return stride_; }

  FeatureMatrix compute_file(const std::string& path) override {
    const ImuRecording rec = read_imu_csv(path);
    if (static_cast<int32_t>(rec.axes()) != config_.axes) {
      fail(path, ": has ", rec.axes(), " axes, the block expects ", config_.axes);
    }
    if (rec.sample_rate_hz > 0 &&
        std::abs(rec.sample_rate_hz - config_.sample_rate_hz) > 0.02 * config_.sample_rate_hz) {
      fail(path, ": timestamps give ", rec.sample_rate_hz, " Hz, the block runs at ",
           config_.sample_rate_hz, " Hz");
    }
    const int32_t window = config_.max_frames;
    const auto frames = static_cast<int32_t>(rec.frames());
    FeatureMatrix m;
    m.features = static_cast<int32_t>(block_.feature_count());
    m.frames = frames < window ? 0 : 1 + (frames - window) / stride_;
    m.values.resize(static_cast<size_t>(m.frames) * m.features);
    for (int32_t w = 0; w < m.frames; ++w) {
      const float* start = rec.samples.data() + static_cast<size_t>(w) * stride_ * config_.axes;
      const Status s = block_.compute(start, window, &m.values[static_cast<size_t>(w) * m.features]);
      if (!s) fail(path, ": window ", w, ": ", s.message());
    }
    return m;
  }

 private:
  dsp::ImuFeaturesConfig config_;
  int32_t stride_;
  AlignedBuffer memory_;
  dsp::ImuFeatures block_;
};

uint32_t stat_bit(const std::string& name) {
  if (name == "rms") return dsp::kImuStatRms;
  if (name == "mean") return dsp::kImuStatMean;
  if (name == "std") return dsp::kImuStatStd;
  if (name == "skewness") return dsp::kImuStatSkewness;
  if (name == "kurtosis") return dsp::kImuStatKurtosis;
  if (name == "min") return dsp::kImuStatMin;
  if (name == "max") return dsp::kImuStatMax;
  if (name == "peak_to_peak") return dsp::kImuStatPeakToPeak;
  return 0;
}

}  // namespace

std::unique_ptr<FeatureBlock> make_imu_features(const YAML::Node& params, const std::string& where) {
  YamlFields f(params, where, "imu_features");
  dsp::ImuFeaturesConfig c = dsp::ImuFeaturesConfig::defaults();
  float window_ms = 2000, stride_ms = 0;
  f.get("axes", c.axes);
  f.get("sample_rate", c.sample_rate_hz);
  f.get("window_ms", window_ms);
  f.get("stride_ms", stride_ms);
  f.get("scale", c.scale);
  YamlFields filter(f.child("filter"), where, "imu_features.filter");
  std::string type = "none";
  filter.get("type", type);
  filter.get("cutoff_hz", c.filter_cutoff_hz);
  filter.get("order", c.filter_order);
  filter.reject_unknown();
  if (type == "low_pass") c.filter = dsp::ImuFilterType::kLowPass;
  else if (type == "high_pass") c.filter = dsp::ImuFilterType::kHighPass;
  else if (type == "none") c.filter = dsp::ImuFilterType::kNone;
  else filter.error_at(params["filter"]["type"], "imu_features.filter.type: expected none, low_pass or high_pass");
  std::vector<std::string> names;
  f.get("stats", names);
  if (!names.empty()) {
    c.stats = 0;
    for (const auto& n : names) {
      const uint32_t bit = stat_bit(n);
      if (bit == 0) {
        f.error_at(params["stats"], "imu_features.stats: unknown statistic '" + n +
                                        "' (rms, mean, std, skewness, kurtosis, min, max, "
                                        "peak_to_peak)");
      }
      c.stats |= bit;
    }
  }
  YamlFields spectrum(f.child("spectrum"), where, "imu_features.spectrum");
  std::string kind = "band_power", window = "hann";
  std::vector<float> bands;
  spectrum.get("kind", kind);
  spectrum.get("fft_length", c.fft_length);
  spectrum.get("window", window);
  spectrum.get("remove_mean", c.remove_mean);
  spectrum.get("bands_hz", bands);
  spectrum.reject_unknown();
  if (kind == "band_power") c.spectrum = dsp::ImuSpectrum::kBandPower;
  else if (kind == "log_bins") c.spectrum = dsp::ImuSpectrum::kLogBins;
  else if (kind == "none") c.spectrum = dsp::ImuSpectrum::kNone;
  else spectrum.error_at(params["spectrum"]["kind"], "imu_features.spectrum.kind: expected band_power, log_bins or none");
  if (window == "hann") c.window = dsp::ImuWindow::kHann;
  else if (window == "rectangular") c.window = dsp::ImuWindow::kRectangular;
  else spectrum.error_at(params["spectrum"]["window"], "imu_features.spectrum.window: expected hann or rectangular");
  if (!bands.empty()) {
    if (bands.size() < 2 || bands.size() > dsp::ImuFeaturesConfig::kMaxBands + 1) {
      spectrum.error_at(params["spectrum"]["bands_hz"], "imu_features.spectrum.bands_hz: expected 2 to 33 edges");
    }
    c.band_count = static_cast<int32_t>(bands.size()) - 1;
    for (size_t i = 0; i < bands.size(); ++i) c.band_edges_hz[i] = bands[i];
  }
  YamlFields peaks(f.child("peaks"), where, "imu_features.peaks");
  peaks.get("count", c.peak_count);
  peaks.get("threshold", c.peak_threshold);
  peaks.reject_unknown();
  f.reject_unknown();

  c.max_frames = static_cast<int32_t>(std::lround(window_ms * c.sample_rate_hz / 1000.0f));
  const int32_t stride = stride_ms > 0
                             ? static_cast<int32_t>(std::lround(stride_ms * c.sample_rate_hz / 1000.0f))
                             : c.max_frames;
  if (stride < 1) f.error_at(params["stride_ms"], "imu_features.stride_ms: less than one sample");
  const Status s = dsp::ImuFeatures::validate(c);
  if (!s) fail(yaml_position(where, params.Mark()), ": imu_features: ", s.message());
  return std::make_unique<ImuFeatureBlock>(c, stride, where);
}

std::unique_ptr<FeatureBlock> imu_features_from_config(const DspBlockConfig& config,
                                                       const std::string& where) {
  return std::make_unique<ImuFeatureBlock>(config.imu, config.imu_stride_frames, where);
}

}  // namespace locus::host
