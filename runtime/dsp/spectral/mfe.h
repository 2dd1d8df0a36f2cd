// MFE block: log mel-filterbank energies (tf.signal.linear_to_mel_weight_matrix
// triangles), natural log or decibels with an Edge-Impulse-style noise floor.
#ifndef LOCUS_RUNTIME_DSP_SPECTRAL_MFE_H_
#define LOCUS_RUNTIME_DSP_SPECTRAL_MFE_H_

#include "runtime/dsp/spectral/spectral_block.h"

namespace locus {
namespace dsp {

constexpr uint32_t kMfeImplementationVersion = 1;

struct MfeConfig {
  uint32_t sample_rate = 16000;
  uint32_t frame_length = 320;  // 20 ms
  uint32_t frame_step = 160;    // 10 ms
  uint32_t fft_length = 512;
  Window window = Window::kHannPeriodic;
  SpectrumType spectrum = SpectrumType::kPower;
  uint32_t mel_bands = 40;
  float lower_hz = 300.0f;
  float upper_hz = 8000.0f;
  LogScale log = LogScale::kDecibel;
  float log_offset = 1e-10f;
  float noise_floor_db = -52.0f;
  bool normalize_noise_floor = false;
  Arithmetic arithmetic = Arithmetic::kFloat;
  uint32_t fixed_frac_bits = 7;

  static MfeConfig defaults() { return MfeConfig(); }
  SpectralParams params() const;
};

class Mfe : public SpectralBlock {
 public:
  static size_t state_bytes(const MfeConfig& config);
  Status init(const MfeConfig& config, uint8_t* memory, size_t bytes);
  static size_t clip_frames(const MfeConfig& c, size_t samples) {
    return frames_in(samples, c.frame_length, c.frame_step);
  }
  using SpectralBlock::frames_in;
};

}  // namespace dsp
}  // namespace locus

#endif  // LOCUS_RUNTIME_DSP_SPECTRAL_MFE_H_
