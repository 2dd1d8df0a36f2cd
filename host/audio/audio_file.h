// Audio files on the host: WAV, FLAC, OGG (anything libsndfile reads),
// mixed down to mono and, when the file's rate differs from the pipeline's,
// resampled with libsoxr. Samples are int16 because that is what the
// device-side DSP blocks consume.
#ifndef LOCUS_HOST_AUDIO_AUDIO_FILE_H_
#define LOCUS_HOST_AUDIO_AUDIO_FILE_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace locus::host {

struct Audio {
  uint32_t sample_rate = 0;
  std::vector<int16_t> samples;  // mono
  uint32_t source_rate = 0;      // the file's own rate (differs when resampled)
  int source_channels = 0;

  double seconds() const { return sample_rate ? double(samples.size()) / sample_rate : 0.0; }
};

// Reads `path`; target_rate 0 keeps the file's rate. Throws Error naming the
// file and the reason for unreadable, corrupt, empty or unsupported files.
Audio read_audio(const std::string& path, uint32_t target_rate = 0);

// Resamples mono int16 audio (libsoxr, high quality); rounds and clips.
std::vector<int16_t> resample(std::span<const int16_t> samples, uint32_t from_rate,
                              uint32_t to_rate);

// Writes 16-bit PCM mono WAV (atomically).
void write_wav(const std::string& path, const Audio& audio);

// int16 -> float in [-1, 1): x / 32768.
std::vector<float> to_float(std::span<const int16_t> samples);

}  // namespace locus::host

#endif  // LOCUS_HOST_AUDIO_AUDIO_FILE_H_
