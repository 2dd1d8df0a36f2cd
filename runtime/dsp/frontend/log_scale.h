// Fixed-point natural log of each channel, scaled to uint16 (TFLM
// log_scale.c): log2 by leading-bit position plus a 128-segment
// linear-interpolated correction table, times ln 2, times 2^scale_shift.
#ifndef LOCUS_RUNTIME_DSP_FRONTEND_LOG_SCALE_H_
#define LOCUS_RUNTIME_DSP_FRONTEND_LOG_SCALE_H_

#include <stdint.h>

namespace locus {
namespace dsp {
namespace frontend {

constexpr int kLogScaleLog2 = 16;
constexpr int kLogSegmentsLog2 = 7;
constexpr uint32_t kLogCoeff = 45426;  // round(ln 2 * 2^16)

// ((ln(x) * 2^16) << scale_shift) >> 16, rounded, for x >= 2.
uint32_t log_scaled(uint32_t x, int scale_shift);

// out[i] = min(65535, log(signal[i] << correction_bits)) (0 for inputs <= 1)
// when enable_log; min(65535, signal[i]) otherwise. Negative correction_bits
// shift right.
void log_scale_apply(const uint32_t* signal, int32_t channels, bool enable_log, int scale_shift,
                     int correction_bits, uint16_t* out);

}  // namespace frontend
}  // namespace dsp
}  // namespace locus

#endif  // LOCUS_RUNTIME_DSP_FRONTEND_LOG_SCALE_H_
