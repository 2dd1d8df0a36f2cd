#include <gtest/gtest.h>

#include <vector>

#include "tests/support/kernel_testing.h"
#include "runtime/kernels/kernels.h"

namespace locus::kernels {
namespace {

constexpr int32_t kOne = 1 << 30;  // shift 1: multiplier exactly 1.0

TEST(FullyConnectedTest, HandComputed) {
  // input zp 1 -> real [0, 1, 2]; outputs 0+2+6+10-3 = 15 and -3-5-3 = -11.
  const int8_t x[] = {1, 2, 3};
  const int8_t w[] = {1, 2, 3, -1, -1, -1};
  const int32_t bias[] = {10, -5};
  const int32_t m[] = {kOne}, s[] = {1};
  FullyConnectedParams p;
  p.input_offset = -1;
  p.output_offset = -3;
  p.requant = {m, s, 1};
  int8_t y[2];
  fully_connected_s8(p, 1, 3, x, 2, w, bias, y);
  EXPECT_EQ(y[0], 15);
  EXPECT_EQ(y[1], -11);
}

TEST(FullyConnectedTest, WeightsOffsetPerTensor) {
  // Weights zero point 1 (offset -1): effective weights [0, 1, 2].
  const int8_t x[] = {4, 5, 6};
  const int8_t w[] = {1, 2, 3};
  const int32_t m[] = {kOne}, s[] = {1};
  FullyConnectedParams p;
  p.weights_offset = -1;
  p.requant = {m, s, 1};
  int8_t y[1];
  fully_connected_s8(p, 1, 3, x, 1, w, nullptr, y);
  EXPECT_EQ(y[0], 5 + 12);
}

TEST(FullyConnectedTest, BatchesPerChannelAndClamp) {
  // Two batches, five outputs (one 4-block plus a tail), long rows; a
  // double-precision dot product is exact with M = 1, then clamped to
  // [-50, 60] and per-channel M = 0.5 on channel 4 (ties checked below).
  std::mt19937 rng(21);
  const int depth = 1100;  // longer than the on-stack row: folded path
  for (int accum : {7, 64, depth}) {
    auto x = testing::random_s8(rng, 2 * accum);
    auto w = testing::random_s8(rng, 5 * accum, -1, 1);
    std::vector<int32_t> m(5, kOne), s(5, 1);
    FullyConnectedParams p;
    p.input_offset = 9;
    p.output_offset = 4;
    p.activation_min = -50;
    p.activation_max = 60;
    p.requant = {m.data(), s.data(), 5};
    std::vector<int8_t> y(10);
    fully_connected_s8(p, 2, accum, x.data(), 5, w.data(), nullptr, y.data());
    for (int b = 0; b < 2; ++b)
      for (int o = 0; o < 5; ++o) {
        double acc = 0;
        for (int d = 0; d < accum; ++d) acc += w[o * accum + d] * (x[b * accum + d] + 9.0);
        const double e = std::fmin(std::fmax(acc + 4, -50), 60);
        EXPECT_EQ(y[b * 5 + o], static_cast<int8_t>(e)) << accum << " " << b << " " << o;
      }
  }
}

}  // namespace
}  // namespace locus::kernels
