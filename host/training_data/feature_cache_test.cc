#include "host/training_data/feature_cache.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "host/audio/audio_file.h"
#include "host/audio/clip.h"
#include "host/common/error.h"
#include "host/features/feature_block.h"
#include "host/store/temp_locus_home.h"
#include "host/training_data/training_data_testing.h"

namespace locus::host {
namespace {

namespace fs = std::filesystem;
using Bytes = std::map<std::string, std::string>;

const char* kMicroSpeech = "audio_frontend: { preset: micro_speech, output: int8 }";

const Dataset& clips() {
  static const Dataset d = testing::make_dataset(testing::fresh_dir("cache_clips"),
                                                 {{"yes", 4}, {"no", 3}}, 12000);
  return d;
}

NoiseBank noise() {
  const char* data = std::getenv("LOCUS_TEST_DATA");
  if (data != nullptr && fs::is_directory(std::string(data) + "/speech_commands_background_noise")) {
    return load_noise_bank(std::string(data) + "/speech_commands_background_noise", 16000);
  }
  NoiseBank bank;
  bank.sample_rate = 16000;
  bank.names = {"tone"};
  bank.recordings.push_back(testing::tone(9, 0, 40000));
  return bank;
}

// Every clip clean and with one augmented variant, and three generated silences.
std::vector<TrainingExample> examples() {
  std::vector<TrainingExample> out;
  for (const Sample& s : clips().samples) {
    out.push_back({&s, s.label == "yes" ? 0 : 1, 0});
    out.push_back({&s, s.label == "yes" ? 0 : 1, 1});
  }
  for (uint32_t v = 0; v < 3; ++v) out.push_back({nullptr, 2, v});
  return out;
}

FeatureCacheOptions options(const std::string& dir, const NoiseBank& bank) {
  FeatureCacheOptions o;
  o.dir = dir;
  o.clip_samples = 16000;
  o.noise = &bank;
  o.seed = 5;
  return o;
}

std::vector<FeatureMatrix> run(const char* yaml, const std::vector<TrainingExample>& e,
                               const FeatureCacheOptions& o, FeatureCacheStats* stats = nullptr) {
  return compute_features(YAML::Load(yaml), "block.yml", e, o, stats);
}

Bytes files_in(const std::string& dir) {
  Bytes out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    out[entry.path().string()] = std::string(std::istreambuf_iterator<char>(in), {});
  }
  return out;
}

void expect_same(const std::vector<FeatureMatrix>& a, const std::vector<FeatureMatrix>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].frames, b[i].frames) << i;
    EXPECT_EQ(a[i].features, b[i].features) << i;
    EXPECT_EQ(a[i].type, b[i].type) << i;
    EXPECT_EQ(a[i].values, b[i].values) << i;
  }
}

TEST(FeatureCache, ComputesWhatTheBlockComputesOnPreparedClips) {
  const NoiseBank bank = noise();
  const auto e = examples();
  const FeatureCacheOptions o = options(testing::fresh_dir("cache_prepared"), bank);
  const std::vector<FeatureMatrix> m = run(kMicroSpeech, e, o);
  ASSERT_EQ(m.size(), e.size());

  auto block = make_feature_block(YAML::Load(kMicroSpeech), "block.yml");
  auto& audio_block = dynamic_cast<AudioFeatureBlock&>(*block);
  Audio clean = read_audio(clips().samples[0].path, 16000);
  fit_length(clean.samples, 16000);  // 12000 samples padded to the window
  const FeatureMatrix want = audio_block.compute(clean);
  EXPECT_EQ(m[0].frames, 49);
  EXPECT_EQ(m[0].features, 40);
  EXPECT_EQ(m[0].type, FeatureType::kInt8);
  EXPECT_EQ(m[0].values, want.values);
  EXPECT_NE(m[1].values, m[0].values);  // the augmented variant

  const size_t first_silence = e.size() - 3;
  for (uint32_t v = 0; v < 3; ++v) {
    Audio silence{16000, silence_clip(bank, 16000, derive_seed(5, kSilenceLabel, v))};
    EXPECT_EQ(m[first_silence + v].values, audio_block.compute(silence).values) << v;
  }
}

