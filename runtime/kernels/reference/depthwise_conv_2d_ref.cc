#include "runtime/kernels/reference/depthwise_conv_2d_ref.h"

#include "runtime/kernels/fixed_point.h"

namespace locus::kernels::reference {

// Mirrors TFLite Micro's reference_integer_ops::DepthwiseConvPerChannel.
void depthwise_conv_2d_s8(const ConvParams& p, const Dims4& in, const int8_t* input,
                          const Dims4& fd, const int8_t* filter, const int32_t* bias,
                          const Dims4& out, int8_t* output) {
  const int32_t mult = p.depth_multiplier;
  for (int32_t b = 0; b < out.n; ++b) {
    for (int32_t oy = 0; oy < out.h; ++oy) {
      for (int32_t ox = 0; ox < out.w; ++ox) {
        for (int32_t ic = 0; ic < in.c; ++ic) {
          for (int32_t m = 0; m < mult; ++m) {
            const int32_t oc = ic * mult + m;
            int32_t acc = 0;
            for (int32_t ky = 0; ky < fd.h; ++ky) {
              for (int32_t kx = 0; kx < fd.w; ++kx) {
                const int32_t iy = oy * p.stride_h - p.pad_top + ky * p.dilation_h;
                const int32_t ix = ox * p.stride_w - p.pad_left + kx * p.dilation_w;
                if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w) continue;
                const int32_t x = input[((b * in.h + iy) * in.w + ix) * in.c + ic];
                const int32_t w = filter[(ky * fd.w + kx) * fd.c + oc];
                acc = fp::wrapping_add(acc, w * (x + p.input_offset));
              }
            }
            if (bias != nullptr) acc = fp::wrapping_add(acc, bias[oc]);
            const int32_t q = p.requant.count == 1 ? 0 : oc;
            acc = fp::multiply_by_quantized_multiplier(acc, p.requant.multiplier[q],
                                                       p.requant.shift[q]);
            acc += p.output_offset;
            output[((b * out.h + oy) * out.w + ox) * out.c + oc] =
                static_cast<int8_t>(fp::clamp(acc, p.activation_min, p.activation_max));
          }
        }
      }
    }
  }
}

}  // namespace locus::kernels::reference
