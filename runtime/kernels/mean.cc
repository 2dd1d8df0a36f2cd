// Mean int8, bit-exact with TFLite Micro's int8 Mean
// (reference_ops::QuantizedMeanOrSum, compute_sum = false).
//
// The usual case, NHWC reduced over H and W, sums whole blocks of 16
// channels per pixel so the inner loop vectorises; other axis sets use a
// strided loop. The rescale is computed once per call.
#include "runtime/kernels/fixed_point.h"
#include "runtime/kernels/kernels.h"

namespace locus::kernels {
namespace {

constexpr int32_t kBlock = 16;
constexpr uint32_t kAxisH = 1u << 1, kAxisW = 1u << 2;

struct Rescale {
  int32_t multiplier, shift, sub;  // sub = input_zero_point * count
};

// Folds 1/count into the output multiplier exactly as TFLite does
// (multiplier << floor(log2 count), truncating division by count).
Rescale make_rescale(const MeanParams& p, int32_t count) {
  int32_t multiplier = p.same_quantization ? (int32_t{1} << 30) : p.output_multiplier;
  int32_t shift = p.same_quantization ? 1 : p.output_shift;
  int log2_count = 63 - __builtin_clzll(static_cast<uint64_t>(count));
  if (log2_count > 32) log2_count = 32;
  if (log2_count > 31 + shift) log2_count = 31 + shift;
  multiplier = static_cast<int32_t>((static_cast<int64_t>(multiplier) << log2_count) / count);
  return Rescale{multiplier, shift - log2_count,
                 static_cast<int32_t>(static_cast<int64_t>(p.input_zero_point) * count)};
}

inline int8_t finish(const MeanParams& p, const Rescale& r, int32_t sum) {
  const int32_t v = fp::multiply_by_quantized_multiplier(fp::wrapping_sub(sum, r.sub),
                                                         r.multiplier, r.shift) +
                    p.output_zero_point;
  return static_cast<int8_t>(fp::clamp(v, -128, 127));
}

}  // namespace

void mean_s8(const MeanParams& p, const Dims4& in, const int8_t* input, const Dims4& out,
             int8_t* output) {
  (void)out;
  const int32_t ext[4] = {in.n, in.h, in.w, in.c};
  int32_t count = 1;
  for (int a = 0; a < 4; ++a)
    if (p.axis_mask & (1u << a)) count *= ext[a];
  if (count <= 0) return;
  const Rescale r = make_rescale(p, count);

  if ((p.axis_mask & 0xFu) == (kAxisH | kAxisW)) {
    const int32_t pixels = in.h * in.w;
    for (int32_t b = 0; b < in.n; ++b) {
      const int8_t* image = input + b * pixels * in.c;
      int8_t* o = output + b * in.c;
      int32_t c0 = 0;
      for (; c0 + kBlock <= in.c; c0 += kBlock) {
        int32_t acc[kBlock] = {};
        for (int32_t i = 0; i < pixels; ++i) {
          const int8_t* src = image + i * in.c + c0;
          for (int32_t j = 0; j < kBlock; ++j) acc[j] += src[j];
        }
        for (int32_t j = 0; j < kBlock; ++j) o[c0 + j] = finish(p, r, acc[j]);
      }
      for (int32_t c = c0; c < in.c; ++c) {
        int32_t acc = 0;
        for (int32_t i = 0; i < pixels; ++i) acc += image[i * in.c + c];
        o[c] = finish(p, r, acc);
      }
    }
    return;
  }

  // General axis set: outer loops over kept axes, inner over reduced ones.
  const int32_t stride[4] = {in.h * in.w * in.c, in.w * in.c, in.c, 1};
  int32_t keep[4], red[4];
  for (int a = 0; a < 4; ++a) {
    const bool reduced = (p.axis_mask & (1u << a)) != 0;
    keep[a] = reduced ? 1 : ext[a];
    red[a] = reduced ? ext[a] : 1;
  }
  int32_t o = 0;
  for (int32_t i0 = 0; i0 < keep[0]; ++i0)
    for (int32_t i1 = 0; i1 < keep[1]; ++i1)
      for (int32_t i2 = 0; i2 < keep[2]; ++i2)
        for (int32_t i3 = 0; i3 < keep[3]; ++i3) {
          const int8_t* base =
              input + i0 * stride[0] + i1 * stride[1] + i2 * stride[2] + i3 * stride[3];
          int32_t acc = 0;
          for (int32_t j0 = 0; j0 < red[0]; ++j0)
            for (int32_t j1 = 0; j1 < red[1]; ++j1)
              for (int32_t j2 = 0; j2 < red[2]; ++j2) {
                const int8_t* src = base + j0 * stride[0] + j1 * stride[1] + j2 * stride[2];
                for (int32_t j3 = 0; j3 < red[3]; ++j3) acc += src[j3];
              }
          output[o++] = finish(p, r, acc);
        }
}

}  // namespace locus::kernels
