// Fixed-point helpers shared by the int8 kernels (internal header).
//
// Every function reproduces, bit for bit, the integer arithmetic TFLite Micro
// uses in its default ("double rounding") build: gemmlowp's
// SaturatingRoundingDoublingHighMul / RoundingDivideByPOT, TFLite's
// MultiplyByQuantizedMultiplier family and gemmlowp's fixed-point exp,
// reciprocal and logistic. Written for int32 scalars only; all inline, no
// state, no heap.
#ifndef LOCUS_RUNTIME_KERNELS_FIXED_POINT_H_
#define LOCUS_RUNTIME_KERNELS_FIXED_POINT_H_

#include <stdint.h>

namespace locus::kernels::fp {

constexpr int32_t kInt32Min = INT32_MIN;
constexpr int32_t kInt32Max = INT32_MAX;

// Wrapping helpers: TFLite relies on two's-complement wrap in a few places
// (e.g. x * 2^left_shift); doing it in uint32 keeps us free of UB.
inline int32_t wrapping_add(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}
inline int32_t wrapping_sub(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) - static_cast<uint32_t>(b));
}
inline int32_t wrapping_shl(int32_t a, int shift) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) << shift);
}

inline int32_t clamp(int32_t v, int32_t lo, int32_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

// round(a * b / 2^31), ties upward; saturates the single overflow case
// (INT32_MIN * INT32_MIN). (ab + 2^30) >> 31 equals gemmlowp's nudge-and-
// truncate formulation for both signs.
inline int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  if (a == kInt32Min && b == kInt32Min) return kInt32Max;
  const int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  return static_cast<int32_t>((ab + (int64_t{1} << 30)) >> 31);
}

// x / 2^exponent rounded to nearest, ties away from zero; exponent in [0, 31].
inline int32_t rounding_divide_by_pot(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// TFLite MultiplyByQuantizedMultiplier (double rounding); shift > 0 is a
// left shift applied before the high multiply.
inline int32_t multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  return rounding_divide_by_pot(
      saturating_rounding_doubling_high_mul(wrapping_shl(x, left), multiplier), right);
}

// Variant used by Add: shift <= 0 only.
inline int32_t multiply_by_quantized_multiplier_smaller_than_one_exp(int32_t x,
                                                                     int32_t multiplier,
                                                                     int shift) {
  return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(x, multiplier), -shift);
}

// Variant used by Softmax: left shift only.
inline int32_t multiply_by_quantized_multiplier_greater_than_one(int32_t x, int32_t multiplier,
                                                                 int left_shift) {
  return saturating_rounding_doubling_high_mul(wrapping_shl(x, left_shift), multiplier);
}

// x * 2^exponent (exponent > 0) saturating to the int32 range.
inline int32_t saturating_shift_left(int32_t x, int exponent) {
  const int32_t threshold = static_cast<int32_t>((int64_t{1} << (31 - exponent)) - 1);
  if (x > threshold) return kInt32Max;
  if (x < -threshold) return kInt32Min;
  return wrapping_shl(x, exponent);
}

// round((a + b) / 2), ties away from zero (gemmlowp RoundingHalfSum).
inline int32_t rounding_half_sum(int32_t a, int32_t b) {
  const int64_t sum = static_cast<int64_t>(a) + static_cast<int64_t>(b);
  const int64_t sign = sum >= 0 ? 1 : -1;
  return static_cast<int32_t>((sum + sign) / 2);
}

inline int count_leading_zeros(uint32_t x) {
  if (x == 0) return 32;
  return __builtin_clz(x);
}

// exp(a) for a in [-1/4, 0), a and result in Q0.31 (Taylor series around
// -1/8, as gemmlowp).
inline int32_t exp_on_interval_between_negative_one_quarter_and_0_excl(int32_t a) {
  constexpr int32_t kExpMinusOneEighth = 1895147668;
  constexpr int32_t kOneThird = 715827883;
  const int32_t x = wrapping_add(a, int32_t{1} << 28);
  const int32_t x2 = saturating_rounding_doubling_high_mul(x, x);
  const int32_t x3 = saturating_rounding_doubling_high_mul(x2, x);
  const int32_t x4 = saturating_rounding_doubling_high_mul(x2, x2);
  const int32_t x4_over_4 = rounding_divide_by_pot(x4, 2);
  const int32_t poly = rounding_divide_by_pot(
      wrapping_add(saturating_rounding_doubling_high_mul(wrapping_add(x4_over_4, x3), kOneThird),
                   x2),
      1);
  return wrapping_add(kExpMinusOneEighth,
                      saturating_rounding_doubling_high_mul(kExpMinusOneEighth,
                                                            wrapping_add(x, poly)));
}

