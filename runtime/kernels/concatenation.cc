// Concatenation along one of the four NHWC axes, any element size: for each
// index of the axes before `axis`, each input contributes one contiguous
// block (its extent along `axis` times everything inside), copied with
// memcpy.
#include <string.h>

#include "runtime/kernels/kernels.h"

namespace locus::kernels {

void concatenation(int32_t axis, int32_t count, const void* const* inputs,
                   const Dims4* input_dims, size_t element_bytes, const Dims4& out,
                   void* output) {
  if (axis < 0 || axis > 3) return;
  const int32_t out_ext[4] = {out.n, out.h, out.w, out.c};
  int32_t outer = 1;
  for (int a = 0; a < axis; ++a) outer *= out_ext[a];
  int32_t inner = 1;  // elements per unit step along `axis`
  for (int a = axis + 1; a < 4; ++a) inner *= out_ext[a];

  auto* dst = static_cast<uint8_t*>(output);
  for (int32_t o = 0; o < outer; ++o) {
    for (int32_t k = 0; k < count; ++k) {
      const Dims4& d = input_dims[k];
      const int32_t ext[4] = {d.n, d.h, d.w, d.c};
      const size_t block = static_cast<size_t>(ext[axis]) * inner * element_bytes;
      memcpy(dst, static_cast<const uint8_t*>(inputs[k]) + o * block, block);
      dst += block;
    }
  }
}

}  // namespace locus::kernels
