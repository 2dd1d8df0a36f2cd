#include "runtime/dsp/frontend/audio_frontend.h"

#include <string.h>

#include "runtime/dsp/frontend/log_scale.h"
#include "runtime/dsp/frontend/pcan.h"
#include "runtime/dsp/frontend/window.h"

namespace locus {
namespace dsp {
namespace {

using frontend::Complex16;

constexpr const char* kWhat = "audio front end";

// Where each table and buffer sits in the caller's memory. Every region
// starts on a 4-byte boundary.
struct Layout {
  int32_t frame_length = 0;
  int32_t frame_step = 0;
  int32_t fft_size = 0;
  int32_t start_bin = 0;
  int32_t end_bin = 0;
  int32_t correction_bits = 0;
  size_t spectrum = 0, signal = 0, noise_estimate = 0, twiddles = 0, window = 0, input = 0,
         fft_input = 0, band_end = 0, weights = 0, unweights = 0, pcan_lut = 0, total = 0;
};

size_t take(size_t* cursor, size_t bytes) {
  const size_t at = *cursor;
  *cursor += (bytes + 3) & ~size_t{3};
  return at;
}

bool finite_in(float v, float lo, float hi) { return v >= lo && v <= hi; }  // false for NaN

frontend::FilterbankShape filterbank_shape(const AudioFrontendConfig& c, uint32_t sample_rate,
                                           int32_t fft_size) {
  frontend::FilterbankShape s;
  s.channels = c.channels;
  s.lower_band_hz = c.lower_band_hz;
  s.upper_band_hz = c.upper_band_hz;
  s.sample_rate = static_cast<int32_t>(sample_rate);
  s.spectrum_size = fft_size / 2 + 1;
  s.arithmetic = c.table_arithmetic;
  return s;
}

Status plan(const AudioFrontendConfig& c, uint32_t sample_rate, Layout* l) {
  const auto invalid = StatusCode::kInvalidArgument;
  if (sample_rate < 1000 || sample_rate > 384000) {
    return Status::error(invalid, "%s: sample rate %u Hz is outside 1000..384000", kWhat,
                         static_cast<unsigned>(sample_rate));
  }
  const uint64_t length = uint64_t{c.window_ms} * sample_rate / 1000;
  const uint64_t step = uint64_t{c.step_ms} * sample_rate / 1000;
  if (length < 5 || length > static_cast<uint64_t>(frontend::kFftMaxSize)) {
    return Status::error(invalid, "%s: window of %u ms is %llu samples at %u Hz; need 5..%d",
                         kWhat, static_cast<unsigned>(c.window_ms), static_cast<unsigned long long>(length),
                         static_cast<unsigned>(sample_rate),
                         static_cast<int>(frontend::kFftMaxSize));
  }
  if (step < 1 || step > length) {
    return Status::error(invalid, "%s: step of %u ms is %llu samples; need 1..%llu (the window)",
                         kWhat, static_cast<unsigned>(c.step_ms), static_cast<unsigned long long>(step),
                         static_cast<unsigned long long>(length));
  }
  l->frame_length = static_cast<int32_t>(length);
  l->frame_step = static_cast<int32_t>(step);
  l->fft_size = 1;
  while (l->fft_size < l->frame_length) l->fft_size <<= 1;
  if (c.channels < 1 || c.channels > 1024) {
    return Status::error(invalid, "%s: %d channels; need 1..1024", kWhat, static_cast<int>(c.channels));
  }
  if (!finite_in(c.lower_band_hz, 0.0f, 1.0e6f) || !finite_in(c.upper_band_hz, 0.0f, 1.0e6f) ||
      !(c.upper_band_hz > c.lower_band_hz)) {
    return Status::error(invalid, "%s: band %d..%d Hz; need 0 <= lower < upper", kWhat,
                         static_cast<int>(c.lower_band_hz), static_cast<int>(c.upper_band_hz));
  }
  if (c.upper_band_hz > 0.5f * static_cast<float>(sample_rate)) {
    return Status::error(invalid, "%s: upper band %d Hz is above the Nyquist frequency %u Hz",
                         kWhat, static_cast<int>(c.upper_band_hz), static_cast<unsigned>(sample_rate / 2));
  }
  const frontend::FilterbankError fb = frontend::filterbank_bins(
      filterbank_shape(c, sample_rate, l->fft_size), &l->start_bin, &l->end_bin);
  if (fb != frontend::FilterbankError::kOk) {
    return Status::error(invalid,
                         "%s: band %d..%d Hz does not fit a %d-point FFT at %u Hz (the mel "
                         "bands reach the Nyquist bin)",
                         kWhat, static_cast<int>(c.lower_band_hz), static_cast<int>(c.upper_band_hz),
                         static_cast<int>(l->fft_size), static_cast<unsigned>(sample_rate));
  }
  if (c.smoothing_bits < 0 || c.smoothing_bits > 31) {
    return Status::error(invalid, "%s: smoothing_bits %d; need 0..31", kWhat,
                         static_cast<int>(c.smoothing_bits));
  }
  if (!finite_in(c.even_smoothing, 0.0f, 1.0f) || !finite_in(c.odd_smoothing, 0.0f, 1.0f) ||
      !finite_in(c.min_signal_remaining, 0.0f, 1.0f)) {
    return Status::error(invalid,
                         "%s: even/odd smoothing and min_signal_remaining must be in [0, 1]", kWhat);
  }
  l->correction_bits =
      frontend::most_significant_bit32(static_cast<uint32_t>(l->fft_size)) - 1 - frontend::kFilterbankBits / 2;
  if (c.enable_pcan) {
    const int32_t input_bits = c.smoothing_bits - l->correction_bits;
    const int32_t snr_shift = c.pcan_gain_bits - l->correction_bits - frontend::kPcanSnrBits;
    if (c.pcan_gain_bits < 0 || c.pcan_gain_bits > 31 || snr_shift < 0 || input_bits < 0 ||
        input_bits > 31) {
      return Status::error(invalid,
                           "%s: PCAN gain_bits %d with smoothing_bits %d and a %d-point FFT gives "
                           "shifts out of range (need gain_bits <= 31, snr shift %d >= 0, input "
                           "bits %d in 0..31)",
                           kWhat, static_cast<int>(c.pcan_gain_bits), static_cast<int>(c.smoothing_bits),
                           static_cast<int>(l->fft_size), static_cast<int>(snr_shift),
                           static_cast<int>(input_bits));
    }
    if (!finite_in(c.pcan_strength, 0.0f, 100.0f) || !finite_in(c.pcan_offset, 0.0f, 1.0e9f)) {
      return Status::error(invalid, "%s: PCAN strength and offset must be finite and >= 0", kWhat);
    }
  }
  if (c.log_scale_shift < 0 || c.log_scale_shift > 16) {
    return Status::error(invalid, "%s: log scale_shift %d; need 0..16", kWhat,
                         static_cast<int>(c.log_scale_shift));
  }
  if (static_cast<uint8_t>(c.table_arithmetic) > 1) {
    return Status::error(invalid, "%s: unknown table arithmetic %u", kWhat,
                         static_cast<unsigned>(c.table_arithmetic));
  }
  const size_t ch = static_cast<size_t>(c.channels);
  const size_t bins = static_cast<size_t>(l->end_bin - l->start_bin);
  size_t at = 0;
  l->spectrum = take(&at, sizeof(Complex16) * static_cast<size_t>(l->fft_size / 2 + 1));
  l->signal = take(&at, sizeof(uint32_t) * ch);
  l->noise_estimate = take(&at, sizeof(uint32_t) * ch);
  l->twiddles = take(&at, sizeof(Complex16) * static_cast<size_t>(frontend::FftInt16::twiddle_count(l->fft_size)));
  l->window = take(&at, sizeof(int16_t) * static_cast<size_t>(l->frame_length));
  l->input = take(&at, sizeof(int16_t) * static_cast<size_t>(l->frame_length));
  l->fft_input = take(&at, sizeof(int16_t) * static_cast<size_t>(l->fft_size));
  l->band_end = take(&at, sizeof(int16_t) * (ch + 1));
  l->weights = take(&at, sizeof(int16_t) * bins);
  l->unweights = take(&at, sizeof(int16_t) * bins);
  l->pcan_lut = take(&at, c.enable_pcan ? sizeof(int16_t) * frontend::kWideDynamicFunctionLutSize : 0);
  l->total = at;
  return Status::ok();
}

}  // namespace

AudioFrontendConfig AudioFrontendConfig::defaults() { return AudioFrontendConfig(); }

AudioFrontendConfig AudioFrontendConfig::micro_speech() {
  AudioFrontendConfig c;
  c.window_ms = 30;
  c.step_ms = 20;
  c.channels = 40;
  c.enable_pcan = true;
  return c;
}

size_t AudioFrontend::state_bytes(const AudioFrontendConfig& config, uint32_t sample_rate) {
  Layout l;
  if (!plan(config, sample_rate, &l).is_ok()) return 0;
  return l.total + 3;  // room to align an arbitrary pointer to 4 bytes
}

Status AudioFrontend::init(const AudioFrontendConfig& config, uint32_t sample_rate,
                           uint8_t* memory, size_t bytes) {
  *this = AudioFrontend();
  Layout l;
  LOCUS_RETURN_IF_ERROR(plan(config, sample_rate, &l));
  if (memory == nullptr) {
    return Status::error(StatusCode::kInvalidArgument, "%s: no memory given", kWhat);
  }
  const size_t skip = (4 - (reinterpret_cast<uintptr_t>(memory) & 3)) & 3;
  if (bytes < skip || bytes - skip < l.total) {
    return Status::error(StatusCode::kResourceExhausted,
                         "%s: needs %zu bytes of state, got %zu", kWhat, l.total + 3, bytes);
  }
  uint8_t* base = memory + skip;
  frontend::FftInt16 fft;
  if (!fft.init(l.fft_size, reinterpret_cast<Complex16*>(base + l.twiddles))) {
    return Status::error(StatusCode::kInternal, "%s: FFT of %d points not supported", kWhat,
                         static_cast<int>(l.fft_size));
  }
  frontend::FilterbankTables tables;
  if (frontend::build_filterbank(filterbank_shape(config, sample_rate, l.fft_size),
                                 reinterpret_cast<int16_t*>(base + l.band_end),
                                 reinterpret_cast<int16_t*>(base + l.weights),
                                 reinterpret_cast<int16_t*>(base + l.unweights),
                                 &tables) != frontend::FilterbankError::kOk) {
    return Status::error(StatusCode::kInternal, "%s: filterbank tables failed", kWhat);
  }
  frontend::build_window(l.frame_length, config.table_arithmetic,
                         reinterpret_cast<int16_t*>(base + l.window));
  if (config.enable_pcan) {
    frontend::PcanParams p;
    p.strength = config.pcan_strength;
    p.offset = config.pcan_offset;
    p.gain_bits = config.pcan_gain_bits;
    frontend::build_pcan_lut(p, config.smoothing_bits - l.correction_bits,
                             reinterpret_cast<int16_t*>(base + l.pcan_lut));
    pcan_lut_ = reinterpret_cast<const int16_t*>(base + l.pcan_lut);
    pcan_snr_shift_ = config.pcan_gain_bits - l.correction_bits - frontend::kPcanSnrBits;
  }
  frame_length_ = l.frame_length;
  frame_step_ = l.frame_step;
  channels_ = config.channels;
  enable_pcan_ = config.enable_pcan;
  enable_log_ = config.enable_log;
  log_scale_shift_ = config.log_scale_shift;
  correction_bits_ = l.correction_bits;
  noise_.smoothing_bits = config.smoothing_bits;
  noise_.even_smoothing = frontend::to_q14(config.even_smoothing);
  noise_.odd_smoothing = frontend::to_q14(config.odd_smoothing);
  noise_.min_signal_remaining = frontend::to_q14(config.min_signal_remaining);
  filterbank_ = tables;
  window_ = reinterpret_cast<const int16_t*>(base + l.window);
  input_ = reinterpret_cast<int16_t*>(base + l.input);
  fft_input_ = reinterpret_cast<int16_t*>(base + l.fft_input);
  spectrum_ = reinterpret_cast<Complex16*>(base + l.spectrum);
  signal_ = reinterpret_cast<uint32_t*>(base + l.signal);
  noise_estimate_ = reinterpret_cast<uint32_t*>(base + l.noise_estimate);
  fft_ = fft;  // last: marks the object initialised
  reset();
  return Status::ok();
}

void AudioFrontend::reset() {
  if (!initialized()) return;
  memset(input_, 0, sizeof(int16_t) * static_cast<size_t>(frame_length_));
  // The zero padding after the window is written here only, never per frame.
  memset(fft_input_, 0, sizeof(int16_t) * static_cast<size_t>(fft_.fft_size()));
  memset(noise_estimate_, 0, sizeof(uint32_t) * static_cast<size_t>(channels_));
  input_used_ = 0;
}

void AudioFrontend::compute_frame(uint16_t* out) {
  const int16_t max_abs = frontend::apply_window(input_, window_, frame_length_, fft_input_);
  // Block floating point: scale the frame up to use all 16 bits of the FFT;
  // the filterbank shifts the result back down by the same amount.
  const int shift = 15 - frontend::most_significant_bit32(static_cast<uint32_t>(max_abs));
  for (int32_t i = 0; i < frame_length_; ++i) {
    fft_input_[i] = static_cast<int16_t>(static_cast<uint16_t>(fft_input_[i]) << shift);
  }
  fft_.real_forward(fft_input_, spectrum_);
  frontend::filterbank_apply(filterbank_, spectrum_, shift, signal_);
  frontend::noise_reduction_apply(noise_, channels_, noise_estimate_, signal_);
  if (enable_pcan_) {
    frontend::pcan_apply(pcan_lut_, pcan_snr_shift_, channels_, noise_estimate_, signal_);
  }
  frontend::log_scale_apply(signal_, channels_, enable_log_, log_scale_shift_, correction_bits_, out);
}

Status AudioFrontend::process(const int16_t* samples, size_t count, size_t* consumed,
                              uint16_t* out, bool* produced) {
  if (!initialized()) {
    return Status::error(StatusCode::kFailedPrecondition, "%s: process() before init()", kWhat);
  }
  if (consumed == nullptr || produced == nullptr || (samples == nullptr && count != 0)) {
    return Status::error(StatusCode::kInvalidArgument, "%s: null argument to process()", kWhat);
  }
  *produced = false;
  *consumed = 0;
  const size_t room = static_cast<size_t>(frame_length_ - input_used_);
  const size_t n = count < room ? count : room;
  if (n == room && out == nullptr) {
    return Status::error(StatusCode::kInvalidArgument, "%s: a frame completes but out is null", kWhat);
  }
  if (n != 0) memcpy(input_ + input_used_, samples, n * sizeof(int16_t));
  *consumed = n;
  input_used_ += static_cast<int32_t>(n);
  if (input_used_ < frame_length_) return Status::ok();
  compute_frame(out);
  *produced = true;
  // Keep the overlap for the next frame.
  memmove(input_, input_ + frame_step_, sizeof(int16_t) * static_cast<size_t>(frame_length_ - frame_step_));
  input_used_ -= frame_step_;
  return Status::ok();
}

size_t AudioFrontend::frames_for(size_t samples) const {
  if (!initialized() || samples < static_cast<size_t>(frame_length_)) return 0;
  return 1 + (samples - static_cast<size_t>(frame_length_)) / static_cast<size_t>(frame_step_);
}

Status AudioFrontend::process_clip(const int16_t* samples, size_t count, uint16_t* out,
                                   size_t out_capacity, size_t* frames) {
  if (!initialized()) {
    return Status::error(StatusCode::kFailedPrecondition, "%s: process_clip() before init()", kWhat);
  }
  if (frames == nullptr || (samples == nullptr && count != 0)) {
    return Status::error(StatusCode::kInvalidArgument, "%s: null argument to process_clip()", kWhat);
  }
  *frames = 0;
  const size_t expected = frames_for(count);
  if (expected != 0 && (out == nullptr || out_capacity / static_cast<size_t>(channels_) < expected)) {
    return Status::error(StatusCode::kResourceExhausted,
                         "%s: clip of %zu samples gives %zu frames of %d; output holds %zu values",
                         kWhat, count, expected, static_cast<int>(channels_), out_capacity);
  }
  reset();
  size_t done = 0;
  while (done < count) {
    size_t used = 0;
    bool produced = false;
    LOCUS_RETURN_IF_ERROR(process(samples + done, count - done, &used,
                                  out + *frames * static_cast<size_t>(channels_), &produced));
    done += used;
    if (produced) ++*frames;
  }
  return Status::ok();
}

void frontend_to_int8_micro_speech(const uint16_t* features, int32_t count, int8_t* out) {
  for (int32_t i = 0; i < count; ++i) {
    int32_t v = (static_cast<int32_t>(features[i]) * 256 + 333) / 666 - 128;
    if (v < -128) v = -128;
    if (v > 127) v = 127;
    out[i] = static_cast<int8_t>(v);
  }
}

}  // namespace dsp
}  // namespace locus
