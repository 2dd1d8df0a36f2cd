// Every production kernel against its scalar reference over many seeded
// random shapes and parameters: outputs must be byte-identical.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "tests/support/kernel_testing.h"
#include "runtime/kernels/kernels.h"
#include "runtime/kernels/reference/add_ref.h"
#include "runtime/kernels/reference/concatenation_ref.h"
#include "runtime/kernels/reference/conv_2d_ref.h"
#include "runtime/kernels/reference/depthwise_conv_2d_ref.h"
#include "runtime/kernels/reference/fully_connected_ref.h"
#include "runtime/kernels/reference/logistic_ref.h"
#include "runtime/kernels/reference/mean_ref.h"
#include "runtime/kernels/reference/mul_ref.h"
#include "runtime/kernels/reference/pad_ref.h"
#include "runtime/kernels/reference/pooling_ref.h"
#include "runtime/kernels/reference/quantize_ref.h"
#include "runtime/kernels/reference/softmax_ref.h"

namespace locus::kernels {
namespace {

using testing::rand_int;
using testing::random_s8;

double rand_real(std::mt19937& rng, double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng);
}

// Per-channel requantisation for an accumulator of `k` taps: realistic
// scales s_in * s_w / s_out, spread so outputs use the whole int8 range.
struct Multipliers {
  std::vector<int32_t> m, s;
  Requant requant(bool per_channel) const {
    return Requant{m.data(), s.data(), per_channel ? static_cast<int32_t>(m.size()) : 1};
  }
};

Multipliers make_multipliers(std::mt19937& rng, int channels, int k) {
  Multipliers r;
  r.m.resize(channels);
  r.s.resize(channels);
  const double base = 1.0 / (64.0 * std::sqrt(static_cast<double>(k)));
  for (int c = 0; c < channels; ++c) {
    testing::quantize_multiplier(base * rand_real(rng, 0.2, 8.0), &r.m[c], &r.s[c]);
  }
  return r;
}

std::vector<int32_t> random_bias(std::mt19937& rng, int n) {
  std::vector<int32_t> b(n);
  for (auto& v : b) v = rand_int(rng, -20000, 20000);
  return b;
}

void random_activation(std::mt19937& rng, int zp_out, int32_t* lo, int32_t* hi) {
  switch (rand_int(rng, 0, 2)) {
    case 0: *lo = -128; *hi = 127; break;                       // none
    case 1: *lo = zp_out; *hi = 127; break;                     // ReLU
    default: *lo = zp_out; *hi = std::min(127, zp_out + rand_int(rng, 1, 120));  // ReLU6
  }
}

int out_extent(int in, int k, int stride, int dilation, int pad_total) {
  return (in + pad_total - ((k - 1) * dilation + 1)) / stride + 1;
}

TEST(KernelsVsReference, Conv2d) {
  std::mt19937 rng(101);
  for (int trial = 0; trial < 400; ++trial) {
    const bool pointwise = trial % 4 == 0;
    const bool big = trial % 37 == 0;  // receptive field beyond the patch buffer
    const int kh = pointwise ? 1 : rand_int(rng, 1, 5), kw = pointwise ? 1 : rand_int(rng, 1, 5);
    int cin = big ? rand_int(rng, 120, 200) : rand_int(rng, 1, 40);
    const int groups = (!pointwise && trial % 9 == 0) ? 2 : 1;
    const int fc = cin;
    cin *= groups;
    const int cout = groups * rand_int(rng, 1, 20);
    ConvParams p;
    p.stride_h = pointwise ? 1 : rand_int(rng, 1, 3);
    p.stride_w = pointwise ? 1 : rand_int(rng, 1, 3);
    p.dilation_h = pointwise ? 1 : rand_int(rng, 1, 2);
    p.dilation_w = pointwise ? 1 : rand_int(rng, 1, 2);
    const int ih = rand_int(rng, std::max(kh * p.dilation_h - 2, 1), 14),
              iw = rand_int(rng, std::max(kw * p.dilation_w - 2, 1), 14);
    const int pad_h = pointwise ? 0 : rand_int(rng, 0, kh - 1),
              pad_w = pointwise ? 0 : rand_int(rng, 0, kw - 1);
    p.pad_top = pad_h / 2 + (pad_h % 2);
    p.pad_left = pad_w / 2;
    const Dims4 in{rand_int(rng, 1, 2), ih, iw, cin}, fd{cout, kh, kw, fc};
    const Dims4 out{in.n, out_extent(ih, kh, p.stride_h, p.dilation_h, pad_h),
                    out_extent(iw, kw, p.stride_w, p.dilation_w, pad_w), cout};
    if (out.h <= 0 || out.w <= 0) continue;
    p.input_offset = -rand_int(rng, -128, 127);
    p.output_offset = rand_int(rng, -128, 127);
    random_activation(rng, p.output_offset, &p.activation_min, &p.activation_max);
    const auto mult = make_multipliers(rng, cout, kh * kw * fc);
    p.requant = mult.requant(trial % 5 != 0);
    const auto x = random_s8(rng, in.elements());
    const auto w = random_s8(rng, fd.elements(), -127, 127);
    const auto bias = random_bias(rng, cout);
    const int32_t* b = trial % 7 == 0 ? nullptr : bias.data();
    std::vector<int8_t> got(out.elements()), want(out.elements());
    conv_2d_s8(p, in, x.data(), fd, w.data(), b, out, got.data());
    reference::conv_2d_s8(p, in, x.data(), fd, w.data(), b, out, want.data());
    ASSERT_EQ(got, want) << "trial " << trial;
  }
}

TEST(KernelsVsReference, DepthwiseConv2d) {
  std::mt19937 rng(102);
  for (int trial = 0; trial < 400; ++trial) {
    const int mult = trial % 3 == 0 ? rand_int(rng, 2, 4) : 1;
    const int kh = rand_int(rng, 1, 5), kw = rand_int(rng, 1, 5);
    const int cin = rand_int(rng, 1, 70);
    ConvParams p;
    p.depth_multiplier = mult;
    p.stride_h = rand_int(rng, 1, 3);
    p.stride_w = rand_int(rng, 1, 3);
    p.dilation_h = rand_int(rng, 1, 3);
    p.dilation_w = rand_int(rng, 1, 3);
    const int ih = rand_int(rng, 1, 16), iw = rand_int(rng, 1, 16);
    const int pad_h = rand_int(rng, 0, (kh - 1) * p.dilation_h),
              pad_w = rand_int(rng, 0, (kw - 1) * p.dilation_w);
    p.pad_top = pad_h / 2;
    p.pad_left = pad_w - pad_w / 2;
    const Dims4 in{rand_int(rng, 1, 2), ih, iw, cin}, fd{1, kh, kw, cin * mult};
    const Dims4 out{in.n, out_extent(ih, kh, p.stride_h, p.dilation_h, pad_h),
                    out_extent(iw, kw, p.stride_w, p.dilation_w, pad_w), cin * mult};
    if (out.h <= 0 || out.w <= 0) continue;
    p.input_offset = -rand_int(rng, -128, 127);
    p.output_offset = rand_int(rng, -128, 127);
    random_activation(rng, p.output_offset, &p.activation_min, &p.activation_max);
    const auto m = make_multipliers(rng, cin * mult, kh * kw);
    p.requant = m.requant(trial % 5 != 0);
    const auto x = random_s8(rng, in.elements());
    const auto w = random_s8(rng, fd.elements(), -128, 127);
    const auto bias = random_bias(rng, cin * mult);
    const int32_t* b = trial % 7 == 0 ? nullptr : bias.data();
    std::vector<int8_t> got(out.elements()), want(out.elements());
    depthwise_conv_2d_s8(p, in, x.data(), fd, w.data(), b, out, got.data());
    reference::depthwise_conv_2d_s8(p, in, x.data(), fd, w.data(), b, out, want.data());
    ASSERT_EQ(got, want) << "trial " << trial;
  }
}

TEST(KernelsVsReference, FullyConnected) {
  std::mt19937 rng(103);
  for (int trial = 0; trial < 300; ++trial) {
    const int batches = rand_int(rng, 1, 3);
    const int depth = trial % 10 == 0 ? rand_int(rng, 1000, 1500) : rand_int(rng, 1, 300);
    const int outs = rand_int(rng, 1, 40);
    FullyConnectedParams p;
    p.input_offset = -rand_int(rng, -128, 127);
    p.output_offset = rand_int(rng, -128, 127);
    p.weights_offset = trial % 6 == 0 ? -rand_int(rng, -5, 5) : 0;
    random_activation(rng, p.output_offset, &p.activation_min, &p.activation_max);
    const auto m = make_multipliers(rng, outs, depth);
    p.requant = m.requant(trial % 2 == 0);
    const auto x = random_s8(rng, batches * depth);
    const auto w = random_s8(rng, outs * depth, -127, 127);
    const auto bias = random_bias(rng, outs);
    const int32_t* b = trial % 7 == 0 ? nullptr : bias.data();
    std::vector<int8_t> got(batches * outs), want(batches * outs);
    fully_connected_s8(p, batches, depth, x.data(), outs, w.data(), b, got.data());
    reference::fully_connected_s8(p, batches, depth, x.data(), outs, w.data(), b, want.data());
    ASSERT_EQ(got, want) << "trial " << trial;
  }
}

TEST(KernelsVsReference, Pooling) {
  std::mt19937 rng(104);
  for (int trial = 0; trial < 400; ++trial) {
    PoolParams p;
    p.filter_h = rand_int(rng, 1, 5);
    p.filter_w = rand_int(rng, 1, 5);
    p.stride_h = rand_int(rng, 1, 3);
    p.stride_w = rand_int(rng, 1, 3);
    const int pad_h = rand_int(rng, 0, p.filter_h - 1), pad_w = rand_int(rng, 0, p.filter_w - 1);
    p.pad_top = pad_h / 2;
    p.pad_left = pad_w / 2;
    const Dims4 in{rand_int(rng, 1, 2), rand_int(rng, 1, 12), rand_int(rng, 1, 12),
                   rand_int(rng, 1, 50)};
    const Dims4 out{in.n, out_extent(in.h, p.filter_h, p.stride_h, 1, pad_h),
                    out_extent(in.w, p.filter_w, p.stride_w, 1, pad_w), in.c};
    if (out.h <= 0 || out.w <= 0) continue;
    random_activation(rng, rand_int(rng, -128, 0), &p.activation_min, &p.activation_max);
    const auto x = random_s8(rng, in.elements());
    std::vector<int8_t> got(out.elements()), want(out.elements());
    average_pool_2d_s8(p, in, x.data(), out, got.data());
    reference::average_pool_2d_s8(p, in, x.data(), out, want.data());
    ASSERT_EQ(got, want) << "avg trial " << trial;
    max_pool_2d_s8(p, in, x.data(), out, got.data());
    reference::max_pool_2d_s8(p, in, x.data(), out, want.data());
    ASSERT_EQ(got, want) << "max trial " << trial;
  }
}

Dims4 random_broadcast_of(std::mt19937& rng, const Dims4& out) {
  switch (rand_int(rng, 0, 3)) {
    case 0: return out;
    case 1: return Dims4{1, 1, 1, 1};
    default: {
      Dims4 d = out;
      if (rand_int(rng, 0, 1)) d.n = 1;
      if (rand_int(rng, 0, 1)) d.h = 1;
      if (rand_int(rng, 0, 1)) d.w = 1;
      if (rand_int(rng, 0, 1)) d.c = 1;
      return d;
    }
  }
}

TEST(KernelsVsReference, AddAndMul) {
  std::mt19937 rng(105);
  for (int trial = 0; trial < 300; ++trial) {
    const Dims4 out{rand_int(rng, 1, 2), rand_int(rng, 1, 20), rand_int(rng, 1, 20),
                    rand_int(rng, 1, 20)};
    const Dims4 d1 = random_broadcast_of(rng, out), d2 = random_broadcast_of(rng, out);
    const auto a = random_s8(rng, d1.elements()), b = random_s8(rng, d2.elements());
    // Add parameters as TFLite's add preparation derives them.
    const double s1 = rand_real(rng, 0.01, 0.2), s2 = rand_real(rng, 0.01, 0.2),
                 so = rand_real(rng, 0.01, 0.4);
    AddParams ap;
    ap.input1_offset = -rand_int(rng, -128, 127);
    ap.input2_offset = -rand_int(rng, -128, 127);
    ap.output_offset = rand_int(rng, -128, 127);
    const double twice_max = 2 * std::max(s1, s2);
    testing::quantize_multiplier(s1 / twice_max, &ap.input1_multiplier, &ap.input1_shift);
    testing::quantize_multiplier(s2 / twice_max, &ap.input2_multiplier, &ap.input2_shift);
    testing::quantize_multiplier(twice_max / ((1 << 20) * so), &ap.output_multiplier,
                                 &ap.output_shift);
    random_activation(rng, ap.output_offset, &ap.activation_min, &ap.activation_max);
    std::vector<int8_t> got(out.elements()), want(out.elements());
    add_s8(ap, d1, a.data(), d2, b.data(), out, got.data());
    reference::add_s8(ap, d1, a.data(), d2, b.data(), out, want.data());
    ASSERT_EQ(got, want) << "add trial " << trial;

    MulParams mp;
    mp.input1_offset = ap.input1_offset;
    mp.input2_offset = ap.input2_offset;
    mp.output_offset = ap.output_offset;
    testing::quantize_multiplier(s1 * s2 / so * rand_real(rng, 0.5, 4), &mp.output_multiplier,
                                 &mp.output_shift);
    mp.activation_min = ap.activation_min;
    mp.activation_max = ap.activation_max;
    mul_s8(mp, d1, a.data(), d2, b.data(), out, got.data());
    reference::mul_s8(mp, d1, a.data(), d2, b.data(), out, want.data());
    ASSERT_EQ(got, want) << "mul trial " << trial;
  }
}

TEST(KernelsVsReference, SoftmaxLogisticQuantize) {
  std::mt19937 rng(106);
  for (int trial = 0; trial < 200; ++trial) {
    const int rows = rand_int(rng, 1, 8), depth = rand_int(rng, 1, trial % 5 == 0 ? 400 : 40);
    const auto x = random_s8(rng, rows * depth);
    SoftmaxParams sp;
    const double real = std::min(rand_real(rng, 0.3, 2.0) * rand_real(rng, 0.005, 0.5) *
                                     (1 << 26), (1ll << 31) - 1.0);
    int32_t shift = 0;
    testing::quantize_multiplier(real, &sp.input_multiplier, &shift);
    sp.input_left_shift = shift;
    sp.diff_min = -static_cast<int32_t>(std::floor(31.0 * (1ll << 26) / std::ldexp(1.0, shift)));
    std::vector<int8_t> got(x.size()), want(x.size());
    softmax_s8(sp, rows, depth, x.data(), got.data());
    reference::softmax_s8(sp, rows, depth, x.data(), want.data());
    ASSERT_EQ(got, want) << "softmax trial " << trial;
    std::vector<int16_t> got16(x.size()), want16(x.size());
    softmax_s8_s16(sp, rows, depth, x.data(), got16.data());
    reference::softmax_s8_s16(sp, rows, depth, x.data(), want16.data());
    ASSERT_EQ(got16, want16) << "softmax16 trial " << trial;

    LogisticParams lp;
    lp.input_zero_point = rand_int(rng, -128, 127);
    int ls = 0;
    const double q = std::frexp(rand_real(rng, 0.002, 0.3) * (1 << 27), &ls);
    lp.input_multiplier = static_cast<int32_t>(std::round(q * (1ll << 31)));
    lp.input_left_shift = ls;
    lp.input_range_radius =
        static_cast<int32_t>(std::floor(15.0 * (1 << 27) / std::ldexp(1.0, ls)));
    const int n = static_cast<int>(x.size());
    logistic_s8(lp, n, x.data(), got.data());
    reference::logistic_s8(lp, n, x.data(), want.data());
    ASSERT_EQ(got, want) << "logistic trial " << trial;

    RequantizeParams rp;
    rp.input_zero_point = rand_int(rng, -128, 127);
    rp.output_zero_point = rand_int(rng, -128, 127);
    testing::quantize_multiplier(rand_real(rng, 0.1, 4), &rp.output_multiplier, &rp.output_shift);
    requantize_s8(rp, n, x.data(), got.data());
    reference::requantize_s8(rp, n, x.data(), want.data());
    ASSERT_EQ(got, want) << "requantize trial " << trial;

    std::vector<float> f(n);
    for (auto& v : f) v = static_cast<float>(rand_real(rng, -20, 20));
    const float scale = static_cast<float>(rand_real(rng, 0.01, 0.2));
    quantize_f32_s8(scale, rp.input_zero_point, n, f.data(), got.data());
    reference::quantize_f32_s8(scale, rp.input_zero_point, n, f.data(), want.data());
    ASSERT_EQ(got, want) << "quantize trial " << trial;
    std::vector<float> fg(n), fw(n);
    dequantize_s8_f32(scale, rp.output_zero_point, n, x.data(), fg.data());
    reference::dequantize_s8_f32(scale, rp.output_zero_point, n, x.data(), fw.data());
    ASSERT_EQ(0, std::memcmp(fg.data(), fw.data(), n * sizeof(float))) << "dequantize " << trial;
  }
}

TEST(KernelsVsReference, MeanPadConcatenation) {
  std::mt19937 rng(107);
  for (int trial = 0; trial < 300; ++trial) {
    const Dims4 in{rand_int(rng, 1, 3), rand_int(rng, 1, 9), rand_int(rng, 1, 9),
                   rand_int(rng, 1, 40)};
    const auto x = random_s8(rng, in.elements());
    MeanParams mp;
    mp.axis_mask = trial % 2 == 0 ? 0b0110u : static_cast<uint32_t>(rand_int(rng, 1, 15));
    mp.input_zero_point = rand_int(rng, -128, 127);
    mp.output_zero_point = rand_int(rng, -128, 127);
    mp.same_quantization = trial % 3 == 0;
    testing::quantize_multiplier(rand_real(rng, 0.3, 3), &mp.output_multiplier, &mp.output_shift);
    Dims4 out = in;
    if (mp.axis_mask & 1) out.n = 1;
    if (mp.axis_mask & 2) out.h = 1;
    if (mp.axis_mask & 4) out.w = 1;
    if (mp.axis_mask & 8) out.c = 1;
    std::vector<int8_t> got(out.elements()), want(out.elements());
    mean_s8(mp, in, x.data(), out, got.data());
    reference::mean_s8(mp, in, x.data(), out, want.data());
    ASSERT_EQ(got, want) << "mean trial " << trial;

    PadParams pp;
    for (int a = 0; a < 4; ++a) {
      pp.before[a] = rand_int(rng, 0, 3);
      pp.after[a] = rand_int(rng, 0, 3);
    }
    const Dims4 po{in.n + pp.before[0] + pp.after[0], in.h + pp.before[1] + pp.after[1],
                   in.w + pp.before[2] + pp.after[2], in.c + pp.before[3] + pp.after[3]};
    const size_t eb = trial % 3 == 0 ? 4 : 1;
    std::vector<uint8_t> src(in.elements() * eb);
    for (auto& v : src) v = static_cast<uint8_t>(rand_int(rng, 0, 255));
    const uint8_t pad_value[4] = {0x12, 0x34, 0x56, 0x78};
    std::vector<uint8_t> pg(po.elements() * eb), pw(po.elements() * eb);
    pad(pp, in, src.data(), eb, pad_value, po, pg.data());
    reference::pad(pp, in, src.data(), eb, pad_value, po, pw.data());
    ASSERT_EQ(pg, pw) << "pad trial " << trial;

    const int axis = rand_int(rng, 0, 3), count = rand_int(rng, 1, 4);
    std::vector<Dims4> dims(count, in);
    std::vector<std::vector<uint8_t>> bufs(count);
    std::vector<const void*> ptrs(count);
    Dims4 co = in;
    int32_t* co_ext[4] = {&co.n, &co.h, &co.w, &co.c};
    *co_ext[axis] = 0;
    for (int k = 0; k < count; ++k) {
      int32_t* ext[4] = {&dims[k].n, &dims[k].h, &dims[k].w, &dims[k].c};
      *ext[axis] = rand_int(rng, 1, 4);
      *co_ext[axis] += *ext[axis];
      bufs[k].resize(dims[k].elements() * eb);
      for (auto& v : bufs[k]) v = static_cast<uint8_t>(rand_int(rng, 0, 255));
      ptrs[k] = bufs[k].data();
    }
    std::vector<uint8_t> cg(co.elements() * eb), cw(co.elements() * eb);
    concatenation(axis, count, ptrs.data(), dims.data(), eb, co, cg.data());
    reference::concatenation(axis, count, ptrs.data(), dims.data(), eb, co, cw.data());
    ASSERT_EQ(cg, cw) << "concatenation trial " << trial;
  }
}

}  // namespace
}  // namespace locus::kernels
