// The three public blocks: each maps its config onto the shared engine.
#include "runtime/dsp/spectral/mfcc.h"
#include "runtime/dsp/spectral/mfe.h"
#include "runtime/dsp/spectral/spectrogram.h"

namespace locus {
namespace dsp {

namespace {

// The fields every spectral config shares, under the same names.
template <typename Config>
SpectralParams common_params(const Config& c) {
  SpectralParams p;
  p.sample_rate = c.sample_rate;
  p.frame_length = c.frame_length;
  p.frame_step = c.frame_step;
  p.fft_length = c.fft_length;
  p.window = c.window;
  p.spectrum = c.spectrum;
  p.log = c.log;
  p.log_offset = c.log_offset;
  p.arithmetic = c.arithmetic;
  p.fixed_frac_bits = c.fixed_frac_bits;
  return p;
}

}  // namespace

SpectralParams SpectrogramConfig::params() const {
  SpectralParams p = common_params(*this);
  p.noise_floor_db = noise_floor_db;
  p.normalize_noise_floor = normalize_noise_floor;
  return p;
}

size_t Spectrogram::state_bytes(const SpectrogramConfig& c) { return params_state_bytes(c.params()); }
Status Spectrogram::init(const SpectrogramConfig& c, uint8_t* memory, size_t bytes) {
  return init_params(c.params(), memory, bytes, "Spectrogram");
}

SpectralParams MfeConfig::params() const {
  SpectralParams p = common_params(*this);
  p.mel_bands = mel_bands;
  p.lower_hz = lower_hz;
  p.upper_hz = upper_hz;
  p.noise_floor_db = noise_floor_db;
  p.normalize_noise_floor = normalize_noise_floor;
  return p;
}

size_t Mfe::state_bytes(const MfeConfig& c) {
  return c.mel_bands == 0 ? 0 : params_state_bytes(c.params());
}
Status Mfe::init(const MfeConfig& c, uint8_t* memory, size_t bytes) {
  if (c.mel_bands == 0) return Status::error(StatusCode::kInvalidArgument, "Mfe config: mel_bands must be > 0");
  return init_params(c.params(), memory, bytes, "Mfe");
}

SpectralParams MfccConfig::params() const {
  SpectralParams p = common_params(*this);
  p.mel_bands = mel_bands;
  p.lower_hz = lower_hz;
  p.upper_hz = upper_hz;
  p.dct_coefficients = coefficients;
  return p;
}

size_t Mfcc::state_bytes(const MfccConfig& c) {
  return (c.mel_bands == 0 || c.coefficients == 0 || c.log == LogScale::kNone)
             ? 0 : params_state_bytes(c.params());
}
Status Mfcc::init(const MfccConfig& c, uint8_t* memory, size_t bytes) {
  if (c.mel_bands == 0) return Status::error(StatusCode::kInvalidArgument, "Mfcc config: mel_bands must be > 0");
  if (c.coefficients == 0) {
    return Status::error(StatusCode::kInvalidArgument, "Mfcc config: coefficients must be > 0");
  }
  if (c.log == LogScale::kNone) {
    return Status::error(StatusCode::kInvalidArgument, "Mfcc config: needs a log scale");
  }
  return init_params(c.params(), memory, bytes, "Mfcc");
}

}  // namespace dsp
}  // namespace locus