TEST(FeatureCache, SecondRunReadsEverythingBackUnchanged) {
  const NoiseBank bank = noise();
  const auto e = examples();
  const std::string dir = testing::fresh_dir("cache_second_run");
  const FeatureCacheOptions o = options(dir, bank);
  FeatureCacheStats first, second;
  const auto a = run(kMicroSpeech, e, o, &first);
  EXPECT_EQ(first.hits, 0u);
  EXPECT_EQ(first.misses, e.size());
  const Bytes written = files_in(dir);
  EXPECT_EQ(written.size(), e.size());  // one file per distinct example, no leftovers
  const auto b = run(kMicroSpeech, e, o, &second);
  EXPECT_EQ(second.hits, e.size());
  EXPECT_EQ(second.misses, 0u);
  expect_same(a, b);
  EXPECT_EQ(files_in(dir), written);
}

TEST(FeatureCache, CorruptOrMismatchedEntriesAreRecomputed) {
  const NoiseBank bank = noise();
  const auto e = examples();
  const std::string dir = testing::fresh_dir("cache_corrupt");
  const FeatureCacheOptions o = options(dir, bank);
  const auto good = run(kMicroSpeech, e, o);
  const Bytes written = files_in(dir);
  ASSERT_GE(written.size(), 3u);
  auto it = written.begin();
  const std::string flipped = it->first;
  const std::string truncated = (++it)->first;
  const std::string swapped = (++it)->first;
  {
    std::string bytes = written.at(flipped);
    bytes[bytes.size() / 2] ^= 0x01;  // one bit of one feature value
    std::ofstream(flipped, std::ios::binary | std::ios::trunc) << bytes;
    std::ofstream(truncated, std::ios::binary | std::ios::trunc)
        << written.at(truncated).substr(0, 100);
    std::ofstream(swapped, std::ios::binary | std::ios::trunc) << written.at(flipped);  // another key
  }
  FeatureCacheStats stats;
  const auto again = run(kMicroSpeech, e, o, &stats);
  EXPECT_EQ(stats.rejected, 3u);
  EXPECT_EQ(stats.misses, 3u);
  EXPECT_EQ(stats.hits, e.size() - 3);
  expect_same(good, again);
  EXPECT_EQ(files_in(dir), written);  // repaired
}

TEST(FeatureCache, KeysFollowEverythingThatChangesFeatures) {
  const NoiseBank bank = noise();
  const FeatureCacheOptions o = options("", bank);
  const Sample& s = clips().samples[0];
  const std::array<uint8_t, 32> content{1, 2, 3};
  auto key = [&](const char* yaml, const TrainingExample& e, const FeatureCacheOptions& opt) {
    return feature_cache_key(YAML::Load(yaml), "block.yml", e, content, opt);
  };
  const TrainingExample clean{&s, 0, 0}, augmented{&s, 0, 1}, silence{nullptr, 2, 0};
  const std::string base = key(kMicroSpeech, clean, o);
  EXPECT_EQ(base.size(), 64u);
  EXPECT_EQ(base, key(kMicroSpeech, clean, o));
  // Same parameters written differently: same key (the key is the block's
  // capsule form, not its text; 40 channels is the preset's own value).
  EXPECT_EQ(base, key("audio_frontend:\n  output: int8\n  preset: micro_speech\n", clean, o));
  EXPECT_EQ(base, key("audio_frontend: { preset: micro_speech, output: int8, channels: 40 }", clean, o));
  // Any block parameter, the output type, or a host-side clip option.
  EXPECT_NE(base, key("audio_frontend: { preset: micro_speech, output: int8, channels: 32 }", clean, o));
  EXPECT_NE(base, key("audio_frontend: { preset: micro_speech }", clean, o));
  EXPECT_NE(key("mfcc: {}", clean, o), key("mfcc: { normalize: peak }", clean, o));
  EXPECT_NE(key("mfcc: {}", clean, o), key("mfcc: { clip_ms: 500 }", clean, o));
  // The file's content, the clip length.
  EXPECT_NE(base, feature_cache_key(YAML::Load(kMicroSpeech), "b", clean, {9}, o));
  FeatureCacheOptions longer = o;
  longer.clip_samples = 8000;
  EXPECT_NE(base, key(kMicroSpeech, clean, longer));
  // Augmentation settings matter for augmented clips only.
  FeatureCacheOptions other = o;
  other.augment.snr_max_db = 30;
  other.seed = 6;
  EXPECT_EQ(base, key(kMicroSpeech, clean, other));
  EXPECT_NE(key(kMicroSpeech, augmented, o), key(kMicroSpeech, augmented, other));
  EXPECT_NE(key(kMicroSpeech, augmented, o), key(kMicroSpeech, {&s, 0, 2}, o));
  FeatureCacheOptions reseeded = o;
  reseeded.seed = 6;
  EXPECT_NE(key(kMicroSpeech, silence, o), key(kMicroSpeech, silence, reseeded));
  NoiseBank quieter = bank;
  quieter.recordings[0][0] ^= 1;
  FeatureCacheOptions renoised = o;
  renoised.noise = &quieter;
  EXPECT_NE(key(kMicroSpeech, augmented, o), key(kMicroSpeech, augmented, renoised));
  EXPECT_EQ(base, key(kMicroSpeech, clean, renoised));

  // A changed block misses the cache.
  const auto e = examples();
  const FeatureCacheOptions cached = options(testing::fresh_dir("cache_keys"), bank);
  run(kMicroSpeech, e, cached);
  FeatureCacheStats stats;
  const auto m = run("audio_frontend: { preset: micro_speech, output: int8, channels: 32 }", e,
                     cached, &stats);
  EXPECT_EQ(stats.hits, 0u);
  EXPECT_EQ(stats.misses, e.size());
  EXPECT_EQ(m[0].features, 32);
}

