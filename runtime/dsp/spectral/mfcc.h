// MFCC block: log mel energies followed by TensorFlow's
// mfccs_from_log_mel_spectrograms DCT-II (scaled by 1/sqrt(2 * mel_bands)),
// keeping the first `coefficients`.
#ifndef LOCUS_RUNTIME_DSP_SPECTRAL_MFCC_H_
#define LOCUS_RUNTIME_DSP_SPECTRAL_MFCC_H_

#include "runtime/dsp/spectral/spectral_block.h"

namespace locus {
namespace dsp {

constexpr uint32_t kMfccImplementationVersion = 1;

struct MfccConfig {
  uint32_t sample_rate = 16000;
  uint32_t frame_length = 480;
  uint32_t frame_step = 320;
  uint32_t fft_length = 512;
  Window window = Window::kHannPeriodic;
  SpectrumType spectrum = SpectrumType::kMagnitude;
  uint32_t mel_bands = 40;
  float lower_hz = 20.0f;
  float upper_hz = 4000.0f;
  LogScale log = LogScale::kNatural;
  float log_offset = 1e-6f;
  uint32_t coefficients = 10;
  Arithmetic arithmetic = Arithmetic::kFloat;
  uint32_t fixed_frac_bits = 7;  // int16 output covers +-256

  // The defaults are the MLPerf Tiny keyword-spotting features.
  static MfccConfig defaults() { return MfccConfig(); }
  // MLPerf Tiny KWS (kws_ref_model.tflite): 16 kHz, 480-sample frames every
  // 320 (49 per second), periodic Hann, FFT 512, |X|, 40 mel bands 20-4000 Hz,
  // ln(mel + 1e-6), DCT-II / sqrt(80), 10 coefficients.
  static MfccConfig mlperf_kws() { return MfccConfig(); }
  SpectralParams params() const;
};

class Mfcc : public SpectralBlock {
 public:
  static size_t state_bytes(const MfccConfig& config);
  Status init(const MfccConfig& config, uint8_t* memory, size_t bytes);
  static size_t clip_frames(const MfccConfig& c, size_t samples) {
    return frames_in(samples, c.frame_length, c.frame_step);
  }
  using SpectralBlock::frames_in;
};

}  // namespace dsp
}  // namespace locus

#endif  // LOCUS_RUNTIME_DSP_SPECTRAL_MFCC_H_
