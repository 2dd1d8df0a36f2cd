#include "runtime/dsp/spectral/fft.h"

#include "runtime/dsp/spectral/spectral_math.h"

namespace locus {
namespace dsp {
namespace {

uint32_t log2_of(uint32_t n) { return uint32_t(__builtin_ctz(n)); }

// Carves 4-byte-aligned pieces out of caller memory.
uint8_t* align4(uint8_t* p) {
  return reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(p) + 3u) & ~uintptr_t(3));
}

// Table sizes shared by both FFTs: twiddles (n/4 complex), split twiddles
// (n/4 + 1 complex), bit reversal (n/2 uint16), plus alignment slack.
size_t table_bytes_for(uint32_t n, size_t value_bytes) {
  if (!is_valid_fft_length(n)) return 0;
  return 2 * (n / 4) * value_bytes + 2 * (n / 4 + 1) * value_bytes + (n / 2) * 2 + 4;
}

void fill_bitrev(uint16_t* bitrev, uint32_t m) {
  const uint32_t bits = log2_of(m);
  for (uint32_t i = 0; i < m; ++i) {
    uint32_t r = 0;
    for (uint32_t b = 0; b < bits; ++b) r |= ((i >> b) & 1u) << (bits - 1 - b);
    bitrev[i] = uint16_t(r);
  }
}

template <typename T>
void bit_reverse(T* z, uint32_t m, const uint16_t* bitrev) {
  for (uint32_t i = 0; i < m; ++i) {
    const uint32_t j = bitrev[i];
    if (i < j) {
      T r = z[2 * i], im = z[2 * i + 1];
      z[2 * i] = z[2 * j];
      z[2 * i + 1] = z[2 * j + 1];
      z[2 * j] = r;
      z[2 * j + 1] = im;
    }
  }
}

template <typename T>
struct FixedTraits;
template <>
struct FixedTraits<int16_t> {
  static constexpr int kFrac = 15;
  static constexpr int64_t kMin = -32768, kMax = 32767;
};
template <>
struct FixedTraits<int32_t> {
  static constexpr int kFrac = 31;
  static constexpr int64_t kMin = -2147483647LL - 1, kMax = 2147483647LL;
};

template <typename T>
T saturate(int64_t v) {
  return T(v < FixedTraits<T>::kMin ? FixedTraits<T>::kMin
                                    : (v > FixedTraits<T>::kMax ? FixedTraits<T>::kMax : v));
}

template <typename T>
T to_fixed(double v) {
  return saturate<T>(spectral_math::round_to_int64(v * double(int64_t(1) << FixedTraits<T>::kFrac)));
}

}  // namespace

bool is_valid_fft_length(uint32_t n) {
  return n >= kFftMinLength && n <= kFftMaxLength && (n & (n - 1)) == 0;
}

// ---------------------------------------------------------------- float

size_t RealFft::table_bytes(uint32_t n) { return table_bytes_for(n, sizeof(float)); }

Status RealFft::init(uint32_t n, uint8_t* memory, size_t bytes) {
  if (!is_valid_fft_length(n)) {
    return Status::error(StatusCode::kInvalidArgument,
                         "FFT length %u must be a power of two in [%u, %u]", unsigned(n),
                         unsigned(kFftMinLength), unsigned(kFftMaxLength));
  }
  if (memory == nullptr || bytes < table_bytes(n)) {
    return Status::error(StatusCode::kResourceExhausted, "FFT of %u points needs %zu bytes, got %zu",
                         unsigned(n), table_bytes(n), bytes);
  }
  const uint32_t m = n / 2;
  float* tw = reinterpret_cast<float*>(align4(memory));
  float* split = tw + 2 * (n / 4);
  uint16_t* bitrev = reinterpret_cast<uint16_t*>(split + 2 * (n / 4 + 1));
  for (uint32_t j = 0; j < m / 2; ++j) {
    tw[2 * j] = float(spectral_math::cos_turns(j, m));
    tw[2 * j + 1] = float(-spectral_math::sin_turns(j, m));
  }
  for (uint32_t k = 0; k <= n / 4; ++k) {
    split[2 * k] = float(spectral_math::cos_turns(k, n));
    split[2 * k + 1] = float(-spectral_math::sin_turns(k, n));
  }
  fill_bitrev(bitrev, m);
  n_ = n;
  twiddle_ = tw;
  split_ = split;
  bitrev_ = bitrev;
  return Status::ok();
}

