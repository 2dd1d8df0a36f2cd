#include <gtest/gtest.h>

#include <vector>

#include "runtime/kernels/kernels.h"

namespace locus::kernels {
namespace {

TEST(AveragePoolTest, SamePaddingCountsOnlyImageTapsAndRoundsAway) {
  // 3x3 input, 3x3 window, stride 1, pad 1: corners average 4 taps, edges
  // 6, centre 9.
  const Dims4 in{1, 3, 3, 1}, out{1, 3, 3, 1};
  const int8_t x[] = {-1, -2, 0,   //
                      -3, 0,  1,   //
                      0,  2,  3};
  PoolParams p;
  p.filter_h = p.filter_w = 3;
  p.pad_top = p.pad_left = 1;
  int8_t y[9];
  average_pool_2d_s8(p, in, x, out, y);
  EXPECT_EQ(y[0], -2);  // (-1-2-3+0)/4 = -1.5 -> -2
  EXPECT_EQ(y[1], -1);  // (-1-2+0-3+0+1)/6 = -0.83 -> -1
  EXPECT_EQ(y[2], 0);   // (-2+0+0+1)/4 = -0.25 -> 0
  EXPECT_EQ(y[3], -1);  // (-1-2-3+0+0+2)/6 = -0.67 -> -1
  EXPECT_EQ(y[4], 0);   // 0/9
  EXPECT_EQ(y[5], 1);   // (-2+0+0+1+2+3)/6 = 0.67 -> 1
  EXPECT_EQ(y[6], 0);   // (-3+0+0+2)/4 = -0.25 -> 0
  EXPECT_EQ(y[7], 1);   // (-3+0+1+0+2+3)/6 = 0.5 -> 1
  EXPECT_EQ(y[8], 2);   // (0+1+2+3)/4 = 1.5 -> 2
}

TEST(AveragePoolTest, ManyChannelsStrideAndClamp) {
  // 2x2 stride 2 over 4x4, 40 channels (blocks of 16 and a tail); channel
  // c holds value c - 20 everywhere, so each average is exact; clamp
  // [-10, 10].
  const Dims4 in{1, 4, 4, 40}, out{1, 2, 2, 40};
  std::vector<int8_t> x(in.elements());
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<int8_t>(int(i % 40) - 20);
  PoolParams p;
  p.filter_h = p.filter_w = 2;
  p.stride_h = p.stride_w = 2;
  p.activation_min = -10;
  p.activation_max = 10;
  std::vector<int8_t> y(out.elements());
  average_pool_2d_s8(p, in, x.data(), out, y.data());
  for (size_t i = 0; i < y.size(); ++i) {
    const int v = int(i % 40) - 20;
    EXPECT_EQ(y[i], v < -10 ? -10 : (v > 10 ? 10 : v));
  }
}

TEST(MaxPoolTest, PaddingDoesNotParticipate) {
  // All-negative input: padded taps must not contribute 0 or -128.
  const Dims4 in{1, 2, 3, 1}, out{1, 2, 3, 1};
  const int8_t x[] = {-50, -60, -70, -80, -90, -100};
  PoolParams p;
  p.filter_h = p.filter_w = 3;
  p.pad_top = p.pad_left = 1;
  int8_t y[6];
  max_pool_2d_s8(p, in, x, out, y);
  const int8_t expected[] = {-50, -50, -60, -50, -50, -60};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(y[i], expected[i]) << i;
}

TEST(MaxPoolTest, ChannelsStrideAndActivation) {
  const Dims4 in{2, 4, 4, 17}, out{2, 2, 2, 17};
  std::vector<int8_t> x(in.elements());
  // value = 10*y + x - c within each batch: the window max is its
  // bottom-right tap.
  for (int b = 0; b < 2; ++b)
    for (int yy = 0; yy < 4; ++yy)
      for (int xx = 0; xx < 4; ++xx)
        for (int c = 0; c < 17; ++c)
          x[((b * 4 + yy) * 4 + xx) * 17 + c] = static_cast<int8_t>(10 * yy + xx - c + b);
  PoolParams p;
  p.filter_h = p.filter_w = 2;
  p.stride_h = p.stride_w = 2;
  p.activation_min = 0;  // ReLU
  p.activation_max = 25;
  std::vector<int8_t> y(out.elements());
  max_pool_2d_s8(p, in, x.data(), out, y.data());
  for (int b = 0; b < 2; ++b)
    for (int oy = 0; oy < 2; ++oy)
      for (int ox = 0; ox < 2; ++ox)
        for (int c = 0; c < 17; ++c) {
          int v = 10 * (2 * oy + 1) + (2 * ox + 1) - c + b;
          v = v < 0 ? 0 : (v > 25 ? 25 : v);
          EXPECT_EQ(y[((b * 2 + oy) * 2 + ox) * 17 + c], v);
        }
}

}  // namespace
}  // namespace locus::kernels
