// What `locus synth speech` and `locus synth machine` share: value ranges
// from the command line, background noise (real recordings or a generated
// soundscape) mixed in at a chosen SNR through the training augmenter, and
// writing clips in parallel into the dataset layout with a manifest.
#ifndef LOCUS_HOST_SYNTH_SYNTH_OUTPUT_H_
#define LOCUS_HOST_SYNTH_SYNTH_OUTPUT_H_

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "host/training_data/augment.h"

namespace locus::host {

struct Range {
  double low = 0;
  double high = 0;
  double draw(Random& random) const { return random.uniform(low, high); }
};

// "LO:HI" or one number "X" (= X:X). Throws Error naming `option` for text
// that is not that, LO above HI, or values outside [min, max].
Range parse_range(const std::string& text, const std::string& option, double min, double max);

// "a,b,,c" -> {a, b, c}: the comma lists of the command line.
std::vector<std::string> split_list(const std::string& text);

// A comma list of names, each one of `known` and none twice. Throws Error
// naming `option` and listing the known names.
std::vector<std::string> parse_names(const std::string& text, const std::string& option,
                                     const std::vector<std::string>& known);

struct NoiseOptions {
  std::string noise_path;               // a recording or a folder of them
  std::vector<std::string> soundscape;  // generated kinds (see soundscape.h)
  std::string language = "en-us";       // of the babble soundscape
  Range snr_db{0, 20};
  double share = 1.0;                   // of clips that get noise

  bool enabled() const { return !noise_path.empty() || !soundscape.empty(); }
};

// The noise bank a run mixes from: the recordings of `noise_path` plus, when
// kinds are given, one generated soundscape for `location` (all at
// `sample_rate`). Empty when no noise is asked for. Made before the output
// folder is created, so a bad noise option leaves nothing behind.
NoiseBank make_noise_bank(const NoiseOptions& o, const std::string& location,
                          uint32_t sample_rate, uint64_t seed);

// A fresh folder under the system's temporary folder, removed with
// everything in it when this goes out of scope.
class TempFolder {
 public:
  explicit TempFolder(const std::string& prefix);
  ~TempFolder();
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  const std::string path;

 private:
  static std::string create(const std::string& prefix);
};

// What a manifest's noise column says: the noise file or folder's name
// and/or "soundscape:hum+traffic".
std::string noise_description(const NoiseOptions& o);

// With probability o.share, adds a random stretch of the bank at an SNR
// drawn from o.snr_db (clip RMS over noise RMS, over the whole clip, as the
// training augmenter defines it) and returns that SNR; otherwise nothing.
std::optional<double> mix_noise(std::vector<int16_t>& clip, uint32_t sample_rate,
                                const NoiseBank& bank, const NoiseOptions& o, uint64_t seed);

// One clip to write: its path relative to the output folder, its label,
// group (what must not span splits) and extra manifest columns.
struct SynthClip {
  std::string path;
  std::string label;
  std::string group;
  std::map<std::string, std::string> extra;
};

struct SynthRun {
  std::string output;         // folder
  std::string location;
  uint32_t sample_rate = 16000;
  double validation_share = 0;  // both 0: the manifest leaves split empty
  double test_share = 0;
  uint64_t seed = 0;
  bool force = false;           // write into a folder that is not empty
  int jobs = 2;
  std::function<void(size_t done, size_t total)> progress;
};

struct SynthSummary {
  std::string output;
  std::string manifest;
  size_t clips = 0;
  double seconds = 0;
  std::map<std::string, size_t> labels;
  std::map<std::string, size_t> splits;  // empty when the manifest has none
  std::vector<std::string> notes;        // e.g. clips cut to fit
};

// Checks what both commands share: a sample rate of 8..192 kHz, a clip of
// 100 ms..60 s, a noise share and split shares in range. Throws Error
// naming the option.
void check_run_options(const SynthRun& run, uint32_t clip_ms, const NoiseOptions& noise);

// Creates the output folder (refusing one that holds files unless
// run.force) and a hidden scratch folder inside it, and returns the scratch
// folder. Throws Error naming the folder when it cannot be created or
// written.
std::string prepare_output(const SynthRun& run);

// Calls make(i) for i in [0, count) on run.jobs threads; each returns a clip
// description and its samples, which are written as RUN.output/clip.path.
// Then writes RUN.output/manifest.csv (columns path, label, split, location,
// group and the extra columns) and removes the scratch folder. The first
// error stops the run and is rethrown.
using MakeClip = std::function<SynthClip(size_t index, std::vector<int16_t>& samples)>;
SynthSummary write_synth_dataset(const SynthRun& run, const std::string& scratch, size_t count,
                                 const MakeClip& make);

nlohmann::json synth_summary_json(const SynthSummary& s);
std::string render_synth_summary(const SynthSummary& s);

// A file name part from free text: '/', control characters and spaces
// become '_' (UTF-8 letters stay, so "üles" stays "üles").
std::string file_name_part(const std::string& text);

// printf("%.*f"): manifest numbers that read the same everywhere.
std::string format_fixed(double v, int decimals);

// Rounds half away from zero and saturates to int16.
int16_t to_sample(double v);

}  // namespace locus::host

#endif  // LOCUS_HOST_SYNTH_SYNTH_OUTPUT_H_
