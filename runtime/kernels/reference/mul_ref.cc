#include "runtime/kernels/reference/mul_ref.h"

#include "runtime/kernels/fixed_point.h"

namespace locus::kernels::reference {
namespace {

int32_t broadcast_index(const Dims4& d, int32_t n, int32_t h, int32_t w, int32_t c) {
  n = d.n == 1 ? 0 : n;
  h = d.h == 1 ? 0 : h;
  w = d.w == 1 ? 0 : w;
  c = d.c == 1 ? 0 : c;
  return ((n * d.h + h) * d.w + w) * d.c + c;
}

}  // namespace

// Mirrors TFLite's MulElementwise / BroadcastMul for int8.
void mul_s8(const MulParams& p, const Dims4& d1, const int8_t* input1, const Dims4& d2,
            const int8_t* input2, const Dims4& out, int8_t* output) {
  for (int32_t n = 0; n < out.n; ++n)
    for (int32_t h = 0; h < out.h; ++h)
      for (int32_t w = 0; w < out.w; ++w)
        for (int32_t c = 0; c < out.c; ++c) {
          const int32_t v1 = input1[broadcast_index(d1, n, h, w, c)] + p.input1_offset;
          const int32_t v2 = input2[broadcast_index(d2, n, h, w, c)] + p.input2_offset;
          const int32_t r = p.output_offset + fp::multiply_by_quantized_multiplier(
                                                  v1 * v2, p.output_multiplier, p.output_shift);
          output[((n * out.h + h) * out.w + w) * out.c + c] =
              static_cast<int8_t>(fp::clamp(r, p.activation_min, p.activation_max));
        }
}

}  // namespace locus::kernels::reference
