// Deterministic maths for the spectral blocks.
//
// Tables (windows, twiddles, mel weights, DCT) must come out bit-identical on
// x86, WebAssembly and Cortex-M, whose libms differ in the last ulp. So the
// table-building functions here use only IEEE +, -, *, / (correctly rounded
// everywhere; the runtime is built with -ffp-contract=off) in double and the
// caller rounds the result to float or to an integer format once.
// log_f32() is the per-frame natural log of the float path, written the same
// way so that features, not just tables, are identical on every target.
#ifndef LOCUS_RUNTIME_DSP_SPECTRAL_SPECTRAL_MATH_H_
#define LOCUS_RUNTIME_DSP_SPECTRAL_SPECTRAL_MATH_H_

#include <stddef.h>
#include <stdint.h>

namespace locus {
namespace dsp {
namespace spectral_math {

// cos(2*pi*num/den) and sin(2*pi*num/den), den > 0; the angle is reduced
// exactly in integers, then a Taylor series on [0, pi/4]. Error < 2e-16.
double cos_turns(int64_t num, int64_t den);
double sin_turns(int64_t num, int64_t den);

// Natural log for x > 0 (returns -1e300 for x <= 0). Error < 4e-16 relative.
double log_double(double x);

// Square root for x >= 0 by Newton's method (deterministic, within 1 ulp).
double sqrt_double(double x);

// Natural log in float arithmetic, within ~2 ulp of the true value; x <= 0
// gives -inf (x < 0 is not reachable from the blocks: inputs are sums of
// non-negative terms plus a non-negative offset).
float log_f32(float x);

// Round half away from zero to int64 (|x| < 2^62).
int64_t round_to_int64(double x);

// floor(sqrt(x)) for a 64-bit integer (bit-by-bit, 32 steps).
uint32_t isqrt64(uint64_t x);

// log2(x) in Q16 for x > 0, using a 129-entry table of log2(1 + i/128) in Q30
// (built by fill_log2_table) with linear interpolation: error < 2e-5.
constexpr size_t kLog2TableSize = 129;
void fill_log2_table(uint32_t* table);
int32_t log2_q16(uint64_t x, const uint32_t* table);

}  // namespace spectral_math
}  // namespace dsp
}  // namespace locus

#endif  // LOCUS_RUNTIME_DSP_SPECTRAL_SPECTRAL_MATH_H_
