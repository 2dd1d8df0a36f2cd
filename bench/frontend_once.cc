// Runs the audio front end (micro_speech settings) once over one audio clip,
// all samples streamed through AudioFrontend::process(). For instruction
// counts per second of audio:
//   valgrind --tool=callgrind --toggle-collect='locus::dsp::AudioFrontend::process*' \
//       build/frontend-release/bench/locus_frontend_once CLIP.wav
// (toggle on 'locus::dsp::AudioFrontend::init*' to count the table set-up).
// Prints frames, the seconds of audio and a checksum of the features.
#include <cstdint>
#include <iostream>
#include <vector>

#include "host/audio/audio_file.h"
#include "host/common/error.h"
#include "runtime/dsp/frontend/audio_frontend.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: locus_frontend_once CLIP.wav\n";
    return 2;
  }
  try {
    const locus::host::Audio audio = locus::host::read_audio(argv[1]);
    const locus::dsp::AudioFrontendConfig config = locus::dsp::AudioFrontendConfig::micro_speech();
    std::vector<uint8_t> memory(locus::dsp::AudioFrontend::state_bytes(config, audio.sample_rate));
    locus::dsp::AudioFrontend frontend;
    locus::Status s = frontend.init(config, audio.sample_rate, memory.data(), memory.size());
    if (!s) locus::host::fail(s.message());
    std::vector<uint16_t> frame(static_cast<size_t>(frontend.channels()));
    uint32_t checksum = 0;
    size_t frames = 0;
    size_t at = 0;
    while (at < audio.samples.size()) {
      size_t used = 0;
      bool produced = false;
      s = frontend.process(audio.samples.data() + at, audio.samples.size() - at, &used,
                           frame.data(), &produced);
      if (!s) locus::host::fail(s.message());
      at += used;
      if (produced) {
        ++frames;
        for (uint16_t v : frame) checksum = checksum * 31 + v;
      }
    }
    std::cout << "frames " << frames << ", " << audio.seconds() << " s of audio, state "
              << memory.size() << " bytes, checksum " << checksum << "\n";
  } catch (const locus::host::Error& e) {
    std::cerr << "locus_frontend_once: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
