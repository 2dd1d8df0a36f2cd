// Real-input FFTs of power-of-two length n, with every table in caller memory.
//
// Method (float and fixed point alike): the n real samples are read as n/2
// complex ones, transformed by an in-place decimation-in-time complex FFT of
// n/2 points, and split into the n/2 + 1 bins of the real spectrum.
//
// RealFft (float): radix-2^2 passes (two radix-2 stages per pass over memory,
// plus one radix-2 pass when log2(n/2) is odd). The arithmetic is the same as
// plain radix-2 (same operations, same order per value); with
// -ffp-contract=off they are identical on every target. Error vs a direct
// DFT in double: ~1e-7 * sqrt(sum x^2) * log2(n) (see fft_test.cc).
//
// FixedRealFft<T> (T = int16_t: Q15, T = int32_t: Q31): radix-2, every stage
// halves its outputs (rounded), so the result is X[k] / n and never
// overflows: output magnitudes cannot exceed the input's largest magnitude.
// Products are formed in 64 bits. Measured error of X/n against a direct
// DFT in double, uniform noise at 0.9 full scale (n = 64..4096): Q31 worst
// bin -177 dBFS, rms -188 dBFS; Q15 worst -80 dBFS, rms -92 dBFS (a full-scale
// tone's bin is -6 dBFS); fft_test.cc asserts the bounds. Integer-only, hence
// bit-identical on every target.
#ifndef LOCUS_RUNTIME_DSP_SPECTRAL_FFT_H_
#define LOCUS_RUNTIME_DSP_SPECTRAL_FFT_H_

#include <stddef.h>
#include <stdint.h>

#include "runtime/status.h"

namespace locus {
namespace dsp {

constexpr uint32_t kFftMinLength = 8;
constexpr uint32_t kFftMaxLength = 65536;  // bit-reversal indices are uint16

// True for powers of two in [kFftMinLength, kFftMaxLength].
bool is_valid_fft_length(uint32_t n);

class RealFft {
 public:
  static size_t table_bytes(uint32_t n);  // 0 when n is invalid
  // Builds the twiddle and bit-reversal tables in `memory` (any alignment).
  Status init(uint32_t n, uint8_t* memory, size_t bytes);
  uint32_t length() const { return n_; }

  // data: n + 2 floats; on entry the first n hold the real input, on return
  // data[2k], data[2k+1] = Re, Im of X[k] = sum_t x[t] e^{-2 pi i k t / n},
  // k = 0..n/2 (unnormalised, like numpy.fft.rfft / tf.signal.rfft).
  void forward(float* data) const;

 private:
  uint32_t n_ = 0;
  const float* twiddle_ = nullptr;  // e^{-2 pi i j/(n/2)}, j < n/4 (re, im)
  const float* split_ = nullptr;    // e^{-2 pi i k/n}, k <= n/4 (re, im)
  const uint16_t* bitrev_ = nullptr;
};

template <typename T>
class FixedRealFft {
 public:
  static size_t table_bytes(uint32_t n);
  Status init(uint32_t n, uint8_t* memory, size_t bytes);
  uint32_t length() const { return n_; }

  // data: n + 2 values; input n real samples (full scale = 1.0), output
  // X[k] / n interleaved (re, im), k = 0..n/2, saturated to T's range.
  void forward(T* data) const;

 private:
  uint32_t n_ = 0;
  const T* twiddle_ = nullptr;
  const T* split_ = nullptr;
  const uint16_t* bitrev_ = nullptr;
};

using RealFftQ15 = FixedRealFft<int16_t>;
using RealFftQ31 = FixedRealFft<int32_t>;

extern template class FixedRealFft<int16_t>;
extern template class FixedRealFft<int32_t>;

}  // namespace dsp
}  // namespace locus

#endif  // LOCUS_RUNTIME_DSP_SPECTRAL_FFT_H_
