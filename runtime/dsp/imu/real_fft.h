// A small in-place real FFT (radix-2, via a complex FFT of half the length)
// for the IMU block. Twiddles are computed at init, in double with the
// deterministic sin/cos of imu_math.h, and rounded to float once, so the
// table is bit-identical on every target.
#ifndef LOCUS_RUNTIME_DSP_IMU_REAL_FFT_H_
#define LOCUS_RUNTIME_DSP_IMU_REAL_FFT_H_

#include <stddef.h>
#include <stdint.h>

namespace locus::dsp::imu_internal {

class RealFft {
 public:
  static constexpr int32_t kMinLength = 8;
  static constexpr int32_t kMaxLength = 4096;

  static bool valid_length(int32_t n) {
    return n >= kMinLength && n <= kMaxLength && (n & (n - 1)) == 0;
  }
  // Floats of twiddle table that init() fills (n: cos and sin of 2*pi*k/n
  // for k in [0, n/2)).
  static size_t table_floats(int32_t n) { return static_cast<size_t>(n); }

  // `n` must be valid_length(); `table` must hold table_floats(n) floats and
  // outlive this object.
  void init(int32_t n, float* table);
  int32_t length() const { return n_; }

  // Transforms n real samples in place. Output packing:
  //   data[0] = Re X[0], data[1] = Re X[n/2] (both are real),
  //   data[2k], data[2k+1] = Re X[k], Im X[k] for 0 < k < n/2,
  // where X[k] = sum_j x[j] * exp(-2*pi*i*j*k/n).
  void forward(float* data) const;

 private:
  int32_t n_ = 0;
  const float* table_ = nullptr;  // (cos, sin) pairs
};

}  // namespace locus::dsp::imu_internal

#endif  // LOCUS_RUNTIME_DSP_IMU_REAL_FFT_H_
