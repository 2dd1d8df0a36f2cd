#include "host/synth/synth_output.h"

#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <cerrno>
#include <cstring>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <thread>

#include "host/audio/audio_file.h"
#include "host/common/error.h"
#include "host/dataset/dataset.h"
#include "host/synth/soundscape.h"

namespace locus::host {
namespace {

namespace fs = std::filesystem;

bool parse_number(const std::string& text, double& out) {
  std::istringstream in(text);
  in >> out;
  return !in.fail() && in.eof() && std::isfinite(out);
}

std::string soundscape_name(const std::vector<std::string>& kinds) {
  std::string name = "soundscape:";
  for (const std::string& k : kinds) name += (name.back() == ':' ? "" : "+") + k;
  return name;
}

}  // namespace

std::string noise_description(const NoiseOptions& o) {
  std::string out;
  if (!o.noise_path.empty()) out = fs::path(o.noise_path).lexically_normal().filename().string();
  if (out.empty() && !o.noise_path.empty()) out = o.noise_path;
  if (!o.soundscape.empty()) out += (out.empty() ? "" : " + ") + soundscape_name(o.soundscape);
  return out;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::vector<std::string> parse_names(const std::string& text, const std::string& option,
                                     const std::vector<std::string>& known) {
  std::string list;
  for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
  const std::vector<std::string> out = split_list(text);
  for (size_t i = 0; i < out.size(); ++i) {
    if (std::find(known.begin(), known.end(), out[i]) == known.end()) {
      fail(option, ": unknown name '", out[i], "' (known: ", list, ")");
    }
    if (std::find(out.begin(), out.begin() + i, out[i]) != out.begin() + i) {
      fail(option, ": '", out[i], "' is given twice");
    }
  }
  if (out.empty()) fail(option, ": none given (known: ", list, ")");
  return out;
}

Range parse_range(const std::string& text, const std::string& option, double min, double max) {
  const size_t colon = text.find(':');
  Range r;
  const bool ok = colon == std::string::npos
                      ? parse_number(text, r.low) && parse_number(text, r.high)
                      : parse_number(text.substr(0, colon), r.low) &&
                            parse_number(text.substr(colon + 1), r.high);
  if (!ok) fail(option, " '", text, "': expected LO:HI or one number");
  if (r.low > r.high) fail(option, " '", text, "': the low end is above the high end");
  if (r.low < min || r.high > max) {
    fail(option, " '", text, "': values must lie within ", min, ":", max);
  }
  return r;
}

TempFolder::TempFolder(const std::string& prefix) : path(create(prefix)) {}

TempFolder::~TempFolder() {
  std::error_code ec;
  fs::remove_all(path, ec);
}

std::string TempFolder::create(const std::string& prefix) {
  std::string pattern = (fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (mkdtemp(pattern.data()) == nullptr) {
    fail(pattern, ": cannot create a temporary folder (", std::strerror(errno), ")");
  }
  return pattern;
}

NoiseBank make_noise_bank(const NoiseOptions& o, const std::string& location,
                          uint32_t sample_rate, uint64_t seed) {
  NoiseBank bank;
  bank.sample_rate = sample_rate;
  if (!o.noise_path.empty()) bank = load_noise_bank(o.noise_path, sample_rate);
  if (!o.soundscape.empty()) {
    SoundscapeOptions s;
    s.kinds = o.soundscape;
    s.location = location;
    s.seed = seed;
    s.sample_rate = sample_rate;
    s.language = o.language;
    TempFolder scratch("locus-soundscape");  // babble's espeak-ng files
    s.temp_dir = scratch.path;
    bank.names.push_back(soundscape_name(o.soundscape));
    bank.recordings.push_back(render_soundscape(s));
  }
  return bank;
}

std::optional<double> mix_noise(std::vector<int16_t>& clip, uint32_t sample_rate,
                                const NoiseBank& bank, const NoiseOptions& o, uint64_t seed) {
  if (bank.empty()) return std::nullopt;
  Random r(seed);
  const double share_draw = r.uniform();
  const double snr = o.snr_db.draw(r);
  const uint64_t mix_seed = r.next();
  if (share_draw >= o.share) return std::nullopt;
  // The training augmenter with everything but noise switched off: one
  // place computes SNR scaling for training and synthesis alike.
  AugmentOptions mix = AugmentOptions::none();
  mix.noise_probability = 1.0f;
  mix.snr_min_db = mix.snr_max_db = static_cast<float>(snr);
  augment_clip(clip, sample_rate, bank, mix, mix_seed);
  return static_cast<double>(mix.snr_min_db);
}

void check_run_options(const SynthRun& run, uint32_t clip_ms, const NoiseOptions& noise) {
  if (run.sample_rate < 8000 || run.sample_rate > 192000) {
    fail("--sample-rate ", run.sample_rate, ": must be 8000..192000 Hz");
  }
  if (clip_ms < 100 || clip_ms > 60000) fail("--clip-ms ", clip_ms, ": must be 100..60000");
  if (noise.share < 0 || noise.share > 1) fail("--noise-share ", noise.share, ": must be 0..1");
  if (run.validation_share < 0 || run.test_share < 0 ||
      run.validation_share + run.test_share >= 1) {
    fail("--validation/--test: shares must be >= 0 and add up to less than 1");
  }
}

std::string prepare_output(const SynthRun& run) {
  if (run.output.empty()) fail("synth: no output folder (-o DIR)");
  const fs::path out = fs::absolute(run.output);
  std::error_code ec;
  if (fs::exists(out, ec) && !fs::is_directory(out, ec)) {
    fail(run.output, ": exists and is not a folder");
  }
  fs::create_directories(out, ec);
  if (ec) fail(run.output, ": cannot create the output folder (", ec.message(), ")");
  if (!run.force) {
    for (const auto& entry : fs::directory_iterator(out, ec)) {
      fail(run.output, ": the output folder is not empty (holds ", entry.path().filename().string(),
           "); choose another or pass --force to write into it");
    }
  }
  std::string pattern = (out / ".synth-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    fail(run.output, ": cannot write into the output folder (", std::strerror(errno), ")");
  }
  return pattern;
}

SynthSummary write_synth_dataset(const SynthRun& run, const std::string& scratch, size_t count,
                                 const MakeClip& make) {
  const fs::path out = fs::absolute(run.output);
  std::vector<Sample> samples(count);
  std::vector<double> seconds(count, 0.0);
  std::atomic<size_t> next{0}, done{0};
  std::mutex mutex;
  std::string first_error;
  auto worker = [&] {
    for (size_t i = next++; i < count; i = next++) {
      try {
        std::vector<int16_t> clip;
        const SynthClip c = make(i, clip);
        const fs::path file = out / c.path;
        std::error_code ec;
        fs::create_directories(file.parent_path(), ec);
        if (ec) fail(file.parent_path().string(), ": cannot create (", ec.message(), ")");
        Audio audio;
        audio.sample_rate = run.sample_rate;
        audio.samples = std::move(clip);
        write_wav(file.string(), audio);
        Sample& s = samples[i];
        s.path = file.string();
        s.label = c.label;
        s.group = c.group;
        s.location = run.location;
        s.extra = c.extra;
        seconds[i] = audio.seconds();
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex);
        if (first_error.empty()) first_error = e.what();
        next = count;  // the others stop after their current clip
        return;
      }
      const size_t d = ++done;
      if (run.progress) {
        std::lock_guard lock(mutex);
        run.progress(d, count);
      }
    }
  };
  std::vector<std::thread> threads;
  for (int j = 1; j < std::max(1, run.jobs); ++j) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();
  std::error_code ec;
  fs::remove_all(scratch, ec);
  if (!first_error.empty()) throw Error(first_error);

  Dataset dataset;
  dataset.root = out.string();
  dataset.samples = std::move(samples);
  std::sort(dataset.samples.begin(), dataset.samples.end(),
            [](const Sample& a, const Sample& b) { return a.path < b.path; });
  for (size_t i = 1; i < dataset.samples.size(); ++i) {
    if (dataset.samples[i].path == dataset.samples[i - 1].path) {
      fail("synth: two clips would both be written to ", dataset.samples[i].path,
           " (words or voices that differ only in characters a file name cannot hold?)");
    }
  }
  SynthSummary summary;
  if (run.validation_share > 0 || run.test_share > 0) {
    assign_splits(dataset, {run.validation_share, run.test_share, run.seed, true});
  }
  summary.output = out.string();
  summary.manifest = (out / "manifest.csv").string();
  write_manifest(dataset, summary.manifest);
  summary.clips = count;
  for (double s : seconds) summary.seconds += s;
  for (const Sample& s : dataset.samples) {
    ++summary.labels[s.label];
    if (!s.split.empty()) ++summary.splits[s.split];
  }
  return summary;
}

nlohmann::json synth_summary_json(const SynthSummary& s) {
  return {{"output", s.output}, {"manifest", s.manifest}, {"clips", s.clips},
          {"seconds", s.seconds}, {"labels", s.labels}, {"splits", s.splits},
          {"notes", s.notes}};
}

std::string render_synth_summary(const SynthSummary& s) {
  std::ostringstream out;
  out << s.output << ": " << s.clips << " clips, " << s.seconds << " s\n";
  for (const auto& [label, n] : s.labels) out << "  " << label << ": " << n << "\n";
  if (!s.splits.empty()) {
    out << "splits:";
    for (const auto& [split, n] : s.splits) out << " " << split << " " << n;
    out << "\n";
  }
  for (const std::string& note : s.notes) out << "note: " << note << "\n";
  out << "manifest: " << s.manifest << "\n";
  return out.str();
}

std::string file_name_part(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    out += (c < 0x20 || c == '/' || c == '\\' || c == ' ' || c == 0x7f) ? '_' : static_cast<char>(c);
  }
  if (out.empty() || out[0] == '.') out.insert(0, "_");
  return out;
}

std::string format_fixed(double v, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.*f", decimals, v);
  return buffer;
}

int16_t to_sample(double v) {
  const double r = v >= 0 ? std::floor(v + 0.5) : -std::floor(-v + 0.5);
  return static_cast<int16_t>(std::clamp(r, -32768.0, 32767.0));
}

}  // namespace locus::host
