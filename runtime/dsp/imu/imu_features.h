// IMU / accelerometer spectral features: one window of interleaved samples
// of 1..9 axes in, one flat float feature vector out. The block for gesture
// and vibration pipelines (like Edge Impulse's "spectral analysis").
//
// Per axis, in this order:
//   1. scale:   x *= config.scale
//   2. filter:  optional Butterworth low- or high-pass (butterworth.h), order
//               1..8, zero initial state at the start of every window (the
//               features of a window never depend on earlier windows);
//   3. statistics of the filtered window (population moments, as numpy /
//               scipy.stats with bias=True compute them):
//        rms      sqrt(mean(x^2))
//        mean
//        std      sqrt(m2),              m_k = mean((x - mean)^k)
//        skewness m3 / m2^1.5            (0 when m2 == 0)
//        kurtosis m4 / m2^2 - 3 (excess, Fisher; 0 when m2 == 0)
//        min, max, peak_to_peak (= max - min)
//   4. spectrum (when spectrum != kNone or peak_count > 0): the axis mean is
//      subtracted (remove_mean), then Welch averaging: segments of
//      fft_length samples at a hop of fft_length/2 (segment starts 0, hop,
//      2 hop, ... while the segment fits; trailing samples are not used),
//      each multiplied by the window (Hann, periodic: 0.5 - 0.5 cos(2 pi n/L),
//      or rectangular) and transformed; the one-sided power
//        P[k] = c_k |X[k]|^2 / (fft_length * sum_n w[n]^2),  c_k = 1 for
//               k = 0 and k = fft_length/2, else 2,
//      is averaged over segments. sum_k P[k] is then the (windowed) mean
//      square of the signal: a sine of amplitude A gives A^2/2 in total.
//      A window shorter than fft_length is one zero-padded segment with a
//      rectangular window (sum w^2 = number of samples).
//      Bin k is at frequency k * sample_rate / fft_length.
//        kBandPower: for each band b, sum of P[k] over the bins with
//                    band_edges_hz[b] <= f_k < band_edges_hz[b+1]
//                    (the last band includes its upper edge).
//        kLogBins:   log10(max(P[k], 1e-10)) for k = 0..fft_length/2.
//   5. peaks (peak_count > 0): bins 0 < k < fft_length/2 that are local maxima
//      (P[k] > P[k-1] and P[k] >= P[k+1]) with P[k] > peak_threshold, the
//      peak_count highest (ties: lower frequency first), as
//      (frequency_hz of the bin, P[k]) pairs, highest first; missing peaks
//      are (0, 0).
//
// Feature vector: axis-major; for each axis the enabled statistics in the
// order of ImuStat below, then the band powers or log bins, then the peak
// pairs (f0, p0, f1, p1, ...). feature_count() gives its length.
//
// Memory: the caller asks state_bytes(config) and passes that much (any
// alignment); init() keeps the filter sections, the analysis window, the FFT
// twiddles and the scratch buffers there. No heap, no libm.
#ifndef LOCUS_RUNTIME_DSP_IMU_IMU_FEATURES_H_
#define LOCUS_RUNTIME_DSP_IMU_IMU_FEATURES_H_

#include <stddef.h>
#include <stdint.h>

#include "runtime/dsp/imu/butterworth.h"
#include "runtime/dsp/imu/real_fft.h"
#include "runtime/status.h"

