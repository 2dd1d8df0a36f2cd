// Deterministic scalar math for building the audio front end's tables.
//
// TFLM builds its window, mel and PCAN tables with the C library (cosf,
// log1pf, powf, and cos/sin/log1p in double for KISS FFT and the pre-2023
// tables). Libraries differ in the last bit, and a last-bit difference can
// move a quantised table entry by one step. So the front end never calls the
// C library: these functions use only IEEE + - * / (the runtime is built with
// -ffp-contract=off), which give the same bits on x86-64, WebAssembly and
// Cortex-M (where double is done in software, still IEEE).
//
// Which bits they reproduce:
//  - log1p_float: the fdlibm float algorithm that glibc's log1pf uses, step by
//    step, so mel tables equal TFLM's on glibc (its results are not correctly
//    rounded, and mel weights are sensitive to that).
//  - cos_float, pow_float: correctly rounded in practice (double evaluation,
//    one final rounding). glibc's cosf/powf agree on every table we checked
//    (windows up to 2378 samples; PCAN LUTs over a sweep of parameters).
//  - cos_double, sin_double, log1p_double: within about 1 ulp of glibc's
//    (nearly always equal); their results are rounded to 16-bit or float
//    before use, which hides such differences.
#ifndef LOCUS_RUNTIME_DSP_FRONTEND_FRONTEND_MATH_H_
#define LOCUS_RUNTIME_DSP_FRONTEND_FRONTEND_MATH_H_

#include <stdint.h>

namespace locus {
namespace dsp {
namespace frontend {

// Which floating-point recipe builds the window and mel tables. TFLM changed
// it in October 2023 (tflite-micro 6d337dc9f): before, double intermediates
// (cos, log1p, floor in double); since, float throughout (cosf, log1pf,
// floorf). A few table entries differ by one step between the two.
enum class TableArithmetic : uint8_t {
  kFloat = 0,         // current TFLM (default)
  kLegacyDouble = 1,  // TFLM before October 2023
};

// pi as the nearest double (what M_PI and KISS FFT's literals round to).
constexpr double kPi = 3.14159265358979323846;

double cos_double(double x);  // |x| <= 64
double sin_double(double x);  // |x| <= 64
double log_double(double x);  // x > 0, finite
double exp_double(double x);
double log1p_double(double x);  // x >= 0

float cos_float(float x);            // |x| <= 64
float log1p_float(float x);          // x >= 0 (fdlibm / glibc bits)
float pow_float(float base, float exponent);  // base >= 0

// Floors of float/double values as TFLM's floorf/floor, for the ranges the
// tables use (|x| < 2^31).
float floor_float(float x);
double floor_double(double x);

// 32 - count of leading zeros; 0 for 0 (TFLM's MostSignificantBit32/64).
inline int most_significant_bit32(uint32_t n) { return n == 0 ? 0 : 32 - __builtin_clz(n); }
inline int most_significant_bit64(uint64_t n) { return n == 0 ? 0 : 64 - __builtin_clzll(n); }

}  // namespace frontend
}  // namespace dsp
}  // namespace locus

#endif  // LOCUS_RUNTIME_DSP_FRONTEND_FRONTEND_MATH_H_
