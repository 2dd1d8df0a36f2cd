// Computes the MLPerf KWS MFCCs (49 x 10) of one 1 s clip once, for
//   valgrind --tool=callgrind --toggle-collect='locus::dsp::SpectralBlock::compute_clip*' \
//     locus_spectral_once [WAV] [--fixed]
// Without a WAV a deterministic synthetic clip is used. Init (tables) is
// outside the counted function; the count is instructions per second of audio.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "host/audio/audio_file.h"
#include "runtime/dsp/spectral/mfcc.h"

int main(int argc, char** argv) {
  using namespace locus;
  bool fixed = false;
  std::string wav;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--fixed") == 0) fixed = true;
    else wav = argv[i];
  }
  std::vector<int16_t> samples(16000);
  if (!wav.empty()) {
    samples = host::read_audio(wav, 16000).samples;
    samples.resize(16000, 0);
  } else {
    uint32_t r = 12345;
    for (size_t t = 0; t < samples.size(); ++t) {
      r ^= r << 13; r ^= r >> 17; r ^= r << 5;
      samples[t] = int16_t(int32_t(t % 80) * 200 - 8000 + int32_t(r >> 22) - 512);
    }
  }
  dsp::MfccConfig config = dsp::MfccConfig::mlperf_kws();
  if (fixed) config.arithmetic = dsp::Arithmetic::kFixed;
  std::vector<uint8_t> state(dsp::Mfcc::state_bytes(config));
  dsp::Mfcc mfcc;
  Status s = mfcc.init(config, state.data(), state.size());
  if (!s) {
    std::fprintf(stderr, "init: %s\n", s.message());
    return 1;
  }
  size_t frames = 0;
  double checksum = 0;
  if (fixed) {
    std::vector<int16_t> out(490);
    s = mfcc.compute_clip(samples.data(), samples.size(), out.data(), out.size(), &frames);
    for (int16_t v : out) checksum += v / 128.0;
  } else {
    std::vector<float> out(490);
    s = mfcc.compute_clip(samples.data(), samples.size(), out.data(), out.size(), &frames);
    for (float v : out) checksum += v;
  }
  if (!s) {
    std::fprintf(stderr, "compute_clip: %s\n", s.message());
    return 1;
  }
  std::printf("%zu frames (%s), checksum %.4f, state %zu bytes\n", frames, fixed ? "fixed" : "float",
              checksum, state.size());
  return 0;
}
