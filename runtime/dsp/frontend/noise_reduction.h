// Stationary-noise subtraction per channel (TFLM noise_reduction.c): a
// first-order low-pass estimate of each channel (different smoothing for
// even and odd channels), subtracted from the signal, with a floor of
// min_signal_remaining * signal. All coefficients are Q14.
#ifndef LOCUS_RUNTIME_DSP_FRONTEND_NOISE_REDUCTION_H_
#define LOCUS_RUNTIME_DSP_FRONTEND_NOISE_REDUCTION_H_

#include <stdint.h>

namespace locus {
namespace dsp {
namespace frontend {

constexpr int kNoiseReductionBits = 14;

struct NoiseReductionParams {
  int32_t smoothing_bits = 10;
  uint16_t even_smoothing = 0;        // Q14
  uint16_t odd_smoothing = 0;         // Q14
  uint16_t min_signal_remaining = 0;  // Q14
};

// Float coefficient in [0, 1] -> Q14 as TFLM converts it (float product,
// truncated): 0.025 -> 409, 0.06 -> 983, 0.05 -> 819.
inline uint16_t to_q14(float coefficient) {
  return static_cast<uint16_t>(coefficient * static_cast<float>(1 << kNoiseReductionBits));
}

// Updates estimate[] (channels entries) and replaces signal[] by the
// noise-reduced values.
void noise_reduction_apply(const NoiseReductionParams& p, int32_t channels, uint32_t* estimate,
                           uint32_t* signal);

}  // namespace frontend
}  // namespace dsp
}  // namespace locus

#endif  // LOCUS_RUNTIME_DSP_FRONTEND_NOISE_REDUCTION_H_
