// The fixed-point frame computation and the int8 quantisers (see
// spectral_block.h for the arithmetic's outline and accuracy).
#include <string.h>

#include "runtime/dsp/spectral/spectral_block.h"
#include "runtime/dsp/spectral/spectral_math.h"

namespace locus {
namespace dsp {
namespace sm = spectral_math;
namespace {

int16_t sat16(int64_t v) { return int16_t(v < -32768 ? -32768 : (v > 32767 ? 32767 : v)); }

int64_t shift_round(int64_t v, int s) {  // v / 2^s rounded; s < 0 shifts left, saturating
  if (s > 0) return (v + (int64_t(1) << (s - 1))) >> s;
  if (v == 0 || s == 0) return v;
  if (s < -62) return v > 0 ? INT64_MAX : INT64_MIN;
  const int64_t limit = INT64_MAX >> -s;
  if (v > limit) return INT64_MAX;
  if (v < -limit) return INT64_MIN;
  return v * (int64_t(1) << -s);
}

// ln or log2 domain sum of mant1 * 2^e1 + mant2 * 2^e2, returned as log2 in Q16.
int64_t log2_sum_q16(uint64_t m1, int32_t e1, uint64_t m2, int32_t e2, const uint32_t* table) {
  auto normalize = [](uint64_t& m, int32_t& e) {
    if (m == 0) return;
    const int sh = 61 - (63 - __builtin_clzll(m));
    if (sh >= 0) m <<= sh; else m >>= -sh;
    e -= sh;
  };
  if (m1 == 0 && m2 == 0) return -(int64_t(1) << 30);
  normalize(m1, e1);
  normalize(m2, e2);
  if (m1 == 0 || (m2 != 0 && e2 > e1)) {
    uint64_t tm = m1; m1 = m2; m2 = tm;
    int32_t te = e1; e1 = e2; e2 = te;
  }
  const int32_t d = e1 - e2;
  const uint64_t sum = m1 + ((m2 == 0 || d >= 64) ? 0 : (m2 >> d));  // d >= 0 when m2 != 0
  return int64_t(sm::log2_q16(sum, table)) + int64_t(e1) * 65536;
}

}  // namespace

// ------------------------------------------------------------ fixed frame

void SpectralBlock::compute_frame(int16_t* out) {
  const SpectralParams& p = params_;
  // Window (Q15 x int16 = Q30), then shift the frame up to use the range.
  uint32_t peak = 0;
  for (uint32_t i = 0; i < p.frame_length; ++i) {
    const int32_t v = int32_t(frame_q_[i]) * window_q_[i];
    work_q_[i] = v;
    const uint32_t a = v < 0 ? uint32_t(-int64_t(v)) : uint32_t(v);
    if (a > peak) peak = a;
  }
  for (uint32_t i = p.frame_length; i < p.fft_length; ++i) work_q_[i] = 0;
  const int shift = peak ? 29 - (31 - __builtin_clz(peak)) : 0;  // peak << shift < 2^30
  if (shift > 0) {
    for (uint32_t i = 0; i < p.frame_length; ++i) work_q_[i] = int32_t(uint32_t(work_q_[i]) << shift);
  }
  fft_q_.forward(work_q_);
  // X_true = X_fixed * 2^(log2 n - 30 - shift), with x = int16 / 32768.
  const int32_t e_mag = int32_t(fft_log2_) - 30 - shift;
  const bool magnitude = p.spectrum == SpectrumType::kMagnitude;
  int32_t e = magnitude ? e_mag : 2 * e_mag + int32_t(power_shift_);
  for (uint32_t k = used_begin_; k < used_end_; ++k) {  // only bins that are read
    const int64_t re = work_q_[2 * k], im = work_q_[2 * k + 1];
    const uint64_t power = uint64_t(re * re) + uint64_t(im * im);
    spectrum_q_[k] = magnitude ? sm::isqrt64(power) : (power >> power_shift_);
  }
  uint64_t* values = spectrum_q_;
  uint32_t count = bins_;
  if (p.mel_bands > 0) {
    const uint16_t* w = weights_q_;
    for (uint32_t b = 0; b < p.mel_bands; ++b) {
      const uint64_t* s = spectrum_q_ + band_start_[b];
      uint64_t sum = 0;
      for (uint32_t j = 0; j < band_length_[b]; ++j) sum += uint64_t(w[j]) * s[j];
      w += band_length_[b];
      mel_q_[b] = sum;
    }
    values = mel_q_;
    count = p.mel_bands;
    e -= 15;
  }
  const int F = int(p.fixed_frac_bits);
  if (p.log == LogScale::kNone) {
    for (uint32_t i = 0; i < count; ++i) {
      const uint64_t v = values[i] > uint64_t(INT64_MAX) ? uint64_t(INT64_MAX) : values[i];
      out[i] = sat16(shift_round(int64_t(v), -(e + F)));
    }
    return;
  }
  const int64_t ln2_q30 = 744261118;       // ln 2 * 2^30
  const int64_t db_per_bit_q28 = 808089591;  // 10 log10(2) * 2^28
  for (uint32_t i = 0; i < count; ++i) {
    const int64_t l2 = log2_sum_q16(values[i], e, offset_mant_, offset_exp_, log2_table_);
    int64_t y;
    if (p.log == LogScale::kNatural) {
      y = shift_round(l2 * ln2_q30, 30);
    } else {
      y = shift_round(l2 * db_per_bit_q28, 28);
      if (y < noise_floor_q16_) y = noise_floor_q16_;
      if (p.normalize_noise_floor) {
        y = ((y - noise_floor_q16_) * 65536) / -int64_t(noise_floor_q16_);
        if (y > 65536) y = 65536;
      }
    }
    if (y < -(int64_t(1) << 30)) y = -(int64_t(1) << 30);
    log_q_[i] = int32_t(y);  // Q16
  }
  if (p.dct_coefficients == 0) {
    for (uint32_t i = 0; i < count; ++i) out[i] = sat16(shift_round(log_q_[i], 16 - F));
    return;
  }
  const uint32_t B = p.mel_bands;
  for (uint32_t k = 0; k < p.dct_coefficients; ++k) {
    const int32_t* c = dct_q_ + k * B;
    int64_t sum = 0;  // Q46
    for (uint32_t n = 0; n < B; ++n) sum += int64_t(c[n]) * log_q_[n];
    out[k] = sat16(shift_round(sum, 46 - F));
  }
}

// ------------------------------------------------------------ quantisation

void quantize_features(const float* in, size_t n, float scale, int32_t zero_point, int8_t* out) {
  for (size_t i = 0; i < n; ++i) {
    float q = in[i] / scale;
    if (!(q == q)) q = 0.0f;
    if (q > 1e6f) q = 1e6f;
    if (q < -1e6f) q = -1e6f;
    int32_t r = int32_t(q);  // toward zero; q - r is exact here
    const float frac = q - float(r);
    if (frac >= 0.5f) ++r;
    else if (frac <= -0.5f) --r;
    int32_t v = r + zero_point;
    out[i] = int8_t(v < -128 ? -128 : (v > 127 ? 127 : v));
  }
}

Status FixedFeatureQuantizer::init(float scale, int32_t zero_point, uint32_t frac_bits) {
  if (!(scale > 0.0f) || !(scale < 1e30f)) {
    return Status::error(StatusCode::kInvalidArgument, "quantisation scale must be positive");
  }
  if (frac_bits > 15) return Status::error(StatusCode::kInvalidArgument, "frac_bits must be <= 15");
  // out = round(q * 2^-frac / scale) + zp = round(q * multiplier / 2^32) + zp
  // |q| < 2^15 and multiplier < 2^47 keep the product inside 64 bits.
  const double m = 4294967296.0 / (double(scale) * double(uint32_t(1) << frac_bits));
  if (!(m < 140737488355328.0)) return Status::error(StatusCode::kInvalidArgument, "quantisation scale too small");
  multiplier_ = sm::round_to_int64(m);
  zero_point_ = zero_point;
  return Status::ok();
}

void FixedFeatureQuantizer::quantize(const int16_t* in, size_t n, int8_t* out) const {
  for (size_t i = 0; i < n; ++i) {
    const int64_t p = int64_t(in[i]) * multiplier_;  // |p| < 2^62
    const int64_t r = p >= 0 ? (p + (int64_t(1) << 31)) >> 32 : -((-p + (int64_t(1) << 31)) >> 32);
    const int64_t v = r + zero_point_;
    out[i] = int8_t(v < -128 ? -128 : (v > 127 ? 127 : v));
  }
}

}  // namespace dsp
}  // namespace locus
