#include "runtime/dsp/spectral/spectral_block.h"

#include <string.h>

#include "runtime/dsp/spectral/spectral_math.h"

namespace locus {
namespace dsp {
namespace sm = spectral_math;

namespace {

constexpr size_t kAlign = 8;

// Carves 8-byte-aligned pieces from caller memory; with base == nullptr it
// only counts, so state_bytes() and init() share one layout.
class Carver {
 public:
  Carver(uint8_t* base, size_t bytes) : bytes_(bytes) {
    size_t pad = 0;
    if (base != nullptr) {
      pad = (kAlign - reinterpret_cast<uintptr_t>(base) % kAlign) % kAlign;
      base_ = base + pad;
    }
    used_ = kAlign;  // worst-case base alignment, counted always
    (void)pad;
  }
  template <typename T>
  T* take(size_t count) {
    T* p = base_ ? reinterpret_cast<T*>(base_ + offset_) : nullptr;
    const size_t b = (count * sizeof(T) + kAlign - 1) / kAlign * kAlign;
    offset_ += b;
    used_ += b;
    return p;
  }
  size_t used() const { return used_; }

 private:
  uint8_t* base_ = nullptr;
  size_t bytes_ = 0;
  size_t offset_ = 0;
  size_t used_ = 0;
};

struct Layout {
  uint16_t *band_start, *band_length;
  float *window, *frame, *work, *spectrum, *weights, *mel, *dct;
  uint8_t* fft;
  int16_t *window_q, *frame_q;
  int32_t* work_q;
  uint64_t *spectrum_q, *mel_q;
  uint16_t* weights_q;
  int32_t *log_q, *dct_q;
  uint32_t* log2_table;
};

size_t carve(const SpectralParams& p, uint8_t* base, size_t bytes, Layout* l) {
  Carver c(base, bytes);
  const size_t bins = p.fft_length / 2 + 1;
  const size_t bands = p.mel_bands;
  *l = Layout{};
  l->band_start = c.take<uint16_t>(bands);
  l->band_length = c.take<uint16_t>(bands);
  if (p.arithmetic == Arithmetic::kFloat) {
    l->window = c.take<float>(p.frame_length);
    l->frame = c.take<float>(p.frame_length);
    l->work = c.take<float>(p.fft_length + 2);  // also bins doubles at init
    l->spectrum = c.take<float>(bins);
    l->weights = c.take<float>(bands ? 2 * bins : 0);  // a bin is in <= 2 bands
    l->mel = c.take<float>(bands);
    l->dct = c.take<float>(size_t(p.dct_coefficients) * bands);
    l->fft = c.take<uint8_t>(RealFft::table_bytes(p.fft_length));
  } else {
    l->window_q = c.take<int16_t>(p.frame_length);
    l->frame_q = c.take<int16_t>(p.frame_length);
    l->work_q = c.take<int32_t>(p.fft_length + 2);
    l->spectrum_q = c.take<uint64_t>(bins);
    l->mel_q = c.take<uint64_t>(bands);
    l->weights_q = c.take<uint16_t>(bands ? 2 * bins : 0);
    l->log_q = c.take<int32_t>(bands > bins ? bands : bins);
    l->dct_q = c.take<int32_t>(size_t(p.dct_coefficients) * bands);
    l->log2_table = c.take<uint32_t>(sm::kLog2TableSize);
    l->fft = c.take<uint8_t>(RealFftQ31::table_bytes(p.fft_length));
  }
  return c.used();
}

double window_value(Window w, uint32_t n, uint32_t length) {
  if (w == Window::kNone || length == 1) return 1.0;
  const bool periodic = w == Window::kHannPeriodic || w == Window::kHammingPeriodic;
  const bool even = length % 2 == 0;
  const uint32_t denom = length - 1 + ((periodic && even) ? 1 : 0);
  const double a = (w == Window::kHannPeriodic || w == Window::kHannSymmetric) ? 0.5 : 0.54;
  return a - (1.0 - a) * sm::cos_turns(n, denom);
}

double hz_to_mel(double hz) { return 1127.0 * sm::log_double(1.0 + hz / 700.0); }

int16_t sat16(int64_t v) { return int16_t(v < -32768 ? -32768 : (v > 32767 ? 32767 : v)); }

}  // namespace

size_t SpectralBlock::frames_in(size_t samples, uint32_t frame_length, uint32_t frame_step) {
  if (frame_length == 0 || frame_step == 0 || samples < frame_length) return 0;
  return 1 + (samples - frame_length) / frame_step;
}

Status SpectralBlock::validate(const SpectralParams& p) {
  const StatusCode bad = StatusCode::kInvalidArgument;
  if (p.sample_rate == 0) return Status::error(bad, "sample_rate must be > 0");
  if (p.frame_length == 0) return Status::error(bad, "frame_length must be > 0");
  if (p.frame_step == 0) return Status::error(bad, "frame_step must be > 0");
  if (!is_valid_fft_length(p.fft_length)) {
    return Status::error(bad, "fft_length %u must be a power of two in [%u, %u]",
                         unsigned(p.fft_length), unsigned(kFftMinLength), unsigned(kFftMaxLength));
  }
  if (p.fft_length < p.frame_length) {
    return Status::error(bad, "fft_length %u is shorter than frame_length %u",
                         unsigned(p.fft_length), unsigned(p.frame_length));
  }
  if (uint8_t(p.window) > uint8_t(Window::kHammingSymmetric)) {
    return Status::error(bad, "unknown window %u", unsigned(p.window));
  }
  if (uint8_t(p.spectrum) > uint8_t(SpectrumType::kPower)) {
    return Status::error(bad, "unknown spectrum type %u", unsigned(p.spectrum));
  }
  if (p.mel_bands > 0) {
    if (p.mel_bands > kMaxMelBands) {
      return Status::error(bad, "mel_bands %u exceeds %u", unsigned(p.mel_bands),
                           unsigned(kMaxMelBands));
    }
    const double nyquist = p.sample_rate / 2.0;
    if (!(p.lower_hz >= 0.0f)) return Status::error(bad, "lower_hz must be >= 0");
    if (!(p.lower_hz < p.upper_hz)) {
      return Status::error(bad, "lower_hz (%d Hz) must be below upper_hz (%d Hz)",
                           int(p.lower_hz), int(p.upper_hz));
    }
    if (!(double(p.upper_hz) <= nyquist)) {
      return Status::error(bad, "upper_hz (%d Hz) is above the Nyquist frequency (%d Hz)",
                           int(p.upper_hz), int(nyquist));
    }
  }
  if (uint8_t(p.log) > uint8_t(LogScale::kDecibel)) {
    return Status::error(bad, "unknown log scale %u", unsigned(p.log));
  }
  if (!(p.log_offset >= 0.0f) || !(p.log_offset < 1e30f)) {
    return Status::error(bad, "log_offset must be finite and >= 0");
  }
  if (p.log == LogScale::kDecibel && p.normalize_noise_floor &&
      !(p.noise_floor_db < 0.0f && p.noise_floor_db > -1000.0f)) {
    return Status::error(bad, "normalize_noise_floor needs noise_floor_db in (-1000, 0) dB");
  }
  if (p.dct_coefficients > 0) {
    if (p.mel_bands == 0 || p.log == LogScale::kNone) {
      return Status::error(bad, "the DCT needs mel bands and a log scale");
    }
    if (p.dct_coefficients > p.mel_bands) {
      return Status::error(bad, "%u coefficients requested from %u mel bands",
                           unsigned(p.dct_coefficients), unsigned(p.mel_bands));
    }
  }
  if (uint8_t(p.arithmetic) > uint8_t(Arithmetic::kFixed)) {
    return Status::error(bad, "unknown arithmetic %u", unsigned(p.arithmetic));
  }
  if (p.fixed_frac_bits > 15) return Status::error(bad, "fixed_frac_bits must be <= 15");
  return Status::ok();
}

size_t SpectralBlock::params_state_bytes(const SpectralParams& p) {
  if (!validate(p).is_ok()) return 0;
  Layout l;
  return carve(p, nullptr, 0, &l);
}

Status SpectralBlock::init_params(const SpectralParams& p, uint8_t* memory, size_t bytes,
                                  const char* name) {
  ready_ = false;
  Status s = validate(p);
  if (!s) return s.prefix("%s config", name);
  const size_t need = params_state_bytes(p);
  if (memory == nullptr || bytes < need) {
    return Status::error(StatusCode::kResourceExhausted, "%s needs %zu bytes of state, got %zu",
                         name, need, memory ? bytes : size_t(0));
  }
  Layout l;
  carve(p, memory, bytes, &l);
  params_ = p;
  bins_ = p.fft_length / 2 + 1;
  fft_log2_ = uint32_t(__builtin_ctz(p.fft_length));
  feature_count_ = p.dct_coefficients ? p.dct_coefficients : (p.mel_bands ? p.mel_bands : bins_);
  band_start_ = l.band_start;
  band_length_ = l.band_length;
  window_ = l.window; frame_ = l.frame; work_ = l.work; spectrum_ = l.spectrum;
  weights_ = l.weights; mel_ = l.mel; dct_ = l.dct;
  window_q_ = l.window_q; frame_q_ = l.frame_q; work_q_ = l.work_q; spectrum_q_ = l.spectrum_q;
  mel_q_ = l.mel_q;
  weights_q_ = l.weights_q; log_q_ = l.log_q; dct_q_ = l.dct_q; log2_table_ = l.log2_table;
  if (p.arithmetic == Arithmetic::kFloat) {
    s = fft_.init(p.fft_length, l.fft, RealFft::table_bytes(p.fft_length));
  } else {
    s = fft_q_.init(p.fft_length, l.fft, RealFftQ31::table_bytes(p.fft_length));
  }
  if (!s) return s.prefix("%s", name);
  build_tables();
  reset();
  ready_ = true;
  return Status::ok();
}

void SpectralBlock::build_tables() {
  const SpectralParams& p = params_;
  const bool fixed = p.arithmetic == Arithmetic::kFixed;
  for (uint32_t i = 0; i < p.frame_length; ++i) {
    const double w = window_value(p.window, i, p.frame_length);
    if (fixed) window_q_[i] = sat16(sm::round_to_int64(w * 32768.0));
    else window_[i] = float(w);
  }
  // Mel filterbank, tf.signal.linear_to_mel_weight_matrix: bin k (k >= 1) at
  // k * nyquist / (bins - 1) Hz; B + 2 equally spaced mel edges; triangles in
  // the mel domain; the DC bin gets no weight. Computed in double.
  uint32_t widest = 1;
  used_begin_ = 0;
  used_end_ = bins_;
  if (p.mel_bands > 0) {
    used_begin_ = bins_;
    used_end_ = 0;
    double* bin_mel = reinterpret_cast<double*>(fixed ? static_cast<void*>(work_q_)
                                                      : static_cast<void*>(work_));
    const double nyquist = p.sample_rate / 2.0;
    for (uint32_t k = 0; k < bins_; ++k) bin_mel[k] = hz_to_mel(double(k) * nyquist / (bins_ - 1));
    const double lo = hz_to_mel(p.lower_hz), hi = hz_to_mel(p.upper_hz);
    const double step = (hi - lo) / double(p.mel_bands + 1);
    auto edge = [&](uint32_t i) { return i == p.mel_bands + 1 ? hi : lo + double(i) * step; };
    size_t next = 0;
    for (uint32_t b = 0; b < p.mel_bands; ++b) {
      const double l = edge(b), c = edge(b + 1), u = edge(b + 2);
      uint32_t start = 0, length = 0;
      for (uint32_t k = 1; k < bins_; ++k) {
        const double lower = (bin_mel[k] - l) / (c - l), upper = (u - bin_mel[k]) / (u - c);
        const double w = lower < upper ? lower : upper;
        if (!(w > 0.0)) {
          if (length > 0) break;  // past the triangle
          continue;
        }
        if (length == 0) start = k;
        if (fixed) weights_q_[next + length] = uint16_t(sm::round_to_int64(w * 32768.0));
        else weights_[next + length] = float(w);
        ++length;
      }
      band_start_[b] = uint16_t(start);
      band_length_[b] = uint16_t(length);
      next += length;
      if (length > widest) widest = length;
      if (length > 0 && start < used_begin_) used_begin_ = start;
      if (length > 0 && start + length > used_end_) used_end_ = start + length;
    }
    if (used_end_ == 0) used_begin_ = 0;  // no band has a bin: nothing is read
  }
  // DCT-II as tf.signal.mfccs_from_log_mel_spectrograms:
  // y_k = 2 sum_n x_n cos(pi k (2n + 1) / 2B) / sqrt(2B).
  const uint32_t B = p.mel_bands;
  const double scale = p.dct_coefficients ? 2.0 / sm::sqrt_double(2.0 * B) : 0.0;
  for (uint32_t k = 0; k < p.dct_coefficients; ++k) {
    for (uint32_t n = 0; n < B; ++n) {
      const double c = scale * sm::cos_turns(int64_t(k) * (2 * n + 1), 4 * int64_t(B));
      if (fixed) dct_q_[k * B + n] = int32_t(sm::round_to_int64(c * 1073741824.0));
      else dct_[k * B + n] = float(c);
    }
  }
  if (fixed) {
    sm::fill_log2_table(log2_table_);
    // log_offset as mantissa * 2^exponent, exactly (it is a float).
    uint32_t bits;
    memcpy(&bits, &p.log_offset, sizeof bits);
    const int32_t e = int32_t((bits >> 23) & 0xff);
    offset_mant_ = e ? ((bits & 0x7fffffu) | 0x800000u) : (bits & 0x7fffffu);
    offset_exp_ = (e ? e : 1) - 127 - 23;
    noise_floor_q16_ = int32_t(sm::round_to_int64(double(p.noise_floor_db) * 65536.0));
    // Power spectrum values are shifted so that 2^15 weights times `widest`
    // terms cannot overflow 64 bits; magnitudes (< 2^32) never need it.
    uint32_t log2_widest = 0;
    while ((1u << log2_widest) < widest) ++log2_widest;
    power_shift_ = (p.spectrum == SpectrumType::kPower && p.mel_bands > 0) ? 15 + log2_widest : 0;
  }
}

float SpectralBlock::window_coefficient(uint32_t i) const {
  if (!ready_ || i >= params_.frame_length) return 0.0f;
  return params_.arithmetic == Arithmetic::kFloat ? window_[i] : float(window_q_[i]) / 32768.0f;
}

float SpectralBlock::mel_weight(uint32_t band, uint32_t bin) const {
  if (!ready_ || band >= params_.mel_bands) return 0.0f;
  size_t offset = 0;
  for (uint32_t b = 0; b < band; ++b) offset += band_length_[b];
  if (bin < band_start_[band] || bin >= band_start_[band] + band_length_[band]) return 0.0f;
  offset += bin - band_start_[band];
  return params_.arithmetic == Arithmetic::kFloat ? weights_[offset]
                                                  : float(weights_q_[offset]) / 32768.0f;
}

float SpectralBlock::dct_coefficient(uint32_t k, uint32_t n) const {
  if (!ready_ || k >= params_.dct_coefficients || n >= params_.mel_bands) return 0.0f;
  const size_t i = size_t(k) * params_.mel_bands + n;
  return params_.arithmetic == Arithmetic::kFloat ? dct_[i] : float(double(dct_q_[i]) / 1073741824.0);
}

void SpectralBlock::reset() {
  fill_ = 0;
  skip_ = 0;
}

Status SpectralBlock::check_ready(Arithmetic want, const char* what) const {
  if (!ready_) return Status::error(StatusCode::kFailedPrecondition, "spectral block used before init()");
  if (params_.arithmetic != want) {
    return Status::error(StatusCode::kFailedPrecondition,
                         "%s needs the block configured with %s arithmetic", what,
                         want == Arithmetic::kFloat ? "float" : "fixed-point");
  }
  return Status::ok();
}

void SpectralBlock::push(float* dst, const int16_t* src, size_t n) {
  for (size_t i = 0; i < n; ++i) dst[i] = float(src[i]) * (1.0f / 32768.0f);  // exact
}
void SpectralBlock::push(float* dst, const float* src, size_t n) { memcpy(dst, src, n * sizeof(float)); }
void SpectralBlock::push(int16_t* dst, const int16_t* src, size_t n) {
  memcpy(dst, src, n * sizeof(int16_t));
}

template <typename In, typename Out>
Status SpectralBlock::stream(const In* samples, size_t count, size_t* consumed, Out* out,
                             bool* produced) {
  if (consumed == nullptr || produced == nullptr || out == nullptr ||
      (samples == nullptr && count > 0)) {
    return Status::error(StatusCode::kInvalidArgument, "process: null argument");
  }
  *consumed = 0;
  *produced = false;
  auto* buffer = [this]() {
    if constexpr (sizeof(Out) == sizeof(float)) return frame_; else return frame_q_;
  }();
  const uint32_t L = params_.frame_length, S = params_.frame_step;
  size_t used = 0;
  while (used < count) {
    if (skip_ > 0) {
      const size_t d = count - used < skip_ ? count - used : skip_;
      used += d;
      skip_ -= uint32_t(d);
      continue;
    }
    const size_t take = count - used < L - fill_ ? count - used : L - fill_;
    push(buffer + fill_, samples + used, take);
    fill_ += uint32_t(take);
    used += take;
    if (fill_ == L) {
      compute_frame(out);
      *produced = true;
      if (S < L) {
        memmove(buffer, buffer + S, (L - S) * sizeof(*buffer));
        fill_ = L - S;
      } else {
        fill_ = 0;
        skip_ = S - L;
      }
      break;
    }
  }
  *consumed = used;
  return Status::ok();
}

Status SpectralBlock::process(const int16_t* samples, size_t count, size_t* consumed, float* out,
                              bool* produced) {
  LOCUS_RETURN_IF_ERROR(check_ready(Arithmetic::kFloat, "float output"));
  return stream(samples, count, consumed, out, produced);
}
Status SpectralBlock::process(const float* samples, size_t count, size_t* consumed, float* out,
                              bool* produced) {
  LOCUS_RETURN_IF_ERROR(check_ready(Arithmetic::kFloat, "float input"));
  return stream(samples, count, consumed, out, produced);
}
Status SpectralBlock::process(const int16_t* samples, size_t count, size_t* consumed,
                              int16_t* out, bool* produced) {
  LOCUS_RETURN_IF_ERROR(check_ready(Arithmetic::kFixed, "int16 output"));
  return stream(samples, count, consumed, out, produced);
}

template <typename In, typename Out>
Status SpectralBlock::clip(const In* samples, size_t n, Out* out, size_t out_capacity,
                           size_t* frames) {
  if (frames == nullptr) return Status::error(StatusCode::kInvalidArgument, "compute_clip: null frames");
  *frames = 0;
  const size_t want = frames_in(n);
  if (want > 0 && (out == nullptr || out_capacity / feature_count_ < want)) {
    return Status::error(StatusCode::kResourceExhausted,
                         "compute_clip: %zu frames need %zu values, output holds %zu", want,
                         want * feature_count_, out_capacity);
  }
  reset();
  size_t done = 0, pos = 0;
  while (done < want) {
    size_t used = 0;
    bool produced = false;
    LOCUS_RETURN_IF_ERROR(stream(samples + pos, n - pos, &used, out + done * feature_count_, &produced));
    pos += used;
    if (produced) ++done;
    if (!produced) break;
  }
  reset();
  *frames = done;
  return Status::ok();
}

Status SpectralBlock::compute_clip(const int16_t* samples, size_t n, float* out,
                                   size_t out_capacity, size_t* frames) {
  LOCUS_RETURN_IF_ERROR(check_ready(Arithmetic::kFloat, "float output"));
  return clip(samples, n, out, out_capacity, frames);
}
Status SpectralBlock::compute_clip(const float* samples, size_t n, float* out,
                                   size_t out_capacity, size_t* frames) {
  LOCUS_RETURN_IF_ERROR(check_ready(Arithmetic::kFloat, "float input"));
  return clip(samples, n, out, out_capacity, frames);
}
Status SpectralBlock::compute_clip(const int16_t* samples, size_t n, int16_t* out,
                                   size_t out_capacity, size_t* frames) {
  LOCUS_RETURN_IF_ERROR(check_ready(Arithmetic::kFixed, "int16 output"));
  return clip(samples, n, out, out_capacity, frames);
}

// ------------------------------------------------------------ float frame

void SpectralBlock::compute_frame(float* out) {
  const SpectralParams& p = params_;
  for (uint32_t i = 0; i < p.frame_length; ++i) work_[i] = frame_[i] * window_[i];
  for (uint32_t i = p.frame_length; i < p.fft_length; ++i) work_[i] = 0.0f;
  fft_.forward(work_);
  const bool magnitude = p.spectrum == SpectrumType::kMagnitude;
  for (uint32_t k = used_begin_; k < used_end_; ++k) {  // only bins that are read
    const float re = work_[2 * k], im = work_[2 * k + 1];
    const float power = re * re + im * im;
    spectrum_[k] = magnitude ? __builtin_sqrtf(power) : power;
  }
  float* values = spectrum_;
  uint32_t count = bins_;
  if (p.mel_bands > 0) {
    const float* w = weights_;
    for (uint32_t b = 0; b < p.mel_bands; ++b) {
      const float* s = spectrum_ + band_start_[b];
      float sum = 0.0f;
      for (uint32_t j = 0; j < band_length_[b]; ++j) sum += w[j] * s[j];
      w += band_length_[b];
      mel_[b] = sum;
    }
    values = mel_;
    count = p.mel_bands;
  }
  float* logs = p.dct_coefficients ? values : out;  // log in place before a DCT
  if (p.log == LogScale::kNatural) {
    for (uint32_t i = 0; i < count; ++i) logs[i] = sm::log_f32(values[i] + p.log_offset);
  } else if (p.log == LogScale::kDecibel) {
    const float db_per_neper = 4.3429448190325182f;  // 10 / ln 10
    const float floor = p.noise_floor_db;
    for (uint32_t i = 0; i < count; ++i) {
      float y = db_per_neper * sm::log_f32(values[i] + p.log_offset);
      if (!(y > floor)) y = floor;
      if (p.normalize_noise_floor) {
        y = (y - floor) / -floor;
        if (y > 1.0f) y = 1.0f;
      }
      logs[i] = y;
    }
  } else {
    memcpy(out, values, count * sizeof(float));
  }
  if (p.dct_coefficients) {
    const uint32_t B = p.mel_bands;
    for (uint32_t k = 0; k < p.dct_coefficients; ++k) {
      const float* c = dct_ + k * B;
      float sum = 0.0f;
      for (uint32_t n = 0; n < B; ++n) sum += c[n] * values[n];
      out[k] = sum;
    }
  }
}

}  // namespace dsp
}  // namespace locus
