#include "host/training_data/augment.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "host/audio/audio_file.h"
#include "host/common/error.h"

namespace locus::host {
namespace {

namespace fs = std::filesystem;

double rms(const std::vector<double>& x) {
  double sum = 0;
  for (double v : x) sum += v * v;
  return std::sqrt(sum / static_cast<double>(x.size()));
}

double rms(const std::vector<int16_t>& x) { return rms(std::vector<double>(x.begin(), x.end())); }

double dbfs(double r) { return 20 * std::log10(r / 32768.0); }

std::vector<int16_t> sine(size_t n, double amplitude, double hz = 440, uint32_t rate = 16000) {
  std::vector<int16_t> out(n);
  for (size_t i = 0; i < n; ++i) {
    out[i] = static_cast<int16_t>(std::lround(amplitude * std::sin(2 * M_PI * hz * i / rate)));
  }
  return out;
}

std::vector<int16_t> white_noise(size_t n, int amplitude, uint64_t seed) {
  Random r(seed);
  std::vector<int16_t> out(n);
  for (auto& v : out) v = static_cast<int16_t>(static_cast<int64_t>(r.below(2 * amplitude + 1)) - amplitude);
  return out;
}

NoiseBank synthetic_bank() {
  NoiseBank bank;
  bank.sample_rate = 16000;
  bank.names = {"hiss", "hum", "short"};
  bank.recordings.push_back(white_noise(48000, 2000, 1));
  bank.recordings.push_back(sine(40000, 500, 50));
  bank.recordings.push_back(white_noise(3000, 8000, 2));  // shorter than a clip: looped
  return bank;
}

// The real background noise when LOCUS_TEST_DATA is set, else the synthetic one.
NoiseBank test_bank() {
  const char* data = std::getenv("LOCUS_TEST_DATA");
  if (data != nullptr) {
    const std::string dir = std::string(data) + "/speech_commands_background_noise";
    if (fs::is_directory(dir)) return load_noise_bank(dir, 16000);
  }
  return synthetic_bank();
}

AugmentOptions only_noise(float snr_db) {
  AugmentOptions o = AugmentOptions::none();
  o.noise_probability = 1.0f;
  o.snr_min_db = o.snr_max_db = snr_db;
  return o;
}

std::string temp_dir(const std::string& name) {
  const fs::path dir = fs::path(::testing::TempDir()) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

TEST(Random, SameSequenceEverywhere) {
  // xoshiro256** seeded through splitmix64 (checked against an independent
  // implementation of the published algorithms).
  Random zero(0);
  EXPECT_EQ(zero.next(), 0x99ec5f36cb75f2b4ull);
  EXPECT_EQ(zero.next(), 0xbf6e1f784956452aull);
  EXPECT_EQ(zero.next(), 0x1a5f849d4933e6e0ull);
  Random other(12345);
  EXPECT_EQ(other.next(), 0xbe6a36374160d49bull);
  Random r(7);
  for (int i = 0; i < 1000; ++i) {
    const double u = r.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    ASSERT_LT(r.below(10), 10u);
  }
  EXPECT_NE(derive_seed(1, "a.wav", 1), derive_seed(1, "a.wav", 2));
  EXPECT_NE(derive_seed(1, "a.wav", 1), derive_seed(2, "a.wav", 1));
  EXPECT_NE(derive_seed(1, "a.wav", 1), derive_seed(1, "b.wav", 1));
  EXPECT_EQ(derive_seed(1, "a.wav", 1), derive_seed(1, "a.wav", 1));
}

TEST(Augment, DbToAmplitudeMatchesPow) {
  EXPECT_EQ(db_to_amplitude(0), 1.0);
  for (double db = -120; db <= 60; db += 0.37) {
    const double want = std::pow(10.0, db / 20);
    EXPECT_NEAR(db_to_amplitude(db) / want, 1.0, 1e-14) << db;
  }
  EXPECT_NEAR(db_to_amplitude(20), 10.0, 1e-13);
  EXPECT_NEAR(db_to_amplitude(-6.0205999132796), 0.5, 1e-13);
}

TEST(Augment, SameSeedSameClipOtherSeedOtherClip) {
  const NoiseBank bank = synthetic_bank();
  const std::vector<int16_t> clip = sine(16000, 4000);
  const AugmentOptions options;  // defaults: noise, shift, gain
  auto a = clip, b = clip, c = clip;
  augment_clip(a, 16000, bank, options, 99);
  augment_clip(b, 16000, bank, options, 99);
  augment_clip(c, 16000, bank, options, 100);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a, clip);
  EXPECT_EQ(a.size(), clip.size());
}

TEST(Augment, NoiseIsMixedAtTheDrawnSnr) {
  const NoiseBank bank = test_bank();
  const std::vector<int16_t> clip = sine(16000, 3000, 300);
  const double clip_rms = rms(clip);
  for (float snr : {0.0f, 5.0f, 10.0f, 20.0f}) {
    for (uint64_t seed = 0; seed < 12; ++seed) {
      auto out = clip;
      augment_clip(out, 16000, bank, only_noise(snr), seed);
      std::vector<double> residual(out.size());
      for (size_t i = 0; i < out.size(); ++i) residual[i] = double(out[i]) - clip[i];
      const double measured = 20 * std::log10(clip_rms / rms(residual));
      EXPECT_NEAR(measured, snr, 0.5) << "snr " << snr << " seed " << seed;
    }
  }
  // A range: every clip lands inside it, and not all at one value.
  AugmentOptions range = only_noise(0);
  range.snr_max_db = 20;
  double low = 100, high = -100;
  for (uint64_t seed = 0; seed < 40; ++seed) {
    auto out = clip;
    augment_clip(out, 16000, bank, range, seed);
    std::vector<double> residual(out.size());
    for (size_t i = 0; i < out.size(); ++i) residual[i] = double(out[i]) - clip[i];
    const double measured = 20 * std::log10(clip_rms / rms(residual));
    EXPECT_GE(measured, -0.5);
    EXPECT_LE(measured, 20.5);
    low = std::min(low, measured);
    high = std::max(high, measured);
  }
  EXPECT_GT(high - low, 10.0);
}

TEST(Augment, SilentClipGetsNoiseAtTheReferenceLevel) {
  const NoiseBank bank = test_bank();
  for (uint64_t seed = 0; seed < 6; ++seed) {
    std::vector<int16_t> clip(16000, 0);
    augment_clip(clip, 16000, bank, only_noise(10), seed);
    EXPECT_NEAR(dbfs(rms(clip)), kSilentClipReferenceDbfs - 10, 0.5) << seed;
  }
}

TEST(Augment, NoiseProbabilityAndEmptyBank) {
  const NoiseBank bank = synthetic_bank();
  const std::vector<int16_t> clip = sine(8000, 3000);
  AugmentOptions half = only_noise(10);
  half.noise_probability = 0.5f;
  int noisy = 0;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    auto out = clip;
    augment_clip(out, 16000, bank, half, seed);
    noisy += out != clip;
  }
  EXPECT_GT(noisy, 70);
  EXPECT_LT(noisy, 130);
  auto out = clip;
  augment_clip(out, 16000, NoiseBank{}, only_noise(0), 5);
  EXPECT_EQ(out, clip);
  augment_clip(out, 16000, bank, AugmentOptions::none(), 5);
  EXPECT_EQ(out, clip);
}

TEST(Augment, ShiftMovesTheClipAndFillsWithZeros) {
  AugmentOptions shift = AugmentOptions::none();
  shift.shift_ms = 100;  // 1600 samples at 16 kHz
  int left = 0, right = 0;
  for (uint64_t seed = 0; seed < 50; ++seed) {
    std::vector<int16_t> clip(16000, 0);
    clip[8000] = 1234;
    augment_clip(clip, 16000, NoiseBank{}, shift, seed);
    size_t where = 0, count = 0;
    for (size_t i = 0; i < clip.size(); ++i) {
      if (clip[i] != 0) {
        where = i;
        ++count;
      }
    }
    ASSERT_EQ(count, 1u) << seed;
    EXPECT_EQ(clip[where], 1234);
    const int64_t moved = static_cast<int64_t>(where) - 8000;
    EXPECT_LE(std::abs(moved), 1600);
    left += moved < 0;
    right += moved > 0;

    // A constant clip: the samples shifted in are zeros, |moved| of them.
    std::vector<int16_t> flat(16000, 1000);
    augment_clip(flat, 16000, NoiseBank{}, shift, seed);
    const auto zeros = std::count(flat.begin(), flat.end(), 0);
    EXPECT_EQ(zeros, std::abs(moved));
    if (moved > 0) EXPECT_EQ(flat[0], 0);
    if (moved < 0) EXPECT_EQ(flat.back(), 0);
  }
  EXPECT_GT(left, 5);
  EXPECT_GT(right, 5);
}

TEST(Augment, GainScalesAndSaturates) {
  AugmentOptions gain = AugmentOptions::none();
  gain.gain_min_db = gain.gain_max_db = 6;
  const std::vector<int16_t> clip = sine(4000, 3000);
  auto out = clip;
  augment_clip(out, 16000, NoiseBank{}, gain, 1);
  const double factor = std::pow(10.0, 6.0 / 20);
  for (size_t i = 0; i < clip.size(); ++i) {
    ASSERT_EQ(out[i], static_cast<int16_t>(std::lround(clip[i] * factor))) << i;
  }
  std::vector<int16_t> loud = {30000, -30000, 100};
  augment_clip(loud, 16000, NoiseBank{}, gain, 1);
  EXPECT_EQ(loud, (std::vector<int16_t>{32767, -32768, 200}));

  AugmentOptions range = AugmentOptions::none();
  range.gain_min_db = -6;
  range.gain_max_db = 6;
  double low = 100, high = -100;
  for (uint64_t seed = 0; seed < 40; ++seed) {
    auto o = clip;
    augment_clip(o, 16000, NoiseBank{}, range, seed);
    const double db = 20 * std::log10(rms(o) / rms(clip));
    EXPECT_GE(db, -6.05);
    EXPECT_LE(db, 6.05);
    low = std::min(low, db);
    high = std::max(high, db);
  }
  EXPECT_GT(high - low, 6.0);
}

TEST(Augment, NoiseAtAnotherRateIsAnError) {
  NoiseBank bank = synthetic_bank();
  bank.sample_rate = 8000;
  std::vector<int16_t> clip = sine(100, 100);
  try {
    augment_clip(clip, 16000, bank, AugmentOptions{}, 0);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "augment: the noise bank is at 8000 Hz, the clip at 16000 Hz");
  }
}

