// Broadcasting driver shared by the elementwise kernels (internal header).
#ifndef LOCUS_RUNTIME_KERNELS_BROADCAST_H_
#define LOCUS_RUNTIME_KERNELS_BROADCAST_H_

#include <stdint.h>

#include "runtime/kernels/kernel_types.h"

namespace locus::kernels::detail {

// Calls row(a, stride_a, b, stride_b, out, count) over contiguous output
// runs, where stride is 1 or 0 (a broadcast operand repeats one element).
// Identical shapes collapse into one flat run; otherwise each output row
// along C is one run.
template <typename Row>
inline void for_each_broadcast_row(const Dims4& d1, const int8_t* a, const Dims4& d2,
                                   const int8_t* b, const Dims4& out, int8_t* o, Row row) {
  const int32_t total = out.elements();
  if (d1.elements() == total && d2.elements() == total) {
    row(a, 1, b, 1, o, total);
    return;
  }
  const bool a_full_or_scalar = d1.elements() == total || d1.elements() == 1;
  const bool b_full_or_scalar = d2.elements() == total || d2.elements() == 1;
  if (a_full_or_scalar && b_full_or_scalar) {
    row(a, d1.elements() == total ? 1 : 0, b, d2.elements() == total ? 1 : 0, o, total);
    return;
  }
  auto stride = [](int32_t dim, int32_t s) { return dim == 1 ? 0 : s; };
  const int32_t a_sc = stride(d1.c, 1), a_sw = stride(d1.w, d1.c),
                a_sh = stride(d1.h, d1.w * d1.c), a_sn = stride(d1.n, d1.h * d1.w * d1.c);
  const int32_t b_sc = stride(d2.c, 1), b_sw = stride(d2.w, d2.c),
                b_sh = stride(d2.h, d2.w * d2.c), b_sn = stride(d2.n, d2.h * d2.w * d2.c);
  for (int32_t n = 0; n < out.n; ++n)
    for (int32_t h = 0; h < out.h; ++h)
      for (int32_t w = 0; w < out.w; ++w) {
        row(a + n * a_sn + h * a_sh + w * a_sw, a_sc, b + n * b_sn + h * b_sh + w * b_sw, b_sc,
            o, out.c);
        o += out.c;
      }
}

}  // namespace locus::kernels::detail

#endif  // LOCUS_RUNTIME_KERNELS_BROADCAST_H_
