// Mel filterbank of the audio front end (TFLM filterbank.c / filterbank_util.c):
// |X|^2 per FFT bin, triangular mel weights in Q12 accumulated in 64 bits,
// then a rounded integer square root per channel.
//
// Layout: the bins of all channels are contiguous, starting at start_bin.
// Channel band c (c = 0..channels, one more band than channels) covers bins
// [band_end[c-1], band_end[c]) (band_end[-1] = start_bin). Each bin adds
// weight * E to its own band and unweight * E to the next one. TFLM pads
// each band with zero weights for alignment; zeros add nothing, so the
// tables here store only real bins and the sums are identical.
#ifndef LOCUS_RUNTIME_DSP_FRONTEND_FILTERBANK_H_
#define LOCUS_RUNTIME_DSP_FRONTEND_FILTERBANK_H_

#include <stdint.h>

#include "runtime/dsp/frontend/fft_int16.h"
#include "runtime/dsp/frontend/frontend_math.h"

namespace locus {
namespace dsp {
namespace frontend {

constexpr int kFilterbankBits = 12;

struct FilterbankShape {
  int32_t channels = 0;
  float lower_band_hz = 0;
  float upper_band_hz = 0;
  int32_t sample_rate = 0;
  int32_t spectrum_size = 0;  // fft_size / 2 + 1
  TableArithmetic arithmetic = TableArithmetic::kFloat;
};

enum class FilterbankError : uint8_t {
  kOk = 0,
  kBadShape,          // channels < 1, lower < 0, upper <= lower, ...
  kAboveSpectrum,     // upper band reaches the last FFT bin (TFLM: end_index >= spectrum size)
};

// Start bin and one-past-last bin used by any channel (TFLM's start_index,
// end_index); computed with the same float arithmetic as the tables.
FilterbankError filterbank_bins(const FilterbankShape& shape, int32_t* start_bin, int32_t* end_bin);

struct FilterbankTables {
  int32_t channels = 0;
  int32_t start_bin = 0;
  int32_t end_bin = 0;
  const int16_t* band_end = nullptr;   // channels + 1
  const int16_t* weights = nullptr;    // end_bin - start_bin, indexed by bin - start_bin
  const int16_t* unweights = nullptr;  // same
};

// Fills band_end (channels + 1), weights and unweights (end - start bins).
FilterbankError build_filterbank(const FilterbankShape& shape, int16_t* band_end,
                                 int16_t* weights, int16_t* unweights, FilterbankTables* tables);

// |X|^2 of each bin in [start_bin, end_bin), as TFLM: int32 sum, wrapped.
void filterbank_energy(const FilterbankTables& t, const Complex16* spectrum, int32_t* energy);

// The channels + 1 band sums (work[0] is discarded by TFLM). energy is
// indexed by bin.
void filterbank_accumulate(const FilterbankTables& t, const int32_t* energy, uint64_t* work);

// TFLM's rounded square roots: floor sqrt, plus one when the remainder
// exceeds the root (unless the root is all ones); 32-bit path below 2^32.
uint32_t sqrt_rounded64(uint64_t x);

// The per-frame path in one pass (energy, accumulate, sqrt, >> shift):
// out[c] = sqrt(work[c + 1]) >> scale_down_shift for c < channels.
void filterbank_apply(const FilterbankTables& t, const Complex16* spectrum, int scale_down_shift,
                      uint32_t* out);

}  // namespace frontend
}  // namespace dsp
}  // namespace locus

#endif  // LOCUS_RUNTIME_DSP_FRONTEND_FILTERBANK_H_
