// The 16-bit FFT against KISS FFT v130 (FIXED_POINT=16): TFLM's fft_test.cc
// vector, inputs whose transform can be checked by hand, and digests of
// KISS's output for pseudo-random input at every supported size (computed
// with the real KISS FFT v130 when this test was written).
#include "runtime/dsp/frontend/fft_int16.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace locus {
namespace dsp {
namespace frontend {
namespace {

std::vector<Complex16> transform(const std::vector<int16_t>& in) {
  FftInt16 fft;
  std::vector<Complex16> twiddles(static_cast<size_t>(FftInt16::twiddle_count(static_cast<int32_t>(in.size()))));
  EXPECT_TRUE(fft.init(static_cast<int32_t>(in.size()), twiddles.data()));
  std::vector<Complex16> out(in.size() / 2 + 1);
  fft.real_forward(in.data(), out.data());
  return out;
}

void expect_bins(const std::vector<Complex16>& got, const std::vector<Complex16>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t k = 0; k < want.size(); ++k) {
    EXPECT_EQ(got[k].re, want[k].re) << "bin " << k;
    EXPECT_EQ(got[k].im, want[k].im) << "bin " << k;
  }
}

TEST(FftInt16, TflmFftTestVector) {
  // TFLM fft_test.cc: a 25-sample window output, zero-padded to 32.
  std::vector<int16_t> in = {0, 1151, 0, -5944, 0, 13311, 0, -21448, 0, 28327, 0, -32256, 0,
                             32255, 0, -28328, 0, 21447, 0, -13312, 0, 5943, 0, -1152, 0};
  in.resize(32, 0);
  expect_bins(transform(in), {{0, 0},      {-10, 9},    {-20, 0},   {-9, -10}, {0, 25},
                              {-119, 119}, {-887, 0},   {3000, 3000}, {0, -6401}, {-3000, 3000},
                              {886, 0},    {118, 119},  {0, 25},    {9, -10},  {19, 0},
                              {9, 9},      {0, 0}});
}

TEST(FftInt16, HandCheckableInputs) {
  // Output is X[k] / N: an impulse of 16384 gives 16384 / 8 in every bin.
  std::vector<int16_t> impulse(8, 0);
  impulse[0] = 16384;
  expect_bins(transform(impulse), {{2048, 0}, {2048, 0}, {2048, 0}, {2048, 0}, {2048, 0}});
  // A constant appears only at DC.
  expect_bins(transform(std::vector<int16_t>(8, 1000)), {{1000, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 0}});
  // cos at bin 4 of 16 with amplitude 8192: 8192 / 2 at bin 4.
  std::vector<int16_t> cosine(16);
  for (int i = 0; i < 16; ++i) cosine[i] = static_cast<int16_t>(i % 4 == 0 ? 8192 : (i % 4 == 2 ? -8192 : 0));
  std::vector<Complex16> want(9, Complex16{0, 0});
  want[4] = {4096, 0};
  expect_bins(transform(cosine), want);
  // Full scale: the Q15 scaling loses a few steps, as in KISS.
  std::vector<int16_t> nyquist(8);
  for (int i = 0; i < 8; ++i) nyquist[i] = static_cast<int16_t>(i & 1 ? -32768 : 32767);
  expect_bins(transform(nyquist), {{0, 0}, {0, 0}, {0, 0}, {0, 0}, {32762, 0}});
  expect_bins(transform(std::vector<int16_t>(8, -32768)), {{-32762, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 0}});
}

uint32_t xorshift(uint32_t* x) {
  *x ^= *x << 13;
  *x ^= *x >> 17;
  *x ^= *x << 5;
  return *x;
}

TEST(FftInt16, MatchesKissFftDigestAtEverySize) {
  // FNV-1a over the little-endian int16 re, im of every bin, from KISS v130.
  const struct {
    int32_t size;
    uint32_t digest;
  } kKiss[] = {{8, 0x4801f1d4u},    {16, 0x5a72d207u},   {32, 0xf5d148b5u},  {64, 0xb88ed856u},
               {128, 0x5c769433u},  {256, 0x685f3523u},  {512, 0xda6c1a09u}, {1024, 0xe65cee70u},
               {2048, 0xf936aac9u}, {4096, 0x1674ab5bu}, {8192, 0xdd34c35du}};
  for (const auto& k : kKiss) {
    uint32_t x = 0x9E3779B9u;
    std::vector<int16_t> in(static_cast<size_t>(k.size));
    for (auto& v : in) v = static_cast<int16_t>(xorshift(&x) >> 16);
    uint32_t h = 2166136261u;
    for (const Complex16& c : transform(in)) {
      for (int16_t v : {c.re, c.im}) {
        const uint16_t u = static_cast<uint16_t>(v);
        h = (h ^ (u & 0xFFu)) * 16777619u;
        h = (h ^ (u >> 8)) * 16777619u;
      }
    }
    EXPECT_EQ(h, k.digest) << "fft size " << k.size;
  }
}

TEST(FftInt16, TwiddlesAreKissRoundedCosSin) {
  // floor(0.5 + 32767 cos/sin(phase)) as KISS computes them with the C
  // library's double cos/sin; the table builder uses its own cos/sin.
  for (int32_t size = kFftMinSize; size <= kFftMaxSize; size *= 2) {
    std::vector<Complex16> tw(static_cast<size_t>(FftInt16::twiddle_count(size)));
    FftInt16 fft;
    ASSERT_TRUE(fft.init(size, tw.data()));
    const int32_t n = size / 2;
    const int32_t stage = 3 * n / 4;
    for (int32_t i = 0; i < stage; ++i) {
      const double phase = -2 * 3.14159265358979323846 * i / n;
      ASSERT_EQ(tw[i].re, static_cast<int16_t>(std::floor(.5 + 32767 * std::cos(phase)))) << size << " " << i;
      ASSERT_EQ(tw[i].im, static_cast<int16_t>(std::floor(.5 + 32767 * std::sin(phase)))) << size << " " << i;
    }
    for (int32_t i = 0; i < n / 2; ++i) {
      const double phase = -3.14159265358979323846 * (static_cast<double>(i + 1) / n + .5);
      ASSERT_EQ(tw[stage + i].re, static_cast<int16_t>(std::floor(.5 + 32767 * std::cos(phase))));
      ASSERT_EQ(tw[stage + i].im, static_cast<int16_t>(std::floor(.5 + 32767 * std::sin(phase))));
    }
  }
}

TEST(FftInt16, RejectsUnsupportedSizes) {
  Complex16 tw[16];
  FftInt16 fft;
  EXPECT_FALSE(fft.init(4, tw));
  EXPECT_FALSE(fft.init(24, tw));
  EXPECT_FALSE(fft.init(16384, tw));
  EXPECT_EQ(FftInt16::twiddle_count(100), 0);
  EXPECT_EQ(FftInt16::twiddle_count(512), 192 + 128);
}

}  // namespace
}  // namespace frontend
}  // namespace dsp
}  // namespace locus
