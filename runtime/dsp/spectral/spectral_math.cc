#include "runtime/dsp/spectral/spectral_math.h"

#include <string.h>

namespace locus {
namespace dsp {
namespace spectral_math {
namespace {

constexpr double kPiOver4 = 0.78539816339744830962;

// Taylor series, nested so every step is one multiply-divide-subtract;
// |x| <= pi/4 so ten terms reach the double rounding error.
double cos_poly(double x) {
  const double x2 = x * x;
  double r = 1.0;
  for (int k = 10; k >= 1; --k) r = 1.0 - x2 / double((2 * k - 1) * (2 * k)) * r;
  return r;
}

double sin_poly(double x) {
  const double x2 = x * x;
  double r = 1.0;
  for (int k = 10; k >= 1; --k) r = 1.0 - x2 / double((2 * k) * (2 * k + 1)) * r;
  return x * r;
}

}  // namespace

double cos_turns(int64_t num, int64_t den) {
  int64_t r = num % den;
  if (r < 0) r += den;
  // Octant and the exact position inside it: angle = pi/4 * (oct + rem/den).
  const int64_t a = 8 * r;
  const int64_t oct = a / den;
  const int64_t rem = a % den;
  const double x = kPiOver4 * (double(rem) / double(den));
  const double y = kPiOver4 * (double(den - rem) / double(den));
  switch (oct) {
    case 0: return cos_poly(x);
    case 1: return sin_poly(y);
    case 2: return -sin_poly(x);
    case 3: return -cos_poly(y);
    case 4: return -cos_poly(x);
    case 5: return -sin_poly(y);
    case 6: return sin_poly(x);
    default: return cos_poly(y);
  }
}

double sin_turns(int64_t num, int64_t den) {
  // sin(t) = cos(t - pi/2): 2*pi*(4*num - den) / (4*den), still exact.
  return cos_turns(4 * (num % den) - den, 4 * den);
}

double log_double(double x) {
  if (!(x > 0.0)) return -1e300;
  uint64_t bits;
  memcpy(&bits, &x, sizeof bits);
  int e = int((bits >> 52) & 0x7ff);
  if (e == 0x7ff) return x;  // inf
  if (e == 0) {              // subnormal: scale up exactly
    x *= 18014398509481984.0;  // 2^54
    memcpy(&bits, &x, sizeof bits);
    e = int((bits >> 52) & 0x7ff) - 54;
  }
  e -= 1023;
  bits = (bits & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
  double m;
  memcpy(&m, &bits, sizeof m);
  if (m > 1.4142135623730951) {
    m *= 0.5;
    ++e;
  }
  // ln m = 2 atanh(s), s = (m-1)/(m+1), |s| <= 0.1716.
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  double r = 1.0 / 23.0;
  for (int k = 10; k >= 0; --k) r = 1.0 / double(2 * k + 1) + s2 * r;
  const double ln2_hi = 6.93147180369123816490e-01;  // exact times any |e| < 2^11
  const double ln2_lo = 1.90821492927058770002e-10;
  return double(e) * ln2_hi + (double(e) * ln2_lo + 2.0 * s * r);
}

double sqrt_double(double x) {
  if (!(x > 0.0)) return 0.0;
  uint64_t bits;
  memcpy(&bits, &x, sizeof bits);
  // Halve the exponent for a first guess within a factor of two.
  bits = (bits >> 1) + (uint64_t(1023) << 51);
  double y;
  memcpy(&y, &bits, sizeof y);
  for (int i = 0; i < 8; ++i) y = 0.5 * (y + x / y);
  return y;
}

float log_f32(float x) {
  if (!(x > 0.0f)) return -__builtin_huge_valf();
  uint32_t bits;
  memcpy(&bits, &x, sizeof bits);
  int e = int((bits >> 23) & 0xff);
  if (e == 0xff) return x;
  if (e == 0) {
    x *= 8388608.0f;  // 2^23, exact
    memcpy(&bits, &x, sizeof bits);
    e = int((bits >> 23) & 0xff) - 23;
  }
  e -= 127;
  bits = (bits & 0x007fffffu) | 0x3f800000u;
  float m;
  memcpy(&m, &bits, sizeof m);
  if (m > 1.41421356f) {
    m *= 0.5f;
    ++e;
  }
  const float s = (m - 1.0f) / (m + 1.0f);
  const float s2 = s * s;
  const float p = s2 * (0.33333334f + s2 * (0.2f + s2 * (0.14285715f + s2 * 0.11111111f)));
  const float r = 2.0f * s;
  const float ln2_hi = 6.9313812256e-01f;  // fdlibm split: e * ln2_hi is exact
  const float ln2_lo = 9.0580006145e-06f;
  return float(e) * ln2_hi + (float(e) * ln2_lo + (r + r * p));
}

int64_t round_to_int64(double x) {
  if (x >= 0.0) {
    int64_t t = int64_t(x);
    if (x - double(t) >= 0.5) ++t;
    return t;
  }
  int64_t t = int64_t(-x);
  if (-x - double(t) >= 0.5) ++t;
  return -t;
}

uint32_t isqrt64(uint64_t x) {
  uint64_t res = 0;
  uint64_t one = uint64_t(1) << 62;
  while (one > x) one >>= 2;
  while (one != 0) {
    if (x >= res + one) {
      x -= res + one;
      res = (res >> 1) + one;
    } else {
      res >>= 1;
    }
    one >>= 2;
  }
  return uint32_t(res);
}

void fill_log2_table(uint32_t* table) {
  const double inv_ln2 = 1.4426950408889634074;
  for (size_t i = 0; i < kLog2TableSize; ++i) {
    const double v = log_double(1.0 + double(i) / 128.0) * inv_ln2;
    table[i] = uint32_t(round_to_int64(v * 1073741824.0));
  }
}

int32_t log2_q16(uint64_t x, const uint32_t* table) {
  if (x == 0) return -(int32_t(1) << 30);
  const int n = 63 - __builtin_clzll(x);
  const uint32_t m = n >= 31 ? uint32_t(x >> (n - 31)) : uint32_t(x << (31 - n));
  const uint32_t i = (m >> 24) & 127u;
  const uint32_t r = m & 0xffffffu;
  const uint32_t frac =
      table[i] + uint32_t((uint64_t(table[i + 1] - table[i]) * r) >> 24);  // Q30
  return (int32_t(n) << 16) + int32_t((frac + (1u << 13)) >> 14);
}

}  // namespace spectral_math
}  // namespace dsp
}  // namespace locus
