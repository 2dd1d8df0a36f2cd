// 16-bit fixed-point real FFT, bit-exact with KISS FFT v130 built with
// FIXED_POINT=16 (what TFLM's microfrontend uses): a mixed-radix complex FFT
// of fft_size/2 points (radix 4 stages, one radix 2 stage when log2 is odd),
// every butterfly pre-scaling its inputs by 1/radix, Q15 twiddles, then the
// real-signal split step. Output bin k is about X[k] / fft_size.
//
// Tables live in caller memory; the transform allocates nothing.
#ifndef LOCUS_RUNTIME_DSP_FRONTEND_FFT_INT16_H_
#define LOCUS_RUNTIME_DSP_FRONTEND_FFT_INT16_H_

#include <stddef.h>
#include <stdint.h>

namespace locus {
namespace dsp {
namespace frontend {

struct Complex16 {
  int16_t re;
  int16_t im;
};

constexpr int32_t kFftMinSize = 8;
constexpr int32_t kFftMaxSize = 8192;
constexpr int kFftMaxStages = 8;  // log4(8192 / 2) rounded up

class FftInt16 {
 public:
  // Twiddle table entries for a real FFT of `fft_size` points (power of two
  // in [kFftMinSize, kFftMaxSize]): complex twiddles, then the split's.
  static int32_t twiddle_count(int32_t fft_size);

  // Builds the tables into `twiddles` (twiddle_count entries). Returns false
  // if fft_size is not a supported power of two.
  bool init(int32_t fft_size, Complex16* twiddles);

  int32_t fft_size() const { return fft_size_; }

  // in: fft_size samples. out: fft_size/2 + 1 bins (imag of bins 0 and
  // fft_size/2 is 0). `in` and `out` must not overlap.
  void real_forward(const int16_t* in, Complex16* out) const;

 private:
  void complex_forward(const int16_t* in, Complex16* out) const;

  int32_t fft_size_ = 0;
  int32_t n_ = 0;  // complex points = fft_size / 2
  int num_stages_ = 0;
  uint8_t radix_[kFftMaxStages] = {};   // top-level stage first, as KISS factors
  int32_t stride_[kFftMaxStages] = {};  // twiddle stride of each stage
  int32_t span_[kFftMaxStages] = {};    // m: sub-transform length of each stage
  const Complex16* twiddles_ = nullptr;
  const Complex16* split_twiddles_ = nullptr;
};

}  // namespace frontend
}  // namespace dsp
}  // namespace locus

#endif  // LOCUS_RUNTIME_DSP_FRONTEND_FFT_INT16_H_
