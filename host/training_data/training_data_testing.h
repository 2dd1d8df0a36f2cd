// Test helpers: small synthetic keyword datasets written as real WAV files.
#ifndef LOCUS_HOST_TRAINING_DATA_TRAINING_DATA_TESTING_H_
#define LOCUS_HOST_TRAINING_DATA_TRAINING_DATA_TESTING_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include <unistd.h>
#include <string>
#include <vector>

#include "host/audio/audio_file.h"
#include "host/dataset/dataset.h"

namespace locus::host::testing {

struct ClassSpec {
  std::string label;
  size_t count;
  std::string split = "train";
};

// A fresh folder under the test's temporary directory.
// One per process: CTest runs the tests of a binary in parallel processes.
inline std::string fresh_dir(const std::string& name) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / (name + "-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

// A distinct tone per label and clip, `samples` long at 16 kHz.
inline std::vector<int16_t> tone(size_t label_index, size_t clip, size_t samples) {
  std::vector<int16_t> s(samples);
  const double hz = 200.0 + 150.0 * label_index + 7.0 * clip;
  for (size_t i = 0; i < samples; ++i) {
    const double envelope = std::sin(M_PI * static_cast<double>(i) / samples);
    s[i] = static_cast<int16_t>(std::lround(6000 * envelope * std::sin(2 * M_PI * hz * i / 16000)));
  }
  return s;
}

// ROOT/LABEL/LABEL_SPEAKERk_nohash_0.wav for each spec, splits as given.
inline Dataset make_dataset(const std::string& root, const std::vector<ClassSpec>& specs,
                            size_t samples = 4000) {
  Dataset d;
  d.root = root;
  for (size_t c = 0; c < specs.size(); ++c) {
    const auto& spec = specs[c];
    std::filesystem::create_directories(root + "/" + spec.label);
    for (size_t k = 0; k < spec.count; ++k) {
      Sample s;
      s.label = spec.label;
      s.split = spec.split;
      s.group = spec.label + "speaker" + std::to_string(k);
      s.path = root + "/" + spec.label + "/" + s.group + "_" + spec.split + "_nohash_0.wav";
      write_wav(s.path, Audio{16000, tone(c, k, samples)});
      d.samples.push_back(s);
    }
  }
  std::sort(d.samples.begin(), d.samples.end(),
            [](const Sample& a, const Sample& b) { return a.path < b.path; });
  return d;
}

}  // namespace locus::host::testing

#endif  // LOCUS_HOST_TRAINING_DATA_TRAINING_DATA_TESTING_H_