TEST(Augment, SilenceClipsAreQuietNoiseOrZeros) {
  const NoiseBank bank = test_bank();
  int zeros = 0;
  double low = 0, high = -200;
  for (uint64_t seed = 0; seed < 300; ++seed) {
    const std::vector<int16_t> clip = silence_clip(bank, 16000, seed);
    ASSERT_EQ(clip.size(), 16000u);
    const double r = rms(clip);
    if (r == 0) {
      ++zeros;
      continue;
    }
    const double level = dbfs(r);
    EXPECT_GE(level, kSilenceMinDbfs - 0.5) << seed;
    EXPECT_LE(level, kSilenceMaxDbfs + 0.5) << seed;
    low = std::min(low, level);
    high = std::max(high, level);
  }
  EXPECT_GT(zeros, 10);   // about kSilenceZeroShare (10%)
  EXPECT_LT(zeros, 60);
  EXPECT_LT(low, -50);
  EXPECT_GT(high, -30);
  EXPECT_EQ(silence_clip(bank, 16000, 3), silence_clip(bank, 16000, 3));
  EXPECT_EQ(silence_clip(NoiseBank{}, 500, 3), std::vector<int16_t>(500, 0));
}

TEST(NoiseBank, LoadsAudioFilesOfAFolderSortedAndResampled) {
  const std::string dir = temp_dir("noise_bank");
  Audio a{16000, white_noise(16000, 1000, 3)};
  Audio b{8000, white_noise(4000, 1000, 4)};
  write_wav(dir + "/b_hum.wav", a);
  write_wav(dir + "/a_fan.WAV", b);
  std::ofstream(dir + "/README.txt") << "not audio";
  const NoiseBank bank = load_noise_bank(dir, 16000);
  ASSERT_EQ(bank.recordings.size(), 2u);
  EXPECT_EQ(bank.names, (std::vector<std::string>{"a_fan.WAV", "b_hum.wav"}));
  EXPECT_EQ(bank.sample_rate, 16000u);
  EXPECT_NEAR(static_cast<double>(bank.recordings[0].size()), 8000, 2);  // resampled 8 -> 16 kHz
  EXPECT_EQ(bank.recordings[1], a.samples);
  EXPECT_EQ(bank.digest(), load_noise_bank(dir, 16000).digest());
  EXPECT_NE(bank.digest(), load_noise_bank(dir + "/b_hum.wav", 16000).digest());
  EXPECT_EQ(load_noise_bank(dir + "/b_hum.wav", 16000).recordings.size(), 1u);

  const std::string empty = temp_dir("noise_bank_empty");
  std::ofstream(empty + "/notes.txt") << "x";
  try {
    load_noise_bank(empty, 16000);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              empty + ": no audio files (.wav, .flac, .ogg, .aif, .aiff) for background noise");
  }
  try {
    load_noise_bank(dir + "/missing", 16000);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), dir + "/missing: no such file or folder (background noise)");
  }
}

