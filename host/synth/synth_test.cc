// locus synth's library: ranges, soundscapes, SNR mixing, machine faults,
// whole datasets (loaded back with the dataset layer) and determinism.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numbers>

#include "host/audio/audio_file.h"
#include "host/dataset/dataset.h"
#include "host/dataset/dataset_testing.h"
#include "host/synth/espeak.h"
#include "host/synth/machine_synth.h"
#include "host/synth/soundscape.h"
#include "host/synth/speech_synth.h"

namespace locus::host {
namespace {

using testing::error_of;
using testing::TempDir;
namespace fs = std::filesystem;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

double rms(const std::vector<double>& x) {
  double s = 0;
  for (double v : x) s += v * v;
  return std::sqrt(s / x.size());
}

std::vector<double> as_double(const std::vector<int16_t>& x) { return {x.begin(), x.end()}; }

// Power of x at `hz` (a single DFT bin, Goertzel style, normalised by length).
double power_at(const std::vector<double>& x, double hz, double rate) {
  double re = 0, im = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double a = 2 * std::numbers::pi * hz * i / rate;
    re += x[i] * std::cos(a);
    im += x[i] * std::sin(a);
  }
  return (re * re + im * im) / (double(x.size()) * x.size());
}

// Energy of the first difference over the energy: about (2 pi f / rate)^2
// for a tone at f, so it grows with the share of high frequencies.
double brightness(const std::vector<double>& x) {
  double d = 0, e = 0;
  for (size_t i = 1; i < x.size(); ++i) {
    d += (x[i] - x[i - 1]) * (x[i] - x[i - 1]);
    e += x[i] * x[i];
  }
  return d / e;
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Every file under `dir` (relative path -> bytes).
std::map<std::string, std::string> tree(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out[fs::relative(e.path(), dir).string()] = read_bytes(e.path());
  }
  return out;
}

TEST(SynthRange, ParsesAndRejects) {
  const Range r = parse_range("-3:4.5", "--snr", -30, 100);
  EXPECT_EQ(r.low, -3);
  EXPECT_EQ(r.high, 4.5);
  EXPECT_EQ(parse_range("7", "--snr", -30, 100).high, 7);
  EXPECT_TRUE(has(error_of([] { parse_range("5:1", "--pitch", 0, 99); }), "--pitch '5:1': the low end"));
  EXPECT_TRUE(has(error_of([] { parse_range("a:b", "--speed", 80, 450); }), "expected LO:HI"));
  EXPECT_TRUE(has(error_of([] { parse_range("10:500", "--speed", 80, 450); }), "within 80:450"));
  EXPECT_TRUE(has(error_of([] { parse_range("nan", "--snr", -30, 100); }), "expected LO:HI"));
}

TEST(Soundscape, KindsAreCheckedAndLocationsDiffer) {
  EXPECT_TRUE(has(error_of([] { parse_soundscape_kinds("hum,rain"); }), "unknown name 'rain'"));
  EXPECT_TRUE(has(error_of([] { parse_soundscape_kinds("hum,hum"); }), "given twice"));
  SoundscapeOptions o;
  o.kinds = {"hum", "traffic"};
  o.location = "plant";
  o.seconds = 2;
  const auto a = render_soundscape(o), b = render_soundscape(o);
  EXPECT_EQ(a, b);
  o.location = "office";
  EXPECT_NE(render_soundscape(o), a);
}

TEST(Soundscape, HumIsAtTheMainsFrequencyAndTrafficIsLow) {
  SoundscapeOptions o;
  o.seconds = 1;
  const auto hum = render_soundscape_kind("hum", o);
  EXPECT_NEAR(rms(hum), 1.0, 1e-9);
  const double at100 = power_at(hum, 100, 16000), at75 = power_at(hum, 75, 16000);
  EXPECT_GT(at100, 1000 * at75);
  const auto hum60 = render_soundscape_kind("hum60", o);
  EXPECT_GT(power_at(hum60, 120, 16000), 1000 * power_at(hum60, 100, 16000));
  const auto traffic = render_soundscape_kind("traffic", o);
  EXPECT_LT(brightness(traffic), 0.05);
  const auto whine = render_soundscape_kind("whine", o);
  EXPECT_GT(brightness(whine), 0.2);
}

TEST(SynthNoise, MixesAtTheRequestedSnr) {
  SoundscapeOptions s;
  s.kinds = {"traffic", "whine"};
  s.seconds = 5;
  NoiseBank bank;
  bank.sample_rate = 16000;
  bank.recordings.push_back(render_soundscape(s));
  for (double snr : {0.0, 7.5, 20.0}) {
    std::vector<int16_t> clip(16000);
    for (size_t i = 0; i < clip.size(); ++i) {
      clip[i] = static_cast<int16_t>(8000 * std::sin(2 * std::numbers::pi * 440 * i / 16000.0));
    }
    const std::vector<int16_t> clean = clip;
    NoiseOptions o;
    o.snr_db = {snr, snr};
    const auto used = mix_noise(clip, 16000, bank, o, 42 + static_cast<uint64_t>(snr));
    ASSERT_TRUE(used.has_value());
    EXPECT_EQ(*used, snr);
    std::vector<double> noise(clip.size());
    for (size_t i = 0; i < clip.size(); ++i) noise[i] = double(clip[i]) - clean[i];
    const double measured = 20 * std::log10(rms(as_double(clean)) / rms(noise));
    EXPECT_NEAR(measured, snr, 0.05) << snr;
  }
  NoiseOptions none;
  none.share = 0;
  std::vector<int16_t> clip(1000, 100);
  EXPECT_FALSE(mix_noise(clip, 16000, bank, none, 1).has_value());
  EXPECT_EQ(clip, std::vector<int16_t>(1000, 100));
}

TEST(MachineSynth, DeterministicAndLocationsDiffer) {
  const MachineSignature m = machine_signature("line-3", 7, 16000);
  EXPECT_EQ(render_machine_clip(m, "", 0, 16000, 4000, 1), render_machine_clip(m, "", 0, 16000, 4000, 1));
  EXPECT_NE(render_machine_clip(m, "", 0, 16000, 4000, 1), render_machine_clip(m, "", 0, 16000, 4000, 2));
  EXPECT_NE(machine_signature("line-4", 7, 16000).rotation_hz, m.rotation_hz);
  EXPECT_TRUE(has(error_of([&] { render_machine_clip(m, "rattle", 1, 16000, 100, 1); }),
                  "unknown anomaly 'rattle'"));
  EXPECT_TRUE(has(error_of([] { parse_machine_anomalies("tick,wobble"); }), "unknown name 'wobble' (known: tick, imbalance, drift)"));
}

// Each fault moves a measure out of the range that normal clips span.
TEST(MachineSynth, AnomaliesDifferMeasurably) {
  const uint32_t rate = 16000;
  const MachineSignature m = machine_signature("press", 3, rate);
  auto measures = [&](const std::vector<int16_t>& clip) {
    const auto x = as_double(clip);
    // brightness (ticks ring at 2..5 kHz), power at the rotation
    // frequency (imbalance), and power at the nominal 2nd harmonic (drift
    // moves the harmonics away from it).
    return std::array<double, 3>{brightness(x), power_at(x, m.rotation_hz, rate),
                                 power_at(x, 2 * m.rotation_hz, rate)};
  };
  std::array<double, 3> low{1e300, 1e300, 1e300}, high{0, 0, 0};
  for (uint64_t seed = 0; seed < 6; ++seed) {
    const auto v = measures(render_machine_clip(m, "", 0, rate, rate, seed));
    for (int i = 0; i < 3; ++i) low[i] = std::min(low[i], v[i]), high[i] = std::max(high[i], v[i]);
  }
  const auto tick = measures(render_machine_clip(m, "tick", 0.8, rate, rate, 11));
  EXPECT_GT(tick[0], 2 * high[0]);
  const auto imbalance = measures(render_machine_clip(m, "imbalance", 0.8, rate, rate, 12));
  EXPECT_GT(imbalance[1], 2 * high[1]);
  const auto drift = measures(render_machine_clip(m, "drift", 0.8, rate, rate, 13));
  EXPECT_LT(drift[2], 0.5 * low[2]);
}

TEST(MachineSynth, WritesADatasetTheLoaderReads) {
  TempDir dir;
  MachineSynthOptions o;
  o.normal = 6;
  o.anomalous = 3;
  o.clip_ms = 250;
  o.noise.soundscape = {"hum"};
  o.noise.snr_db = {10, 20};
  o.run.output = dir / "a";
  o.run.location = "press";
  o.run.seed = 5;
  o.run.test_share = 0.3;
  const SynthSummary s = synth_machine(o);
  EXPECT_EQ(s.clips, 9u);
  EXPECT_EQ(s.labels.at("normal"), 6u);
  EXPECT_EQ(s.labels.at("anomalous"), 3u);
  const Dataset d = load_dataset(dir / "a");
  ASSERT_EQ(d.samples.size(), 9u);
  for (const Sample& sample : d.samples) {
    EXPECT_EQ(sample.location, "press");
    EXPECT_FALSE(sample.split.empty());
    EXPECT_EQ(read_audio(sample.path).samples.size(), 4000u);
    EXPECT_EQ(sample.label == "anomalous", !sample.extra.at("anomaly").empty());
    const double snr = std::stod(sample.extra.at("snr_db"));
    EXPECT_TRUE(snr >= 10 && snr <= 20) << snr;
  }
  for (const auto& e : fs::directory_iterator(dir / "a")) {
    EXPECT_NE(e.path().filename().string()[0], '.') << "scratch left behind: " << e.path();
  }

  // The same options again: byte-identical files; --force needed to reuse.
  EXPECT_TRUE(has(error_of([&] { synth_machine(o); }), "is not empty"));
  o.run.output = dir / "b";
  o.run.jobs = 1;
  synth_machine(o);
  EXPECT_EQ(tree(dir / "a").size(), 10u);
  auto b = tree(dir / "b");
  auto a = tree(dir / "a");
  EXPECT_EQ(a, b);
}

TEST(MachineSynth, BadOutputAndOptions) {
  TempDir dir;
  testing::write_text(dir / "file", "x");
  MachineSynthOptions o;
  o.normal = 1;
  o.anomalous = 0;
  o.run.output = dir / "file/sub";
  EXPECT_TRUE(has(error_of([&] { synth_machine(o); }), "cannot create the output folder"));
  o.run.output = dir / "file";
  EXPECT_TRUE(has(error_of([&] { synth_machine(o); }), "not a folder"));
  o.run.output = dir / "x";
  o.run.sample_rate = 100;
  EXPECT_TRUE(has(error_of([&] { synth_machine(o); }), "--sample-rate 100"));
  o.run.sample_rate = 16000;
  o.noise.noise_path = dir / "missing";
  EXPECT_TRUE(has(error_of([&] { synth_machine(o); }), "no such file or folder"));
}

TEST(Espeak, AMissingProgramIsNamedWithHowToInstallIt) {
  const char* old = std::getenv("LOCUS_ESPEAK");
  const std::string saved = old ? old : "";
  setenv("LOCUS_ESPEAK", "/nonexistent/espeak-ng", 1);
  EXPECT_FALSE(espeak_available());
  const std::string e = error_of([] { resolve_voices("2", "en"); });
  if (old) setenv("LOCUS_ESPEAK", saved.c_str(), 1); else unsetenv("LOCUS_ESPEAK");
  EXPECT_TRUE(has(e, "cannot run '/nonexistent/espeak-ng'")) << e;
  EXPECT_TRUE(has(e, "apt-get install espeak-ng")) << e;
}

// espeak-ng from here on.
class SpeechSynth : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!espeak_available()) GTEST_SKIP() << "espeak-ng is not installed (apt-get install espeak-ng)";
  }
};

