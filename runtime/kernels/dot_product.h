// Inner loops shared by the convolution-like kernels (internal header).
//
// The loops are written so gcc -O2 (whose "very cheap" vectoriser only
// accepts trip counts it can prove are a multiple of the vector width)
// vectorises the main part: the body runs over n & ~15 elements, the tail
// separately. On Cortex-M they stay short scalar multiply-accumulate loops.
#ifndef LOCUS_RUNTIME_KERNELS_DOT_PRODUCT_H_
#define LOCUS_RUNTIME_KERNELS_DOT_PRODUCT_H_

#include <stdint.h>

#include "runtime/kernels/fixed_point.h"
#include "runtime/kernels/kernel_types.h"

namespace locus::kernels::detail {

// Largest im2col patch (int16 entries) kept on the stack: 2 KiB.
constexpr int32_t kPatchCapacity = 1024;

// dst[i] = src[i] + offset as int16 (the offset-corrected activations).
inline void widen_with_offset(const int8_t* __restrict src, int32_t offset, int32_t n,
                              int16_t* __restrict dst) {
  const int32_t n16 = n & ~15;
  for (int32_t i = 0; i < n16; ++i) dst[i] = static_cast<int16_t>(src[i] + offset);
  for (int32_t i = n16; i < n; ++i) dst[i] = static_cast<int16_t>(src[i] + offset);
}

inline int32_t dot_s16_s8(const int16_t* __restrict a, const int8_t* __restrict w, int32_t n) {
  int32_t acc = 0;
  const int32_t n16 = n & ~15;
  for (int32_t i = 0; i < n16; ++i) acc += a[i] * w[i];
  for (int32_t i = n16; i < n; ++i) acc += a[i] * w[i];
  return acc;
}

// Four dot products of one activation vector against four weight rows
// `stride` apart; each activation load serves four multiply-accumulates.
inline void dot4_s16_s8(const int16_t* __restrict a, const int8_t* __restrict w, int32_t stride,
                        int32_t n, int32_t* __restrict out) {
  const int8_t* __restrict w0 = w;
  const int8_t* __restrict w1 = w + stride;
  const int8_t* __restrict w2 = w + 2 * stride;
  const int8_t* __restrict w3 = w + 3 * stride;
  int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  const int32_t n16 = n & ~15;
  for (int32_t i = 0; i < n16; ++i) {
    const int32_t x = a[i];
    a0 += x * w0[i];
    a1 += x * w1[i];
    a2 += x * w2[i];
    a3 += x * w3[i];
  }
  int32_t i = n16;
  if (n & 8) {  // fixed-length block: still vectorised
    for (int32_t j = 0; j < 8; ++j) {
      const int32_t x = a[i + j];
      a0 += x * w0[i + j];
      a1 += x * w1[i + j];
      a2 += x * w2[i + j];
      a3 += x * w3[i + j];
    }
    i += 8;
  }
  for (; i < n; ++i) {
    const int32_t x = a[i];
    a0 += x * w0[i];
    a1 += x * w1[i];
    a2 += x * w2[i];
    a3 += x * w3[i];
  }
  out[0] = a0;
  out[1] = a1;
  out[2] = a2;
  out[3] = a3;
}

// sum(x[i] * w[i]) and sum(w[i]) in one pass over int8 data, for callers that
// fold the input offset in afterwards (acc = dot + offset * sum_w).
inline void dot_and_sum_s8(const int8_t* __restrict x, const int8_t* __restrict w, int32_t n,
                           int32_t* dot, int32_t* sum_w) {
  int32_t d = 0, s = 0;
  const int32_t n16 = n & ~15;
  for (int32_t i = 0; i < n16; ++i) {
    d += x[i] * w[i];
    s += w[i];
  }
  for (int32_t i = n16; i < n; ++i) {
    d += x[i] * w[i];
    s += w[i];
  }
  *dot += d;
  *sum_w += s;
}

// Final requantisation step shared by conv, depthwise and fully connected.
inline int8_t requantize_acc(int32_t acc, int32_t multiplier, int32_t shift, int32_t out_offset,
                             int32_t act_min, int32_t act_max) {
  const int32_t v = fp::multiply_by_quantized_multiplier(acc, multiplier, shift) + out_offset;
  return static_cast<int8_t>(fp::clamp(v, act_min, act_max));
}

}  // namespace locus::kernels::detail

#endif  // LOCUS_RUNTIME_KERNELS_DOT_PRODUCT_H_
