// Deterministic elementary functions for the IMU block's set-up and
// features. They use only IEEE-754 +, -, *, / and comparisons (no libm), so
// with -ffp-contract=off they give bit-identical results on x86, Cortex-M4
// (soft double / single-precision FPU) and WebAssembly.
#ifndef LOCUS_RUNTIME_DSP_IMU_IMU_MATH_H_
#define LOCUS_RUNTIME_DSP_IMU_IMU_MATH_H_

#include <stdint.h>

namespace locus::dsp::imu_internal {

constexpr double kPi = 3.14159265358979323846;

// sin and cos of 2*pi*k/n, for 0 <= k and 0 < n (k is reduced modulo n).
// Octant reduction is done in integers, so the result is accurate to about
// one double ulp for every k/n.
void sin_cos_turns(uint32_t k, uint32_t n, double* sin_out, double* cos_out);

// sin and cos of x for 0 <= x <= pi/2 (Taylor series after reflection).
void sin_cos_quadrant(double x, double* sin_out, double* cos_out);

// Natural logarithm and log10 of a positive, finite float, computed in float
// (exponent split plus an atanh series); accurate to a few float ulps.
// Returns -inf-free results: the caller floors its input first.
float log_float(float x);
float log10_float(float x);

// sqrt is correctly rounded by IEEE-754 on every target; this wrapper
// avoids pulling a libm symbol with errno handling on embedded C libraries.
float sqrt_float(float x);

}  // namespace locus::dsp::imu_internal

#endif  // LOCUS_RUNTIME_DSP_IMU_IMU_MATH_H_
