#include "runtime/dsp/frontend/pcan.h"

#include "runtime/dsp/frontend/frontend_math.h"

namespace locus {
namespace dsp {
namespace frontend {
namespace {

// The gain curve in float, exactly as TFLM's PcanGainLookupFunction writes
// it: float x / 2^input_bits, powf, float scale, saturate, round by +0.5.
int16_t gain_at(const PcanParams& p, int32_t input_bits, uint32_t x) {
  const float xf = static_cast<float>(x) / static_cast<float>(1u << input_bits);
  const float gain =
      static_cast<float>(1u << p.gain_bits) * pow_float(xf + p.offset, -p.strength);
  if (gain > 32767.0f) return 32767;
  return static_cast<int16_t>(gain + 0.5f);
}

}  // namespace

void build_pcan_lut(const PcanParams& p, int32_t input_bits, int16_t* lut) {
  lut[0] = gain_at(p, input_bits, 0);
  lut[1] = gain_at(p, input_bits, 1);
  for (int interval = 2; interval <= kWideDynamicFunctionBits; ++interval) {
    const uint32_t x0 = 1u << (interval - 1);
    const uint32_t x1 = x0 + (x0 >> 1);
    // The last octave ends at 2^32 - 1, the largest uint32.
    const uint32_t x2 = interval == kWideDynamicFunctionBits ? x0 + (x0 - 1) : 2 * x0;
    const int16_t y0 = gain_at(p, input_bits, x0);
    const int16_t y1 = gain_at(p, input_bits, x1);
    const int16_t y2 = gain_at(p, input_bits, x2);
    const int32_t d1 = y1 - y0;
    const int32_t d2 = y2 - y0;
    const int32_t a1 = 4 * d1 - d2;
    const int32_t a2 = d2 - a1;
    int16_t* seg = lut + 4 * interval - 6;
    seg[0] = y0;
    seg[1] = static_cast<int16_t>(a1);
    seg[2] = static_cast<int16_t>(a2);
  }
}

int16_t pcan_gain(uint32_t x, const int16_t* lut) {
  if (x <= 2) return lut[x];
  const int interval = most_significant_bit32(x);
  const int16_t* seg = lut + 4 * interval - 6;
  // 10-bit position inside the octave.
  const int32_t frac =
      static_cast<int32_t>((interval < 11 ? x << (11 - interval) : x >> (interval - 11)) & 0x3FF);
  int32_t r = (static_cast<int32_t>(seg[2]) * frac) >> 5;
  r += static_cast<int32_t>(static_cast<uint32_t>(seg[1]) << 5);
  r = static_cast<int32_t>(static_cast<uint32_t>(r) * static_cast<uint32_t>(frac));  // wraps as TFLM's int32
  r = static_cast<int32_t>(static_cast<uint32_t>(r) + (1u << 14)) >> 15;
  r += seg[0];
  return static_cast<int16_t>(r);
}

uint32_t pcan_shrink(uint32_t snr) {
  if (snr < (2u << kPcanSnrBits)) {
    return (snr * snr) >> (2 + 2 * kPcanSnrBits - kPcanOutputBits);
  }
  return (snr >> (kPcanSnrBits - kPcanOutputBits)) - (1u << kPcanOutputBits);
}

void pcan_apply(const int16_t* lut, int32_t snr_shift, int32_t channels,
                const uint32_t* noise_estimate, uint32_t* signal) {
  for (int32_t i = 0; i < channels; ++i) {
    // int16 gain widened as TFLM does (sign-extended into a uint32).
    const uint32_t gain = static_cast<uint32_t>(static_cast<int32_t>(pcan_gain(noise_estimate[i], lut)));
    const uint32_t snr = static_cast<uint32_t>((static_cast<uint64_t>(signal[i]) * gain) >> snr_shift);
    signal[i] = pcan_shrink(snr);
  }
}

}  // namespace frontend
}  // namespace dsp
}  // namespace locus
