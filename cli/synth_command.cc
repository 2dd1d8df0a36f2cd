// locus synth: synthetic locations — keywords spoken by espeak-ng, generated
// soundscapes, machine sounds — written as datasets with manifests.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "host/common/error.h"
#include "host/pipeline/pipeline_file.h"
#include "host/synth/espeak.h"
#include "host/synth/machine_synth.h"
#include "host/synth/soundscape.h"
#include "host/synth/speech_synth.h"

namespace locus::cli {
namespace {

constexpr const char* kNoiseHelp =
    "Noise: --noise takes real recordings (a file, or every .wav/.flac/.ogg in a folder);\n"
    "--soundscape generates one for the location: hum (50 Hz mains and harmonics), hum60,\n"
    "whine (a high machine tone), traffic (brown noise swelling as vehicles pass), babble\n"
    "(several espeak-ng voices speaking random syllables). Several kinds are summed. Each\n"
    "clip gets a random stretch at an SNR drawn from --snr (clip RMS over noise RMS over\n"
    "the whole clip, as training augmentation measures it).\n"
    "The same options and --seed give byte-identical files (with the same espeak-ng).";

struct CommonArgs {
  std::string output, location, noise, soundscape, snr = "0:20", pipeline;
  CLI::Option* sample_rate_option = nullptr;
  CLI::Option* clip_ms_option = nullptr;
  double noise_share = 1.0, validation = 0, test = 0;
  uint32_t sample_rate = 16000, clip_ms = 1000;
  uint64_t seed = 0;
  int jobs = 2;
  bool force = false, json = false;
};

void add_common(CLI::App* cmd, CommonArgs& a) {
  cmd->add_option("-o,--output", a.output, "Output folder (class folders and manifest.csv)")
      ->required();
  cmd->add_option("--location", a.location, "Location name: in the manifest, and it seeds the\n"
                                            "location's soundscape and machine");
  cmd->add_option("--seed", a.seed, "Seed: another seed gives other clips")->capture_default_str();
  cmd->add_option("-f,--pipeline", a.pipeline,
                  "Pipeline file (locus.yml) whose input sets --sample-rate and --clip-ms\n"
                  "(sample_rate, window_ms); explicit options win")
      ->check(CLI::ExistingFile);
  a.sample_rate_option =
      cmd->add_option("--sample-rate", a.sample_rate, "Sample rate of the clips in Hz (the pipeline's)")
          ->capture_default_str();
  a.clip_ms_option = cmd->add_option("--clip-ms", a.clip_ms, "Length of every clip")->capture_default_str();
  cmd->add_option("--noise", a.noise, "Background recordings: a file or a folder");
  cmd->add_option("--soundscape", a.soundscape, "Generated background: hum,hum60,whine,traffic,babble");
  cmd->add_option("--snr", a.snr, "Signal-to-noise ratio range LO:HI in dB")->capture_default_str();
  cmd->add_option("--noise-share", a.noise_share, "Share of clips that get noise (0..1)")
      ->capture_default_str();
  cmd->add_option("--validation", a.validation,
                  "Share of groups written as validation (0: leave split empty)")
      ->capture_default_str();
  cmd->add_option("--test", a.test, "Share of groups written as test")->capture_default_str();
  cmd->add_option("-j,--jobs", a.jobs, "Parallel workers")->capture_default_str()->check(CLI::Range(1, 64));
  cmd->add_flag("--force", a.force, "Write into an output folder that is not empty");
  cmd->add_flag("--json", a.json, "Print the summary as JSON (no progress output)");
  cmd->footer(kNoiseHelp);
}

void show_progress(size_t done, size_t total) {
  static const bool tty = isatty(STDERR_FILENO) != 0;
  if (tty) {
    std::cerr << "\rsynth: " << done << "/" << total << std::flush;
    if (done == total) std::cerr << "\n";
  } else if (done == total || (total >= 10 && done % (total / 10) == 0)) {
    std::cerr << "synth: " << done << "/" << total << "\n";
  }
}

// The clip rate and length a pipeline's input expects, unless given.
void apply_pipeline(CommonArgs& a) {
  if (a.pipeline.empty()) return;
  const host::PipelineFile p = host::load_pipeline(a.pipeline);
  if (p.input.sensor != "audio") {
    host::fail(a.pipeline, ": the pipeline's sensor is '", p.input.sensor, "'; synth makes audio");
  }
  if (a.sample_rate_option->count() == 0) a.sample_rate = p.input.sample_rate;
  if (a.clip_ms_option->count() == 0) a.clip_ms = p.input.window_ms;
}

void fill_common(CommonArgs& a, host::NoiseOptions& noise, host::SynthRun& run) {
  apply_pipeline(a);
  noise.noise_path = a.noise;
  if (!a.soundscape.empty()) noise.soundscape = host::parse_soundscape_kinds(a.soundscape);
  noise.snr_db = host::parse_range(a.snr, "--snr", -30, 100);
  noise.share = a.noise_share;
  run.output = a.output;
  run.location = a.location;
  run.sample_rate = a.sample_rate;
  run.validation_share = a.validation;
  run.test_share = a.test;
  run.seed = a.seed;
  run.force = a.force;
  run.jobs = a.jobs;
  if (!a.json) run.progress = show_progress;
}

void print(const host::SynthSummary& s, bool json) {
  if (json) {
    std::cout << host::synth_summary_json(s).dump(2) << "\n";
  } else {
    std::cout << host::render_synth_summary(s);
  }
}

template <typename F>
void guarded(F f) {
  try {
    f();
  } catch (const std::filesystem::filesystem_error& e) {
    host::fail(e.what());
  }
}

struct SpeechArgs {
  CommonArgs common;
  std::string words, label_map, unknown, language = "en-us", voices = "4";
  std::string pitch = "35:65", speed = "130:190", amplitude = "-12:-3";
  size_t variants = 5, silence = 0;
};

void register_speech(CLI::App& synth) {
  auto a = std::make_shared<SpeechArgs>();
  CLI::App* cmd = synth.add_subcommand(
      "speech",
      "Spoken keywords from espeak-ng: every word by every voice, --variants takes each with\n"
      "pitch, speed and level drawn from their ranges; trimmed, centred in --clip-ms of\n"
      "silence at --sample-rate, optionally over a location's noise. Writes OUT/LABEL/*.wav\n"
      "and OUT/manifest.csv (path, label, split, location, group = voice, and word, voice,\n"
      "take, pitch, speed, level_dbfs, noise, snr_db). The label can differ from the spoken\n"
      "word: --label-map üles=up speaks 'üles' into the class 'up'.");
  cmd->add_option("--words", a->words, "Words to speak, comma-separated (each is its label\n"
                                       "unless --label-map maps it)");
  cmd->add_option("--label-map", a->label_map, "Labels of spoken words: WORD=LABEL,...");
  cmd->add_option("--unknown", a->unknown, "Other words, spoken the same way, labelled _unknown_");
  cmd->add_option("--silence", a->silence, "Number of _silence_ clips (background noise only;\n"
                                           "zeros without noise)");
  cmd->add_option("--language", a->language, "espeak-ng language or voice (espeak-ng --voices)")
      ->capture_default_str();
  cmd->add_option("--voices", a->voices,
                  "A number N (the first N variants on --language: m1, f1, m2, f2, ...),\n"
                  "or a list of voices such as et+m1,et+f3,en-us+klatt")
      ->capture_default_str();
  cmd->add_option("--variants", a->variants, "Takes per word and voice")->capture_default_str();
  cmd->add_option("--pitch", a->pitch, "espeak-ng pitch range LO:HI (0..99)")->capture_default_str();
  cmd->add_option("--speed", a->speed, "Speaking rate range LO:HI in words per minute (80..450)")
      ->capture_default_str();
  cmd->add_option("--amplitude", a->amplitude, "Peak level range LO:HI of the word in dBFS")
      ->capture_default_str();
  add_common(cmd, a->common);
  cmd->callback([a] {
    guarded([&] {
      host::SpeechSynthOptions o;
      o.words = host::split_list(a->words);
      for (const std::string& pair : host::split_list(a->label_map)) {
        const size_t eq = pair.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == pair.size()) {
          host::fail("--label-map: '", pair, "' is not WORD=LABEL");
        }
        if (!o.label_map.emplace(pair.substr(0, eq), pair.substr(eq + 1)).second) {
          host::fail("--label-map: '", pair.substr(0, eq), "' is mapped twice");
        }
      }
      o.unknown_words = host::split_list(a->unknown);
      o.silence = a->silence;
      o.language = a->language;
      o.voices = a->voices;
      o.takes = a->variants;
      o.pitch = host::parse_range(a->pitch, "--pitch", 0, 99);
      o.speed = host::parse_range(a->speed, "--speed", 80, 450);
      o.level_dbfs = host::parse_range(a->amplitude, "--amplitude", -60, 0);
      o.noise.language = a->language;
      fill_common(a->common, o.noise, o.run);
      o.clip_ms = a->common.clip_ms;
      print(host::synth_speech(o), a->common.json);
    });
  });
}

struct MachineArgs {
  CommonArgs common;
  size_t normal = 100, anomalous = 20;
  std::string anomalies = "tick,imbalance,drift", severity = "0.5:1";
};

void register_machine(CLI::App& synth) {
  auto a = std::make_shared<MachineArgs>();
  CLI::App* cmd = synth.add_subcommand(
      "machine",
      "Machine sounds for anomaly detection. The location's machine (rotation frequency,\n"
      "harmonics, gear-mesh tone, broadband noise) is drawn from --location and --seed;\n"
      "normal clips vary it slightly, anomalous clips add a fault in turn from --anomalies:\n"
      "tick (bearing impacts ringing at a resonance), imbalance (once-per-turn component and\n"
      "modulation), drift (speed off nominal and sliding). Writes OUT/normal/*.wav,\n"
      "OUT/anomalous/*.wav and OUT/manifest.csv (extra columns anomaly, severity,\n"
      "rotation_hz, noise, snr_db).");
  cmd->add_option("--normal", a->normal, "Number of normal clips")->capture_default_str();
  cmd->add_option("--anomalous", a->anomalous, "Number of anomalous clips")->capture_default_str();
  cmd->add_option("--anomalies", a->anomalies, "Faults to use, in turn")->capture_default_str();
  cmd->add_option("--severity", a->severity, "Fault severity range LO:HI (0..1)")
      ->capture_default_str();
  add_common(cmd, a->common);
  cmd->callback([a] {
    guarded([&] {
      host::MachineSynthOptions o;
      o.normal = a->normal;
      o.anomalous = a->anomalous;
      o.anomalies = host::parse_machine_anomalies(a->anomalies);
      o.severity = host::parse_range(a->severity, "--severity", 0, 1);
      fill_common(a->common, o.noise, o.run);
      o.clip_ms = a->common.clip_ms;
      print(host::synth_machine(o), a->common.json);
    });
  });
}

void register_voices(CLI::App& synth) {
  auto language = std::make_shared<std::string>("en-us");
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = synth.add_subcommand(
      "voices",
      "List espeak-ng's voice variants in the order 'synth speech --voices N' takes them,\n"
      "as the voices N would give on --language. Languages: 'espeak-ng --voices'.");
  cmd->add_option("--language", *language, "Language the voices are shown on")->capture_default_str();
  cmd->add_flag("--json", *json, "Print a JSON list");
  cmd->callback([language, json] {
    const std::vector<std::string> voices =
        host::resolve_voices(std::to_string(host::espeak_variants().size()), *language);
    if (*json) {
      std::cout << nlohmann::json(voices).dump(2) << "\n";
      return;
    }
    for (size_t i = 0; i < voices.size(); ++i) std::cout << i + 1 << "  " << voices[i] << "\n";
  });
}

}  // namespace

void register_synth(CLI::App& app) {
  CLI::App* synth = app.add_subcommand(
      "synth",
      "Synthesize a location's data for demos, tests and calibration without recordings:\n"
      "keywords spoken by espeak-ng in a chosen language and voices, a location's soundscape,\n"
      "or machine sounds with faults. Deterministic from --seed. Synthetic speech is robotic\n"
      "and no substitute for real recordings (see docs/synth.md).");
  synth->require_subcommand(1);
  register_speech(*synth);
  register_machine(*synth);
  register_voices(*synth);
}

}  // namespace locus::cli