namespace locus::dsp {

// Bumped whenever the features a given config produces change.
constexpr uint32_t kImuFeaturesImplementationVersion = 1;

// Bit mask of time-domain statistics; features appear in this order.
enum ImuStat : uint32_t {
  kImuStatRms = 1u << 0,
  kImuStatMean = 1u << 1,
  kImuStatStd = 1u << 2,
  kImuStatSkewness = 1u << 3,
  kImuStatKurtosis = 1u << 4,
  kImuStatMin = 1u << 5,
  kImuStatMax = 1u << 6,
  kImuStatPeakToPeak = 1u << 7,
  kImuStatAll = (1u << 8) - 1,
};

enum class ImuSpectrum : uint8_t {
  kNone = 0,
  kBandPower = 1,  // power summed in band_edges_hz bands
  kLogBins = 2,    // log10 power of every bin 0..fft_length/2
};

enum class ImuWindow : uint8_t {
  kHann = 0,
  kRectangular = 1,
};

struct ImuFeaturesConfig {
  static constexpr int32_t kMaxAxes = 9;
  static constexpr int32_t kMaxBands = 32;
  static constexpr int32_t kMaxPeaks = 16;
  static constexpr int32_t kMaxFrames = 1 << 16;

  int32_t axes;              // 1..9, interleaved in the input
  float sample_rate_hz;      // > 0
  int32_t max_frames;        // most frames compute() accepts, 1..65536
  float scale;               // applied to every sample first (finite, != 0)

  ImuFilterType filter;      // kNone, kLowPass, kHighPass
  float filter_cutoff_hz;    // 0 < cutoff < sample_rate_hz / 2
  int32_t filter_order;      // 1..8

  uint32_t stats;            // ImuStat bits

  ImuSpectrum spectrum;
  int32_t fft_length;        // power of two, 8..4096 (when a spectrum is used)
  ImuWindow window;
  bool remove_mean;          // subtract the axis mean before the FFT
  int32_t band_count;        // kBandPower: 1..32 bands
  float band_edges_hz[kMaxBands + 1];  // band_count + 1 increasing edges in [0, fs/2]

  int32_t peak_count;        // 0..16
  float peak_threshold;      // >= 0, in the units of P[k]

  // 3 axes at 100 Hz, 2 s windows, no filter, all statistics, 128-point
  // Hann Welch spectrum in 5 bands (0, 1, 3, 6, 12, 50 Hz), 3 peaks above 0.
  static ImuFeaturesConfig defaults();
};

class ImuFeatures {
 public:
  ImuFeatures() = default;

  // Bytes of caller memory init() needs for `config` (0 if it is invalid).
  static size_t state_bytes(const ImuFeaturesConfig& config);
  // Checks `config` (kInvalidArgument naming the field) and builds the
  // tables in `memory` (kResourceExhausted if `bytes` is too small). The
  // memory must outlive this object and not be shared with another block.
  Status init(const ImuFeaturesConfig& config, uint8_t* memory, size_t bytes);

  static Status validate(const ImuFeaturesConfig& config);
  // Features per window (0 before init()).
  size_t feature_count() const { return feature_count_; }
  static size_t feature_count(const ImuFeaturesConfig& config);

  // One window: `frames` (1..max_frames) frames of `axes` interleaved
  // samples; writes feature_count() floats. Inputs must be finite.
  Status compute(const float* interleaved, int32_t frames, float* features);

  const ImuFeaturesConfig& config() const { return config_; }
  // Filter sections built by init() (for inspection and tests).
  const Biquad* filter_sections() const { return sections_; }
  int32_t filter_section_count() const { return section_count_; }

 private:
  float* compute_axis_spectrum(const float* signal, int32_t frames, float mean);
  float* write_spectrum_features(const float* power, float* out) const;

  ImuFeaturesConfig config_{};
  bool ready_ = false;
  size_t feature_count_ = 0;
  Biquad* sections_ = nullptr;
  int32_t section_count_ = 0;
  float* window_ = nullptr;        // fft_length
  float window_power_ = 0.0f;      // sum of window^2
  float* signal_ = nullptr;        // max_frames
  float* fft_buffer_ = nullptr;    // fft_length
  float* power_ = nullptr;         // fft_length / 2 + 1
  imu_internal::RealFft fft_;
};

}  // namespace locus::dsp

#endif  // LOCUS_RUNTIME_DSP_IMU_IMU_FEATURES_H_
