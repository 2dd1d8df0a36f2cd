#include "runtime/dsp/frontend/log_scale.h"

#include "runtime/dsp/frontend/frontend_math.h"

namespace locus {
namespace dsp {
namespace frontend {
namespace {

// round(2^16 * (log2(1 + k/128) - k/128)) for k = 0..128, plus a padding 0:
// the gap between log2 and the straight line through its ends (TFLM's
// kLogLut holds the same numbers; the test recomputes them).
constexpr uint16_t kLogCorrection[130] = {
    0,    224,  442,  654,  861,  1063, 1259, 1450, 1636, 1817, 1992, 2163, 2329, 2490, 2646,
    2797, 2944, 3087, 3224, 3358, 3487, 3611, 3732, 3848, 3960, 4068, 4172, 4272, 4368, 4460,
    4549, 4633, 4714, 4791, 4864, 4934, 5001, 5063, 5123, 5178, 5231, 5280, 5326, 5368, 5408,
    5444, 5477, 5507, 5533, 5557, 5578, 5595, 5610, 5622, 5631, 5637, 5640, 5641, 5638, 5633,
    5626, 5615, 5602, 5586, 5568, 5547, 5524, 5498, 5470, 5439, 5406, 5370, 5332, 5291, 5249,
    5203, 5156, 5106, 5054, 5000, 4944, 4885, 4825, 4762, 4697, 4630, 4561, 4490, 4416, 4341,
    4264, 4184, 4103, 4020, 3935, 3848, 3759, 3668, 3575, 3481, 3384, 3286, 3186, 3084, 2981,
    2875, 2768, 2659, 2549, 2437, 2323, 2207, 2090, 1971, 1851, 1729, 1605, 1480, 1353, 1224,
    1094, 963,  830,  695,  559,  421,  282,  142,  0,    0};

// Fractional part of log2(x) in Q16, given integer part log2x.
uint32_t log2_fraction(uint32_t x, uint32_t log2x) {
  int32_t frac = static_cast<int32_t>(static_cast<int64_t>(x) - (int64_t{1} << log2x));
  if (log2x < kLogScaleLog2) {
    frac = static_cast<int32_t>(static_cast<uint32_t>(frac) << (kLogScaleLog2 - log2x));
  } else {
    frac >>= log2x - kLogScaleLog2;
  }
  const uint32_t segment = static_cast<uint32_t>(frac) >> (kLogScaleLog2 - kLogSegmentsLog2);
  const int32_t c0 = kLogCorrection[segment];
  const int32_t c1 = kLogCorrection[segment + 1];
  const int32_t segment_base = static_cast<int32_t>(segment << (kLogScaleLog2 - kLogSegmentsLog2));
  const int32_t rel = ((c1 - c0) * (frac - segment_base)) >> kLogScaleLog2;
  return static_cast<uint32_t>(frac + c0 + rel);
}

}  // namespace

uint32_t log_scaled(uint32_t x, int scale_shift) {
  const uint32_t integer = static_cast<uint32_t>(most_significant_bit32(x) - 1);
  const uint32_t log2 = (integer << kLogScaleLog2) + log2_fraction(x, integer);
  const uint32_t round = 1u << (kLogScaleLog2 - 1);
  const uint32_t loge = static_cast<uint32_t>((uint64_t{kLogCoeff} * log2 + round) >> kLogScaleLog2);
  return ((loge << scale_shift) + round) >> kLogScaleLog2;
}

void log_scale_apply(const uint32_t* signal, int32_t channels, bool enable_log, int scale_shift,
                     int correction_bits, uint16_t* out) {
  for (int32_t i = 0; i < channels; ++i) {
    uint32_t v = signal[i];
    if (enable_log) {
      v = correction_bits < 0 ? v >> -correction_bits : v << correction_bits;
      v = v > 1 ? log_scaled(v, scale_shift) : 0;
    }
    out[i] = static_cast<uint16_t>(v < 0xFFFFu ? v : 0xFFFFu);
  }
}

}  // namespace frontend
}  // namespace dsp
}  // namespace locus
