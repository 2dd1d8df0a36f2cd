// See frontend_math.h for why these exist. Only + - * / and bit operations on
// IEEE numbers are used, so results are identical on every target.
#include "runtime/dsp/frontend/frontend_math.h"

#include <string.h>

namespace locus {
namespace dsp {
namespace frontend {
namespace {

uint64_t bits_of(double x) {
  uint64_t b;
  memcpy(&b, &x, sizeof(b));
  return b;
}
double double_of(uint64_t b) {
  double x;
  memcpy(&x, &b, sizeof(x));
  return x;
}
uint32_t bits_of(float x) {
  uint32_t b;
  memcpy(&b, &x, sizeof(b));
  return b;
}
float float_of(uint32_t b) {
  float x;
  memcpy(&x, &b, sizeof(x));
  return x;
}

// pi/2 in three pieces; the first two have 33 significant bits, so n * piece
// is exact for the small n used here (Cody-Waite reduction).
constexpr double kPio2Hi = 0x1.921fb544p+0;
constexpr double kPio2Mid = 0x1.0b4611a6p-34;
constexpr double kPio2Lo = 0x1.3198a2e037073p-69;
// ln 2 in two pieces; the first has 32 significant bits.
constexpr double kLn2Hi = 0x1.62e42feep-1;
constexpr double kLn2Lo = 0x1.a39ef35793c76p-33;

// Taylor series on |r| <= pi/4; terms beyond r^22 are below 1e-24.
double sin_poly(double r) {
  const double z = r * r;
  double p = 1.0 / 51090942171709440000.0;  // 1/21!
  p = p * z - 1.0 / 121645100408832000.0;   // 1/19!
  p = p * z + 1.0 / 355687428096000.0;      // 1/17!
  p = p * z - 1.0 / 1307674368000.0;        // 1/15!
  p = p * z + 1.0 / 6227020800.0;           // 1/13!
  p = p * z - 1.0 / 39916800.0;             // 1/11!
  p = p * z + 1.0 / 362880.0;               // 1/9!
  p = p * z - 1.0 / 5040.0;                 // 1/7!
  p = p * z + 1.0 / 120.0;                  // 1/5!
  p = p * z - 1.0 / 6.0;                    // 1/3!
  return r + r * z * p;
}

double cos_poly(double r) {
  const double z = r * r;
  double p = 1.0 / 1124000727777607680000.0;  // 1/22!
  p = p * z - 1.0 / 2432902008176640000.0;    // 1/20!
  p = p * z + 1.0 / 6402373705728000.0;       // 1/18!
  p = p * z - 1.0 / 20922789888000.0;         // 1/16!
  p = p * z + 1.0 / 87178291200.0;            // 1/14!
  p = p * z - 1.0 / 479001600.0;              // 1/12!
  p = p * z + 1.0 / 3628800.0;                // 1/10!
  p = p * z - 1.0 / 40320.0;                  // 1/8!
  p = p * z + 1.0 / 720.0;                    // 1/6!
  p = p * z - 1.0 / 24.0;                     // 1/4!
  // p = -1/4! + z/6! - ...; cos r = 1 - (z/2 + z^2 p).
  return 1.0 - (0.5 * z + z * z * p);
}

// x = n * pi/2 + r with |r| <= ~pi/4; returns n mod 4.
int reduce_pio2(double x, double* r) {
  const double t = x * (2.0 / kPi);
  const int n = static_cast<int>(t < 0 ? t - 0.5 : t + 0.5);
  const double dn = static_cast<double>(n);
  *r = ((x - dn * kPio2Hi) - dn * kPio2Mid) - dn * kPio2Lo;
  return n & 3;
}

// 2^k for the exponent range of doubles.
double scale_by_power_of_two(double x, int k) {
  while (k > 1000) {
    x *= 0x1p+1000;
    k -= 1000;
  }
  while (k < -1000) {
    x *= 0x1p-1000;
    k += 1000;
  }
  return x * double_of(static_cast<uint64_t>(k + 1023) << 52);
}

}  // namespace

double cos_double(double x) {
  double r;
  switch (reduce_pio2(x, &r)) {
    case 0: return cos_poly(r);
    case 1: return -sin_poly(r);
    case 2: return -cos_poly(r);
    default: return sin_poly(r);
  }
}

double sin_double(double x) {
  double r;
  switch (reduce_pio2(x, &r)) {
    case 0: return sin_poly(r);
    case 1: return cos_poly(r);
    case 2: return -sin_poly(r);
    default: return -cos_poly(r);
  }
}

double log_double(double x) {
  // x = 2^k * m with m in [sqrt(1/2), sqrt(2)); log m = 2 atanh(f / (2 + f)).
  uint64_t b = bits_of(x);
  int k = 0;
  if ((b >> 52) == 0) {  // subnormal: scale into the normal range first
    x *= 0x1p+54;
    b = bits_of(x);
    k = -54;
  }
  k += static_cast<int>(b >> 52) - 1023;
  double m = double_of((b & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
  if (m > 1.4142135623730951) {
    m *= 0.5;
    ++k;
  }
  const double f = m - 1.0;  // exact (Sterbenz)
  const double s = f / (2.0 + f);
  const double z = s * s;
  // atanh(s)/s - 1 = z/3 + z^2/5 + ...; z <= 0.0295, 13 terms reach 1e-20.
  double p = 1.0 / 27.0;
  for (int j = 25; j >= 3; j -= 2) p = p * z + 1.0 / j;
  const double hfsq = 0.5 * f * f;
  // 2s + 2s z p, arranged as f - hfsq + s (hfsq + R) (fdlibm's split) so the
  // rounding of s only touches the small terms.
  const double log_m = f - (hfsq - s * (hfsq + 2.0 * z * p));
  const double dk = static_cast<double>(k);
  return dk * kLn2Hi + (dk * kLn2Lo + log_m);
}

double exp_double(double x) {
  if (x > 709.0) return double_of(0x7ff0000000000000ULL);
  if (x < -745.0) return 0.0;
  const double t = x * (1.0 / 0.6931471805599453);
  const int n = static_cast<int>(t < 0 ? t - 0.5 : t + 0.5);
  const double dn = static_cast<double>(n);
  const double r = (x - dn * kLn2Hi) - dn * kLn2Lo;  // |r| <= ~0.347
  // Taylor series in Horner form 1 + r(1 + r/2(1 + r/3(...))); r^19/19! < 1e-25.
  double p = 1.0;
  for (int j = 18; j >= 1; --j) p = 1.0 + p * r / j;
  return scale_by_power_of_two(p, n);
}

double log1p_double(double x) {
  if (x < 0x1p-20) {
    // log1p(x) = x - x^2/2 + x^3/3 - x^4/4 + ...; x^5 term below 2^-100 x.
    return x - x * x * (0.5 - x * (1.0 / 3.0 - x * 0.25));
  }
  const double u = 1.0 + x;
  // u rounds away the low bits of x; (x - (u - 1)) / u restores them.
  return log_double(u) + (x - (u - 1.0)) / u;
}

float cos_float(float x) { return static_cast<float>(cos_double(static_cast<double>(x))); }

float pow_float(float base, float exponent) {
  if (exponent == 0.0f) return 1.0f;
  if (base == 0.0f) return exponent < 0.0f ? float_of(0x7f800000u) : 0.0f;
  if (base == 1.0f) return 1.0f;
  const double y = static_cast<double>(exponent) * log_double(static_cast<double>(base));
  return static_cast<float>(exp_double(y));
}

// The float log1p of fdlibm (s_log1pf.c), as built into glibc: the reduction
// 1 + x = 2^k (1 + f), the correction term c for the rounding of 1 + x, and
// the degree-14 polynomial in s = f / (2 + f), evaluated in float in the same
// order. Positive arguments only (frequencies).
float log1p_float(float x) {
  constexpr float kLn2HiF = 0x1.62e3p-1f;          // 0x3f317180
  constexpr float kLn2LoF = 0x1.2fefa2p-17f;       // 0x3717f7d1
  constexpr float kLp1 = 0x1.555556p-1f;           // 0x3f2aaaab
  constexpr float kLp2 = 0x1.99999ap-2f;           // 0x3ecccccd
  constexpr float kLp3 = 0x1.24924ap-2f;           // 0x3e924925
  constexpr float kLp4 = 0x1.c71c52p-3f;           // 0x3e638e29
  constexpr float kLp5 = 0x1.746646p-3f;           // 0x3e3a3325
  constexpr float kLp6 = 0x1.39a09ep-3f;           // 0x3e1cd04f
  constexpr float kLp7 = 0x1.2f112ep-3f;           // 0x3e178897
  const uint32_t hx = bits_of(x);
  int k;
  float f;
  float c = 0.0f;
  uint32_t hu;
  if (hx < 0x3ed413d7u) {  // x < 0.41422: no reduction
    if (hx < 0x31000000u) {  // x < 2^-29
      if (hx < 0x24800000u) return x;
      return x - x * x * 0.5f;
    }
    k = 0;
    f = x;
    hu = 1;
  } else {
    float u = 1.0f + x;
    hu = bits_of(u);
    k = static_cast<int>(hu >> 23) - 127;
    c = (k > 0) ? 1.0f - (u - x) : x - (u - 1.0f);
    c /= u;
    hu &= 0x007fffffu;
    if (hu < 0x3504f7u) {
      u = float_of(hu | 0x3f800000u);  // u in [1, sqrt 2)
    } else {
      k += 1;
      u = float_of(hu | 0x3f000000u);  // u/2 in [sqrt(1/2), 1)
      hu = (0x00800000u - hu) >> 2;
    }
    f = u - 1.0f;
  }
  const float fk = static_cast<float>(k);
  const float hfsq = 0.5f * f * f;
  if (hu == 0) {  // f is tiny (or zero)
    if (f == 0.0f) {
      if (k == 0) return 0.0f;
      c += fk * kLn2LoF;
      return fk * kLn2HiF + c;
    }
    const float r = hfsq * (1.0f - 0.66666666666666666f * f);
    if (k == 0) return f - r;
    return fk * kLn2HiF - ((r - (fk * kLn2LoF + c)) - f);
  }
  const float s = f / (2.0f + f);
  const float z = s * s;
  const float r = z * (kLp1 + z * (kLp2 + z * (kLp3 + z * (kLp4 + z * (kLp5 + z * (kLp6 + z * kLp7))))));
  if (k == 0) return f - (hfsq - s * (hfsq + r));
  return fk * kLn2HiF - ((hfsq - (s * (hfsq + r) + (fk * kLn2LoF + c))) - f);
}

float floor_float(float x) {
  const int64_t t = static_cast<int64_t>(x);  // truncates toward zero
  const float ft = static_cast<float>(t);
  return ft > x ? ft - 1.0f : ft;
}

double floor_double(double x) {
  const int64_t t = static_cast<int64_t>(x);
  const double dt = static_cast<double>(t);
  return dt > x ? dt - 1.0 : dt;
}

}  // namespace frontend
}  // namespace dsp
}  // namespace locus
