// Softmax int8 -> int8 / int16, bit-exact with TFLite's quantized
// reference_ops::Softmax (gemmlowp fixed-point exp and reciprocal).
//
// exp() of a row element depends only on its distance to the row maximum,
// one of 256 values; large inputs tabulate those once per call. Small ones
// compute each exp once per element (the reference computes it twice).
#include "runtime/kernels/fixed_point.h"
#include "runtime/kernels/kernels.h"

namespace locus::kernels {
namespace {

constexpr int kScaledDiffIntegerBits = 5;
constexpr int kAccumulationIntegerBits = 12;
constexpr int32_t kTableThreshold = 512;  // elements per call
constexpr int32_t kRowCache = 256;        // exps kept per row when not tabulated

// exp(beta * s * diff) in Q0.31 for diff <= 0, or 0 if below diff_min
// (such elements neither count in the sum nor get a nonzero output).
inline int32_t exp_of_diff(const SoftmaxParams& p, int32_t diff) {
  if (diff < p.diff_min) return 0;
  const int32_t scaled = fp::multiply_by_quantized_multiplier_greater_than_one(
      diff, p.input_multiplier, p.input_left_shift);
  return fp::exp_on_negative_values<kScaledDiffIntegerBits>(scaled);
}

template <typename OutT>
void softmax_impl(const SoftmaxParams& p, int32_t outer_size, int32_t depth, const int8_t* input,
                  OutT* output, int out_bits, int32_t out_min, int32_t out_max) {
  int32_t table[256];
  const bool tabulate = outer_size * depth >= kTableThreshold;
  if (tabulate) {
    for (int32_t d = 0; d < 256; ++d) table[d] = exp_of_diff(p, -d);
  }
  int32_t cache[kRowCache];
  for (int32_t r = 0; r < outer_size; ++r) {
    const int8_t* row = input + r * depth;
    OutT* out = output + r * depth;
    int32_t max_in_row = -128;
    for (int32_t c = 0; c < depth; ++c) max_in_row = row[c] > max_in_row ? row[c] : max_in_row;

    const bool cached = !tabulate && depth <= kRowCache;
    int32_t sum = 0;
    for (int32_t c = 0; c < depth; ++c) {
      const int32_t diff = row[c] - max_in_row;
      int32_t e;
      if (tabulate) {
        e = table[-diff];
      } else {
        e = exp_of_diff(p, diff);
        if (cached) cache[c] = e;
      }
      // Elements below diff_min have e == 0 and so add nothing, as in the
      // reference which skips them.
      sum = fp::wrapping_add(sum, fp::rounding_divide_by_pot(e, kAccumulationIntegerBits));
    }
    int num_bits_over_unit = 0;
    const int32_t scale = fp::get_reciprocal(sum, kAccumulationIntegerBits, &num_bits_over_unit);
    const int exponent = num_bits_over_unit + 31 - out_bits;

    for (int32_t c = 0; c < depth; ++c) {
      const int32_t diff = row[c] - max_in_row;
      if (diff < p.diff_min) {
        out[c] = static_cast<OutT>(out_min);
        continue;
      }
      const int32_t e = tabulate ? table[-diff] : (cached ? cache[c] : exp_of_diff(p, diff));
      const int32_t v = fp::rounding_divide_by_pot(
          fp::saturating_rounding_doubling_high_mul(scale, e), exponent);
      out[c] = static_cast<OutT>(fp::clamp(v + out_min, out_min, out_max));
    }
  }
}

}  // namespace

void softmax_s8(const SoftmaxParams& p, int32_t outer_size, int32_t depth, const int8_t* input,
                int8_t* output) {
  softmax_impl<int8_t>(p, outer_size, depth, input, output, 8, -128, 127);
}

void softmax_s8_s16(const SoftmaxParams& p, int32_t outer_size, int32_t depth,
                    const int8_t* input, int16_t* output) {
  softmax_impl<int16_t>(p, outer_size, depth, input, output, 16, -32768, 32767);
}

}  // namespace locus::kernels
