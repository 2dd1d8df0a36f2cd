// Per-channel automatic normalisation, PCAN (TFLM pcan_gain_control.c):
// each channel is multiplied by a gain g(noise estimate) =
// 2^gain_bits * (estimate / 2^input_bits + offset)^-strength, read from a
// piecewise-quadratic table with one segment per octave, then compressed
// by a soft "shrink" curve.
#ifndef LOCUS_RUNTIME_DSP_FRONTEND_PCAN_H_
#define LOCUS_RUNTIME_DSP_FRONTEND_PCAN_H_

#include <stdint.h>

namespace locus {
namespace dsp {
namespace frontend {

constexpr int kPcanSnrBits = 12;
constexpr int kPcanOutputBits = 6;
constexpr int kWideDynamicFunctionBits = 32;
constexpr int kWideDynamicFunctionLutSize = 4 * kWideDynamicFunctionBits - 3;  // 125

struct PcanParams {
  float strength = 0.95f;
  float offset = 80.0f;
  int32_t gain_bits = 21;
};

// Fills lut (kWideDynamicFunctionLutSize entries): x = 0 and 1 at [0], [1];
// octave i = 2..32 at [4i-6] (value at 2^(i-1)), [4i-5], [4i-4] (quadratic
// coefficients from the values at 1, 1.5 and 2 times the octave start).
void build_pcan_lut(const PcanParams& p, int32_t input_bits, int16_t* lut);

// Evaluates the table at x (TFLM's WideDynamicFunction).
int16_t pcan_gain(uint32_t x, const int16_t* lut);

// Soft compression of the Q12 signal-to-noise ratio to Q6.
uint32_t pcan_shrink(uint32_t snr);

// signal[i] = shrink((signal[i] * gain(noise_estimate[i])) >> snr_shift).
void pcan_apply(const int16_t* lut, int32_t snr_shift, int32_t channels,
                const uint32_t* noise_estimate, uint32_t* signal);

}  // namespace frontend
}  // namespace dsp
}  // namespace locus

#endif  // LOCUS_RUNTIME_DSP_FRONTEND_PCAN_H_
