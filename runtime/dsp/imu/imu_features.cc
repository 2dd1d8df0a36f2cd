#include "runtime/dsp/imu/imu_features.h"

#include <stdint.h>

#include "runtime/dsp/imu/imu_math.h"

namespace locus::dsp {
namespace {

using imu_internal::RealFft;

constexpr float kLogFloor = 1e-10f;
constexpr size_t kAlign = 8;

bool is_finite(float v) { return v == v && v - v == 0.0f; }

// "12.345" (three decimals, truncated) for error messages: the runtime's
// Status formatter has no %f.
struct DecimalText {
  char text[32];
  explicit DecimalText(float value) {
    size_t n = 0;
    if (!is_finite(value)) {
      const char* s = value != value ? "nan" : (value > 0 ? "inf" : "-inf");
      while (*s) text[n++] = *s++;
      text[n] = '\0';
      return;
    }
    double v = value;
    if (v < 0) {
      text[n++] = '-';
      v = -v;
    }
    if (v >= 1e15) v = 1e15;
    uint64_t milli = static_cast<uint64_t>(v * 1000.0);
    uint64_t whole = milli / 1000;
    const uint32_t frac = static_cast<uint32_t>(milli % 1000);
    char digits[24];
    int d = 0;
    do {
      digits[d++] = static_cast<char>('0' + whole % 10);
      whole /= 10;
    } while (whole != 0);
    while (d > 0) text[n++] = digits[--d];
    text[n++] = '.';
    text[n++] = static_cast<char>('0' + frac / 100);
    text[n++] = static_cast<char>('0' + frac / 10 % 10);
    text[n++] = static_cast<char>('0' + frac % 10);
    text[n] = '\0';
  }
};

size_t align_up(size_t v) { return (v + kAlign - 1) / kAlign * kAlign; }

bool uses_fft(const ImuFeaturesConfig& c) {
  return c.spectrum != ImuSpectrum::kNone || c.peak_count > 0;
}

int popcount(uint32_t v) {
  int n = 0;
  for (; v; v &= v - 1) ++n;
  return n;
}

struct Layout {
  size_t sections, window, twiddles, signal, fft, power, total;
};

Layout layout_for(const ImuFeaturesConfig& c) {
  Layout l{};
  size_t at = 0;
  auto take = [&](size_t bytes) {
    const size_t start = at;
    at = align_up(at + bytes);
    return start;
  };
  const size_t sections =
      c.filter == ImuFilterType::kNone ? 0 : static_cast<size_t>(butterworth_sections(c.filter_order));
  l.sections = take(sections * sizeof(Biquad));
  const size_t n = uses_fft(c) ? static_cast<size_t>(c.fft_length) : 0;
  l.window = take(n * sizeof(float));
  l.twiddles = take(n == 0 ? 0 : RealFft::table_floats(c.fft_length) * sizeof(float));
  l.signal = take(static_cast<size_t>(c.max_frames) * sizeof(float));
  l.fft = take(n * sizeof(float));
  l.power = take(n == 0 ? 0 : (n / 2 + 1) * sizeof(float));
  l.total = at + kAlign - 1;  // the caller's pointer may need aligning
  return l;
}

}  // namespace

ImuFeaturesConfig ImuFeaturesConfig::defaults() {
  ImuFeaturesConfig c{};
  c.axes = 3;
  c.sample_rate_hz = 100.0f;
  c.max_frames = 200;
  c.scale = 1.0f;
  c.filter = ImuFilterType::kNone;
  c.filter_cutoff_hz = 0.0f;
  c.filter_order = 0;
  c.stats = kImuStatAll;
  c.spectrum = ImuSpectrum::kBandPower;
  c.fft_length = 128;
  c.window = ImuWindow::kHann;
  c.remove_mean = true;
  c.band_count = 5;
  const float edges[6] = {0.0f, 1.0f, 3.0f, 6.0f, 12.0f, 50.0f};
  for (int i = 0; i < 6; ++i) c.band_edges_hz[i] = edges[i];
  c.peak_count = 3;
  c.peak_threshold = 0.0f;
  return c;
}

Status ImuFeatures::validate(const ImuFeaturesConfig& c) {
  if (c.axes < 1 || c.axes > ImuFeaturesConfig::kMaxAxes) {
    return Status::error(StatusCode::kInvalidArgument, "imu: axes is %d, must be 1..%d",
                         static_cast<int>(c.axes), static_cast<int>(ImuFeaturesConfig::kMaxAxes));
  }
  if (!is_finite(c.sample_rate_hz) || !(c.sample_rate_hz > 0.0f)) {
    return Status::error(StatusCode::kInvalidArgument,
                         "imu: sample_rate_hz is %s, must be positive and finite",
                         DecimalText(c.sample_rate_hz).text);
  }
  if (c.max_frames < 1 || c.max_frames > ImuFeaturesConfig::kMaxFrames) {
    return Status::error(StatusCode::kInvalidArgument, "imu: max_frames is %d, must be 1..%d",
                         static_cast<int>(c.max_frames),
                         static_cast<int>(ImuFeaturesConfig::kMaxFrames));
  }
  if (!is_finite(c.scale) || c.scale == 0.0f) {
    return Status::error(StatusCode::kInvalidArgument,
                         "imu: scale is %s, must be finite and non-zero",
                         DecimalText(c.scale).text);
  }
  const float nyquist = c.sample_rate_hz * 0.5f;
  switch (c.filter) {
    case ImuFilterType::kNone:
      break;
    case ImuFilterType::kLowPass:
    case ImuFilterType::kHighPass:
      if (c.filter_order < 1 || c.filter_order > kButterworthMaxOrder) {
        return Status::error(StatusCode::kInvalidArgument,
                             "imu: filter_order is %d, must be 1..%d",
                             static_cast<int>(c.filter_order),
                             static_cast<int>(kButterworthMaxOrder));
      }
      if (!is_finite(c.filter_cutoff_hz) || !(c.filter_cutoff_hz > 0.0f) ||
          !(c.filter_cutoff_hz < nyquist)) {
        return Status::error(StatusCode::kInvalidArgument,
                             "imu: filter_cutoff_hz is %s, must be above 0 and below the "
                             "Nyquist frequency %s Hz",
                             DecimalText(c.filter_cutoff_hz).text, DecimalText(nyquist).text);
      }
      break;
    default:
      return Status::error(StatusCode::kInvalidArgument, "imu: unknown filter type %d",
                           static_cast<int>(c.filter));
  }
  if ((c.stats & ~static_cast<uint32_t>(kImuStatAll)) != 0) {
    return Status::error(StatusCode::kInvalidArgument, "imu: stats has unknown bits 0x%x",
                         static_cast<unsigned>(c.stats & ~static_cast<uint32_t>(kImuStatAll)));
  }
  if (c.spectrum != ImuSpectrum::kNone && c.spectrum != ImuSpectrum::kBandPower &&
      c.spectrum != ImuSpectrum::kLogBins) {
    return Status::error(StatusCode::kInvalidArgument, "imu: unknown spectrum mode %d",
                         static_cast<int>(c.spectrum));
  }
  if (c.peak_count < 0 || c.peak_count > ImuFeaturesConfig::kMaxPeaks) {
    return Status::error(StatusCode::kInvalidArgument, "imu: peak_count is %d, must be 0..%d",
                         static_cast<int>(c.peak_count),
                         static_cast<int>(ImuFeaturesConfig::kMaxPeaks));
  }
  if (uses_fft(c)) {
    if (!RealFft::valid_length(c.fft_length)) {
      return Status::error(StatusCode::kInvalidArgument,
                           "imu: fft_length is %d, must be a power of two in %d..%d",
                           static_cast<int>(c.fft_length), static_cast<int>(RealFft::kMinLength),
                           static_cast<int>(RealFft::kMaxLength));
    }
    if (c.window != ImuWindow::kHann && c.window != ImuWindow::kRectangular) {
      return Status::error(StatusCode::kInvalidArgument, "imu: unknown window %d",
                           static_cast<int>(c.window));
    }
  }
  if (c.peak_count > 0 && (!is_finite(c.peak_threshold) || c.peak_threshold < 0.0f)) {
    return Status::error(StatusCode::kInvalidArgument,
                         "imu: peak_threshold is %s, must be finite and >= 0",
                         DecimalText(c.peak_threshold).text);
  }
  if (c.spectrum == ImuSpectrum::kBandPower) {
    if (c.band_count < 1 || c.band_count > ImuFeaturesConfig::kMaxBands) {
      return Status::error(StatusCode::kInvalidArgument, "imu: band_count is %d, must be 1..%d",
                           static_cast<int>(c.band_count),
                           static_cast<int>(ImuFeaturesConfig::kMaxBands));
    }
    for (int32_t i = 0; i <= c.band_count; ++i) {
      const float e = c.band_edges_hz[i];
      if (!is_finite(e) || e < 0.0f || e > nyquist) {
        return Status::error(StatusCode::kInvalidArgument,
                             "imu: band_edges_hz[%d] is %s, must be in 0..%s Hz (Nyquist)",
                             static_cast<int>(i), DecimalText(e).text, DecimalText(nyquist).text);
      }
      if (i > 0 && !(e > c.band_edges_hz[i - 1])) {
        return Status::error(StatusCode::kInvalidArgument,
                             "imu: band_edges_hz[%d] = %s is not above band_edges_hz[%d] = %s",
                             static_cast<int>(i), DecimalText(e).text, static_cast<int>(i - 1),
                             DecimalText(c.band_edges_hz[i - 1]).text);
      }
    }
  }
  if (feature_count(c) == 0) {
    return Status::error(StatusCode::kInvalidArgument,
                         "imu: no features enabled (stats, spectrum and peak_count are all off)");
  }
  return Status::ok();
}

size_t ImuFeatures::feature_count(const ImuFeaturesConfig& c) {
  size_t per_axis = static_cast<size_t>(popcount(c.stats & kImuStatAll));
  if (c.spectrum == ImuSpectrum::kBandPower) per_axis += static_cast<size_t>(c.band_count);
  if (c.spectrum == ImuSpectrum::kLogBins) per_axis += static_cast<size_t>(c.fft_length / 2 + 1);
  per_axis += 2u * static_cast<size_t>(c.peak_count > 0 ? c.peak_count : 0);
  return per_axis * static_cast<size_t>(c.axes);
}

size_t ImuFeatures::state_bytes(const ImuFeaturesConfig& config) {
  if (!validate(config).is_ok()) return 0;
  return layout_for(config).total;
}

Status ImuFeatures::init(const ImuFeaturesConfig& config, uint8_t* memory, size_t bytes) {
  ready_ = false;
  feature_count_ = 0;
  LOCUS_RETURN_IF_ERROR(validate(config));
  const Layout l = layout_for(config);
  if (memory == nullptr || bytes < l.total) {
    return Status::error(StatusCode::kResourceExhausted,
                         "imu: state needs %zu bytes, got %zu", l.total,
                         memory == nullptr ? static_cast<size_t>(0) : bytes);
  }
  const uintptr_t base_address =
      (reinterpret_cast<uintptr_t>(memory) + kAlign - 1) / kAlign * kAlign;
  uint8_t* base = memory + (base_address - reinterpret_cast<uintptr_t>(memory));
  config_ = config;
  sections_ = reinterpret_cast<Biquad*>(base + l.sections);
  window_ = reinterpret_cast<float*>(base + l.window);
  signal_ = reinterpret_cast<float*>(base + l.signal);
  fft_buffer_ = reinterpret_cast<float*>(base + l.fft);
  power_ = reinterpret_cast<float*>(base + l.power);

  section_count_ = 0;
  if (config.filter != ImuFilterType::kNone) {
    section_count_ = butterworth_sections(config.filter_order);
    design_butterworth(config.filter, config.filter_order, config.filter_cutoff_hz,
                       config.sample_rate_hz, sections_);
  }
  window_power_ = 0.0f;
  if (uses_fft(config)) {
    const int32_t n = config.fft_length;
    fft_.init(n, reinterpret_cast<float*>(base + l.twiddles));
    double power = 0.0;
    for (int32_t i = 0; i < n; ++i) {
      double w = 1.0;
      if (config.window == ImuWindow::kHann) {
        double s, c;
        imu_internal::sin_cos_turns(static_cast<uint32_t>(i), static_cast<uint32_t>(n), &s, &c);
        w = 0.5 - 0.5 * c;
      }
      window_[i] = static_cast<float>(w);
      power += static_cast<double>(window_[i]) * static_cast<double>(window_[i]);
    }
    window_power_ = static_cast<float>(power);
  }
  feature_count_ = feature_count(config);
  ready_ = true;
  return Status::ok();
}

float* ImuFeatures::compute_axis_spectrum(const float* signal, int32_t frames, float mean) {
  const int32_t n = config_.fft_length;
  const int32_t bins = n / 2 + 1;
  const float offset = config_.remove_mean ? mean : 0.0f;
  for (int32_t k = 0; k < bins; ++k) power_[k] = 0.0f;

  int32_t segments;
  int32_t hop = n / 2;
  float norm;
  if (frames < n) {
    segments = 1;
    norm = static_cast<float>(n) * static_cast<float>(frames);  // rectangular, zero-padded
  } else {
    segments = (frames - n) / hop + 1;
    norm = static_cast<float>(n) * window_power_;
  }
  for (int32_t seg = 0; seg < segments; ++seg) {
    const float* x = signal + seg * hop;
    if (frames < n) {
      for (int32_t i = 0; i < frames; ++i) fft_buffer_[i] = x[i] - offset;
      for (int32_t i = frames; i < n; ++i) fft_buffer_[i] = 0.0f;
    } else {
      for (int32_t i = 0; i < n; ++i) fft_buffer_[i] = (x[i] - offset) * window_[i];
    }
    fft_.forward(fft_buffer_);
    power_[0] += fft_buffer_[0] * fft_buffer_[0] / norm;
    power_[n / 2] += fft_buffer_[1] * fft_buffer_[1] / norm;
    for (int32_t k = 1; k < n / 2; ++k) {
      const float re = fft_buffer_[2 * k], im = fft_buffer_[2 * k + 1];
      power_[k] += 2.0f * (re * re + im * im) / norm;
    }
  }
  if (segments > 1) {
    const float inv = 1.0f / static_cast<float>(segments);
    for (int32_t k = 0; k < bins; ++k) power_[k] *= inv;
  }
  return power_;
}

float* ImuFeatures::write_spectrum_features(const float* power, float* out) const {
  const int32_t n = config_.fft_length;
  const int32_t bins = n / 2 + 1;
  const float bin_hz = config_.sample_rate_hz / static_cast<float>(n);
  if (config_.spectrum == ImuSpectrum::kBandPower) {
    for (int32_t b = 0; b < config_.band_count; ++b) {
      const float lo = config_.band_edges_hz[b];
      const float hi = config_.band_edges_hz[b + 1];
      const bool last = b == config_.band_count - 1;
      float sum = 0.0f;
      for (int32_t k = 0; k < bins; ++k) {
        const float f = static_cast<float>(k) * bin_hz;
        if (f >= lo && (f < hi || (last && f <= hi))) sum += power[k];
      }
      *out++ = sum;
    }
  } else if (config_.spectrum == ImuSpectrum::kLogBins) {
    for (int32_t k = 0; k < bins; ++k) {
      const float p = power[k] > kLogFloor ? power[k] : kLogFloor;
      *out++ = imu_internal::log10_float(p);
    }
  }
  if (config_.peak_count > 0) {
    int32_t found = 0;
    int32_t index[ImuFeaturesConfig::kMaxPeaks];
    for (int32_t k = 1; k < n / 2; ++k) {
      const float p = power[k];
      if (!(p > config_.peak_threshold) || !(p > power[k - 1]) || !(p >= power[k + 1])) continue;
      // Insert into the descending list; equal heights keep the lower bin first.
      int32_t at = found;
      while (at > 0 && power[index[at - 1]] < p) --at;
      if (at >= config_.peak_count) continue;
      const int32_t last = found < config_.peak_count ? found : config_.peak_count - 1;
      for (int32_t i = last; i > at; --i) index[i] = index[i - 1];
      index[at] = k;
      if (found < config_.peak_count) ++found;
    }
    for (int32_t i = 0; i < config_.peak_count; ++i) {
      if (i < found) {
        *out++ = static_cast<float>(index[i]) * bin_hz;
        *out++ = power[index[i]];
      } else {
        *out++ = 0.0f;
        *out++ = 0.0f;
      }
    }
  }
  return out;
}

Status ImuFeatures::compute(const float* interleaved, int32_t frames, float* features) {
  if (!ready_) {
    return Status::error(StatusCode::kFailedPrecondition, "imu: compute() before init()");
  }
  if (interleaved == nullptr || features == nullptr) {
    return Status::error(StatusCode::kInvalidArgument, "imu: null input or output");
  }
  if (frames < 1 || frames > config_.max_frames) {
    return Status::error(StatusCode::kInvalidArgument, "imu: frames is %d, must be 1..%d",
                         static_cast<int>(frames), static_cast<int>(config_.max_frames));
  }
  const int32_t axes = config_.axes;
  float* out = features;
  for (int32_t a = 0; a < axes; ++a) {
    for (int32_t i = 0; i < frames; ++i) signal_[i] = interleaved[i * axes + a] * config_.scale;
    if (section_count_ > 0) run_biquads(sections_, section_count_, signal_, frames);

    // Two passes: mean, then central moments.
    float sum = 0.0f, sum_sq = 0.0f;
    float lo = signal_[0], hi = signal_[0];
    for (int32_t i = 0; i < frames; ++i) {
      const float x = signal_[i];
      sum += x;
      sum_sq += x * x;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    const float count = static_cast<float>(frames);
    const float mean = sum / count;
    float m2 = 0.0f, m3 = 0.0f, m4 = 0.0f;
    for (int32_t i = 0; i < frames; ++i) {
      const float d = signal_[i] - mean;
      const float d2 = d * d;
      m2 += d2;
      m3 += d2 * d;
      m4 += d2 * d2;
    }
    m2 /= count;
    m3 /= count;
    m4 /= count;
    const float stddev = imu_internal::sqrt_float(m2);
    const uint32_t stats = config_.stats;
    if (stats & kImuStatRms) *out++ = imu_internal::sqrt_float(sum_sq / count);
    if (stats & kImuStatMean) *out++ = mean;
    if (stats & kImuStatStd) *out++ = stddev;
    if (stats & kImuStatSkewness) *out++ = m2 > 0.0f ? m3 / (m2 * stddev) : 0.0f;
    if (stats & kImuStatKurtosis) *out++ = m2 > 0.0f ? m4 / (m2 * m2) - 3.0f : 0.0f;
    if (stats & kImuStatMin) *out++ = lo;
    if (stats & kImuStatMax) *out++ = hi;
    if (stats & kImuStatPeakToPeak) *out++ = hi - lo;

    if (uses_fft(config_)) {
      const float* power = compute_axis_spectrum(signal_, frames, mean);
      out = write_spectrum_features(power, out);
    }
  }
  return Status::ok();
}

}  // namespace locus::dsp