// exp(a) for a <= 0. a has kIntegerBits integer bits (Q<kIntegerBits>.(31-
// kIntegerBits)); the result is Q0.31. gemmlowp's barrel-shifter scheme:
// exp of the fractional quarter, then one constant factor per set bit.
template <int kIntegerBits>
inline int32_t exp_on_negative_values(int32_t a) {
  static_assert(kIntegerBits >= 0 && kIntegerBits < 31, "bad integer bits");
  constexpr int kFractionalBits = 31 - kIntegerBits;
  constexpr int32_t kOneQuarter = int32_t{1} << (kFractionalBits - 2);
  constexpr int32_t kMask = kOneQuarter - 1;
  const int32_t a_mod_quarter_minus_one_quarter = wrapping_sub(a & kMask, kOneQuarter);
  const int32_t rescaled = kIntegerBits == 0
                               ? a_mod_quarter_minus_one_quarter
                               : saturating_shift_left(a_mod_quarter_minus_one_quarter,
                                                       kIntegerBits == 0 ? 1 : kIntegerBits);
  int32_t result = exp_on_interval_between_negative_one_quarter_and_0_excl(rescaled);
  const int32_t remainder = wrapping_sub(a_mod_quarter_minus_one_quarter, a);

  // exp(-2^e) in Q0.31 for e = -2 .. 4.
  constexpr int32_t kFactors[7] = {1672461947, 1302514674, 790015084, 290630308,
                                   39332535,   720401,     242};
  for (int i = 0; i < 7; ++i) {
    const int exponent = i - 2;
    if (kIntegerBits > exponent) {
      const int shift = kFractionalBits + exponent;
      if (remainder & (int32_t{1} << shift)) {
        result = saturating_rounding_doubling_high_mul(result, kFactors[i]);
      }
    }
  }
  if (kIntegerBits > 5) {
    // Below -32 the result underflows to zero.
    constexpr int kClampShift = kIntegerBits > 5 ? 36 - kIntegerBits : 0;
    if (a < -(int32_t{1} << kClampShift)) result = 0;
  }
  if (a == 0) result = kInt32Max;
  return result;
}

// 1 / (1 + a) for a in [0, 1), a and result Q0.31 (Newton-Raphson with the
// 48/17, 32/17 seed, three iterations, as gemmlowp).
inline int32_t one_over_one_plus_x_for_x_in_0_1(int32_t a) {
  constexpr int32_t k48Over17 = 1515870810;       // Q2.29
  constexpr int32_t kNeg32Over17 = -1010580540;   // Q2.29
  constexpr int32_t kOneQ2 = int32_t{1} << 29;
  const int32_t half_denominator = rounding_half_sum(a, kInt32Max);  // Q0.31
  int32_t x = wrapping_add(k48Over17,
                           saturating_rounding_doubling_high_mul(half_denominator, kNeg32Over17));
  for (int i = 0; i < 3; ++i) {
    const int32_t half_denominator_times_x =
        saturating_rounding_doubling_high_mul(half_denominator, x);          // Q2
    const int32_t one_minus = wrapping_sub(kOneQ2, half_denominator_times_x);  // Q2
    // Q2 * Q2 = Q4, rescaled back to Q2 with a saturating shift.
    x = wrapping_add(x, saturating_shift_left(saturating_rounding_doubling_high_mul(x, one_minus),
                                              2));
  }
  // x / 2 as Q1, then rescaled to Q0.
  return saturating_shift_left(x, 1);
}

// gemmlowp logistic(a) with a in Q<kIntegerBits>; result Q0.31.
template <int kIntegerBits>
inline int32_t logistic(int32_t a) {
  if (a == 0) return int32_t{1} << 30;
  const bool positive = a > 0;
  const int32_t abs_a = positive ? a : wrapping_sub(0, a);
  const int32_t result_if_positive =
      one_over_one_plus_x_for_x_in_0_1(exp_on_negative_values<kIntegerBits>(wrapping_sub(0, abs_a)));
  return positive ? result_if_positive : wrapping_sub(kInt32Max, result_if_positive);
}

// 1 / x for x with x_integer_digits integer bits: returns the Q0.31
// reciprocal scale and the number of bits x has above 1.0 (TFLite
// GetReciprocal).
inline int32_t get_reciprocal(int32_t x, int x_integer_digits, int* num_bits_over_unit) {
  const int headroom_plus_one = count_leading_zeros(static_cast<uint32_t>(x));
  *num_bits_over_unit = x_integer_digits - headroom_plus_one;
  const uint32_t shifted = headroom_plus_one >= 32
                               ? 0u
                               : (static_cast<uint32_t>(x) << headroom_plus_one);
  const int32_t shifted_minus_one = static_cast<int32_t>(shifted - (uint32_t{1} << 31));
  return one_over_one_plus_x_for_x_in_0_1(shifted_minus_one);
}

}  // namespace locus::kernels::fp

#endif  // LOCUS_RUNTIME_KERNELS_FIXED_POINT_H_
