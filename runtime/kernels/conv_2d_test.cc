// Conv2D and DepthwiseConv2D against independent expectations: literal
// hand-computed cases, and a double-precision convolution where the
// requantisation is exact (multiplier 1.0).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "tests/support/kernel_testing.h"
#include "runtime/kernels/kernels.h"

namespace locus::kernels {
namespace {

constexpr int32_t kOne = 1 << 30;  // with shift 1: multiplier exactly 1.0
constexpr int32_t kHalf = 1 << 30; // with shift 0: 0.5

// Real-valued convolution over taps inside the image (x - zp), + bias,
// + zp_out, clamped: what the kernel must give when the multiplier is 1.
std::vector<int8_t> expected_unit_scale_conv(const ConvParams& p, const Dims4& in,
                                             const std::vector<int8_t>& x, const Dims4& fd,
                                             const std::vector<int8_t>& w,
                                             const std::vector<int32_t>& bias, const Dims4& out,
                                             bool depthwise) {
  std::vector<int8_t> y(out.elements());
  for (int b = 0; b < out.n; ++b)
    for (int oy = 0; oy < out.h; ++oy)
      for (int ox = 0; ox < out.w; ++ox)
        for (int oc = 0; oc < out.c; ++oc) {
          double acc = bias.empty() ? 0.0 : bias[oc];
          for (int ky = 0; ky < fd.h; ++ky)
            for (int kx = 0; kx < fd.w; ++kx) {
              const int iy = oy * p.stride_h - p.pad_top + ky * p.dilation_h;
              const int ix = ox * p.stride_w - p.pad_left + kx * p.dilation_w;
              if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w) continue;
              if (depthwise) {
                const int ic = oc / p.depth_multiplier;
                acc += w[(ky * fd.w + kx) * fd.c + oc] *
                       (double(x[((b * in.h + iy) * in.w + ix) * in.c + ic]) + p.input_offset);
              } else {
                for (int ic = 0; ic < fd.c; ++ic)
                  acc += w[((oc * fd.h + ky) * fd.w + kx) * fd.c + ic] *
                         (double(x[((b * in.h + iy) * in.w + ix) * in.c + ic]) + p.input_offset);
              }
            }
          const double v = std::fmin(std::fmax(acc + p.output_offset, p.activation_min),
                                     p.activation_max);
          y[((b * out.h + oy) * out.w + ox) * out.c + oc] = static_cast<int8_t>(v);
        }
  return y;
}

TEST(Conv2dTest, HandComputedValidConv) {
  // 3x3 single-channel input, 2x2 filter, stride 1, no padding, M = 1.
  const Dims4 in{1, 3, 3, 1}, fd{1, 2, 2, 1}, out{1, 2, 2, 1};
  const int8_t x[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const int8_t w[] = {1, 0, 0, -1};  // x[y][x] - x[y+1][x+1]
  const int32_t bias[] = {10};
  const int32_t m[] = {kOne}, s[] = {1};
  ConvParams p;
  p.requant = {m, s, 1};
  p.output_offset = 3;
  int8_t y[4];
  conv_2d_s8(p, in, x, fd, w, bias, out, y);
  // Every window gives -4; + 10 + 3 = 9.
  for (int8_t v : y) EXPECT_EQ(v, 9);
}

TEST(Conv2dTest, PaddingSkipsTapsEvenWithNonzeroInputZeroPoint) {
  // 2x2 input of value zp (real 0) except one pixel; 3x3 all-ones filter,
  // SAME padding. A kernel that padded with raw 0 instead of skipping would
  // add 5 * input_offset at the corners.
  const Dims4 in{1, 2, 2, 1}, fd{1, 3, 3, 1}, out{1, 2, 2, 1};
  const int8_t zp = 5;
  const int8_t x[] = {zp, zp, zp, static_cast<int8_t>(zp + 7)};
  std::vector<int8_t> w(9, 1);
  const int32_t m[] = {kOne}, s[] = {1};
  ConvParams p;
  p.pad_top = p.pad_left = 1;
  p.input_offset = -zp;
  p.requant = {m, s, 1};
  int8_t y[4];
  conv_2d_s8(p, in, x, fd, w.data(), nullptr, out, y);
  for (int8_t v : y) EXPECT_EQ(v, 7);
}

TEST(Conv2dTest, RequantRoundingTies) {
  // 1x1 conv, one input channel, three output channels with M = 0.5:
  // acc 3 -> 1.5 -> 2, acc -3 -> -1.5 -> -1 (half up), acc -5 -> -2.
  const Dims4 in{1, 1, 1, 1}, fd{3, 1, 1, 1}, out{1, 1, 1, 3};
  const int8_t x[] = {1};
  const int8_t w[] = {3, -3, -5};
  const int32_t m[] = {kHalf}, s[] = {0};
  ConvParams p;
  p.requant = {m, s, 1};
  int8_t y[3];
  conv_2d_s8(p, in, x, fd, w, nullptr, out, y);
  EXPECT_EQ(y[0], 2);
  EXPECT_EQ(y[1], -1);
  EXPECT_EQ(y[2], -2);
}

TEST(Conv2dTest, StridesDilationPerChannelAndClamping) {
  std::mt19937 rng(11);
  const Dims4 in{2, 9, 8, 5}, fd{6, 3, 2, 5};
  ConvParams p;
  p.stride_h = 2;
  p.stride_w = 3;
  p.dilation_h = 2;
  p.dilation_w = 1;
  p.pad_top = 2;
  p.pad_left = 1;
  p.input_offset = 3;
  p.output_offset = -7;
  p.activation_min = -7;  // fused ReLU with zp_out = -7
  p.activation_max = 100;
  const Dims4 out{2, (9 + 2 * 2 - 2 * 2 - 1) / 2 + 1, (8 + 2 - 2) / 3 + 1, 6};
  std::vector<int32_t> m(6, kOne), s(6, 1);
  p.requant = {m.data(), s.data(), 6};
  auto x = testing::random_s8(rng, in.elements(), -20, 20);
  auto w = testing::random_s8(rng, fd.elements(), -3, 3);
  std::vector<int32_t> bias = {0, 50, -50, 200, -200, 7};
  std::vector<int8_t> y(out.elements());
  conv_2d_s8(p, in, x.data(), fd, w.data(), bias.data(), out, y.data());
  EXPECT_EQ(y, expected_unit_scale_conv(p, in, x, fd, w, bias, out, false));
  // The clamps were exercised at both ends.
  int lows = 0, highs = 0;
  for (int8_t v : y) lows += v == -7, highs += v == 100;
  EXPECT_GT(lows, 0);
  EXPECT_GT(highs, 0);
}

TEST(Conv2dTest, PointwiseGemmAndSaturation) {
  std::mt19937 rng(12);
  const Dims4 in{1, 4, 5, 24}, fd{9, 1, 1, 24}, out{1, 4, 5, 9};
  ConvParams p;
  p.input_offset = -10;
  p.output_offset = 2;
  std::vector<int32_t> m(9, kOne), s(9, 1);
  p.requant = {m.data(), s.data(), 9};
  auto x = testing::random_s8(rng, in.elements(), -30, 30);
  auto w = testing::random_s8(rng, fd.elements(), -2, 2);
  std::vector<int32_t> bias(9, 0);
  std::vector<int8_t> y(out.elements());
  conv_2d_s8(p, in, x.data(), fd, w.data(), bias.data(), out, y.data());
  EXPECT_EQ(y, expected_unit_scale_conv(p, in, x, fd, w, bias, out, false));
}

TEST(Conv2dTest, PerChannelMultipliersDiffer) {
  // Same filter for both channels; channel 1 has M = 0.25 (2^30, shift -1).
  const Dims4 in{1, 1, 1, 2}, fd{2, 1, 1, 2}, out{1, 1, 1, 2};
  const int8_t x[] = {10, 20};
  const int8_t w[] = {1, 2, 1, 2};  // acc = 50 for both
  const int32_t m[] = {kOne, kHalf}, s[] = {1, -1};
  ConvParams p;
  p.requant = {m, s, 2};
  int8_t y[2];
  conv_2d_s8(p, in, x, fd, w, nullptr, out, y);
  EXPECT_EQ(y[0], 50);
  EXPECT_EQ(y[1], 13);  // 50 * 0.5 = 25, then 12.5 -> 13
}

TEST(DepthwiseConv2dTest, DepthMultiplierPaddingDilation) {
  std::mt19937 rng(13);
  const int mult = 3;
  const Dims4 in{1, 7, 6, 4}, fd{1, 3, 3, 4 * mult};
  ConvParams p;
  p.depth_multiplier = mult;
  p.dilation_h = 2;
  p.dilation_w = 2;
  p.pad_top = 2;
  p.pad_left = 2;
  p.input_offset = -4;
  p.output_offset = 1;
  const Dims4 out{1, 7, 6, 4 * mult};
  std::vector<int32_t> m(4 * mult, kOne), s(4 * mult, 1);
  p.requant = {m.data(), s.data(), 4 * mult};
  auto x = testing::random_s8(rng, in.elements(), -15, 15);
  auto w = testing::random_s8(rng, fd.elements(), -4, 4);
  std::vector<int32_t> bias(4 * mult);
  for (int i = 0; i < 4 * mult; ++i) bias[i] = i * 3 - 10;
  std::vector<int8_t> y(out.elements());
  depthwise_conv_2d_s8(p, in, x.data(), fd, w.data(), bias.data(), out, y.data());
  EXPECT_EQ(y, expected_unit_scale_conv(p, in, x, fd, w, bias, out, true));
}

TEST(DepthwiseConv2dTest, MultiplierOneManyChannelsStride2Relu6) {
  std::mt19937 rng(14);
  const Dims4 in{1, 9, 9, 37}, fd{1, 3, 3, 37};
  ConvParams p;
  p.stride_h = p.stride_w = 2;
  p.pad_top = p.pad_left = 1;
  p.input_offset = 6;
  p.output_offset = -20;
  p.activation_min = -20;  // ReLU6 with zp -20, 6 / scale = 40
  p.activation_max = 20;
  const Dims4 out{1, 5, 5, 37};
  std::vector<int32_t> m(37, kOne), s(37, 1);
  p.requant = {m.data(), s.data(), 37};
  auto x = testing::random_s8(rng, in.elements(), -12, 12);
  auto w = testing::random_s8(rng, fd.elements(), -3, 3);
  std::vector<int8_t> y(out.elements());
  depthwise_conv_2d_s8(p, in, x.data(), fd, w.data(), nullptr, out, y.data());
  EXPECT_EQ(y, expected_unit_scale_conv(p, in, x, fd, w, {}, out, true));
}

TEST(DepthwiseConv2dTest, HandComputed) {
  // 2x2 input, 2 channels, 2x2 filter, VALID: one output pixel.
  const Dims4 in{1, 2, 2, 2}, fd{1, 2, 2, 2}, out{1, 1, 1, 2};
  const int8_t x[] = {1, -1, 2, -2, 3, -3, 4, -4};
  const int8_t w[] = {1, 1, 1, 2, 1, 3, 1, 4};
  const int32_t m[] = {kOne}, s[] = {1};
  ConvParams p;
  p.requant = {m, s, 1};
  int8_t y[2];
  depthwise_conv_2d_s8(p, in, x, fd, w, nullptr, out, y);
  EXPECT_EQ(y[0], 1 + 2 + 3 + 4);
  EXPECT_EQ(y[1], -1 - 4 - 9 - 16);
}

}  // namespace
}  // namespace locus::kernels
