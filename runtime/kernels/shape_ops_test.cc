// Mean, Pad and Concatenation against hand-written expectations.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "runtime/kernels/kernels.h"

namespace locus::kernels {
namespace {

TEST(MeanTest, SpatialMeanRoundsHalfAwayThroughTfliteRescale) {
  // Two channels over 2x2: channel 0 sums 10 (2.5 -> 3), channel 1 sums
  // -10 (-2.5 -> -3).
  const Dims4 in{1, 2, 2, 2}, out{1, 1, 1, 2};
  const int8_t x[] = {1, -1, 2, -2, 3, -3, 4, -4};
  MeanParams p;
  p.axis_mask = 0b0110;
  int8_t y[2];
  mean_s8(p, in, x, out, y);
  EXPECT_EQ(y[0], 3);
  EXPECT_EQ(y[1], -3);
}

TEST(MeanTest, NonPowerOfTwoCountAndZeroPoints) {
  // 1x3 window: multiplier (2^31 / 3 truncated), values 4/3 -> 1 and
  // 5/3 -> 2; zero points in and out.
  const Dims4 in{1, 1, 3, 2}, out{1, 1, 1, 2};
  const int8_t x[] = {12, 11, 11, 12, 11, 12};  // zp 10: [2,1,1] and [1,2,2]
  MeanParams p;
  p.axis_mask = 0b0110;
  p.input_zero_point = 10;
  p.output_zero_point = -5;
  int8_t y[2];
  mean_s8(p, in, x, out, y);
  EXPECT_EQ(y[0], 1 - 5);
  EXPECT_EQ(y[1], 2 - 5);
}

TEST(MeanTest, DifferentOutputScaleAndOtherAxes) {
  // Output scale half the input's: real multiplier 2 = (2^30, 2).
  const Dims4 in{2, 1, 1, 3}, out{1, 1, 1, 3};
  const int8_t x[] = {10, 20, 30, 11, 21, -128};
  MeanParams p;
  p.axis_mask = 0b0001;  // over N
  p.same_quantization = false;
  p.output_multiplier = 1 << 30;
  p.output_shift = 2;
  int8_t y[3];
  mean_s8(p, in, x, out, y);
  EXPECT_EQ(y[0], 21);   // 10.5 * 2
  EXPECT_EQ(y[1], 41);   // 20.5 * 2
  EXPECT_EQ(y[2], -98);  // -49 * 2
  // Over C only, large channel count (blocks and tail not involved).
  const Dims4 in2{1, 1, 2, 4}, out2{1, 1, 2, 1};
  const int8_t x2[] = {1, 2, 3, 4, -8, -8, -8, -9};
  MeanParams q;
  q.axis_mask = 0b1000;
  int8_t y2[2];
  mean_s8(q, in2, x2, out2, y2);
  EXPECT_EQ(y2[0], 3);   // 2.5 -> 3
  EXPECT_EQ(y2[1], -8);  // -8.25 -> -8
}

TEST(MeanTest, ManyChannelsSaturate) {
  const Dims4 in{1, 3, 3, 35}, out{1, 1, 1, 35};
  std::vector<int8_t> x(in.elements());
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<int8_t>(int(i % 35) * 7 - 120);
  MeanParams p;
  p.axis_mask = 0b0110;
  p.input_zero_point = -100;  // real values up to 258 -> saturate
  std::vector<int8_t> y(35);
  mean_s8(p, in, x.data(), out, y.data());
  for (int c = 0; c < 35; ++c) {
    const int v = c * 7 - 120 + 100;
    EXPECT_EQ(y[c], v > 127 ? 127 : v) << c;
  }
}

TEST(PadTest, Int8SpatialAndChannelPadding) {
  const Dims4 in{1, 1, 2, 2}, out{1, 3, 3, 3};
  const int8_t x[] = {1, 2, 3, 4};
  PadParams p;
  p.before[1] = 1;
  p.after[1] = 1;
  p.after[2] = 1;
  p.before[3] = 1;
  const int8_t v = -9;
  int8_t y[27];
  pad(p, in, x, 1, &v, out, y);
  const int8_t e[27] = {-9, -9, -9, -9, -9, -9, -9, -9, -9,  //
                        -9, 1,  2,  -9, 3,  4,  -9, -9, -9,  //
                        -9, -9, -9, -9, -9, -9, -9, -9, -9};
  for (int i = 0; i < 27; ++i) EXPECT_EQ(y[i], e[i]) << i;
}

TEST(PadTest, Int32Elements) {
  const Dims4 in{1, 1, 1, 2}, out{2, 1, 2, 2};
  const int32_t x[] = {100000, -7};
  PadParams p;
  p.after[0] = 1;
  p.before[2] = 1;
  const int32_t v = 42;
  int32_t y[8];
  pad(p, in, x, 4, &v, out, y);
  const int32_t e[8] = {42, 42, 100000, -7, 42, 42, 42, 42};
  for (int i = 0; i < 8; ++i) EXPECT_EQ(y[i], e[i]) << i;
}

TEST(ConcatenationTest, ChannelsAndHeight) {
  const Dims4 a{1, 2, 1, 2}, b{1, 2, 1, 1};
  const int8_t xa[] = {1, 2, 3, 4}, xb[] = {9, 8};
  const void* ins[] = {xa, xb};
  const Dims4 dims[] = {a, b};
  int8_t y[6];
  concatenation(3, 2, ins, dims, 1, Dims4{1, 2, 1, 3}, y);
  const int8_t e[] = {1, 2, 9, 3, 4, 8};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(y[i], e[i]) << i;

  const Dims4 c{1, 1, 1, 2};
  const int16_t xc[] = {-1, -2}, xd[] = {5, 6, 7, 8};
  const void* ins2[] = {xc, xd};
  const Dims4 dims2[] = {c, Dims4{1, 2, 1, 2}};
  int16_t y2[6];
  concatenation(1, 2, ins2, dims2, 2, Dims4{1, 3, 1, 2}, y2);
  const int16_t e2[] = {-1, -2, 5, 6, 7, 8};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(y2[i], e2[i]) << i;
}

}  // namespace
}  // namespace locus::kernels
