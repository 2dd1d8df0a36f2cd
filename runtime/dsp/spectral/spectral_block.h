// The engine shared by the Spectrogram, Mfe and Mfcc blocks: framing (a
// streaming buffer), window, real FFT, magnitude or power spectrum, optional
// mel filterbank, optional log, optional DCT-II. All state lives in caller
// memory; sizes come from state_bytes() of each block.
//
// Float path (Arithmetic::kFloat): int16 input is x / 32768 (or float input
// as is), every stage in float. It reproduces TensorFlow's tf.signal
// definitions (stft with periodic Hann, linear_to_mel_weight_matrix,
// log(mel + offset), mfccs_from_log_mel_spectrograms); values agree with TF to
// float rounding, since TF builds its tables in float32 and we build ours in
// double rounded once to float (differences ~1e-7 relative).
//
// Fixed path (Arithmetic::kFixed): integer only, for cores without an FPU.
// Q15 window, block-floating-point frame (shifted up to use the full range),
// Q31 FFT, 64-bit spectrum and mel sums with exponents tracked exactly, log
// from a table (error < 2e-5), Q30 DCT; outputs int16 with fixed_frac_bits
// fractional bits, saturated. Agreement with the float path is measured in
// spectral_test.cc (MFCC of speech-like signals: max |diff| < 0.03).
#ifndef LOCUS_RUNTIME_DSP_SPECTRAL_SPECTRAL_BLOCK_H_
#define LOCUS_RUNTIME_DSP_SPECTRAL_SPECTRAL_BLOCK_H_

#include <stddef.h>
#include <stdint.h>

#include "runtime/dsp/spectral/fft.h"
#include "runtime/status.h"

namespace locus {
namespace dsp {

// Raised-cosine windows follow tf.signal: periodic means w = a - b cos(2 pi n / N)
// with N = L for even L; TF uses N = L - 1 for odd L (as symmetric) and so do we.
enum class Window : uint8_t { kNone = 0, kHannPeriodic, kHannSymmetric, kHammingPeriodic,
                              kHammingSymmetric };
enum class SpectrumType : uint8_t { kMagnitude = 0, kPower };  // |X| or |X|^2, unnormalised
// kNatural: ln(v + log_offset). kDecibel: 10 log10(v + log_offset), then
// max(., noise_floor_db), and with normalize_noise_floor mapped [floor, 0] -> [0, 1]
// (clamped), as Edge Impulse's noise floor does.
enum class LogScale : uint8_t { kNone = 0, kNatural, kDecibel };
enum class Arithmetic : uint8_t { kFloat = 0, kFixed };

// Everything the engine can do; each block's config maps onto this.
struct SpectralParams {
  uint32_t sample_rate = 16000;
  uint32_t frame_length = 480;
  uint32_t frame_step = 320;
  uint32_t fft_length = 512;
  Window window = Window::kHannPeriodic;
  SpectrumType spectrum = SpectrumType::kMagnitude;
  uint32_t mel_bands = 0;  // 0: no filterbank (spectrogram)
  float lower_hz = 0.0f;
  float upper_hz = 0.0f;
  LogScale log = LogScale::kNone;
  float log_offset = 0.0f;
  float noise_floor_db = -1000.0f;
  bool normalize_noise_floor = false;
  uint32_t dct_coefficients = 0;  // 0: no DCT
  Arithmetic arithmetic = Arithmetic::kFloat;
  uint32_t fixed_frac_bits = 7;  // fixed path output: int16 with this many fraction bits
};

constexpr uint32_t kMaxMelBands = 256;

class SpectralBlock {
 public:
  uint32_t frame_length() const { return params_.frame_length; }
  uint32_t frame_step() const { return params_.frame_step; }
  size_t feature_count() const { return feature_count_; }  // per frame
  Arithmetic arithmetic() const { return params_.arithmetic; }
  uint32_t fixed_frac_bits() const { return params_.fixed_frac_bits; }

  // The tables, for tests and inspection (fixed path: Q15/Q30 values / 2^frac).
  float window_coefficient(uint32_t i) const;
  float mel_weight(uint32_t band, uint32_t bin) const;  // 0 outside the triangle
  float dct_coefficient(uint32_t k, uint32_t n) const;

  // Number of frames in a clip of n samples: 1 + (n - frame_length) / step
  // (0 when n < frame_length), as tf.signal.frame without end padding.
  static size_t frames_in(size_t samples, uint32_t frame_length, uint32_t frame_step);
  size_t frames_in(size_t samples) const {
    return frames_in(samples, params_.frame_length, params_.frame_step);
  }

