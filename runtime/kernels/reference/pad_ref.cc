#include "runtime/kernels/reference/pad_ref.h"

#include <string.h>

namespace locus::kernels::reference {

// Element by element: copy the input element if the output coordinate maps
// inside the input, else the pad value.
void pad(const PadParams& p, const Dims4& in, const void* input, size_t element_bytes,
         const void* pad_value, const Dims4& out, void* output) {
  const auto* src = static_cast<const uint8_t*>(input);
  auto* dst = static_cast<uint8_t*>(output);
  for (int32_t n = 0; n < out.n; ++n)
    for (int32_t h = 0; h < out.h; ++h)
      for (int32_t w = 0; w < out.w; ++w)
        for (int32_t c = 0; c < out.c; ++c) {
          const int32_t i[4] = {n - p.before[0], h - p.before[1], w - p.before[2],
                                c - p.before[3]};
          const bool inside = i[0] >= 0 && i[0] < in.n && i[1] >= 0 && i[1] < in.h &&
                              i[2] >= 0 && i[2] < in.w && i[3] >= 0 && i[3] < in.c;
          const size_t o = static_cast<size_t>(((n * out.h + h) * out.w + w) * out.c + c);
          if (inside) {
            const size_t s = static_cast<size_t>(((i[0] * in.h + i[1]) * in.w + i[2]) * in.c + i[3]);
            memcpy(dst + o * element_bytes, src + s * element_bytes, element_bytes);
          } else {
            memcpy(dst + o * element_bytes, pad_value, element_bytes);
          }
        }
}

}  // namespace locus::kernels::reference
