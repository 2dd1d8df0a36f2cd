#include "runtime/dsp/frontend/noise_reduction.h"

namespace locus {
namespace dsp {
namespace frontend {

void noise_reduction_apply(const NoiseReductionParams& p, int32_t channels, uint32_t* estimate,
                           uint32_t* signal) {
  const int shift = p.smoothing_bits;
  for (int32_t i = 0; i < channels; ++i) {
    const uint32_t smoothing = (i & 1) == 0 ? p.even_smoothing : p.odd_smoothing;
    const uint32_t keep = (1u << kNoiseReductionBits) - smoothing;
    const uint32_t scaled = signal[i] << shift;  // wraps as in TFLM
    uint32_t e = static_cast<uint32_t>(
        (static_cast<uint64_t>(scaled) * smoothing + static_cast<uint64_t>(estimate[i]) * keep) >>
        kNoiseReductionBits);
    estimate[i] = e;
    if (e > scaled) e = scaled;  // never subtract more than the signal
    const uint32_t floor = static_cast<uint32_t>(
        (static_cast<uint64_t>(signal[i]) * p.min_signal_remaining) >> kNoiseReductionBits);
    const uint32_t subtracted = (scaled - e) >> shift;
    signal[i] = subtracted > floor ? subtracted : floor;
  }
}

}  // namespace frontend
}  // namespace dsp
}  // namespace locus