void RealFft::forward(float* z) const {
  const uint32_t m = n_ / 2;
  bit_reverse(z, m, bitrev_);
  uint32_t h = 1;
  if (log2_of(m) & 1u) {  // odd number of stages: one radix-2 pass (twiddle 1)
    for (uint32_t g = 0; g < m; g += 2) {
      const float ar = z[2 * g], ai = z[2 * g + 1], br = z[2 * g + 2], bi = z[2 * g + 3];
      z[2 * g] = ar + br;
      z[2 * g + 1] = ai + bi;
      z[2 * g + 2] = ar - br;
      z[2 * g + 3] = ai - bi;
    }
    h = 2;
  }
  // Radix-2^2: stages h and 2h in one pass over groups of 4h points.
  for (; h < m; h *= 4) {
    const uint32_t s1 = m / (2 * h), s2 = m / (4 * h);
    for (uint32_t g = 0; g < m; g += 4 * h) {
      for (uint32_t k = 0; k < h; ++k) {
        float* p0 = z + 2 * (g + k);
        float* p1 = p0 + 2 * h;
        float* p2 = p1 + 2 * h;
        float* p3 = p2 + 2 * h;
        const float w1r = twiddle_[2 * k * s1], w1i = twiddle_[2 * k * s1 + 1];
        const float w2r = twiddle_[2 * k * s2], w2i = twiddle_[2 * k * s2 + 1];
        // stage h: (0,1) and (2,3) with w1
        const float t1r = p1[0] * w1r - p1[1] * w1i, t1i = p1[0] * w1i + p1[1] * w1r;
        const float t3r = p3[0] * w1r - p3[1] * w1i, t3i = p3[0] * w1i + p3[1] * w1r;
        const float a0r = p0[0] + t1r, a0i = p0[1] + t1i;
        const float a1r = p0[0] - t1r, a1i = p0[1] - t1i;
        const float a2r = p2[0] + t3r, a2i = p2[1] + t3i;
        const float a3r = p2[0] - t3r, a3i = p2[1] - t3i;
        // stage 2h: (0,2) with w2, (1,3) with w2 * e^{-i pi/2} = (w2i, -w2r)
        const float u2r = a2r * w2r - a2i * w2i, u2i = a2r * w2i + a2i * w2r;
        const float u3r = a3r * w2i + a3i * w2r, u3i = a3i * w2i - a3r * w2r;
        p0[0] = a0r + u2r;
        p0[1] = a0i + u2i;
        p2[0] = a0r - u2r;
        p2[1] = a0i - u2i;
        p1[0] = a1r + u3r;
        p1[1] = a1i + u3i;
        p3[0] = a1r - u3r;
        p3[1] = a1i - u3i;
      }
    }
  }
  // Split the n/2-point complex spectrum Z into the real spectrum X:
  // X[k] = Fe + W^k Fo, X[m-k] = conj(Fe - W^k Fo), Fe = (Z[k] + conj Z[m-k])/2,
  // Fo = (Z[k] - conj Z[m-k]) / 2i.
  const float z0r = z[0], z0i = z[1];
  z[0] = z0r + z0i;
  z[1] = 0.0f;
  z[2 * m] = z0r - z0i;
  z[2 * m + 1] = 0.0f;
  for (uint32_t k = 1; k <= m / 2; ++k) {
    const uint32_t j = m - k;
    const float ar = z[2 * k], ai = z[2 * k + 1], br = z[2 * j], bi = z[2 * j + 1];
    const float fer = 0.5f * (ar + br), fei = 0.5f * (ai - bi);
    const float for_ = 0.5f * (ai + bi), foi = 0.5f * (br - ar);
    const float wr = split_[2 * k], wi = split_[2 * k + 1];
    const float tr = for_ * wr - foi * wi, ti = for_ * wi + foi * wr;
    z[2 * j] = fer - tr;
    z[2 * j + 1] = ti - fei;
    z[2 * k] = fer + tr;
    z[2 * k + 1] = fei + ti;
  }
}

// ---------------------------------------------------------------- fixed

template <typename T>
size_t FixedRealFft<T>::table_bytes(uint32_t n) {
  return table_bytes_for(n, sizeof(T));
}

