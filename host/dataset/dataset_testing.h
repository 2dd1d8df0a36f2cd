// Test helpers for the dataset layer: a temporary folder removed afterwards,
// and small real recordings written into it.
#ifndef LOCUS_HOST_DATASET_DATASET_TESTING_H_
#define LOCUS_HOST_DATASET_DATASET_TESTING_H_

#include <stdlib.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "host/audio/audio_file.h"
#include "host/common/error.h"

namespace locus::host::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "locus-dataset-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return (path_ / rel).string(); }

 private:
  std::filesystem::path path_;
};

// The message of the host::Error that `f` throws, or "(no error)".
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

inline void write_text(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// A sine of `amplitude` (0..1 of full scale) at `hz`, mono 16-bit WAV.
inline Audio write_tone(const std::string& path, uint32_t rate = 16000, double seconds = 1.0,
                        double amplitude = 0.5, double hz = 440.0) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  Audio audio;
  audio.sample_rate = rate;
  const size_t n = static_cast<size_t>(std::lround(seconds * rate));
  for (size_t i = 0; i < n; ++i) {
    const double v = amplitude * 32767.0 * std::sin(2.0 * M_PI * hz * double(i) / rate);
    audio.samples.push_back(static_cast<int16_t>(std::lround(v)));
  }
  write_wav(path, audio);
  return audio;
}

// LOCUS_TEST_DATA, or empty when it is not set.
inline std::string test_data() {
  const char* d = std::getenv("LOCUS_TEST_DATA");
  return d ? d : "";
}

}  // namespace locus::host::testing

#endif  // LOCUS_HOST_DATASET_DATASET_TESTING_H_
