// The table math against the C library TFLM uses: each table is rebuilt
// here with TFLM's recipe and the host's libm (glibc's cosf, log1pf, powf,
// cos, log1p) and compared entry by entry with the front end's own,
// library-free build.
#include "runtime/dsp/frontend/frontend_math.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "runtime/dsp/frontend/filterbank.h"
#include "runtime/dsp/frontend/pcan.h"
#include "runtime/dsp/frontend/window.h"

namespace locus {
namespace dsp {
namespace frontend {
namespace {

TEST(FrontendMath, DoubleFunctionsWithinOneUlpOfLibm) {
  auto ulp_diff = [](double a, double b) {
    return a == b ? 0.0 : std::fabs(a - b) / (std::nextafter(std::fabs(b), INFINITY) - std::fabs(b));
  };
  for (int i = -7000; i <= 7000; ++i) {
    const double x = i * 1e-3 + 1.234e-7;
    EXPECT_LE(ulp_diff(cos_double(x), std::cos(x)), 1.0) << x;
    EXPECT_LE(ulp_diff(sin_double(x), std::sin(x)), 1.0) << x;
    EXPECT_LE(ulp_diff(exp_double(x * 5), std::exp(x * 5)), 1.0) << x;
    const double p = std::fabs(x) * 7 + 1e-9;
    EXPECT_LE(ulp_diff(log_double(p), std::log(p)), 1.0) << p;
    EXPECT_LE(ulp_diff(log1p_double(p), std::log1p(p)), 1.0) << p;
  }
  EXPECT_EQ(cos_double(0.0), 1.0);
  EXPECT_EQ(log_double(1.0), 0.0);
}

#if defined(__GLIBC__)
TEST(FrontendMath, Log1pFloatHasGlibcBits) {
  // The mel tables depend on log1pf's exact (not correctly rounded) bits.
  for (uint32_t b = 0; b < 0x42800000u; b += 4099) {  // [0, 64)
    float x;
    std::memcpy(&x, &b, sizeof(x));
    const float want = log1pf(x);
    const float got = log1p_float(x);
    ASSERT_EQ(std::memcmp(&got, &want, sizeof(got)), 0) << x;
  }
}
#endif

// TFLM's window_util.c recipe, with libm.
std::vector<int16_t> libm_window(int32_t n, TableArithmetic a) {
  std::vector<int16_t> w(static_cast<size_t>(n));
  if (a == TableArithmetic::kFloat) {
    const float arg = static_cast<float>(M_PI) * 2.0f / static_cast<float>(n);
    for (int32_t i = 0; i < n; ++i) {
      const float v = 0.5f - 0.5f * std::cos(arg * (static_cast<float>(i) + 0.5f));  // cosf
      w[static_cast<size_t>(i)] = static_cast<int16_t>(std::floor(v * 4096.0f + 0.5f));
    }
  } else {
    const float arg = static_cast<float>(M_PI * 2.0 / static_cast<float>(n));
    for (int32_t i = 0; i < n; ++i) {
      const float v = static_cast<float>(0.5 - 0.5 * std::cos(arg * (i + 0.5)));
      w[static_cast<size_t>(i)] = static_cast<int16_t>(std::floor(v * 4096.0f + 0.5));
    }
  }
  return w;
}

TEST(FrontendMath, WindowTablesEqualLibmRecipe) {
  for (TableArithmetic a : {TableArithmetic::kFloat, TableArithmetic::kLegacyDouble}) {
    // glibc's cosf is not correctly rounded; sizes from 2379 up can differ
    // in one coefficient (see frontend_math.h), so check what is used.
    for (int32_t n = 1; n <= 2048; ++n) {
      std::vector<int16_t> w(static_cast<size_t>(n));
      build_window(n, a, w.data());
      ASSERT_EQ(w, libm_window(n, a)) << "window " << n << " arithmetic " << static_cast<int>(a);
    }
  }
}

// TFLM's filterbank_util.c recipe, with libm: band ends and (un)weights.
struct LibmFilterbank {
  std::vector<int16_t> band_end, weights, unweights;
};
LibmFilterbank libm_filterbank(const FilterbankShape& s) {
  const bool legacy = s.arithmetic == TableArithmetic::kLegacyDouble;
  auto mel = [&](float f) {
    return legacy ? static_cast<float>(1127.0 * std::log1p(f / 700.0)) : 1127.0f * std::log1p(f / 700.0f);
  };
  const float low = mel(s.lower_band_hz);
  const float spacing = (mel(s.upper_band_hz) - low) / static_cast<float>(s.channels + 1);
  auto edge = [&](int c) { return low + spacing * static_cast<float>(c + 1); };
  const float hz = legacy ? static_cast<float>(0.5 * s.sample_rate / (static_cast<float>(s.spectrum_size) - 1))
                          : 0.5f * static_cast<float>(s.sample_rate) / (static_cast<float>(s.spectrum_size) - 1);
  int bin = legacy ? static_cast<int>(1.5 + s.lower_band_hz / hz) : static_cast<int>(1.5f + s.lower_band_hz / hz);
  LibmFilterbank r;
  for (int c = 0; c <= s.channels; ++c) {
    const float denom = c == 0 ? low : edge(c - 1);
    while (mel(static_cast<float>(bin) * hz) <= edge(c)) {
      const float w = (edge(c) - mel(static_cast<float>(bin) * hz)) / (edge(c) - denom);
      if (legacy) {
        r.weights.push_back(static_cast<int16_t>(std::floor(w * 4096.0f + 0.5)));
        r.unweights.push_back(static_cast<int16_t>(std::floor((1.0 - w) * 4096 + 0.5)));
      } else {
        r.weights.push_back(static_cast<int16_t>(std::floor(w * 4096.0f + 0.5f)));
        r.unweights.push_back(static_cast<int16_t>(std::floor((1.0f - w) * 4096.0f + 0.5f)));
      }
      ++bin;
    }
    r.band_end.push_back(static_cast<int16_t>(bin));
  }
  return r;
}

TEST(FrontendMath, FilterbankTablesEqualLibmRecipe) {
  int checked = 0;
  for (TableArithmetic a : {TableArithmetic::kFloat, TableArithmetic::kLegacyDouble}) {
    for (int32_t rate : {8000, 11025, 16000, 22050, 32000, 44100, 48000}) {
      for (int32_t fft : {128, 256, 512, 1024, 2048}) {
        for (int32_t channels : {1, 2, 10, 13, 20, 32, 40, 64, 80}) {
          FilterbankShape s;
          s.channels = channels;
          s.lower_band_hz = 125.0f;
          s.upper_band_hz = rate / 2 > 7600 ? 7500.0f : 0.45f * static_cast<float>(rate);
          s.sample_rate = rate;
          s.spectrum_size = fft / 2 + 1;
          s.arithmetic = a;
          int32_t start = 0, end = 0;
          if (filterbank_bins(s, &start, &end) != FilterbankError::kOk) continue;
          std::vector<int16_t> band_end(static_cast<size_t>(channels + 1));
          std::vector<int16_t> w(static_cast<size_t>(end - start)), uw(w.size());
          FilterbankTables t;
          ASSERT_EQ(build_filterbank(s, band_end.data(), w.data(), uw.data(), &t), FilterbankError::kOk);
          const LibmFilterbank want = libm_filterbank(s);
          ASSERT_EQ(band_end, want.band_end) << rate << " " << fft << " " << channels;
          ASSERT_EQ(w, want.weights) << rate << " " << fft << " " << channels;
          ASSERT_EQ(uw, want.unweights) << rate << " " << fft << " " << channels;
          ++checked;
        }
      }
    }
  }
  EXPECT_GT(checked, 400);
}

TEST(FrontendMath, PcanTablesEqualLibmRecipe) {
  for (float strength : {0.95f, 0.5f, 1.0f, 0.8f, 0.3f}) {
    for (float offset : {80.0f, 1.0f, 10.0f, 0.5f, 33.3f}) {
      for (int32_t gain_bits : {16, 21, 24}) {
        for (int32_t input_bits : {0, 4, 7, 11}) {
          PcanParams p;
          p.strength = strength;
          p.offset = offset;
          p.gain_bits = gain_bits;
          int16_t lut[kWideDynamicFunctionLutSize] = {};
          build_pcan_lut(p, input_bits, lut);
          auto g = [&](uint32_t x) -> int16_t {
            const float xf = static_cast<float>(x) / static_cast<float>(1u << input_bits);
            const float v = static_cast<float>(1u << gain_bits) * std::pow(xf + offset, -strength);  // powf
            return v > 32767 ? int16_t{32767} : static_cast<int16_t>(v + 0.5f);
          };
          ASSERT_EQ(lut[0], g(0));
          ASSERT_EQ(lut[1], g(1));
          for (int i = 2; i <= 32; ++i) {
            const uint32_t x0 = 1u << (i - 1);
            ASSERT_EQ(lut[4 * i - 6], g(x0)) << strength << " " << offset << " " << i;
            const int32_t d1 = g(x0 + (x0 >> 1)) - g(x0);
            const int32_t d2 = g(i == 32 ? x0 + (x0 - 1) : 2 * x0) - g(x0);
            ASSERT_EQ(lut[4 * i - 5], static_cast<int16_t>(4 * d1 - d2));
            ASSERT_EQ(lut[4 * i - 4], static_cast<int16_t>(d2 - (4 * d1 - d2)));
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace frontend
}  // namespace dsp
}  // namespace locus
