// AveragePool2D and MaxPool2D int8, bit-exact with TFLite Micro's
// reference_integer_ops::AveragePool / MaxPool.
//
// The window is clipped to the image once per output pixel (only in-image
// taps count, as in the reference), then whole blocks of 16 channels are
// summed (or maxed) per tap so the inner loop vectorises.
#include "runtime/kernels/fixed_point.h"
#include "runtime/kernels/kernels.h"

namespace locus::kernels {
namespace {

constexpr int32_t kBlock = 16;

struct Window {
  int32_t y0, y1, x0, x1;  // valid input rows/cols [0, in) of the window
};

inline Window clip(const PoolParams& p, const Dims4& in, int32_t oy, int32_t ox) {
  const int32_t iy = oy * p.stride_h - p.pad_top;
  const int32_t ix = ox * p.stride_w - p.pad_left;
  Window w;
  w.y0 = iy < 0 ? 0 : iy;
  w.y1 = iy + p.filter_h < in.h ? iy + p.filter_h : in.h;
  w.x0 = ix < 0 ? 0 : ix;
  w.x1 = ix + p.filter_w < in.w ? ix + p.filter_w : in.w;
  return w;
}

// Round-half-away-from-zero division used by TFLite's int8 average pool.
inline int32_t rounded_average(int32_t sum, int32_t count) {
  if (count <= 0) return 0;
  return sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
}

}  // namespace

void average_pool_2d_s8(const PoolParams& p, const Dims4& in, const int8_t* input,
                        const Dims4& out, int8_t* output) {
  const int32_t channels = out.c;
  for (int32_t b = 0; b < out.n; ++b) {
    const int8_t* image = input + b * in.h * in.w * in.c;
    for (int32_t oy = 0; oy < out.h; ++oy) {
      for (int32_t ox = 0; ox < out.w; ++ox) {
        const Window w = clip(p, in, oy, ox);
        const int32_t count =
            (w.y1 > w.y0 && w.x1 > w.x0) ? (w.y1 - w.y0) * (w.x1 - w.x0) : 0;
        int8_t* out_px = output + ((b * out.h + oy) * out.w + ox) * channels;
        int32_t c0 = 0;
        for (; c0 + kBlock <= channels; c0 += kBlock) {
          int32_t acc[kBlock] = {};
          for (int32_t y = w.y0; y < w.y1; ++y) {
            for (int32_t x = w.x0; x < w.x1; ++x) {
              const int8_t* src = image + (y * in.w + x) * in.c + c0;
              for (int32_t i = 0; i < kBlock; ++i) acc[i] += src[i];
            }
          }
          for (int32_t i = 0; i < kBlock; ++i) {
            out_px[c0 + i] = static_cast<int8_t>(
                fp::clamp(rounded_average(acc[i], count), p.activation_min, p.activation_max));
          }
        }
        for (int32_t c = c0; c < channels; ++c) {
          int32_t acc = 0;
          for (int32_t y = w.y0; y < w.y1; ++y)
            for (int32_t x = w.x0; x < w.x1; ++x) acc += image[(y * in.w + x) * in.c + c];
          out_px[c] = static_cast<int8_t>(
              fp::clamp(rounded_average(acc, count), p.activation_min, p.activation_max));
        }
      }
    }
  }
}

void max_pool_2d_s8(const PoolParams& p, const Dims4& in, const int8_t* input, const Dims4& out,
                    int8_t* output) {
  const int32_t channels = out.c;
  for (int32_t b = 0; b < out.n; ++b) {
    const int8_t* image = input + b * in.h * in.w * in.c;
    for (int32_t oy = 0; oy < out.h; ++oy) {
      for (int32_t ox = 0; ox < out.w; ++ox) {
        const Window w = clip(p, in, oy, ox);
        int8_t* out_px = output + ((b * out.h + oy) * out.w + ox) * channels;
        int32_t c0 = 0;
        for (; c0 + kBlock <= channels; c0 += kBlock) {
          int8_t best[kBlock];
          for (int32_t i = 0; i < kBlock; ++i) best[i] = -128;
          for (int32_t y = w.y0; y < w.y1; ++y) {
            for (int32_t x = w.x0; x < w.x1; ++x) {
              const int8_t* src = image + (y * in.w + x) * in.c + c0;
              for (int32_t i = 0; i < kBlock; ++i) best[i] = src[i] > best[i] ? src[i] : best[i];
            }
          }
          for (int32_t i = 0; i < kBlock; ++i) {
            out_px[c0 + i] =
                static_cast<int8_t>(fp::clamp(best[i], p.activation_min, p.activation_max));
          }
        }
        for (int32_t c = c0; c < channels; ++c) {
          int32_t best = -128;
          for (int32_t y = w.y0; y < w.y1; ++y)
            for (int32_t x = w.x0; x < w.x1; ++x) {
              const int32_t v = image[(y * in.w + x) * in.c + c];
              best = v > best ? v : best;
            }
          out_px[c] = static_cast<int8_t>(fp::clamp(best, p.activation_min, p.activation_max));
        }
      }
    }
  }
}

}  // namespace locus::kernels