TEST(NoiseBank, SpeechCommandsBackgroundNoise) {
  const char* data = std::getenv("LOCUS_TEST_DATA");
  if (data == nullptr) GTEST_SKIP() << "LOCUS_TEST_DATA is not set";
  const NoiseBank bank =
      load_noise_bank(std::string(data) + "/speech_commands_background_noise", 16000);
  EXPECT_EQ(bank.names, (std::vector<std::string>{"doing_the_dishes.wav", "dude_miaowing.wav",
                                                   "exercise_bike.wav", "pink_noise.wav",
                                                   "running_tap.wav", "white_noise.wav"}));
  for (const auto& r : bank.recordings) EXPECT_GT(r.size(), 16000u * 50);
}

AugmentOptions parse(const std::string& yaml) {
  return parse_augment_options(YAML::Load(yaml)["augment"], "locus.yml");
}

std::string parse_error(const std::string& yaml) {
  try {
    parse(yaml);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(AugmentOptions, ParsesTheTrainSection) {
  AugmentOptions o = parse("augment: { noise: 0.5, snr_db: [3, 15], shift_ms: 50, gain_db: [-3, 2] }");
  EXPECT_FLOAT_EQ(o.noise_probability, 0.5f);
  EXPECT_FLOAT_EQ(o.snr_min_db, 3);
  EXPECT_FLOAT_EQ(o.snr_max_db, 15);
  EXPECT_EQ(o.shift_ms, 50u);
  EXPECT_FLOAT_EQ(o.gain_min_db, -3);
  EXPECT_FLOAT_EQ(o.gain_max_db, 2);

  o = parse("augment: { snr_db: 10 }");
  EXPECT_FLOAT_EQ(o.snr_min_db, 10);
  EXPECT_FLOAT_EQ(o.snr_max_db, 10);
  EXPECT_FLOAT_EQ(o.noise_probability, 0.8f);  // default kept
  EXPECT_EQ(o.shift_ms, 100u);

  o = parse("other: 1");  // absent: defaults
  EXPECT_FLOAT_EQ(o.noise_probability, 0.8f);
  o = parse("augment: false");
  EXPECT_EQ(o.noise_probability, 0.0f);
  EXPECT_EQ(o.shift_ms, 0u);
  EXPECT_EQ(o.gain_max_db, 0.0f);
  o = parse("augment: true");
  EXPECT_EQ(o.shift_ms, 100u);
}

TEST(AugmentOptions, ErrorsNameFileLineAndColumn) {
  EXPECT_EQ(parse_error("augment:\n  noise: 0.5\n  snr: [0, 10]\n"),
            "locus.yml:3:3: train.augment: unknown key 'snr' (expected one of: gain_db, noise, "
            "shift_ms, snr_db)");
  EXPECT_EQ(parse_error("augment: { noise: 1.5 }"),
            "locus.yml:1:19: train.augment.noise: the share of clips that get noise must lie "
            "within [0, 1]");
  EXPECT_EQ(parse_error("augment: { snr_db: [20, 0] }"),
            "locus.yml:1:20: train.augment.snr_db: the minimum is above the maximum");
  EXPECT_EQ(parse_error("augment: { snr_db: loud }"),
            "locus.yml:1:20: train.augment.snr_db: expected [min, max] in dB or one number");
  EXPECT_EQ(parse_error("augment: { gain_db: [1, 2, 3] }"),
            "locus.yml:1:21: train.augment.gain_db: expected [min, max] in dB or one number");
  EXPECT_EQ(parse_error("augment: { gain_db: [-100, 0] }"),
            "locus.yml:1:21: train.augment.gain_db: values must lie within [-60, 60] dB");
  EXPECT_EQ(parse_error("augment: { shift_ms: -5 }"),
            "locus.yml:1:22: train.augment.shift_ms: must lie within [0, 60000]");
  EXPECT_EQ(parse_error("augment: { shift_ms: far }"),
            "locus.yml:1:22: train.augment.shift_ms: expected an integer, got 'far'");
  EXPECT_EQ(parse_error("augment: sometimes"),
            "locus.yml:1:10: train.augment: expected a map (noise, snr_db, shift_ms, gain_db), "
            "true or false, got 'sometimes'");
  EXPECT_EQ(parse_error("augment: [1, 2]"),
            "locus.yml:1:10: train.augment: expected a map of parameters");
}

}  // namespace
}  // namespace locus::host