// Calibration computes features from the base capsule's block: it finds
// what training computed from the pipeline's YAML block.
TEST(FeatureCache, CapsuleBlockReadsWhatItsYamlBlockCached) {
  const NoiseBank bank = noise();
  const auto e = examples();
  for (const char* yaml : {kMicroSpeech, "mfe: { mel_bands: 20, quantize: { scale: 0.5, zero_point: 3 } }"}) {
    SCOPED_TRACE(yaml);
    const FeatureBlockSource capsule(make_feature_block(YAML::Load(yaml), "block.yml")->to_capsule(),
                                     16000, "base.capsule");
    EXPECT_EQ(feature_cache_key(capsule, {&clips().samples[0], 0, 1}, {7}, options("", bank)),
              feature_cache_key(YAML::Load(yaml), "block.yml", {&clips().samples[0], 0, 1}, {7},
                                options("", bank)));
    const FeatureCacheOptions o = options(testing::fresh_dir("cache_from_capsule"), bank);
    FeatureCacheStats first, second;
    const auto trained = run(yaml, e, o, &first);
    EXPECT_EQ(first.misses, e.size());
    const auto calibrated = compute_features(capsule, e, o, &second);
    EXPECT_EQ(second.hits, e.size());
    EXPECT_EQ(second.misses, 0u);
    expect_same(trained, calibrated);
    // And computed afresh from the capsule's block: the same features.
    const auto fresh = compute_features(capsule, e, options(testing::fresh_dir("cache_fresh"), bank));
    expect_same(trained, fresh);
  }
  // Host-only clip options are not in the capsule: their features differ,
  // and so do their keys.
  const char* peak = "mfcc: { normalize: peak }";
  const FeatureBlockSource capsule(make_feature_block(YAML::Load(peak), "block.yml")->to_capsule(),
                                   16000, "base.capsule");
  const FeatureCacheOptions o = options("", bank);
  EXPECT_NE(feature_cache_key(capsule, {&clips().samples[0], 0, 0}, {7}, o),
            feature_cache_key(YAML::Load(peak), "block.yml", {&clips().samples[0], 0, 0}, {7}, o));
  EXPECT_EQ(feature_cache_key(capsule, {&clips().samples[0], 0, 0}, {7}, o),
            feature_cache_key(YAML::Load("mfcc: {}"), "block.yml", {&clips().samples[0], 0, 0}, {7}, o));

  // A bad capsule block is an error naming it.
  schema::DspBlockT bad = make_feature_block(YAML::Load(kMicroSpeech), "b")->to_capsule();
  bad.params.AsAudioFrontendParams()->step_ms = 0;
  try {
    compute_features(FeatureBlockSource(bad, 16000, "base.capsule"), e, o);
    FAIL();
  } catch (const Error& err) {
    EXPECT_STREQ(err.what(), "base.capsule: dsp block 0 (audio_frontend): window_ms (30) and "
                             "step_ms (0) must be > 0");
  }
}

TEST(FeatureCache, TwoThreadsGiveWhatOneGives) {
  const NoiseBank bank = noise();
  const auto e = examples();
  FeatureCacheOptions one = options(testing::fresh_dir("cache_one_thread"), bank);
  one.threads = 1;
  FeatureCacheOptions two = options(testing::fresh_dir("cache_two_threads"), bank);
  two.threads = 2;
  std::vector<size_t> seen;
  const auto caller = std::this_thread::get_id();
  two.progress = [&](size_t done, size_t total) {
    EXPECT_EQ(std::this_thread::get_id(), caller);
    EXPECT_EQ(total, e.size());
    if (!seen.empty()) EXPECT_GT(done, seen.back());
    seen.push_back(done);
  };
  const auto a = run(kMicroSpeech, e, one);
  const auto b = run(kMicroSpeech, e, two);
  expect_same(a, b);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), e.size());
  // The two caches hold the same entries.
  Bytes fa, fb;
  for (const auto& [path, bytes] : files_in(one.dir)) fa[fs::path(path).filename()] = bytes;
  for (const auto& [path, bytes] : files_in(two.dir)) fb[fs::path(path).filename()] = bytes;
  EXPECT_EQ(fa, fb);
}

