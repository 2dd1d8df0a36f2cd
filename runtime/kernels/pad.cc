// Constant padding of any element size. Rows of the innermost (C) run are
// copied with memcpy; padding is written by repeating the pad value.
#include <string.h>

#include "runtime/kernels/kernels.h"

namespace locus::kernels {
namespace {

// Writes `count` copies of the element at `value`.
void fill(uint8_t* dst, const void* value, size_t element_bytes, int32_t count) {
  if (count <= 0) return;
  if (element_bytes == 1) {
    memset(dst, *static_cast<const uint8_t*>(value), static_cast<size_t>(count));
    return;
  }
  for (int32_t i = 0; i < count; ++i) memcpy(dst + i * element_bytes, value, element_bytes);
}

}  // namespace

void pad(const PadParams& p, const Dims4& in, const void* input, size_t element_bytes,
         const void* pad_value, const Dims4& out, void* output) {
  const auto* src = static_cast<const uint8_t*>(input);
  auto* dst = static_cast<uint8_t*>(output);
  const size_t row_bytes = static_cast<size_t>(out.c) * element_bytes;
  const size_t in_row_bytes = static_cast<size_t>(in.c) * element_bytes;
  for (int32_t n = 0; n < out.n; ++n) {
    const int32_t in_n = n - p.before[0];
    for (int32_t h = 0; h < out.h; ++h) {
      const int32_t in_h = h - p.before[1];
      for (int32_t w = 0; w < out.w; ++w) {
        const int32_t in_w = w - p.before[2];
        uint8_t* row = dst + static_cast<size_t>((n * out.h + h) * out.w + w) * row_bytes;
        const bool inside = in_n >= 0 && in_n < in.n && in_h >= 0 && in_h < in.h && in_w >= 0 &&
                            in_w < in.w;
        if (!inside) {
          fill(row, pad_value, element_bytes, out.c);
          continue;
        }
        // Channel row: [before | input row | after], clipped to the output.
        int32_t lead = p.before[3] < 0 ? 0 : p.before[3];
        if (lead > out.c) lead = out.c;
        const int32_t skip = p.before[3] < 0 ? -p.before[3] : 0;  // negative pad crops
        int32_t copy = in.c - skip;
        if (copy > out.c - lead) copy = out.c - lead;
        if (copy < 0) copy = 0;
        fill(row, pad_value, element_bytes, lead);
        memcpy(row + lead * element_bytes,
               src + static_cast<size_t>((in_n * in.h + in_h) * in.w + in_w) * in_row_bytes +
                   skip * element_bytes,
               static_cast<size_t>(copy) * element_bytes);
        fill(row + (lead + copy) * element_bytes, pad_value, element_bytes, out.c - lead - copy);
      }
    }
  }
}

}  // namespace locus::kernels
