// Butterworth low-pass and high-pass filters as cascaded biquads.
//
// Design: the analog Butterworth prototype of order N, mapped with the
// bilinear transform with the cutoff pre-warped, K = tan(pi * fc / fs), so
// the digital magnitude response is exactly
//     |H(f)|^2 = 1 / (1 + (tan(pi f / fs) / K)^(2N))          (low-pass)
//     |H(f)|^2 = 1 / (1 + (K / tan(pi f / fs))^(2N))          (high-pass)
// (-3.01 dB at fc). Pole pairs k = 0..N/2-1 give second-order sections with
// Q_k = 1 / (2 sin((2k+1) pi / (2N))); an odd order adds one first-order
// section (stored as a biquad with b2 = a2 = 0) at the end. Coefficients are
// computed in double with the deterministic trigonometry of imu_math.h and
// rounded to float once, so they are bit-identical on every target.
#ifndef LOCUS_RUNTIME_DSP_IMU_BUTTERWORTH_H_
#define LOCUS_RUNTIME_DSP_IMU_BUTTERWORTH_H_

#include <stdint.h>

namespace locus::dsp {

enum class ImuFilterType : uint8_t {
  kNone = 0,
  kLowPass = 1,
  kHighPass = 2,
};

// y[n] = b0 x[n] + b1 x[n-1] + b2 x[n-2] - a1 y[n-1] - a2 y[n-2]
struct Biquad {
  float b0, b1, b2, a1, a2;
};

constexpr int32_t kButterworthMaxOrder = 8;

// Sections for an order: (order + 1) / 2.
inline int32_t butterworth_sections(int32_t order) { return (order + 1) / 2; }

// Fills butterworth_sections(order) biquads. The caller validates:
// type is low- or high-pass, 1 <= order <= 8, 0 < cutoff_hz < sample_rate_hz / 2.
void design_butterworth(ImuFilterType type, int32_t order, float cutoff_hz,
                        float sample_rate_hz, Biquad* sections);

// Filters `count` samples in place through every section in turn
// (transposed direct form II, float, zero initial state).
void run_biquads(const Biquad* sections, int32_t section_count, float* samples,
                 int32_t count);

}  // namespace locus::dsp

#endif  // LOCUS_RUNTIME_DSP_IMU_BUTTERWORTH_H_
