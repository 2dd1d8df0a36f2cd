// `locus synth speech`: spoken keywords from espeak-ng in a chosen language
// with many voices and takes (pitch, speed and level drawn per take), each
// trimmed, scaled, centred in a fixed-length clip at the pipeline's sample
// rate, optionally mixed with a location's noise, and written as class
// folders with a manifest. The same options give byte-identical files.
#ifndef LOCUS_HOST_SYNTH_SPEECH_SYNTH_H_
#define LOCUS_HOST_SYNTH_SPEECH_SYNTH_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "host/synth/espeak.h"
#include "host/synth/synth_output.h"

namespace locus::host {

struct SpeechSynthOptions {
  std::vector<std::string> words;               // spoken; the label unless mapped
  std::map<std::string, std::string> label_map;  // spoken word -> label
  std::vector<std::string> unknown_words;        // spoken, labelled _unknown_
  size_t silence = 0;                            // _silence_ clips (noise only)
  std::string language = "en-us";
  std::string voices = "4";  // a number, or a list (see resolve_voices)
  size_t takes = 5;          // per word and voice ("--variants")
  Range pitch{35, 65};       // espeak-ng pitch, 0..99
  Range speed{130, 190};     // words per minute, 80..450
  Range level_dbfs{-12, -3};  // the word's peak, dB full scale
  uint32_t clip_ms = 1000;
  NoiseOptions noise;
  SynthRun run;
};

// Checks the options without running anything: words present and distinct,
// labels usable as folder names, every --label-map word among the words,
// a clip length and sample rate that make sense. Throws Error naming the
// option.
void check_speech_options(const SpeechSynthOptions& o);

// Generates the dataset. Throws Error for bad options, a voice or language
// espeak-ng lacks (found before anything is written), or an output folder
// that cannot be written. summary.notes reports words cut to fit the clip.
SynthSummary synth_speech(const SpeechSynthOptions& o);

// The spoken word's span in a synthesised utterance: from the first to the
// last sample above kTrimDb below the peak. Returns [begin, end).
inline constexpr double kTrimDb = -40.0;
std::pair<size_t, size_t> speech_span(const std::vector<int16_t>& samples);

}  // namespace locus::host

#endif  // LOCUS_HOST_SYNTH_SPEECH_SYNTH_H_
