#include "runtime/dsp/imu/real_fft.h"

#include "runtime/dsp/imu/imu_math.h"

namespace locus::dsp::imu_internal {

void RealFft::init(int32_t n, float* table) {
  n_ = n;
  table_ = table;
  for (int32_t k = 0; k < n / 2; ++k) {
    double s, c;
    sin_cos_turns(static_cast<uint32_t>(k), static_cast<uint32_t>(n), &s, &c);
    table[2 * k] = static_cast<float>(c);
    table[2 * k + 1] = static_cast<float>(s);
  }
}

void RealFft::forward(float* data) const {
  const int32_t m = n_ / 2;  // complex points: z[j] = x[2j] + i*x[2j+1]
  // Bit-reversal permutation of the m complex points.
  for (int32_t i = 1, j = 0; i < m; ++i) {
    int32_t bit = m >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const float re = data[2 * i], im = data[2 * i + 1];
      data[2 * i] = data[2 * j];
      data[2 * i + 1] = data[2 * j + 1];
      data[2 * j] = re;
      data[2 * j + 1] = im;
    }
  }
  // Radix-2 decimation-in-time butterflies. W_m^t = W_n^(2t).
  for (int32_t size = 2; size <= m; size *= 2) {
    const int32_t half = size / 2;
    const int32_t step = 2 * (m / size);  // twiddle index stride in W_n
    for (int32_t start = 0; start < m; start += size) {
      for (int32_t j = 0; j < half; ++j) {
        const float c = table_[2 * (j * step)];
        const float s = table_[2 * (j * step) + 1];
        float* a = data + 2 * (start + j);
        float* b = data + 2 * (start + j + half);
        // t = (c - i s) * b
        const float tr = c * b[0] + s * b[1];
        const float ti = c * b[1] - s * b[0];
        b[0] = a[0] - tr;
        b[1] = a[1] - ti;
        a[0] = a[0] + tr;
        a[1] = a[1] + ti;
      }
    }
  }
  // Split the half-length spectrum into the real signal's spectrum:
  //   E = (Z[k] + conj Z[m-k]) / 2,  O = -i (Z[k] - conj Z[m-k]) / 2,
  //   X[k] = E + W_n^k O,  X[m-k] = conj(E - W_n^k O).
  const float z0r = data[0], z0i = data[1];
  data[0] = z0r + z0i;
  data[1] = z0r - z0i;
  for (int32_t k = 1; k <= m / 2; ++k) {
    float* p = data + 2 * k;
    float* q = data + 2 * (m - k);
    const float er = 0.5f * (p[0] + q[0]);
    const float ei = 0.5f * (p[1] - q[1]);
    // D = Z[k] - conj Z[m-k];  O = -i D / 2 = (D.im, -D.re) / 2
    const float or_ = 0.5f * (p[1] + q[1]);
    const float oi = -0.5f * (p[0] - q[0]);
    const float c = table_[2 * k];
    const float s = table_[2 * k + 1];
    // W O with W = c - i s
    const float wr = c * or_ + s * oi;
    const float wi = c * oi - s * or_;
    if (k == m - k) {
      p[0] = er + wr;
      p[1] = ei + wi;
    } else {
      p[0] = er + wr;
      p[1] = ei + wi;
      q[0] = er - wr;
      q[1] = -(ei - wi);
    }
  }
}

}  // namespace locus::dsp::imu_internal
