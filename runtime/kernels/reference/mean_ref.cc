#include "runtime/kernels/reference/mean_ref.h"

#include "runtime/kernels/fixed_point.h"

namespace locus::kernels::reference {

// Mirrors TFLite Micro's int8 Mean (reference_ops::QuantizedMeanOrSum with
// compute_sum = false): raw int32 sum over the reduced axes, zero point
// removed as zp * count, and 1/count folded into the output multiplier.
// Equal input and output scales give QuantizeMultiplier(1.0) = (2^30, 1).
void mean_s8(const MeanParams& p, const Dims4& in, const int8_t* input, const Dims4& out,
             int8_t* output) {
  (void)out;
  const int32_t ext[4] = {in.n, in.h, in.w, in.c};
  int32_t count = 1;
  for (int a = 0; a < 4; ++a)
    if (p.axis_mask & (1u << a)) count *= ext[a];
  if (count == 0) return;

  int32_t multiplier = p.same_quantization ? (int32_t{1} << 30) : p.output_multiplier;
  int32_t shift = p.same_quantization ? 1 : p.output_shift;
  int log2_count = 63 - __builtin_clzll(static_cast<uint64_t>(count));
  if (log2_count > 32) log2_count = 32;
  if (log2_count > 31 + shift) log2_count = 31 + shift;
  multiplier = static_cast<int32_t>((static_cast<int64_t>(multiplier) << log2_count) / count);
  shift -= log2_count;

  // Output elements follow the kept axes in order.
  int32_t lim[4];
  for (int a = 0; a < 4; ++a) lim[a] = (p.axis_mask & (1u << a)) ? 1 : ext[a];
  int32_t o = 0;
  for (int32_t n = 0; n < lim[0]; ++n)
    for (int32_t h = 0; h < lim[1]; ++h)
      for (int32_t w = 0; w < lim[2]; ++w)
        for (int32_t c = 0; c < lim[3]; ++c) {
          int32_t rlim[4];
          for (int a = 0; a < 4; ++a) rlim[a] = (p.axis_mask & (1u << a)) ? ext[a] : 1;
          int32_t sum = 0;
          for (int32_t rn = 0; rn < rlim[0]; ++rn)
            for (int32_t rh = 0; rh < rlim[1]; ++rh)
              for (int32_t rw = 0; rw < rlim[2]; ++rw)
                for (int32_t rc = 0; rc < rlim[3]; ++rc) {
                  const int32_t idx =
                      (((n + rn) * in.h + (h + rh)) * in.w + (w + rw)) * in.c + (c + rc);
                  sum = fp::wrapping_add(sum, input[idx]);
                }
          const int32_t shifted_sum =
              static_cast<int32_t>(sum - static_cast<int64_t>(p.input_zero_point) * count);
          const int32_t v =
              fp::multiply_by_quantized_multiplier(shifted_sum, multiplier, shift) +
              p.output_zero_point;
          output[o++] = static_cast<int8_t>(fp::clamp(v, -128, 127));
        }
}

}  // namespace locus::kernels::reference
