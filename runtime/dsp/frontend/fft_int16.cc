// Bit-exact reimplementation of KISS FFT v130's FIXED_POINT=16 arithmetic
// (see fft_int16.h). The recursion of KISS is unrolled into butterfly passes
// from the innermost stage outwards (the innermost one gathering the input
// in digit-reversed order); every
// butterfly does the same integer operations in the same order, including
// each truncation to int16, so results are identical.
#include "runtime/dsp/frontend/fft_int16.h"

#include "runtime/dsp/frontend/frontend_math.h"

namespace locus {
namespace dsp {
namespace frontend {
namespace {

// Q15 products are summed in 32 bits; the sums are done modulo 2^32 (as the
// C code does in practice) without signed-overflow undefined behaviour.
inline int32_t wrap_add(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}
inline int32_t wrap_sub(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) - static_cast<uint32_t>(b));
}
// Round a Q30 product sum back to Q15: (x + 2^14) >> 15, then to int16.
inline int16_t round_q15(int32_t x) { return static_cast<int16_t>(wrap_add(x, 1 << 14) >> 15); }
inline int16_t to16(int32_t x) { return static_cast<int16_t>(x); }

// x * (32767 / radix) rounded: KISS's per-butterfly scaling (C_FIXDIV).
inline Complex16 scale_down(Complex16 c, int32_t factor) {
  return {round_q15(c.re * factor), round_q15(c.im * factor)};
}

inline Complex16 multiply(Complex16 a, Complex16 t) {
  return {round_q15(wrap_sub(a.re * t.re, a.im * t.im)),
          round_q15(wrap_add(a.re * t.im, a.im * t.re))};
}

inline Complex16 add(Complex16 a, Complex16 b) { return {to16(a.re + b.re), to16(a.im + b.im)}; }
inline Complex16 sub(Complex16 a, Complex16 b) { return {to16(a.re - b.re), to16(a.im - b.im)}; }

constexpr int32_t kScaleRadix2 = 32767 / 2;
constexpr int32_t kScaleRadix4 = 32767 / 4;

// Multiplication by the twiddle of index 0, (32767, 0): not the identity in
// Q15, but cheaper than a general complex multiply.
inline Complex16 multiply_unit(Complex16 a) { return {round_q15(a.re * 32767), round_q15(a.im * 32767)}; }

// One radix-4 butterfly on already scaled inputs, given the twiddled
// s0 = f1 w, s1 = f2 w^2, s2 = f3 w^3 (KISS kf_bfly4, forward).
inline void radix4(Complex16 f0, Complex16 s0, Complex16 s1, Complex16 s2, Complex16* o0,
                   Complex16* o1, Complex16* o2, Complex16* o3) {
  const Complex16 s5 = sub(f0, s1);
  const Complex16 f0b = add(f0, s1);
  const Complex16 s3 = add(s0, s2);
  const Complex16 s4 = sub(s0, s2);
  *o2 = sub(f0b, s3);
  *o0 = add(f0b, s3);
  *o1 = {to16(s5.re + s4.im), to16(s5.im - s4.re)};
  *o3 = {to16(s5.re - s4.im), to16(s5.im + s4.re)};
}

void butterfly4(Complex16* out, const Complex16* twiddles, int32_t stride, int32_t m) {
  Complex16* f = out;
  // k = 0: all three twiddles are (32767, 0).
  {
    const Complex16 f0 = scale_down(f[0], kScaleRadix4);
    const Complex16 s0 = multiply_unit(scale_down(f[m], kScaleRadix4));
    const Complex16 s1 = multiply_unit(scale_down(f[2 * m], kScaleRadix4));
    const Complex16 s2 = multiply_unit(scale_down(f[3 * m], kScaleRadix4));
    radix4(f0, s0, s1, s2, &f[0], &f[m], &f[2 * m], &f[3 * m]);
  }
  const Complex16* tw1 = twiddles;
  const Complex16* tw2 = twiddles;
  const Complex16* tw3 = twiddles;
  for (int32_t k = 1; k < m; ++k) {
    ++f;
    tw1 += stride;
    tw2 += 2 * stride;
    tw3 += 3 * stride;
    const Complex16 f0 = scale_down(f[0], kScaleRadix4);
    const Complex16 s0 = multiply(scale_down(f[m], kScaleRadix4), *tw1);
    const Complex16 s1 = multiply(scale_down(f[2 * m], kScaleRadix4), *tw2);
    const Complex16 s2 = multiply(scale_down(f[3 * m], kScaleRadix4), *tw3);
    radix4(f0, s0, s1, s2, &f[0], &f[m], &f[2 * m], &f[3 * m]);
  }
}

// Reads complex point i of the real input (even samples real, odd imaginary).
inline Complex16 point(const int16_t* in, int32_t i) { return {in[2 * i], in[2 * i + 1]}; }

// KISS's twiddle: floor(0.5 + 32767 * cos/sin(phase)), in double.
Complex16 twiddle(double phase) {
  return {static_cast<int16_t>(floor_double(0.5 + 32767.0 * cos_double(phase))),
          static_cast<int16_t>(floor_double(0.5 + 32767.0 * sin_double(phase)))};
}

bool is_supported_size(int32_t fft_size) {
  return fft_size >= kFftMinSize && fft_size <= kFftMaxSize && (fft_size & (fft_size - 1)) == 0;
}

}  // namespace

int32_t FftInt16::twiddle_count(int32_t fft_size) {
  if (!is_supported_size(fft_size)) return 0;
  const int32_t n = fft_size / 2;
  // Stage twiddle indices stay below 3n/4; the split step needs n/2 more.
  return 3 * n / 4 + n / 2;
}

bool FftInt16::init(int32_t fft_size, Complex16* twiddles) {
  if (!is_supported_size(fft_size) || twiddles == nullptr) return false;
  fft_size_ = fft_size;
  n_ = fft_size / 2;
  // KISS factorisation of a power of two: 4s first, then a 2 if one is left.
  num_stages_ = 0;
  int32_t remaining = n_;
  int32_t stride = 1;
  while (remaining > 1) {
    const int32_t radix = (remaining % 4 == 0) ? 4 : 2;
    remaining /= radix;
    radix_[num_stages_] = static_cast<uint8_t>(radix);
    stride_[num_stages_] = stride;
    span_[num_stages_] = remaining;
    stride *= radix;
    ++num_stages_;
  }
  const int32_t stage_count = 3 * n_ / 4;
  for (int32_t i = 0; i < stage_count; ++i) {
    // Same expression order as KISS: -2*pi*i / nfft.
    twiddles[i] = twiddle(-2.0 * kPi * static_cast<double>(i) / static_cast<double>(n_));
  }
  for (int32_t i = 0; i < n_ / 2; ++i) {
    const double phase =
        -kPi * (static_cast<double>(i + 1) / static_cast<double>(n_) + 0.5);
    twiddles[stage_count + i] = twiddle(phase);
  }
  twiddles_ = twiddles;
  split_twiddles_ = twiddles + stage_count;
  return true;
}

void FftInt16::complex_forward(const int16_t* in, Complex16* out) const {
  // The innermost stage (span 1) reads the input directly: its block b
  // gathers points source(b) + q * stride, where source(b) is b's digits
  // over the outer radices, reversed (KISS's recursive decimation).
  const int last = num_stages_ - 1;
  const int32_t step = stride_[last];
  int digit[kFftMaxStages] = {};
  int32_t source = 0;
  const int32_t blocks = n_ / radix_[last];
  for (int32_t b = 0; b < blocks; ++b) {
    Complex16* o = out + b * radix_[last];
    if (radix_[last] == 4) {
      const Complex16 f0 = scale_down(point(in, source), kScaleRadix4);
      const Complex16 s0 = multiply_unit(scale_down(point(in, source + step), kScaleRadix4));
      const Complex16 s1 = multiply_unit(scale_down(point(in, source + 2 * step), kScaleRadix4));
      const Complex16 s2 = multiply_unit(scale_down(point(in, source + 3 * step), kScaleRadix4));
      radix4(f0, s0, s1, s2, &o[0], &o[1], &o[2], &o[3]);
    } else {
      const Complex16 a = scale_down(point(in, source), kScaleRadix2);
      const Complex16 t = multiply_unit(scale_down(point(in, source + step), kScaleRadix2));
      o[1] = sub(a, t);
      o[0] = add(a, t);
    }
    for (int s = last - 1; s >= 0; --s) {
      source += stride_[s];
      if (++digit[s] < radix_[s]) break;
      source -= radix_[s] * stride_[s];
      digit[s] = 0;
    }
  }
  // The other stages from the inside out; stage s works on blocks of
  // 4 * span outputs with twiddle stride stride_s. (Only the innermost stage
  // can be radix 2: KISS takes out factors of 4 first.)
  for (int s = last - 1; s >= 0; --s) {
    const int32_t m = span_[s];
    for (int32_t base = 0; base < n_; base += 4 * m) {
      butterfly4(out + base, twiddles_, stride_[s], m);
    }
  }
}

void FftInt16::real_forward(const int16_t* in, Complex16* out) const {
  // The fft_size real samples as n complex points (even samples real, odd
  // imaginary), transformed into out[0..n-1].
  complex_forward(in, out);
  // Split the two interleaved real spectra, in place; out[n] is the Nyquist bin.
  const int32_t n = n_;
  const Complex16 dc = scale_down(out[0], kScaleRadix2);
  out[0] = {to16(dc.re + dc.im), 0};
  out[n] = {to16(dc.re - dc.im), 0};
  for (int32_t k = 1; k <= n / 2; ++k) {
    const Complex16 pk = scale_down(out[k], kScaleRadix2);
    const Complex16 pnk = scale_down({out[n - k].re, to16(-out[n - k].im)}, kScaleRadix2);
    const Complex16 f1 = add(pk, pnk);
    const Complex16 tw = multiply(sub(pk, pnk), split_twiddles_[k - 1]);
    // KISS halves the int sums before truncating them to int16.
    out[k] = {to16((f1.re + tw.re) >> 1), to16((f1.im + tw.im) >> 1)};
    out[n - k] = {to16((f1.re - tw.re) >> 1), to16((tw.im - f1.im) >> 1)};
  }
}

}  // namespace frontend
}  // namespace dsp
}  // namespace locus
