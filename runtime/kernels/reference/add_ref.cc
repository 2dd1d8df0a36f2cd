#include "runtime/kernels/reference/add_ref.h"

#include "runtime/kernels/fixed_point.h"

namespace locus::kernels::reference {
namespace {

// Index of output coordinate (n, h, w, c) in an input that broadcasts along
// every dimension where it has extent 1.
int32_t broadcast_index(const Dims4& d, int32_t n, int32_t h, int32_t w, int32_t c) {
  n = d.n == 1 ? 0 : n;
  h = d.h == 1 ? 0 : h;
  w = d.w == 1 ? 0 : w;
  c = d.c == 1 ? 0 : c;
  return ((n * d.h + h) * d.w + w) * d.c + c;
}

// TFLite's AddFunc for int8.
int8_t add_one(const AddParams& p, int32_t x1, int32_t x2) {
  const int32_t v1 = (x1 + p.input1_offset) * (int32_t{1} << p.left_shift);
  const int32_t v2 = (x2 + p.input2_offset) * (int32_t{1} << p.left_shift);
  const int32_t s1 =
      fp::multiply_by_quantized_multiplier_smaller_than_one_exp(v1, p.input1_multiplier,
                                                                p.input1_shift);
  const int32_t s2 =
      fp::multiply_by_quantized_multiplier_smaller_than_one_exp(v2, p.input2_multiplier,
                                                                p.input2_shift);
  const int32_t out = fp::multiply_by_quantized_multiplier_smaller_than_one_exp(
                          s1 + s2, p.output_multiplier, p.output_shift) +
                      p.output_offset;
  return static_cast<int8_t>(fp::clamp(out, p.activation_min, p.activation_max));
}

}  // namespace

void add_s8(const AddParams& p, const Dims4& d1, const int8_t* input1, const Dims4& d2,
            const int8_t* input2, const Dims4& out, int8_t* output) {
  for (int32_t n = 0; n < out.n; ++n)
    for (int32_t h = 0; h < out.h; ++h)
      for (int32_t w = 0; w < out.w; ++w)
        for (int32_t c = 0; c < out.c; ++c)
          output[((n * out.h + h) * out.w + w) * out.c + c] =
              add_one(p, input1[broadcast_index(d1, n, h, w, c)],
                      input2[broadcast_index(d2, n, h, w, c)]);
}

}  // namespace locus::kernels::reference
