// Mul int8 with broadcasting, bit-exact with TFLite's int8 MulElementwise.
#include "runtime/kernels/broadcast.h"
#include "runtime/kernels/fixed_point.h"
#include "runtime/kernels/kernels.h"

namespace locus::kernels {

void mul_s8(const MulParams& p, const Dims4& d1, const int8_t* input1, const Dims4& d2,
            const int8_t* input2, const Dims4& out, int8_t* output) {
  const int32_t off1 = p.input1_offset, off2 = p.input2_offset;
  const int32_t m = p.output_multiplier, s = p.output_shift;
  detail::for_each_broadcast_row(
      d1, input1, d2, input2, out, output,
      [&](const int8_t* a, int32_t sa, const int8_t* b, int32_t sb, int8_t* o, int32_t n) {
        for (int32_t i = 0; i < n; ++i) {
          const int32_t prod = (a[i * sa] + off1) * (b[i * sb] + off2);
          const int32_t v = fp::multiply_by_quantized_multiplier(prod, m, s) + p.output_offset;
          o[i] = static_cast<int8_t>(fp::clamp(v, p.activation_min, p.activation_max));
        }
      });
}

}  // namespace locus::kernels