template <typename T>
Status FixedRealFft<T>::init(uint32_t n, uint8_t* memory, size_t bytes) {
  if (!is_valid_fft_length(n)) {
    return Status::error(StatusCode::kInvalidArgument,
                         "FFT length %u must be a power of two in [%u, %u]", unsigned(n),
                         unsigned(kFftMinLength), unsigned(kFftMaxLength));
  }
  if (memory == nullptr || bytes < table_bytes(n)) {
    return Status::error(StatusCode::kResourceExhausted,
                         "fixed-point FFT of %u points needs %zu bytes, got %zu", unsigned(n),
                         table_bytes(n), bytes);
  }
  const uint32_t m = n / 2;
  T* tw = reinterpret_cast<T*>(align4(memory));
  T* split = tw + 2 * (n / 4);
  uint16_t* bitrev = reinterpret_cast<uint16_t*>(split + 2 * (n / 4 + 1));
  for (uint32_t j = 0; j < m / 2; ++j) {
    tw[2 * j] = to_fixed<T>(spectral_math::cos_turns(j, m));
    tw[2 * j + 1] = to_fixed<T>(-spectral_math::sin_turns(j, m));
  }
  for (uint32_t k = 0; k <= n / 4; ++k) {
    split[2 * k] = to_fixed<T>(spectral_math::cos_turns(k, n));
    split[2 * k + 1] = to_fixed<T>(-spectral_math::sin_turns(k, n));
  }
  fill_bitrev(bitrev, m);
  n_ = n;
  twiddle_ = tw;
  split_ = split;
  bitrev_ = bitrev;
  return Status::ok();
}

template <typename T>
void FixedRealFft<T>::forward(T* z) const {
  constexpr int F = FixedTraits<T>::kFrac;
  constexpr int64_t kHalf = int64_t(1) << (F - 1);
  const uint32_t m = n_ / 2;
  bit_reverse(z, m, bitrev_);
  for (uint32_t h = 1; h < m; h *= 2) {
    const uint32_t s = m / (2 * h);
    for (uint32_t g = 0; g < m; g += 2 * h) {
      for (uint32_t k = 0; k < h; ++k) {
        T* p = z + 2 * (g + k);
        T* q = p + 2 * h;
        const int64_t wr = twiddle_[2 * k * s], wi = twiddle_[2 * k * s + 1];
        const int64_t vr = (int64_t(q[0]) * wr - int64_t(q[1]) * wi + kHalf) >> F;
        const int64_t vi = (int64_t(q[0]) * wi + int64_t(q[1]) * wr + kHalf) >> F;
        const int64_t ar = p[0], ai = p[1];
        // Halving every stage keeps |output| <= max |input|: no overflow.
        p[0] = saturate<T>((ar + vr + 1) >> 1);
        p[1] = saturate<T>((ai + vi + 1) >> 1);
        q[0] = saturate<T>((ar - vr + 1) >> 1);
        q[1] = saturate<T>((ai - vi + 1) >> 1);
      }
    }
  }
  // Split as in the float version, with one more halving: X_out = X / n.
  const int64_t z0r = z[0], z0i = z[1];
  z[0] = saturate<T>((z0r + z0i + 1) >> 1);
  z[1] = 0;
  z[2 * m] = saturate<T>((z0r - z0i + 1) >> 1);
  z[2 * m + 1] = 0;
  for (uint32_t k = 1; k <= m / 2; ++k) {
    const uint32_t j = m - k;
    const int64_t ar = z[2 * k], ai = z[2 * k + 1], br = z[2 * j], bi = z[2 * j + 1];
    const int64_t fer2 = ar + br, fei2 = ai - bi;  // 2 * Fe
    const int64_t for_ = (ai + bi + 1) >> 1, foi = (br - ar + 1) >> 1;  // Fo
    const int64_t wr = split_[2 * k], wi = split_[2 * k + 1];
    const int64_t tr = (for_ * wr - foi * wi + kHalf) >> F;
    const int64_t ti = (for_ * wi + foi * wr + kHalf) >> F;
    z[2 * j] = saturate<T>((fer2 - 2 * tr + 2) >> 2);
    z[2 * j + 1] = saturate<T>((2 * ti - fei2 + 2) >> 2);
    z[2 * k] = saturate<T>((fer2 + 2 * tr + 2) >> 2);
    z[2 * k + 1] = saturate<T>((fei2 + 2 * ti + 2) >> 2);
  }
}

template class FixedRealFft<int16_t>;
template class FixedRealFft<int32_t>;

}  // namespace dsp
}  // namespace locus
