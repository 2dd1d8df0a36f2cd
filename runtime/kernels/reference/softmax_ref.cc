#include "runtime/kernels/reference/softmax_ref.h"

#include "runtime/kernels/fixed_point.h"

namespace locus::kernels::reference {
namespace {

constexpr int kScaledDiffIntegerBits = 5;     // exp() input is Q5.26
constexpr int kAccumulationIntegerBits = 12;  // sum of exps is Q12.19

// TFLite's quantized Softmax template (reference_ops::Softmax) for int8
// input; OutT selects the int8 or int16 output.
template <typename OutT>
void softmax_rows(const SoftmaxParams& p, int32_t outer_size, int32_t depth, const int8_t* input,
                  OutT* output, int out_bits, int32_t out_min, int32_t out_max) {
  for (int32_t i = 0; i < outer_size; ++i) {
    const int8_t* row = input + i * depth;
    OutT* out = output + i * depth;
    int32_t max_in_row = -128;
    for (int32_t c = 0; c < depth; ++c)
      if (row[c] > max_in_row) max_in_row = row[c];

    int32_t sum_of_exps = 0;
    for (int32_t c = 0; c < depth; ++c) {
      const int32_t diff = row[c] - max_in_row;
      if (diff >= p.diff_min) {
        const int32_t scaled = fp::multiply_by_quantized_multiplier_greater_than_one(
            diff, p.input_multiplier, p.input_left_shift);
        const int32_t e = fp::exp_on_negative_values<kScaledDiffIntegerBits>(scaled);
        sum_of_exps = fp::wrapping_add(sum_of_exps,
                                       fp::rounding_divide_by_pot(e, kAccumulationIntegerBits));
      }
    }
    int num_bits_over_unit = 0;
    const int32_t shifted_scale =
        fp::get_reciprocal(sum_of_exps, kAccumulationIntegerBits, &num_bits_over_unit);
    const int exponent = num_bits_over_unit + 31 - out_bits;

    for (int32_t c = 0; c < depth; ++c) {
      const int32_t diff = row[c] - max_in_row;
      if (diff >= p.diff_min) {
        const int32_t scaled = fp::multiply_by_quantized_multiplier_greater_than_one(
            diff, p.input_multiplier, p.input_left_shift);
        const int32_t e = fp::exp_on_negative_values<kScaledDiffIntegerBits>(scaled);
        const int32_t unsat = fp::rounding_divide_by_pot(
            fp::saturating_rounding_doubling_high_mul(shifted_scale, e), exponent);
        out[c] = static_cast<OutT>(fp::clamp(unsat + out_min, out_min, out_max));
      } else {
        out[c] = static_cast<OutT>(out_min);
      }
    }
  }
}

}  // namespace

void softmax_s8(const SoftmaxParams& p, int32_t outer_size, int32_t depth, const int8_t* input,
                int8_t* output) {
  softmax_rows<int8_t>(p, outer_size, depth, input, output, 8, -128, 127);
}

void softmax_s8_s16(const SoftmaxParams& p, int32_t outer_size, int32_t depth,
                    const int8_t* input, int16_t* output) {
  softmax_rows<int16_t>(p, outer_size, depth, input, output, 16, -32768, 32767);
}

}  // namespace locus::kernels::reference