TEST_F(SpeechSynth, VoicesResolveAndBadOnesAreNamed) {
  const auto voices = resolve_voices("3", "et");
  EXPECT_EQ(voices, (std::vector<std::string>{"et+m1", "et+f1", "et+m2"}));
  EXPECT_EQ(resolve_voices("en-us+f3, de", "et"), (std::vector<std::string>{"en-us+f3", "de"}));
  EXPECT_TRUE(has(error_of([] { resolve_voices("en-us+nosuch", "en"); }), "no variant 'nosuch'"));
  EXPECT_TRUE(has(error_of([] { resolve_voices("0", "en"); }), "at least one"));
  EXPECT_TRUE(has(error_of([] { resolve_voices("9999", "en"); }), "give at most"));
  TempDir dir;
  EXPECT_TRUE(has(error_of([&] { espeak_say({"qq-zz", "hello"}, dir.path().string(), 16000); }),
                  "no voice or language 'qq-zz'"));
}

TEST_F(SpeechSynth, KeywordsWithALabelMapLoadAndAreDeterministic) {
  TempDir dir;
  SpeechSynthOptions o;
  o.words = {"üles", "alla"};
  o.label_map = {{"üles", "up"}, {"alla", "down"}};
  o.unknown_words = {"vasak"};
  o.silence = 2;
  o.language = "et";
  o.voices = "2";
  o.takes = 2;
  o.noise.soundscape = {"hum"};
  o.noise.share = 0.5;
  o.run.output = dir / "et";
  o.run.location = "tallinn";
  o.run.seed = 9;
  const SynthSummary s = synth_speech(o);
  EXPECT_EQ(s.clips, 3u * 2 * 2 + 2);
  const Dataset d = load_dataset(dir / "et");
  EXPECT_EQ(d.labels(), (std::vector<std::string>{"_silence_", "_unknown_", "down", "up"}));
  for (const Sample& sample : d.samples) {
    const Audio a = read_audio(sample.path);
    EXPECT_EQ(a.sample_rate, 16000u);
    ASSERT_EQ(a.samples.size(), 16000u);
    if (sample.label == "_silence_") continue;
    EXPECT_EQ(sample.group, sample.extra.at("voice"));
    if (sample.label == "up") EXPECT_EQ(sample.extra.at("word"), "üles");
    if (sample.label == "_unknown_") EXPECT_EQ(sample.extra.at("word"), "vasak");
    // Centred: the word's span sits in the middle of the clip (noise, when
    // mixed, is measured on clean takes only).
    if (sample.extra.at("snr_db").empty()) {
      const auto [begin, end] = speech_span(a.samples);
      EXPECT_NEAR(double(begin), double(a.samples.size() - end), 2.0) << sample.path;
      int peak = 0;
      for (int16_t v : a.samples) peak = std::max(peak, std::abs(int(v)));
      const double level = 20 * std::log10(peak / 32767.0);
      EXPECT_NEAR(level, std::stod(sample.extra.at("level_dbfs")), 0.01);
    }
  }
  o.run.output = dir / "again";
  synth_speech(o);
  EXPECT_EQ(tree(dir / "et"), tree(dir / "again"));
}

TEST_F(SpeechSynth, BadInputIsRefusedBeforeWriting) {
  TempDir dir;
  SpeechSynthOptions o;
  o.words = {"up"};
  o.voices = "qq-zz";
  o.run.output = dir / "out";
  EXPECT_TRUE(has(error_of([&] { synth_speech(o); }), "no voice or language 'qq-zz'"));
  EXPECT_FALSE(fs::exists(dir / "out"));
  o.voices = "1";
  o.label_map = {{"down", "x"}};
  EXPECT_TRUE(has(error_of([&] { synth_speech(o); }), "'down' is not one of --words"));
  o.label_map = {{"up", "a/b"}};
  EXPECT_TRUE(has(error_of([&] { synth_speech(o); }), "cannot be a label"));
  o.label_map.clear();
  o.words = {"up", "up"};
  EXPECT_TRUE(has(error_of([&] { synth_speech(o); }), "given twice"));
  o.words.clear();
  EXPECT_TRUE(has(error_of([&] { synth_speech(o); }), "no words"));
}

}  // namespace
}  // namespace locus::host
