#include "runtime/dsp/frontend/filterbank.h"

namespace locus {
namespace dsp {
namespace frontend {
namespace {

// The float recipes below mirror TFLM's C expressions (see TableArithmetic);
// which operations are float and which double decides the last bits.
float mel(float hz, TableArithmetic arithmetic) {
  if (arithmetic == TableArithmetic::kLegacyDouble) {
    return static_cast<float>(1127.0 * log1p_double(static_cast<double>(hz) / 700.0));
  }
  return 1127.0f * log1p_float(hz / 700.0f);
}

struct MelGrid {
  float hz_per_bin;
  float mel_low;
  float mel_spacing;
  int32_t start_bin;
  TableArithmetic arithmetic;

  // Upper mel edge of band c (TFLM's "center frequencies").
  float edge(int32_t c) const { return mel_low + mel_spacing * static_cast<float>(c + 1); }
  float bin_mel(int32_t bin) const { return mel(static_cast<float>(bin) * hz_per_bin, arithmetic); }
};

bool valid(const FilterbankShape& s) {
  // Written so that NaNs fail too.
  return s.channels >= 1 && s.channels <= 1024 && s.sample_rate > 0 && s.spectrum_size >= 2 &&
         s.lower_band_hz >= 0.0f && s.upper_band_hz > s.lower_band_hz &&
         s.upper_band_hz < 1.0e7f;
}

MelGrid make_grid(const FilterbankShape& s) {
  MelGrid g;
  g.arithmetic = s.arithmetic;
  const int32_t bands = s.channels + 1;
  g.mel_low = mel(s.lower_band_hz, s.arithmetic);
  const float mel_high = mel(s.upper_band_hz, s.arithmetic);
  g.mel_spacing = (mel_high - g.mel_low) / static_cast<float>(bands);
  if (s.arithmetic == TableArithmetic::kLegacyDouble) {
    g.hz_per_bin = static_cast<float>(0.5 * static_cast<double>(s.sample_rate) /
                                      static_cast<double>(static_cast<float>(s.spectrum_size) - 1.0f));
    g.start_bin = static_cast<int32_t>(1.5 + static_cast<double>(s.lower_band_hz / g.hz_per_bin));
  } else {
    g.hz_per_bin = 0.5f * static_cast<float>(s.sample_rate) /
                   (static_cast<float>(s.spectrum_size) - 1.0f);
    // Always excludes DC.
    g.start_bin = static_cast<int32_t>(1.5f + s.lower_band_hz / g.hz_per_bin);
  }
  return g;
}

// Walks the bins of band c from `bin`: returns one past its last bin, or -1
// if the walk reaches the end of the spectrum.
int32_t band_end_bin(const MelGrid& g, int32_t c, int32_t bin, int32_t spectrum_size) {
  const float edge = g.edge(c);
  while (g.bin_mel(bin) <= edge) {
    if (++bin >= spectrum_size) return -1;
  }
  return bin;
}

// Digit-by-digit square root, starting at the highest power of 4 <= x,
// with TFLM's final rounding: up when the remainder exceeds the root,
// unless the root is already all ones.
template <typename U>
U digit_root(U x, U max_root) {
  if (x == 0) return 0;
  const int top = sizeof(U) == 8 ? 63 - __builtin_clzll(static_cast<unsigned long long>(x))
                                 : 31 - __builtin_clz(static_cast<unsigned>(x));
  U bit = U{1} << (top & ~1);
  U root = 0;
  while (bit != 0) {
    if (x >= root + bit) {
      x -= root + bit;
      root = (root >> 1) + bit;
    } else {
      root >>= 1;
    }
    bit >>= 2;
  }
  if (x > root && root != max_root) ++root;
  return root;
}

uint16_t sqrt_rounded32(uint32_t x) { return static_cast<uint16_t>(digit_root<uint32_t>(x, 0xFFFFu)); }

// The energy of one bin as TFLM stores it: an int32 (so exactly 2^31 wraps
// negative) that is later widened to 64 bits with sign extension.
inline int64_t bin_energy(Complex16 c) {
  const uint32_t e = static_cast<uint32_t>(c.re * c.re) + static_cast<uint32_t>(c.im * c.im);
  return static_cast<int32_t>(e);
}

}  // namespace

FilterbankError filterbank_bins(const FilterbankShape& shape, int32_t* start_bin, int32_t* end_bin) {
  if (!valid(shape)) return FilterbankError::kBadShape;
  const MelGrid g = make_grid(shape);
  if (g.start_bin >= shape.spectrum_size) return FilterbankError::kAboveSpectrum;
  int32_t bin = g.start_bin;
  for (int32_t c = 0; c <= shape.channels; ++c) {
    bin = band_end_bin(g, c, bin, shape.spectrum_size);
    if (bin < 0) return FilterbankError::kAboveSpectrum;
  }
  *start_bin = g.start_bin;
  *end_bin = bin;
  return FilterbankError::kOk;
}

FilterbankError build_filterbank(const FilterbankShape& shape, int16_t* band_end,
                                 int16_t* weights, int16_t* unweights, FilterbankTables* tables) {
  if (!valid(shape)) return FilterbankError::kBadShape;
  const MelGrid g = make_grid(shape);
  if (g.start_bin >= shape.spectrum_size) return FilterbankError::kAboveSpectrum;
  int32_t bin = g.start_bin;
  for (int32_t c = 0; c <= shape.channels; ++c) {
    const int32_t end = band_end_bin(g, c, bin, shape.spectrum_size);
    if (end < 0) return FilterbankError::kAboveSpectrum;
    const float edge = g.edge(c);
    const float lower_edge = c == 0 ? g.mel_low : g.edge(c - 1);
    for (; bin < end; ++bin) {
      const float w = (edge - g.bin_mel(bin)) / (edge - lower_edge);
      const int32_t i = bin - g.start_bin;
      if (shape.arithmetic == TableArithmetic::kLegacyDouble) {
        weights[i] = static_cast<int16_t>(
            floor_double(static_cast<double>(w * static_cast<float>(1 << kFilterbankBits)) + 0.5));
        unweights[i] = static_cast<int16_t>(
            floor_double((1.0 - static_cast<double>(w)) * (1 << kFilterbankBits) + 0.5));
      } else {
        weights[i] = static_cast<int16_t>(floor_float(w * static_cast<float>(1 << kFilterbankBits) + 0.5f));
        unweights[i] = static_cast<int16_t>(
            floor_float((1.0f - w) * static_cast<float>(1 << kFilterbankBits) + 0.5f));
      }
    }
    band_end[c] = static_cast<int16_t>(end);
  }
  tables->channels = shape.channels;
  tables->start_bin = g.start_bin;
  tables->end_bin = bin;
  tables->band_end = band_end;
  tables->weights = weights;
  tables->unweights = unweights;
  return FilterbankError::kOk;
}

void filterbank_energy(const FilterbankTables& t, const Complex16* spectrum, int32_t* energy) {
  for (int32_t bin = t.start_bin; bin < t.end_bin; ++bin) {
    energy[bin] = static_cast<int32_t>(bin_energy(spectrum[bin]));
  }
}

void filterbank_accumulate(const FilterbankTables& t, const int32_t* energy, uint64_t* work) {
  uint64_t weighted = 0;
  uint64_t unweighted = 0;
  int32_t bin = t.start_bin;
  for (int32_t c = 0; c <= t.channels; ++c) {
    for (; bin < t.band_end[c]; ++bin) {
      const int64_t e = energy[bin];
      weighted += static_cast<uint64_t>(t.weights[bin - t.start_bin] * e);
      unweighted += static_cast<uint64_t>(t.unweights[bin - t.start_bin] * e);
    }
    work[c] = weighted;
    weighted = unweighted;
    unweighted = 0;
  }
}

uint32_t sqrt_rounded64(uint64_t x) {
  // TFLM switches to the 32-bit routine when it can (slightly off near 2^32).
  if ((x >> 32) == 0) return sqrt_rounded32(static_cast<uint32_t>(x));
  return static_cast<uint32_t>(digit_root<uint64_t>(x, 0xFFFFFFFFull));
}

void filterbank_apply(const FilterbankTables& t, const Complex16* spectrum, int scale_down_shift,
                      uint32_t* out) {
  const Complex16* bins = spectrum + t.start_bin;  // weights[i] belongs to bins[i]
  uint64_t weighted = 0;
  uint64_t unweighted = 0;
  int32_t i = 0;
  for (int32_t c = 0; c <= t.channels; ++c) {
    const int32_t end = t.band_end[c] - t.start_bin;
    for (; i < end; ++i) {
      const int64_t e = bin_energy(bins[i]);
      weighted += static_cast<uint64_t>(t.weights[i] * e);
      unweighted += static_cast<uint64_t>(t.unweights[i] * e);
    }
    if (c > 0) out[c - 1] = sqrt_rounded64(weighted) >> scale_down_shift;
    weighted = unweighted;
    unweighted = 0;
  }
}

}  // namespace frontend
}  // namespace dsp
}  // namespace locus
