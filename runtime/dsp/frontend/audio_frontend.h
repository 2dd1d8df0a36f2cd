// The audio front end: 16-bit PCM in, one row of uint16 log-mel features
// per frame out, bit-exact with TensorFlow Lite Micro's "microfrontend"
// (tensorflow/lite/experimental/microfrontend): window -> 16-bit FFT ->
// energy -> mel filterbank -> sqrt -> noise reduction -> PCAN -> log.
//
// The caller owns all memory: ask state_bytes(), pass that much to init().
// init() builds the tables there (window, FFT twiddles, mel weights, PCAN
// table) with deterministic arithmetic, so every target gets the same bits.
// process() is streaming: state carries across calls, as on a device;
// reset() gives the fresh state that training uses for each clip.
#ifndef LOCUS_RUNTIME_DSP_FRONTEND_AUDIO_FRONTEND_H_
#define LOCUS_RUNTIME_DSP_FRONTEND_AUDIO_FRONTEND_H_

#include <stddef.h>
#include <stdint.h>

#include "runtime/dsp/frontend/fft_int16.h"
#include "runtime/dsp/frontend/filterbank.h"
#include "runtime/dsp/frontend/frontend_math.h"
#include "runtime/dsp/frontend/noise_reduction.h"
#include "runtime/status.h"

namespace locus {
namespace dsp {

// Bump when any output bit can change; keep older versions selectable.
//   1: TFLM microfrontend as of tflite-micro 90b983c2 (2026).
constexpr uint32_t kAudioFrontendImplementationVersion = 1;

struct AudioFrontendConfig {
  uint32_t window_ms = 25;  // frame length = window_ms * sample_rate / 1000
  uint32_t step_ms = 10;    // hop = step_ms * sample_rate / 1000
  int32_t channels = 32;
  float lower_band_hz = 125.0f;
  float upper_band_hz = 7500.0f;
  // Noise reduction.
  int32_t smoothing_bits = 10;
  float even_smoothing = 0.025f;
  float odd_smoothing = 0.06f;
  float min_signal_remaining = 0.05f;
  // PCAN gain control.
  bool enable_pcan = false;
  float pcan_strength = 0.95f;
  float pcan_offset = 80.0f;
  int32_t pcan_gain_bits = 21;
  // Log scale.
  bool enable_log = true;
  int32_t log_scale_shift = 6;
  // How the window and mel tables are computed (TFLM changed it in 2023).
  frontend::TableArithmetic table_arithmetic = frontend::TableArithmetic::kFloat;

  // TFLM's library defaults (FrontendFillConfigWithDefaults).
  static AudioFrontendConfig defaults();
  // What TFLM's micro_speech model was trained with: 30 ms window, 20 ms
  // step, 40 channels, PCAN on.
  static AudioFrontendConfig micro_speech();
};

class AudioFrontend {
 public:
  // Bytes of caller memory init() needs (tables + state), or 0 if the
  // configuration is invalid (init() then says why).
  static size_t state_bytes(const AudioFrontendConfig& config, uint32_t sample_rate);

  // Validates the configuration and builds the tables in `memory` (any
  // alignment; it is aligned internally). The memory must outlive the object.
  Status init(const AudioFrontendConfig& config, uint32_t sample_rate, uint8_t* memory,
              size_t bytes);

  bool initialized() const { return fft_.fft_size() != 0; }
  int32_t frame_length() const { return frame_length_; }
  int32_t frame_step() const { return frame_step_; }
  int32_t channels() const { return channels_; }
  int32_t fft_size() const { return fft_.fft_size(); }

  // Fresh state: empty window, zero noise estimate.
  void reset();

  // Consumes up to `count` samples (stops after completing a frame). When a
  // frame completes, writes channels() values to `out` and sets *produced;
  // call again with the remaining samples. Same contract as TFLM's
  // FrontendProcessSamples.
  Status process(const int16_t* samples, size_t count, size_t* consumed, uint16_t* out,
                 bool* produced);

  // Number of frames a clip of `samples` samples gives from a fresh state:
  // 1 + (samples - frame_length) / frame_step, or 0 if shorter than a frame.
  size_t frames_for(size_t samples) const;

  // Whole clip from a fresh state (resets first): writes frames_for(count)
  // rows of channels() values to `out` (capacity in values).
  Status process_clip(const int16_t* samples, size_t count, uint16_t* out, size_t out_capacity,
                      size_t* frames);

 private:
  void compute_frame(uint16_t* out);

  int32_t frame_length_ = 0;
  int32_t frame_step_ = 0;
  int32_t channels_ = 0;
  int32_t input_used_ = 0;
  bool enable_pcan_ = false;
  bool enable_log_ = true;
  int32_t log_scale_shift_ = 0;
  int32_t correction_bits_ = 0;  // log2(fft_size) - 1 - kFilterbankBits / 2
  int32_t pcan_snr_shift_ = 0;
  frontend::NoiseReductionParams noise_;
  frontend::FftInt16 fft_;
  frontend::FilterbankTables filterbank_;
  const int16_t* window_ = nullptr;  // frame_length Q12 coefficients
  const int16_t* pcan_lut_ = nullptr;
  int16_t* input_ = nullptr;         // frame_length samples waiting
  int16_t* fft_input_ = nullptr;     // fft_size: windowed, scaled, zero-padded
  frontend::Complex16* spectrum_ = nullptr;  // fft_size / 2 + 1
  uint32_t* signal_ = nullptr;       // channels
  uint32_t* noise_estimate_ = nullptr;  // channels
};

// micro_speech's int8 model input from uint16 features:
// v = (f * 256 + 333) / 666 - 128, clamped to [-128, 127] (the training
// pipeline's /25.6 and int8 quantisation, in integers).
void frontend_to_int8_micro_speech(const uint16_t* features, int32_t count, int8_t* out);

}  // namespace dsp
}  // namespace locus

#endif  // LOCUS_RUNTIME_DSP_FRONTEND_AUDIO_FRONTEND_H_