TEST(FeatureCache, DefaultsToTheLocusHomeCache) {
  testing::TempLocusHome home;
  const NoiseBank bank = noise();
  FeatureCacheOptions o = options("", bank);
  const std::vector<TrainingExample> e = {{&clips().samples[0], 0, 0}};
  run(kMicroSpeech, e, o);
  EXPECT_EQ(default_feature_cache_dir(), (home.path() / "cache" / "features").string());
  EXPECT_EQ(files_in(default_feature_cache_dir()).size(), 1u);
}

TEST(FeatureCache, NonAudioBlocksComputeFromTheFile) {
  const std::string dir = testing::fresh_dir("cache_imu");
  Dataset d;
  d.root = dir;
  for (int k = 0; k < 2; ++k) {
    Sample s;
    s.path = dir + "/walk" + std::to_string(k) + ".csv";
    s.label = "walk";
    std::ofstream out(s.path);
    out << "timestamp,accX,accY,accZ\n";
    for (int i = 0; i < 300; ++i) {
      out << i * 10 << "," << std::sin(i * 0.1 * (k + 1)) << "," << std::cos(i * 0.05) << ",9.8\n";
    }
    d.samples.push_back(s);
  }
  const char* imu = "imu_features: { axes: 3, sample_rate: 100, window_ms: 2000, stride_ms: 500 }";
  std::vector<TrainingExample> e = {{&d.samples[0], 0, 0}, {&d.samples[1], 0, 0}};
  FeatureCacheOptions o;
  o.dir = dir + "/cache";
  FeatureCacheStats stats;
  const auto m = run(imu, e, o, &stats);
  auto block = make_feature_block(YAML::Load(imu), "block.yml");
  EXPECT_EQ(m[1].values, block->compute_file(d.samples[1].path).values);
  run(imu, e, o, &stats);
  EXPECT_EQ(stats.hits, 2u);

  e.push_back({&d.samples[0], 0, 1});
  try {
    run(imu, e, o);
    FAIL();
  } catch (const Error& err) {
    EXPECT_STREQ(err.what(),
                 "block.yml: imu_features is not an audio block: its examples cannot be augmented");
  }
}

TEST(FeatureCache, ErrorsNameTheProblem) {
  const NoiseBank bank = noise();
  FeatureCacheOptions o = options(testing::fresh_dir("cache_errors"), bank);
  Sample missing;
  missing.path = testing::fresh_dir("cache_errors_data") + "/gone.wav";
  std::vector<TrainingExample> e = {{&clips().samples[0], 0, 0}, {&missing, 0, 0}};
  try {
    run(kMicroSpeech, e, o);
    FAIL();
  } catch (const Error& err) {
    EXPECT_NE(std::string(err.what()).find(missing.path + ": cannot read"), std::string::npos)
        << err.what();
  }
  std::ofstream(missing.path) << "not a wav file";
  try {
    run(kMicroSpeech, e, o);
    FAIL();
  } catch (const Error& err) {
    EXPECT_EQ(std::string(err.what()).rfind(missing.path + ": ", 0), 0u) << err.what();
  }
  o.clip_samples = 0;
  try {
    run(kMicroSpeech, {{nullptr, 0, 0}}, o);
    FAIL();
  } catch (const Error& err) {
    EXPECT_STREQ(err.what(), "block.yml: generated _silence_ examples need clip_samples (the "
                             "pipeline's window length)");
  }
  o.clip_samples = 16000;
  NoiseBank slow = bank;
  slow.sample_rate = 8000;
  o.noise = &slow;
  try {
    run(kMicroSpeech, {{&clips().samples[0], 0, 1}}, o);
    FAIL();
  } catch (const Error& err) {
    EXPECT_STREQ(err.what(),
                 "block.yml: the background noise is at 8000 Hz, audio_frontend runs at 16000 Hz");
  }
  try {
    run("audio_frontend: { chanels: 3 }", {}, o);
    FAIL();
  } catch (const Error& err) {
    EXPECT_EQ(std::string(err.what()).rfind("block.yml:1:", 0), 0u) << err.what();
  }
}

}  // namespace
}  // namespace locus::host
