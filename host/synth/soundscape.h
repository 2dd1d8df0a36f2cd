// Generated background sound for a synthetic location: mains hum, machine
// whine, traffic-like brown noise and babble. The parameters of each kind
// (harmonic levels, whine pitch, when cars pass, who babbles) are drawn from
// the location's name and the seed, so one location always sounds the same
// and another location sounds different.
#ifndef LOCUS_HOST_SYNTH_SOUNDSCAPE_H_
#define LOCUS_HOST_SYNTH_SOUNDSCAPE_H_

#include <cstdint>
#include <string>
#include <vector>

namespace locus::host {

// The kinds: hum (50 Hz mains with harmonics), hum60 (60 Hz), whine (a
// high machine tone with slow wobble), traffic (brown noise swelling as
// vehicles pass), babble (overlapping pseudo-words from several espeak-ng
// voices; never real keywords).
inline constexpr const char* kSoundscapeKinds[] = {"hum", "hum60", "whine", "traffic", "babble"};

// Splits "hum,traffic" and checks every name. Throws Error naming an
// unknown kind and listing the known ones, or a kind given twice.
std::vector<std::string> parse_soundscape_kinds(const std::string& text);

struct SoundscapeOptions {
  std::vector<std::string> kinds;
  std::string location;
  uint64_t seed = 0;
  uint32_t sample_rate = 16000;
  double seconds = 20;
  std::string language = "en-us";  // babble's voices
  std::string temp_dir;            // babble's espeak-ng scratch files
};

// The kinds rendered at equal RMS, summed, and scaled to an RMS of
// kSoundscapeDbfs. Babble needs espeak-ng (Error when it is missing).
inline constexpr double kSoundscapeDbfs = -20.0;
std::vector<int16_t> render_soundscape(const SoundscapeOptions& o);

// One kind alone as floats with RMS 1 (for tests and for mixing).
std::vector<double> render_soundscape_kind(const std::string& kind, const SoundscapeOptions& o);

}  // namespace locus::host

#endif  // LOCUS_HOST_SYNTH_SOUNDSCAPE_H_