  // Forgets buffered samples; the next frame starts at the next sample.
  void reset();

  // Streaming: consumes samples until one frame of features is produced
  // (*produced = true, out filled with feature_count() values) or all `count`
  // are consumed. Call again with the rest. int16 input means x / 32768.
  // Float output needs Arithmetic::kFloat; int16 output (fixed_frac_bits
  // fraction bits) needs Arithmetic::kFixed.
  Status process(const int16_t* samples, size_t count, size_t* consumed, float* out,
                 bool* produced);
  Status process(const float* samples, size_t count, size_t* consumed, float* out,
                 bool* produced);
  Status process(const int16_t* samples, size_t count, size_t* consumed, int16_t* out,
                 bool* produced);

  // All frames of a clip, row-major [frames][feature_count()]; resets first.
  // out_capacity counts values. *frames = frames_in(n).
  Status compute_clip(const int16_t* samples, size_t n, float* out, size_t out_capacity,
                      size_t* frames);
  Status compute_clip(const float* samples, size_t n, float* out, size_t out_capacity,
                      size_t* frames);
  Status compute_clip(const int16_t* samples, size_t n, int16_t* out, size_t out_capacity,
                      size_t* frames);

 protected:
  static size_t params_state_bytes(const SpectralParams& p);
  Status init_params(const SpectralParams& p, uint8_t* memory, size_t bytes, const char* name);

 private:
  static Status validate(const SpectralParams& p);
  void build_tables();
  Status check_ready(Arithmetic want, const char* what) const;
  template <typename In, typename Out>
  Status stream(const In* samples, size_t count, size_t* consumed, Out* out, bool* produced);
  template <typename In, typename Out>
  Status clip(const In* samples, size_t n, Out* out, size_t out_capacity, size_t* frames);
  void push(float* dst, const int16_t* src, size_t n);
  void push(float* dst, const float* src, size_t n);
  void push(int16_t* dst, const int16_t* src, size_t n);
  void compute_frame(float* out);
  void compute_frame(int16_t* out);

  SpectralParams params_;
  bool ready_ = false;
  uint32_t bins_ = 0;
  uint32_t fft_log2_ = 0;
  size_t feature_count_ = 0;
  uint32_t fill_ = 0;   // valid samples in the frame buffer
  uint32_t skip_ = 0;   // samples still to drop (frame_step > frame_length)
  uint32_t power_shift_ = 0;
  uint32_t used_begin_ = 0, used_end_ = 0;  // bins the filterbank reads (all without one)  // fixed path: power >> this before the mel sums

  uint16_t* band_start_ = nullptr;
  uint16_t* band_length_ = nullptr;
  // float path
  RealFft fft_;
  float* window_ = nullptr;
  float* frame_ = nullptr;
  float* work_ = nullptr;
  float* spectrum_ = nullptr;
  float* weights_ = nullptr;
  float* mel_ = nullptr;
  float* dct_ = nullptr;
  // fixed path
  RealFftQ31 fft_q_;
  int16_t* window_q_ = nullptr;
  int16_t* frame_q_ = nullptr;
  int32_t* work_q_ = nullptr;
  uint64_t* spectrum_q_ = nullptr;
  uint64_t* mel_q_ = nullptr;
  uint16_t* weights_q_ = nullptr;
  int32_t* log_q_ = nullptr;
  int32_t* dct_q_ = nullptr;
  uint32_t* log2_table_ = nullptr;
  uint64_t offset_mant_ = 0;
  int32_t offset_exp_ = 0;
  int32_t noise_floor_q16_ = 0;
};

// int8 model input from float features: clamp(round(x / scale) + zero_point),
// rounding half away from zero (TFLite's Quantize); NaN maps to zero_point.
void quantize_features(const float* in, size_t n, float scale, int32_t zero_point, int8_t* out);

// The same from fixed-path features (int16 with frac_bits fraction bits),
// integer only: the multiplier 1 / (scale * 2^frac_bits) is prepared once.
class FixedFeatureQuantizer {
 public:
  Status init(float scale, int32_t zero_point, uint32_t frac_bits);
  void quantize(const int16_t* in, size_t n, int8_t* out) const;

 private:
  int64_t multiplier_ = 0;  // Q32
  int32_t zero_point_ = 0;
};

}  // namespace dsp
}  // namespace locus

#endif  // LOCUS_RUNTIME_DSP_SPECTRAL_SPECTRAL_BLOCK_H_
