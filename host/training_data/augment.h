// Audio augmentation for training: background noise at a random
// signal-to-noise ratio, time shift and gain, plus generated `_silence_`
// examples. Everything is driven by a seed through the project's own PRNG
// and own exp(), so the same seed gives the same samples on every machine
// and standard library (std::uniform_*_distribution differs between them).
#ifndef LOCUS_HOST_TRAINING_DATA_AUGMENT_H_
#define LOCUS_HOST_TRAINING_DATA_AUGMENT_H_

#include <yaml-cpp/yaml.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace locus::host {

// Bump when augment_clip or silence_clip compute different samples for the
// same inputs (cached features of augmented clips depend on it).
inline constexpr uint32_t kAugmentImplementationVersion = 1;

// Background recordings to mix into clips, all at one sample rate.
struct NoiseBank {
  uint32_t sample_rate = 0;
  std::vector<std::string> names;  // file names, in the order of `recordings`
  std::vector<std::vector<int16_t>> recordings;

  bool empty() const { return recordings.empty(); }
  // SHA-256 over the rate and every recording's samples: identifies the
  // bank in cache keys.
  std::array<uint8_t, 32> digest() const;
};

// One audio file, or every audio file (.wav, .flac, .ogg, .aif, .aiff) in a
// folder (not its subfolders), sorted by name, resampled to `sample_rate`.
// Throws Error for a missing path, a folder without audio files or an
// unreadable recording.
NoiseBank load_noise_bank(const std::string& dir_or_file, uint32_t sample_rate);

struct AugmentOptions {
  float noise_probability = 0.8f;  // share of augmented clips that get noise
  float snr_min_db = 0;            // noise level relative to the clip's RMS
  float snr_max_db = 20;
  uint32_t shift_ms = 100;         // shift by up to +-shift_ms, zero fill
  float gain_min_db = -6;          // applied to the mixture
  float gain_max_db = 6;

  // Nothing changes the clip (`augment: false`).
  static AugmentOptions none() { return {0.0f, 0, 0, 0, 0, 0}; }
};

// `node` is the value of `augment:` in the `train:` section of a pipeline
// file: a map { noise: 0.8, snr_db: [0, 20], shift_ms: 100, gain_db: [-6, 6] }
// (absent keys keep their defaults; snr_db and gain_db also take a single
// number), `false` (no augmentation), `true` or null (defaults). Errors name
// `where` (the file) with line and column.
AugmentOptions parse_augment_options(const YAML::Node& node, const std::string& where);

// Augments a clip in place, keeping its length:
//  1. shift by a uniform whole number of samples in [-shift, +shift]
//     (positive delays), filling with zeros;
//  2. with probability noise_probability, add a random segment of a random
//     recording (looped when shorter than the clip) scaled so that the
//     clip's RMS over the noise's RMS is a uniform SNR in [snr_min, snr_max]
//     dB; a digitally silent clip (RMS < 1) gets the noise at the same SNR
//     below kSilentClipReferenceDbfs instead;
//  3. multiply by a uniform gain in [gain_min, gain_max] dB;
//  4. round half away from zero and saturate to int16.
// An empty bank means no noise. Throws Error when the bank's rate differs
// from `sample_rate`. The same arguments give the same samples everywhere.
inline constexpr double kSilentClipReferenceDbfs = -25.0;  // about a spoken word's level
void augment_clip(std::vector<int16_t>& clip, uint32_t sample_rate, const NoiseBank& noise,
                  const AugmentOptions& options, uint64_t seed);

// A generated `_silence_` example of `samples` samples: with probability
// kSilenceZeroShare pure zeros (also when the bank is empty), otherwise a
// random segment of a random recording scaled to an RMS level uniform in
// [kSilenceMinDbfs, kSilenceMaxDbfs] dB full scale (the Speech Commands
// `_silence_` test clips span about -60 to -12 dBFS, median -33).
inline constexpr double kSilenceZeroShare = 0.1;
inline constexpr double kSilenceMinDbfs = -60.0;
inline constexpr double kSilenceMaxDbfs = -20.0;
std::vector<int16_t> silence_clip(const NoiseBank& noise, size_t samples, uint64_t seed);

// A seed for one item derived from a base seed, a name (e.g. a file's
// digest or "_silence_") and an index (e.g. the augmented variant).
uint64_t derive_seed(uint64_t seed, std::string_view name, uint64_t index);

// 10^(db / 20) with only +, -, *, / (identical on every machine).
double db_to_amplitude(double db);

// xoshiro256** seeded through splitmix64: a small PRNG with the same output
// everywhere.
class Random {
 public:
  explicit Random(uint64_t seed);
  uint64_t next();
  double uniform();                       // [0, 1)
  double uniform(double low, double high);  // [low, high); low when equal
  uint64_t below(uint64_t n);             // [0, n), n > 0

 private:
  uint64_t s_[4];
};

}  // namespace locus::host

#endif  // LOCUS_HOST_TRAINING_DATA_AUGMENT_H_
