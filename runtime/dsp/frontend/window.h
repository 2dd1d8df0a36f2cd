// Analysis window of the audio front end: Hann with a half-sample offset,
// w[i] = 0.5 - 0.5 cos(2 pi (i + 0.5) / N), in Q12 (TFLM window_util.c).
#ifndef LOCUS_RUNTIME_DSP_FRONTEND_WINDOW_H_
#define LOCUS_RUNTIME_DSP_FRONTEND_WINDOW_H_

#include <stdint.h>

#include "runtime/dsp/frontend/frontend_math.h"

namespace locus {
namespace dsp {
namespace frontend {

constexpr int kWindowBits = 12;

// Fills `coefficients` (size entries, size >= 1).
void build_window(int32_t size, TableArithmetic arithmetic, int16_t* coefficients);

// out[i] = (in[i] * coefficients[i]) >> 12. Returns the largest |out[i]|
// computed in int16 as TFLM does (so an output of -32768 does not count).
int16_t apply_window(const int16_t* in, const int16_t* coefficients, int32_t size, int16_t* out);

}  // namespace frontend
}  // namespace dsp
}  // namespace locus

#endif  // LOCUS_RUNTIME_DSP_FRONTEND_WINDOW_H_
