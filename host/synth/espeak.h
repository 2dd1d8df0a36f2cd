// espeak-ng, Debian's formant speech synthesiser, run as a subprocess: one
// call per utterance writes a WAV file that the project's audio reader
// loads and resamples. A subprocess (not libespeak-ng) keeps its global
// state out of our process and lets workers run in parallel.
#ifndef LOCUS_HOST_SYNTH_ESPEAK_H_
#define LOCUS_HOST_SYNTH_ESPEAK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "host/audio/audio_file.h"

namespace locus::host {

// The program to run: $LOCUS_ESPEAK when set (tests point it elsewhere),
// else "espeak-ng" from PATH.
std::string espeak_program();

// Whether the program runs at all (`espeak-ng --version` exits with 0).
bool espeak_available();

// espeak-ng's voice variants (`+m1`, `+f3`, `+klatt`, ...), as
// `espeak-ng --voices=variant` lists them. Throws Error when espeak-ng
// cannot be run, naming the program and how to install it.
std::vector<std::string> espeak_variants();

// The voices for `spec`: a number N picks the first N of a fixed order of
// variants (male and female alternating, then the others) on `language`
// (`et+m1`, `et+f1`, `et+m2`, ...); otherwise a comma-separated list of
// voices, each LANGUAGE or LANGUAGE+VARIANT. Throws Error for an unknown
// variant (espeak-ng would silently ignore it), N = 0 or N above the number
// of variants, or an empty or malformed voice.
std::vector<std::string> resolve_voices(const std::string& spec, const std::string& language);

struct Utterance {
  std::string voice;   // LANGUAGE or LANGUAGE+VARIANT
  std::string text;    // UTF-8
  int pitch = 50;      // espeak-ng -p, 0..99
  int speed = 175;     // espeak-ng -s, words per minute, 80..450
};

// Speaks `u` into a WAV file inside `temp_dir` and returns it read at
// `sample_rate` (resampled with libsoxr). Throws Error naming the voice and
// text with espeak-ng's own message when it fails (an unknown language
// exits with status 1), produces no file, or produces no sound.
Audio espeak_say(const Utterance& u, const std::string& temp_dir, uint32_t sample_rate);

}  // namespace locus::host

#endif  // LOCUS_HOST_SYNTH_ESPEAK_H_
