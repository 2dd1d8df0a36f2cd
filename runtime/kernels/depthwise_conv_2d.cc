// DepthwiseConv2D int8 (per-channel requantisation), bit-exact with TFLite
// Micro's reference_integer_ops::DepthwiseConvPerChannel.
//
// Depthwise work has no reuse across channels, so the fast path (depth
// multiplier 1) vectorises across channels instead: for each output pixel
// it clips the filter window to the image once, then for blocks of 16
// channels accumulates (x + input_offset) * w over the valid taps in
// registers. That product always fits in int16 (|x + off| <= 255,
// |w| <= 128), which keeps the vector multiply narrow; the sum is int32 as
// in the reference. Taps in the padding are skipped exactly as the
// reference skips them.
#include "runtime/kernels/dot_product.h"
#include "runtime/kernels/kernels.h"

namespace locus::kernels {
namespace {

constexpr int32_t kBlock = 16;

// acc[i] += (x[i] + off) * w[i] for a fixed block of kN channels.
template <int32_t kN>
inline void mac_block(const int8_t* __restrict x, const int8_t* __restrict w, int16_t off,
                      int32_t* __restrict acc) {
  for (int32_t i = 0; i < kN; ++i) {
    acc[i] += static_cast<int16_t>(static_cast<int16_t>(x[i] + off) * static_cast<int16_t>(w[i]));
  }
}

struct Window {
  int32_t ky0, ky1, kx0, kx1;  // valid filter taps [k0, k1)
};

// Clips the (possibly dilated) filter window at (iy0, ix0) to the image.
inline Window clip_window(const ConvParams& p, const Dims4& in, const Dims4& fd, int32_t iy0,
                          int32_t ix0) {
  Window w{0, fd.h, 0, fd.w};
  while (w.ky0 < w.ky1 && iy0 + w.ky0 * p.dilation_h < 0) ++w.ky0;
  while (w.ky1 > w.ky0 && iy0 + (w.ky1 - 1) * p.dilation_h >= in.h) --w.ky1;
  while (w.kx0 < w.kx1 && ix0 + w.kx0 * p.dilation_w < 0) ++w.kx0;
  while (w.kx1 > w.kx0 && ix0 + (w.kx1 - 1) * p.dilation_w >= in.w) --w.kx1;
  return w;
}

// Output channels [c0, c0 + kN) of one pixel, accumulated in registers
// over the valid taps, then requantised.
template <int32_t kN>
inline void channel_block(const ConvParams& p, const Dims4& in, const Dims4& fd,
                          const int8_t* image, const int8_t* filter, const int32_t* bias,
                          const Window& win, int32_t iy0, int32_t ix0, int32_t c0,
                          int8_t* out_px) {
  const int16_t off = static_cast<int16_t>(p.input_offset);
  const int32_t row_stride = in.w * in.c;
  int32_t acc[kN];
  for (int32_t i = 0; i < kN; ++i) acc[i] = bias != nullptr ? bias[c0 + i] : 0;
  for (int32_t ky = win.ky0; ky < win.ky1; ++ky) {
    const int8_t* x_row = image + (iy0 + ky * p.dilation_h) * row_stride + c0;
    const int8_t* w_row = filter + ky * fd.w * fd.c + c0;
    for (int32_t kx = win.kx0; kx < win.kx1; ++kx) {
      mac_block<kN>(x_row + (ix0 + kx * p.dilation_w) * in.c, w_row + kx * fd.c, off, acc);
    }
  }
  const bool per_channel = p.requant.count != 1;
  for (int32_t i = 0; i < kN; ++i) {
    const int32_t q = per_channel ? c0 + i : 0;
    out_px[c0 + i] = detail::requantize_acc(acc[i], p.requant.multiplier[q], p.requant.shift[q],
                                            p.output_offset, p.activation_min, p.activation_max);
  }
}

// Depth multiplier 1: output channel c reads input channel c only.
void depthwise_mult1(const ConvParams& p, const Dims4& in, const int8_t* input, const Dims4& fd,
                     const int8_t* filter, const int32_t* bias, const Dims4& out,
                     int8_t* output) {
  const int32_t channels = out.c;
  const bool per_channel = p.requant.count != 1;
  const int32_t row_stride = in.w * in.c;
  for (int32_t b = 0; b < out.n; ++b) {
    const int8_t* image = input + b * in.h * row_stride;
    for (int32_t oy = 0; oy < out.h; ++oy) {
      const int32_t iy0 = oy * p.stride_h - p.pad_top;
      for (int32_t ox = 0; ox < out.w; ++ox) {
        const int32_t ix0 = ox * p.stride_w - p.pad_left;
        const Window win = clip_window(p, in, fd, iy0, ix0);
        int8_t* out_px = output + ((b * out.h + oy) * out.w + ox) * channels;
        int32_t c0 = 0;
        for (; c0 + kBlock <= channels; c0 += kBlock) {
          channel_block<kBlock>(p, in, fd, image, filter, bias, win, iy0, ix0, c0, out_px);
        }
        if (c0 + 8 <= channels) {
          channel_block<8>(p, in, fd, image, filter, bias, win, iy0, ix0, c0, out_px);
          c0 += 8;
        }
        // Remaining channels one at a time.
        for (int32_t c = c0; c < channels; ++c) {
          int32_t acc = bias != nullptr ? bias[c] : 0;
          for (int32_t ky = win.ky0; ky < win.ky1; ++ky) {
            const int8_t* x_row = image + (iy0 + ky * p.dilation_h) * row_stride + c;
            const int8_t* w_row = filter + ky * fd.w * fd.c + c;
            for (int32_t kx = win.kx0; kx < win.kx1; ++kx) {
              acc += (x_row[(ix0 + kx * p.dilation_w) * in.c] + p.input_offset) * w_row[kx * fd.c];
            }
          }
          const int32_t q = per_channel ? c : 0;
          out_px[c] = detail::requantize_acc(acc, p.requant.multiplier[q], p.requant.shift[q],
                                             p.output_offset, p.activation_min, p.activation_max);
        }
      }
    }
  }
}

// Output channels [oc0, oc0 + kN) of one pixel, all reading input channel
// ic (depth multiplier > 1): each input tap is loaded once and multiplied
// into kN accumulators from contiguous filter bytes.
template <int32_t kN>
inline void multiplier_block(const ConvParams& p, const Dims4& in, const Dims4& fd,
                             const int8_t* image, const int8_t* filter, const int32_t* bias,
                             const Window& win, int32_t iy0, int32_t ix0, int32_t ic,
                             int32_t oc0, int8_t* out_px) {
  const int32_t row_stride = in.w * in.c;
  int32_t acc[kN];
  for (int32_t i = 0; i < kN; ++i) acc[i] = bias != nullptr ? bias[oc0 + i] : 0;
  for (int32_t ky = win.ky0; ky < win.ky1; ++ky) {
    const int8_t* x_row = image + (iy0 + ky * p.dilation_h) * row_stride + ic;
    const int8_t* w_row = filter + ky * fd.w * fd.c + oc0;
    for (int32_t kx = win.kx0; kx < win.kx1; ++kx) {
      const int32_t x = x_row[(ix0 + kx * p.dilation_w) * in.c] + p.input_offset;
      const int8_t* w = w_row + kx * fd.c;
      for (int32_t i = 0; i < kN; ++i) acc[i] += x * w[i];
    }
  }
  const bool per_channel = p.requant.count != 1;
  for (int32_t i = 0; i < kN; ++i) {
    const int32_t q = per_channel ? oc0 + i : 0;
    out_px[oc0 + i] = detail::requantize_acc(acc[i], p.requant.multiplier[q], p.requant.shift[q],
                                             p.output_offset, p.activation_min, p.activation_max);
  }
}

// Any depth multiplier: output channel ic * m + j reads input channel ic.
void depthwise_general(const ConvParams& p, const Dims4& in, const int8_t* input,
                       const Dims4& fd, const int8_t* filter, const int32_t* bias,
                       const Dims4& out, int8_t* output) {
  const int32_t mult = p.depth_multiplier;
  const int32_t row_stride = in.w * in.c;
  for (int32_t b = 0; b < out.n; ++b) {
    const int8_t* image = input + b * in.h * row_stride;
    for (int32_t oy = 0; oy < out.h; ++oy) {
      const int32_t iy0 = oy * p.stride_h - p.pad_top;
      for (int32_t ox = 0; ox < out.w; ++ox) {
        const int32_t ix0 = ox * p.stride_w - p.pad_left;
        const Window win = clip_window(p, in, fd, iy0, ix0);
        int8_t* out_px = output + ((b * out.h + oy) * out.w + ox) * out.c;
        for (int32_t ic = 0; ic < in.c; ++ic) {
          const int32_t end = (ic + 1) * mult;
          int32_t oc = ic * mult;
          for (; oc + kBlock <= end; oc += kBlock) {
            multiplier_block<kBlock>(p, in, fd, image, filter, bias, win, iy0, ix0, ic, oc, out_px);
          }
          if (oc + 8 <= end) {
            multiplier_block<8>(p, in, fd, image, filter, bias, win, iy0, ix0, ic, oc, out_px);
            oc += 8;
          }
          if (oc + 4 <= end) {
            multiplier_block<4>(p, in, fd, image, filter, bias, win, iy0, ix0, ic, oc, out_px);
            oc += 4;
          }
          for (; oc < end; ++oc) {
            multiplier_block<1>(p, in, fd, image, filter, bias, win, iy0, ix0, ic, oc, out_px);
          }
        }
      }
    }
  }
}

}  // namespace

void depthwise_conv_2d_s8(const ConvParams& p, const Dims4& in, const int8_t* input,
                          const Dims4& fd, const int8_t* filter, const int32_t* bias,
                          const Dims4& out, int8_t* output) {
  if (p.depth_multiplier == 1) {
    depthwise_mult1(p, in, input, fd, filter, bias, out, output);
  } else {
    depthwise_general(p, in, input, fd, filter, bias, out, output);
  }
}

}  // namespace locus::kernels
