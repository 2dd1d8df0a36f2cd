// Conv2D int8 (per-channel requantisation), bit-exact with TFLite Micro's
// reference_integer_ops::ConvPerChannel.
//
// Strategy: for each output pixel, gather its receptive field once into an
// int16 "patch" holding x + input_offset, with 0 for taps in the padding
// (a padded tap contributes w * 0, exactly what skipping it does). Every
// output channel is then a plain dot product of the patch with that
// channel's contiguous OHWI filter row, four channels at a time. The sum is
// the same int32 sum the reference forms, so the result is identical.
// A 1x1 stride-1 convolution is the same loop with a one-pixel patch (a
// GEMM). Patches larger than the stack buffer fall back to a direct loop.
#include "runtime/kernels/dot_product.h"
#include "runtime/kernels/kernels.h"

namespace locus::kernels {
namespace {

using detail::kPatchCapacity;

struct Geometry {
  int32_t groups, filters_per_group, k;  // k = patch length per group
};

// Fills `patch` with the offset-corrected receptive field of output pixel
// (iy0, ix0) for input channels [c0, c0 + fd.c).
void gather_patch(const ConvParams& p, const Dims4& in, const int8_t* image, const Dims4& fd,
                  int32_t iy0, int32_t ix0, int32_t c0, int16_t* patch) {
  const int32_t cin = fd.c;
  const bool contiguous_rows = p.dilation_w == 1 && cin == in.c;
  for (int32_t ky = 0; ky < fd.h; ++ky) {
    int16_t* row = patch + ky * fd.w * cin;
    const int32_t iy = iy0 + ky * p.dilation_h;
    if (iy < 0 || iy >= in.h) {
      for (int32_t i = 0; i < fd.w * cin; ++i) row[i] = 0;
      continue;
    }
    const int8_t* src_row = image + iy * in.w * in.c;
    if (contiguous_rows && ix0 >= 0 && ix0 + fd.w <= in.w) {
      // Whole filter row inside the image: one contiguous run.
      detail::widen_with_offset(src_row + ix0 * in.c, p.input_offset, fd.w * cin, row);
      continue;
    }
    for (int32_t kx = 0; kx < fd.w; ++kx) {
      const int32_t ix = ix0 + kx * p.dilation_w;
      int16_t* dst = row + kx * cin;
      if (ix < 0 || ix >= in.w) {
        for (int32_t i = 0; i < cin; ++i) dst[i] = 0;
      } else {
        detail::widen_with_offset(src_row + ix * in.c + c0, p.input_offset, cin, dst);
      }
    }
  }
}

// Output channels [oc0, oc1) of one pixel from a gathered patch.
void channels_from_patch(const ConvParams& p, const int16_t* patch, int32_t k,
                         const int8_t* filter, const int32_t* bias, int32_t oc0, int32_t oc1,
                         int8_t* out_px) {
  const bool per_channel = p.requant.count != 1;
  int32_t oc = oc0;
  int32_t acc[4];
  for (; oc + 4 <= oc1; oc += 4) {
    detail::dot4_s16_s8(patch, filter + oc * k, k, k, acc);
    for (int32_t j = 0; j < 4; ++j) {
      const int32_t c = oc + j;
      const int32_t q = per_channel ? c : 0;
      const int32_t a = bias != nullptr ? fp::wrapping_add(acc[j], bias[c]) : acc[j];
      out_px[c] = detail::requantize_acc(a, p.requant.multiplier[q], p.requant.shift[q],
                                         p.output_offset, p.activation_min, p.activation_max);
    }
  }
  for (; oc < oc1; ++oc) {
    int32_t a = detail::dot_s16_s8(patch, filter + oc * k, k);
    if (bias != nullptr) a = fp::wrapping_add(a, bias[oc]);
    const int32_t q = per_channel ? oc : 0;
    out_px[oc] = detail::requantize_acc(a, p.requant.multiplier[q], p.requant.shift[q],
                                        p.output_offset, p.activation_min, p.activation_max);
  }
}

// Fallback for receptive fields too large for the patch buffer: per tap,
// sum w*x and sum w over the valid taps, then fold the offset in.
void conv_direct(const ConvParams& p, const Dims4& in, const int8_t* input, const Dims4& fd,
                 const int8_t* filter, const int32_t* bias, const Dims4& out, int8_t* output,
                 const Geometry& g) {
  const bool per_channel = p.requant.count != 1;
  for (int32_t b = 0; b < out.n; ++b) {
    const int8_t* image = input + b * in.h * in.w * in.c;
    for (int32_t oy = 0; oy < out.h; ++oy) {
      const int32_t iy0 = oy * p.stride_h - p.pad_top;
      for (int32_t ox = 0; ox < out.w; ++ox) {
        const int32_t ix0 = ox * p.stride_w - p.pad_left;
        int8_t* out_px = output + ((b * out.h + oy) * out.w + ox) * out.c;
        for (int32_t oc = 0; oc < out.c; ++oc) {
          const int32_t c0 = (oc / g.filters_per_group) * fd.c;
          int32_t dot = 0, sum_w = 0;
          for (int32_t ky = 0; ky < fd.h; ++ky) {
            const int32_t iy = iy0 + ky * p.dilation_h;
            if (iy < 0 || iy >= in.h) continue;
            for (int32_t kx = 0; kx < fd.w; ++kx) {
              const int32_t ix = ix0 + kx * p.dilation_w;
              if (ix < 0 || ix >= in.w) continue;
              detail::dot_and_sum_s8(image + (iy * in.w + ix) * in.c + c0,
                                     filter + ((oc * fd.h + ky) * fd.w + kx) * fd.c, fd.c, &dot,
                                     &sum_w);
            }
          }
          int32_t acc = fp::wrapping_add(dot, sum_w * p.input_offset);
          if (bias != nullptr) acc = fp::wrapping_add(acc, bias[oc]);
          const int32_t q = per_channel ? oc : 0;
          out_px[oc] = detail::requantize_acc(acc, p.requant.multiplier[q], p.requant.shift[q],
                                              p.output_offset, p.activation_min,
                                              p.activation_max);
        }
      }
    }
  }
}

}  // namespace

void conv_2d_s8(const ConvParams& p, const Dims4& in, const int8_t* input, const Dims4& fd,
                const int8_t* filter, const int32_t* bias, const Dims4& out, int8_t* output) {
  if (fd.c <= 0 || out.c <= 0) return;
  Geometry g;
  g.groups = in.c / fd.c;
  if (g.groups <= 0) return;
  g.filters_per_group = out.c / g.groups;
  g.k = fd.h * fd.w * fd.c;
  if (g.k > kPatchCapacity) {
    conv_direct(p, in, input, fd, filter, bias, out, output, g);
    return;
  }

  int16_t patch[kPatchCapacity];
  // A 1x1, stride-1, unpadded, ungrouped convolution reads each input pixel
  // exactly once, in order: widen it and run the channel loop (a GEMM).
  const bool pointwise = fd.h == 1 && fd.w == 1 && p.stride_h == 1 && p.stride_w == 1 &&
                         p.pad_top == 0 && p.pad_left == 0 && g.groups == 1 &&
                         out.h == in.h && out.w == in.w;
  if (pointwise) {
    const int32_t pixels = out.n * out.h * out.w;
    for (int32_t i = 0; i < pixels; ++i) {
      detail::widen_with_offset(input + i * in.c, p.input_offset, in.c, patch);
      channels_from_patch(p, patch, g.k, filter, bias, 0, out.c, output + i * out.c);
    }
    return;
  }

  for (int32_t b = 0; b < out.n; ++b) {
    const int8_t* image = input + b * in.h * in.w * in.c;
    for (int32_t oy = 0; oy < out.h; ++oy) {
      const int32_t iy0 = oy * p.stride_h - p.pad_top;
      for (int32_t ox = 0; ox < out.w; ++ox) {
        const int32_t ix0 = ox * p.stride_w - p.pad_left;
        int8_t* out_px = output + ((b * out.h + oy) * out.w + ox) * out.c;
        for (int32_t grp = 0; grp < g.groups; ++grp) {
          gather_patch(p, in, image, fd, iy0, ix0, grp * fd.c, patch);
          channels_from_patch(p, patch, g.k, filter, bias, grp * g.filters_per_group,
                              (grp + 1) * g.filters_per_group, out_px);
        }
      }
    }
  }
}

}  // namespace locus::kernels
