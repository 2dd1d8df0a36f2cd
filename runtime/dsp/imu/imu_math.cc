#include "runtime/dsp/imu/imu_math.h"


namespace locus::dsp::imu_internal {
namespace {

constexpr double kPiOver4 = 0.78539816339744830962;
constexpr double kPiOver2 = 1.57079632679489661923;

// Taylor series of sin and cos for 0 <= y <= pi/4, in nested (Horner) form
// with exact integer divisors. The last terms kept are y^19/19! and
// y^18/18!, far below one double ulp for this range.
void sin_cos_core(double y, double* s, double* c) {
  const double y2 = y * y;
  double ts = 1.0;
  double tc = 1.0;
  for (int i = 9; i >= 1; --i) {
    const double ds = static_cast<double>((2 * i) * (2 * i + 1));
    const double dc = static_cast<double>((2 * i - 1) * (2 * i));
    ts = 1.0 - (y2 / ds) * ts;
    tc = 1.0 - (y2 / dc) * tc;
  }
  *s = y * ts;
  *c = tc;
}

}  // namespace

void sin_cos_turns(uint32_t k, uint32_t n, double* sin_out, double* cos_out) {
  k %= n;
  // angle = 2*pi*k/n = (pi/4) * (8k/n) = q*pi/4 + (pi/4)*(r/n).
  const uint64_t k8 = static_cast<uint64_t>(k) * 8u;
  const uint32_t q = static_cast<uint32_t>(k8 / n);
  const uint32_t r = static_cast<uint32_t>(k8 - static_cast<uint64_t>(q) * n);
  double y;
  int sign;
  uint32_t m;  // angle = m*pi/2 + sign*y, 0 <= y <= pi/4
  if (q % 2 == 0) {
    y = (kPiOver4 * static_cast<double>(r)) / static_cast<double>(n);
    sign = 1;
    m = q / 2;
  } else {
    y = (kPiOver4 * static_cast<double>(n - r)) / static_cast<double>(n);
    sign = -1;
    m = (q + 1) / 2;
  }
  double s, c;
  sin_cos_core(y, &s, &c);
  if (sign < 0) s = -s;  // sin(-y) = -sin(y), cos(-y) = cos(y)
  switch (m % 4) {
    case 0: *sin_out = s; *cos_out = c; break;
    case 1: *sin_out = c; *cos_out = -s; break;
    case 2: *sin_out = -s; *cos_out = -c; break;
    default: *sin_out = -c; *cos_out = s; break;
  }
}

void sin_cos_quadrant(double x, double* sin_out, double* cos_out) {
  if (x < 0.0) x = 0.0;
  if (x > kPiOver2) x = kPiOver2;
  if (x <= kPiOver4) {
    sin_cos_core(x, sin_out, cos_out);
  } else {
    sin_cos_core(kPiOver2 - x, cos_out, sin_out);
  }
}

float log_float(float x) {
  uint32_t bits;
  __builtin_memcpy(&bits, &x, sizeof(bits));
  int32_t e = static_cast<int32_t>((bits >> 23) & 0xffu);
  if (e == 0) {  // subnormal: scale into the normal range first
    x = x * 8388608.0f;  // 2^23, exact
    __builtin_memcpy(&bits, &x, sizeof(bits));
    e = static_cast<int32_t>((bits >> 23) & 0xffu) - 23;
  }
  e -= 127;
  // Mantissa m in [1, 2), then folded into [sqrt(1/2), sqrt(2)].
  uint32_t mbits = (bits & 0x007fffffu) | 0x3f800000u;
  float m;
  __builtin_memcpy(&m, &mbits, sizeof(m));
  if (m > 1.41421356f) {
    mbits = (mbits & 0x007fffffu) | 0x3f000000u;  // m / 2, exact
    __builtin_memcpy(&m, &mbits, sizeof(m));
    e += 1;
  }
  // ln(m) = 2*atanh(s), s = (m-1)/(m+1), |s| <= 0.1716.
  const float s = (m - 1.0f) / (m + 1.0f);
  const float s2 = s * s;
  float p = 1.0f / 11.0f;
  p = p * s2 + 1.0f / 9.0f;
  p = p * s2 + 1.0f / 7.0f;
  p = p * s2 + 1.0f / 5.0f;
  p = p * s2 + 1.0f / 3.0f;
  p = p * s2 + 1.0f;
  const float ln_m = 2.0f * s * p;
  // ln(2) split so that e * kLn2Hi is exact for |e| < 2^9.
  constexpr float kLn2Hi = 0.693145752f;      // 0x3f317200
  constexpr float kLn2Lo = 1.42860677e-06f;   // ln(2) - kLn2Hi
  const float ef = static_cast<float>(e);
  return ef * kLn2Hi + (ef * kLn2Lo + ln_m);
}

float log10_float(float x) {
  constexpr float kInvLn10 = 0.434294481903251827651f;
  return log_float(x) * kInvLn10;
}

// IEEE-754 square root is correctly rounded everywhere. On a single-precision
// Arm FPU the instruction is used directly, so no libm (errno) path is linked.
float sqrt_float(float x) {
  if (!(x > 0.0f)) return 0.0f;
#if defined(__arm__) && defined(__ARM_FP) && (__ARM_FP & 4)
  float r;
  __asm__("vsqrt.f32 %0, %1" : "=t"(r) : "t"(x));
  return r;
#else
  return __builtin_sqrtf(x);
#endif
}

}  // namespace locus::dsp::imu_internal
