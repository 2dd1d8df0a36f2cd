// Spectrogram block: framed, windowed |X| or |X|^2 of every FFT bin
// (fft_length / 2 + 1 values per frame), optionally in log scale.
#ifndef LOCUS_RUNTIME_DSP_SPECTRAL_SPECTROGRAM_H_
#define LOCUS_RUNTIME_DSP_SPECTRAL_SPECTROGRAM_H_

#include "runtime/dsp/spectral/spectral_block.h"

namespace locus {
namespace dsp {

constexpr uint32_t kSpectrogramImplementationVersion = 1;

struct SpectrogramConfig {
  uint32_t sample_rate = 16000;
  uint32_t frame_length = 400;  // 25 ms
  uint32_t frame_step = 160;    // 10 ms
  uint32_t fft_length = 512;
  Window window = Window::kHannPeriodic;
  SpectrumType spectrum = SpectrumType::kPower;
  LogScale log = LogScale::kNone;
  float log_offset = 1e-6f;
  float noise_floor_db = -1000.0f;  // kDecibel only
  bool normalize_noise_floor = false;
  Arithmetic arithmetic = Arithmetic::kFloat;
  uint32_t fixed_frac_bits = 7;

  static SpectrogramConfig defaults() { return SpectrogramConfig(); }
  SpectralParams params() const;
};

class Spectrogram : public SpectralBlock {
 public:
  static size_t state_bytes(const SpectrogramConfig& config);
  Status init(const SpectrogramConfig& config, uint8_t* memory, size_t bytes);
  static size_t clip_frames(const SpectrogramConfig& c, size_t samples) {
    return frames_in(samples, c.frame_length, c.frame_step);
  }
  using SpectralBlock::frames_in;
};

}  // namespace dsp
}  // namespace locus

#endif  // LOCUS_RUNTIME_DSP_SPECTRAL_SPECTROGRAM_H_
