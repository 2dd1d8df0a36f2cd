#include "host/audio/audio_file.h"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <cmath>
#include <fstream>
#include <functional>

#include "host/capsule/capsule_file.h"
#include "host/common/error.h"

namespace locus::host {
namespace {

std::string temp(const std::string& name) { return ::testing::TempDir() + "/" + name; }

Audio sine(uint32_t rate, double hz, double seconds, double amplitude) {
  Audio a;
  a.sample_rate = rate;
  const size_t n = static_cast<size_t>(rate * seconds);
  for (size_t i = 0; i < n; ++i) {
    a.samples.push_back(static_cast<int16_t>(std::lround(amplitude * std::sin(2 * M_PI * hz * i / rate))));
  }
  return a;
}

void expect_error_containing(const std::function<void()>& f, const std::string& fragment) {
  try {
    f();
    FAIL() << "expected an error containing: " << fragment;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(AudioFile, WavRoundTripIsExact) {
  Audio a = sine(16000, 440, 0.25, 12000);
  a.samples[0] = -32768;
  a.samples[1] = 32767;
  write_wav(temp("rt.wav"), a);
  Audio b = read_audio(temp("rt.wav"));
  EXPECT_EQ(b.sample_rate, 16000u);
  EXPECT_EQ(b.source_channels, 1);
  EXPECT_EQ(b.samples, a.samples);
}

TEST(AudioFile, StereoIsMixedDownByAveraging) {
  const std::string path = temp("stereo.wav");
  SF_INFO info{};
  info.samplerate = 8000;
  info.channels = 2;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  ASSERT_NE(f, nullptr);
  const int16_t frames[] = {100, 300, -5, -6, 32767, 32767};
  sf_writef_short(f, frames, 3);
  sf_close(f);
  Audio a = read_audio(path);
  EXPECT_EQ(a.source_channels, 2);
  EXPECT_EQ(a.samples, (std::vector<int16_t>{200, -6, 32767}));  // -5.5 rounds away from zero
}

TEST(AudioFile, ResamplesToThePipelineRate) {
  Audio a = sine(48000, 1000, 0.5, 10000);
  write_wav(temp("48k.wav"), a);
  Audio b = read_audio(temp("48k.wav"), 16000);
  EXPECT_EQ(b.sample_rate, 16000u);
  EXPECT_EQ(b.source_rate, 48000u);
  EXPECT_NEAR(static_cast<double>(b.samples.size()), 8000.0, 2.0);
  // Away from the edges the 1 kHz tone keeps its amplitude and phase.
  double max_error = 0;
  for (size_t i = 1000; i < 7000; ++i) {
    const double expected = 10000 * std::sin(2 * M_PI * 1000 * i / 16000.0);
    max_error = std::max(max_error, std::abs(b.samples[i] - expected));
  }
  EXPECT_LT(max_error, 60.0);
}

TEST(AudioFile, ClearErrorsForBadFiles) {
  expect_error_containing([] { read_audio(temp("missing.wav")); }, "missing.wav: no such file");
  {
    std::ofstream(temp("garbage.wav")) << "this is not audio at all, just text";
  }
  expect_error_containing([] { read_audio(temp("garbage.wav")); }, "garbage.wav: cannot read audio");
  // A valid header whose data is cut short.
  Audio a = sine(16000, 440, 0.5, 1000);
  write_wav(temp("full.wav"), a);
  AlignedBuffer bytes = read_file(temp("full.wav"));
  write_file_atomic(temp("cut.wav"), std::span<const uint8_t>(bytes.data(), 30));
  EXPECT_THROW(read_audio(temp("cut.wav")), Error);
  Audio empty;
  empty.sample_rate = 16000;
  write_wav(temp("empty.wav"), empty);
  expect_error_containing([] { read_audio(temp("empty.wav")); }, "contains no audio frames");
}

TEST(AudioFile, ReadsSpeechCommandsClip) {
  const char* data = std::getenv("LOCUS_TEST_DATA");
  if (data == nullptr) GTEST_SKIP() << "LOCUS_TEST_DATA is not set";
  Audio a = read_audio(std::string(data) + "/tflm_micro_speech/yes_1000ms.wav", 16000);
  EXPECT_EQ(a.sample_rate, 16000u);
  EXPECT_EQ(a.samples.size(), 16000u);
}

}  // namespace
}  // namespace locus::host
