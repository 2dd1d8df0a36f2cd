// Test helper (codegen_test): the observable effect of a DSP block
// configuration — every output byte of the block over a fixed 1 s signal —
// so a configuration baked into generated code can be compared with the one
// the runtime reads from the capsule. Header-only C++17: the test compiles it
// and so does the generated program it builds.
#ifndef LOCUS_HOST_CODEGEN_DSP_PROBE_TESTING_H_
#define LOCUS_HOST_CODEGEN_DSP_PROBE_TESTING_H_

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "runtime/dsp/frontend/audio_frontend.h"
#include "runtime/pipeline/dsp_from_capsule.h"

namespace locus::codegen_testing {

inline std::string probe_dsp(const DspBlockConfig& c) {
  std::vector<int16_t> signal(16000);
  uint32_t x = 0x9E3779B9u;
  for (size_t i = 0; i < signal.size(); ++i) {  // a tone plus xorshift noise
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    signal[i] = static_cast<int16_t>(static_cast<int32_t>((i * 37) % 200) * 40 - 4000 +
                                     static_cast<int32_t>(x >> 22) - 512);
  }
  std::vector<uint8_t> state(dsp_block_state_bytes(c) + 16), out;
  auto append = [&out](const void* p, size_t n) {
    out.insert(out.end(), static_cast<const uint8_t*>(p), static_cast<const uint8_t*>(p) + n);
  };
  Status s;
  if (c.kind == DspBlockKind::kAudioFrontend) {
    dsp::AudioFrontend f;
    s = f.init(c.audio, c.sample_rate_hz, state.data(), state.size());
    std::vector<uint16_t> frame(static_cast<size_t>(f.channels()));
    for (size_t done = 0; s.is_ok() && done < signal.size();) {
      size_t used = 0;
      bool produced = false;
      s = f.process(signal.data() + done, signal.size() - done, &used, frame.data(), &produced);
      done += used;
      if (produced) append(frame.data(), frame.size() * 2);
    }
  } else if (c.is_spectral()) {
    dsp::Spectrogram spectrogram;
    dsp::Mfe mfe;
    dsp::Mfcc mfcc;
    dsp::SpectralBlock* block = &spectrogram;
    if (c.kind == DspBlockKind::kSpectrogram) s = spectrogram.init(c.spectrogram, state.data(), state.size());
    if (c.kind == DspBlockKind::kMfe) s = mfe.init(c.mfe, state.data(), state.size()), block = &mfe;
    if (c.kind == DspBlockKind::kMfcc) s = mfcc.init(c.mfcc, state.data(), state.size()), block = &mfcc;
    const size_t frames = block->frames_in(signal.size()), n = frames * block->feature_count();
    size_t got = 0;
    if (s.is_ok() && c.arithmetic() == dsp::Arithmetic::kFixed) {
      std::vector<int16_t> v(n);
      s = block->compute_clip(signal.data(), signal.size(), v.data(), v.size(), &got);
      append(v.data(), v.size() * 2);
    } else if (s.is_ok()) {
      std::vector<float> v(n);
      s = block->compute_clip(signal.data(), signal.size(), v.data(), v.size(), &got);
      append(v.data(), v.size() * 4);
    }
  }
  if (!s.is_ok()) return std::string("error: ") + s.message();
  std::string hex = std::to_string(c.quantize) + "/" + std::to_string(c.int8_output) + "/";
  char byte[3];
  for (uint8_t b : out) {
    std::snprintf(byte, sizeof(byte), "%02x", b);
    hex += byte;
  }
  // quant_scale and zero point shape the int8 mapping, which the probe does not run.
  uint32_t scale_bits;
  std::memcpy(&scale_bits, &c.quant_scale, 4);
  return hex + "/" + std::to_string(scale_bits) + "/" + std::to_string(c.quant_zero_point);
}

}  // namespace locus::codegen_testing

#endif  // LOCUS_HOST_CODEGEN_DSP_PROBE_TESTING_H_
