// Test-only helpers: TFLite's multiplier quantisation (so tests can derive
// kernel parameters from real scales) and seeded random data.
#ifndef LOCUS_TESTS_SUPPORT_KERNEL_TESTING_H_
#define LOCUS_TESTS_SUPPORT_KERNEL_TESTING_H_

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace locus::kernels::testing {

// TFLite QuantizeMultiplier: frexp, round(q * 2^31) half away from zero.
inline void quantize_multiplier(double m, int32_t* multiplier, int32_t* shift) {
  if (m == 0.0) {
    *multiplier = 0;
    *shift = 0;
    return;
  }
  int s = 0;
  const double q = std::frexp(m, &s);
  int64_t q_fixed = static_cast<int64_t>(std::round(q * (1ll << 31)));
  if (q_fixed == (1ll << 31)) {
    q_fixed /= 2;
    ++s;
  }
  if (s < -31) {
    s = 0;
    q_fixed = 0;
  }
  *multiplier = static_cast<int32_t>(q_fixed);
  *shift = s;
}

inline std::vector<int8_t> random_s8(std::mt19937& rng, size_t n, int lo = -128, int hi = 127) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(d(rng));
  return v;
}

inline int rand_int(std::mt19937& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

}  // namespace locus::kernels::testing

#endif  // LOCUS_TESTS_SUPPORT_KERNEL_TESTING_H_
