#include "host/audio/audio_file.h"

#include <sndfile.h>
#include <soxr.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "host/capsule/capsule_file.h"
#include "host/common/error.h"

namespace locus::host {
namespace {

// Mono by averaging channels, rounding half away from zero.
std::vector<int16_t> mix_down(const std::vector<int16_t>& interleaved, int channels) {
  if (channels == 1) return interleaved;
  std::vector<int16_t> mono(interleaved.size() / static_cast<size_t>(channels));
  for (size_t i = 0; i < mono.size(); ++i) {
    int32_t sum = 0;
    for (int c = 0; c < channels; ++c) sum += interleaved[i * channels + c];
    const double mean = static_cast<double>(sum) / channels;
    mono[i] = static_cast<int16_t>(std::lround(mean));
  }
  return mono;
}

int16_t to_int16(float v) {
  const float scaled = std::round(v * 32768.0f);
  return static_cast<int16_t>(std::clamp(scaled, -32768.0f, 32767.0f));
}

}  // namespace

Audio read_audio(const std::string& path, uint32_t target_rate) {
  if (!std::filesystem::exists(path)) fail(path, ": no such file");
  SF_INFO info{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  if (file == nullptr) fail(path, ": cannot read audio (", sf_strerror(nullptr), ")");
  struct Closer {
    SNDFILE* f;
    ~Closer() { sf_close(f); }
  } closer{file};
  if (info.channels < 1 || info.channels > 64) {
    fail(path, ": ", info.channels, " channels is not a usable audio layout");
  }
  if (info.samplerate < 1 || info.samplerate > 1'000'000) {
    fail(path, ": sample rate ", info.samplerate, " Hz is not usable");
  }
  if (info.frames <= 0) fail(path, ": contains no audio frames");
  if (info.frames > int64_t{1} << 31) fail(path, ": too long (", info.frames, " frames)");

  // libsndfile converts any sample format to int16 (scaling floats, with
  // clipping enabled so out-of-range float files saturate instead of wrapping).
  sf_command(file, SFC_SET_CLIPPING, nullptr, SF_TRUE);
  std::vector<int16_t> interleaved(static_cast<size_t>(info.frames) * info.channels);
  const sf_count_t read = sf_readf_short(file, interleaved.data(), info.frames);
  if (read != info.frames) {
    fail(path, ": truncated or corrupt (read ", read, " of ", info.frames, " frames: ",
         sf_strerror(file), ")");
  }

  Audio audio;
  audio.source_rate = static_cast<uint32_t>(info.samplerate);
  audio.source_channels = info.channels;
  audio.sample_rate = audio.source_rate;
  audio.samples = mix_down(interleaved, info.channels);
  if (target_rate != 0 && target_rate != audio.source_rate) {
    audio.samples = resample(audio.samples, audio.source_rate, target_rate);
    audio.sample_rate = target_rate;
  }
  return audio;
}

std::vector<int16_t> resample(std::span<const int16_t> samples, uint32_t from_rate,
                              uint32_t to_rate) {
  if (from_rate == 0 || to_rate == 0) fail("resample: sample rates must be positive");
  if (from_rate == to_rate) return {samples.begin(), samples.end()};
  std::vector<float> in = to_float(samples);
  const size_t out_len =
      static_cast<size_t>(std::llround(double(samples.size()) * to_rate / from_rate));
  std::vector<float> out(out_len);
  size_t done = 0;
  const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
  const soxr_error_t err = soxr_oneshot(from_rate, to_rate, 1, in.data(), in.size(), nullptr,
                                        out.data(), out.size(), &done, &io, &quality, nullptr);
  if (err != nullptr) fail("resample ", from_rate, " Hz -> ", to_rate, " Hz: ", err);
  std::vector<int16_t> result(done);
  for (size_t i = 0; i < done; ++i) result[i] = to_int16(out[i]);
  return result;
}

void write_wav(const std::string& path, const Audio& audio) {
  const std::string tmp = path + ".tmp";
  SF_INFO info{};
  info.samplerate = static_cast<int>(audio.sample_rate);
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* file = sf_open(tmp.c_str(), SFM_WRITE, &info);
  if (file == nullptr) fail(tmp, ": cannot create (", sf_strerror(nullptr), ")");
  const sf_count_t n = static_cast<sf_count_t>(audio.samples.size());
  const sf_count_t written = sf_writef_short(file, audio.samples.data(), n);
  sf_close(file);
  if (written != n) {
    std::filesystem::remove(tmp);
    fail(tmp, ": write failed");
  }
  std::filesystem::rename(tmp, path);
}

std::vector<float> to_float(std::span<const int16_t> samples) {
  std::vector<float> out(samples.size());
  for (size_t i = 0; i < samples.size(); ++i) out[i] = samples[i] / 32768.0f;
  return out;
}

}  // namespace locus::host
