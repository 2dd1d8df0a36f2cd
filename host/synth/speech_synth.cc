#include "host/synth/speech_synth.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>

#include "host/common/error.h"
#include "host/dataset/dataset.h"

namespace locus::host {
namespace {

namespace fs = std::filesystem;

void check_label(const std::string& label, const std::string& origin) {
  if (label.empty() || label == "." || label == ".." || label[0] == '.' ||
      label.find_first_of("/\\") != std::string::npos ||
      std::any_of(label.begin(), label.end(), [](unsigned char c) { return c < 0x20; })) {
    fail(origin, ": '", label, "' cannot be a label (it names a class folder: no '/', no leading '.')");
  }
}

// One clip to make: a word by a voice (take t), or silence.
struct Item {
  std::string word;  // empty for silence
  std::string label;
  std::string voice;
  size_t take = 0;
};

}  // namespace

std::pair<size_t, size_t> speech_span(const std::vector<int16_t>& samples) {
  int32_t peak = 0;
  for (int16_t v : samples) peak = std::max(peak, std::abs(int32_t{v}));
  if (peak == 0) return {0, 0};
  const double threshold = peak * db_to_amplitude(kTrimDb);
  size_t begin = 0, end = samples.size();
  while (begin < end && std::abs(int32_t{samples[begin]}) < threshold) ++begin;
  while (end > begin && std::abs(int32_t{samples[end - 1]}) < threshold) --end;
  return {begin, end};
}

void check_speech_options(const SpeechSynthOptions& o) {
  if (o.words.empty() && o.unknown_words.empty() && o.silence == 0) {
    fail("--words: no words to speak (give --words, --unknown or --silence)");
  }
  std::set<std::string> seen;
  for (const auto* list : {&o.words, &o.unknown_words}) {
    for (const std::string& w : *list) {
      if (w.empty() || std::all_of(w.begin(), w.end(), [](unsigned char c) { return std::isspace(c); })) {
        fail(list == &o.words ? "--words" : "--unknown", ": an empty word");
      }
      if (!seen.insert(w).second) fail("--words/--unknown: '", w, "' is given twice");
    }
  }
  for (const auto& [word, label] : o.label_map) {
    if (std::find(o.words.begin(), o.words.end(), word) == o.words.end()) {
      fail("--label-map: '", word, "' is not one of --words");
    }
    check_label(label, "--label-map " + word + "=" + label);
  }
  for (const std::string& w : o.words) {
    if (!o.label_map.count(w)) check_label(w, "--words (as a label; map it with --label-map)");
  }
  if (o.takes == 0 || o.takes > 100000) fail("--variants ", o.takes, ": must be 1..100000");
  check_run_options(o.run, o.clip_ms, o.noise);
}

SynthSummary synth_speech(const SpeechSynthOptions& o) {
  check_speech_options(o);
  const bool speaks = !o.words.empty() || !o.unknown_words.empty();
  std::vector<std::string> voices;
  if (speaks || std::count(o.noise.soundscape.begin(), o.noise.soundscape.end(), "babble")) {
    voices = resolve_voices(o.voices, o.language);
  }

  // Every language must exist before anything is written: espeak-ng says
  // so only when asked to speak.
  if (speaks) {
    TempFolder probe("locus-synth");
    std::set<std::string> bases;
    const std::string& word = o.words.empty() ? o.unknown_words[0] : o.words[0];
    for (const std::string& v : voices) {
      if (bases.insert(v.substr(0, v.find('+'))).second) {
        espeak_say({v, word, 50, 175}, probe.path, o.run.sample_rate);
      }
    }
  }

  std::vector<Item> items;
  for (const auto* list : {&o.words, &o.unknown_words}) {
    for (const std::string& w : *list) {
      const auto mapped = o.label_map.find(w);
      const std::string label = list == &o.unknown_words ? std::string(kUnknownLabel)
                                : mapped != o.label_map.end() ? mapped->second : w;
      for (const std::string& v : voices) {
        for (size_t t = 0; t < o.takes; ++t) items.push_back({w, label, v, t});
      }
    }
  }
  for (size_t i = 0; i < o.silence; ++i) items.push_back({"", std::string(kSilenceLabel), "", i});

  const NoiseBank bank = make_noise_bank(o.noise, o.run.location, o.run.sample_rate, o.run.seed);
  const std::string scratch = prepare_output(o.run);
  const size_t clip_samples = size_t{o.run.sample_rate} * o.clip_ms / 1000;
  const std::string noise_name = noise_description(o.noise);
  std::atomic<size_t> cut{0};

  auto make = [&](size_t index, std::vector<int16_t>& clip) {
    const Item& item = items[index];
    SynthClip c;
    c.label = item.label;
    if (item.word.empty()) {
      clip = silence_clip(bank, clip_samples, derive_seed(o.run.seed, "_silence_", item.take));
      char name[32];
      std::snprintf(name, sizeof(name), "silence_%04zu", item.take);
      c.group = name;
      c.path = c.label + "/" + name + ".wav";
      c.extra["noise"] = noise_name;
      return c;
    }
    // Each clip's draws depend on its word, voice and take only, so adding
    // words or voices leaves the other clips as they were.
    Random r(derive_seed(o.run.seed, "speech:" + item.word + "\n" + item.voice, item.take));
    Utterance u{item.voice, item.word, static_cast<int>(std::lround(o.pitch.draw(r))),
                static_cast<int>(std::lround(o.speed.draw(r)))};
    const double level = o.level_dbfs.draw(r);
    const uint64_t noise_seed = r.next();
    const Audio spoken = espeak_say(u, scratch, o.run.sample_rate);

    auto [begin, end] = speech_span(spoken.samples);
    if (end - begin > clip_samples) {  // keep the middle of a word too long for the clip
      ++cut;
      begin += (end - begin - clip_samples) / 2;
      end = begin + clip_samples;
    }
    int32_t peak = 1;
    for (size_t i = begin; i < end; ++i) peak = std::max(peak, std::abs(int32_t{spoken.samples[i]}));
    const double gain = 32767.0 * db_to_amplitude(level) / peak;
    clip.assign(clip_samples, 0);
    const size_t offset = (clip_samples - (end - begin)) / 2;
    for (size_t i = begin; i < end; ++i) clip[offset + i - begin] = to_sample(spoken.samples[i] * gain);

    const std::optional<double> snr = mix_noise(clip, o.run.sample_rate, bank, o.noise, noise_seed);
    char take[16];
    std::snprintf(take, sizeof(take), "%03zu", item.take);
    c.path = file_name_part(c.label) + "/" + file_name_part(item.word) + "_" +
             file_name_part(item.voice) + "_" + take + ".wav";
    c.group = item.voice;  // splits keep a voice's clips together
    c.extra = {{"word", item.word},
               {"voice", item.voice},
               {"take", std::to_string(item.take)},
               {"pitch", std::to_string(u.pitch)},
               {"speed", std::to_string(u.speed)},
               {"level_dbfs", format_fixed(level, 2)},
               {"noise", snr ? noise_name : ""},
               {"snr_db", snr ? format_fixed(*snr, 2) : ""}};
    return c;
  };
  SynthSummary summary = write_synth_dataset(o.run, scratch, items.size(), make);
  if (cut > 0) {
    summary.notes.push_back(std::to_string(cut.load()) + " word(s) longer than " +
                            std::to_string(o.clip_ms) +
                            " ms were cut to their middle; raise --speed or --clip-ms");
  }
  return summary;
}

}  // namespace locus::host
