#include "runtime/kernels/reference/pooling_ref.h"

#include "runtime/kernels/fixed_point.h"

namespace locus::kernels::reference {

// Both mirror TFLite Micro's reference_integer_ops pooling: only taps inside
// the image take part (the average divides by their count).
void average_pool_2d_s8(const PoolParams& p, const Dims4& in, const int8_t* input,
                        const Dims4& out, int8_t* output) {
  for (int32_t b = 0; b < out.n; ++b) {
    for (int32_t oy = 0; oy < out.h; ++oy) {
      for (int32_t ox = 0; ox < out.w; ++ox) {
        for (int32_t c = 0; c < out.c; ++c) {
          int32_t acc = 0;
          int32_t count = 0;
          for (int32_t ky = 0; ky < p.filter_h; ++ky) {
            for (int32_t kx = 0; kx < p.filter_w; ++kx) {
              const int32_t iy = oy * p.stride_h - p.pad_top + ky;
              const int32_t ix = ox * p.stride_w - p.pad_left + kx;
              if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w) continue;
              acc += input[((b * in.h + iy) * in.w + ix) * in.c + c];
              ++count;
            }
          }
          // TFLM fails the op on an empty window; we define the result as 0.
          if (count > 0) {
            acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
          }
          output[((b * out.h + oy) * out.w + ox) * out.c + c] =
              static_cast<int8_t>(fp::clamp(acc, p.activation_min, p.activation_max));
        }
      }
    }
  }
}

void max_pool_2d_s8(const PoolParams& p, const Dims4& in, const int8_t* input, const Dims4& out,
                    int8_t* output) {
  for (int32_t b = 0; b < out.n; ++b) {
    for (int32_t oy = 0; oy < out.h; ++oy) {
      for (int32_t ox = 0; ox < out.w; ++ox) {
        for (int32_t c = 0; c < out.c; ++c) {
          int32_t best = -128;
          for (int32_t ky = 0; ky < p.filter_h; ++ky) {
            for (int32_t kx = 0; kx < p.filter_w; ++kx) {
              const int32_t iy = oy * p.stride_h - p.pad_top + ky;
              const int32_t ix = ox * p.stride_w - p.pad_left + kx;
              if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w) continue;
              const int32_t v = input[((b * in.h + iy) * in.w + ix) * in.c + c];
              if (v > best) best = v;
            }
          }
          output[((b * out.h + oy) * out.w + ox) * out.c + c] =
              static_cast<int8_t>(fp::clamp(best, p.activation_min, p.activation_max));
        }
      }
    }
  }
}

}  // namespace locus::kernels::reference
