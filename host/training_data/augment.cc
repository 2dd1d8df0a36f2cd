#include "host/training_data/augment.h"

#include <sodium.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "host/audio/audio_file.h"
#include "host/common/error.h"
#include "host/features/yaml_fields.h"

namespace locus::host {
namespace {

namespace fs = std::filesystem;

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// [0, n) from one raw draw (multiply-shift: no division, same everywhere).
uint64_t scale_below(uint64_t x, uint64_t n) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(x) * n) >> 64);
}

double to_unit(uint64_t x) { return static_cast<double>(x >> 11) * 0x1.0p-53; }

double rms(const std::vector<double>& x) {
  if (x.empty()) return 0;
  double sum = 0;
  for (double v : x) sum += v * v;
  return std::sqrt(sum / static_cast<double>(x.size()));  // sqrt is correctly rounded
}

int16_t saturate_round(double v) {
  const double r = v >= 0 ? std::floor(v + 0.5) : -std::floor(-v + 0.5);
  return static_cast<int16_t>(std::clamp(r, -32768.0, 32767.0));
}

// `samples` consecutive samples of a recording from `offset_draw`, looping
// recordings shorter than that.
std::vector<double> noise_segment(const std::vector<int16_t>& recording, size_t samples,
                                  uint64_t offset_draw) {
  std::vector<double> out(samples, 0.0);
  const size_t length = recording.size();
  if (length == 0) return out;
  if (length >= samples) {
    const size_t offset = scale_below(offset_draw, length - samples + 1);
    for (size_t i = 0; i < samples; ++i) out[i] = recording[offset + i];
  } else {
    const size_t offset = scale_below(offset_draw, length);
    for (size_t i = 0; i < samples; ++i) out[i] = recording[(offset + i) % length];
  }
  return out;
}

bool is_audio_file(const fs::path& path) {
  static const std::set<std::string> kExtensions = {".wav", ".flac", ".ogg", ".oga", ".aif", ".aiff"};
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return kExtensions.count(ext) > 0;
}

void hash_le(crypto_hash_sha256_state& state, uint64_t v, int bytes) {
  uint8_t b[8];
  for (int i = 0; i < bytes; ++i) b[i] = static_cast<uint8_t>(v >> (8 * i));
  crypto_hash_sha256_update(&state, b, static_cast<unsigned long long>(bytes));
}

// One [min, max] range in dB, or one number for both.
void read_range(YamlFields& f, const char* key, float& low, float& high, double allowed_low,
                double allowed_high) {
  const YAML::Node node = f.any(key);
  if (!node || node.IsNull()) return;
  const std::string name = std::string("train.augment.") + key;
  double lo = 0, hi = 0;
  try {
    if (node.IsScalar()) {
      lo = hi = node.as<double>();
    } else if (node.IsSequence() && node.size() == 2 && node[0].IsScalar() && node[1].IsScalar()) {
      lo = node[0].as<double>();
      hi = node[1].as<double>();
    } else {
      f.error_at(node, name + ": expected [min, max] in dB or one number");
    }
  } catch (const YAML::Exception&) {
    f.error_at(node, name + ": expected [min, max] in dB or one number");
  }
  if (!(lo <= hi)) f.error_at(node, name + ": the minimum is above the maximum");
  if (lo < allowed_low || hi > allowed_high) {
    std::ostringstream range;
    range << name << ": values must lie within [" << allowed_low << ", " << allowed_high << "] dB";
    f.error_at(node, range.str());
  }
  low = static_cast<float>(lo);
  high = static_cast<float>(hi);
}

}  // namespace

Random::Random(uint64_t seed) {
  for (uint64_t& s : s_) s = splitmix64(seed);
}

uint64_t Random::next() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Random::uniform() { return to_unit(next()); }

double Random::uniform(double low, double high) { return low + (high - low) * uniform(); }

uint64_t Random::below(uint64_t n) { return scale_below(next(), n); }

uint64_t derive_seed(uint64_t seed, std::string_view name, uint64_t index) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a over the name
  for (unsigned char c : name) h = (h ^ c) * 0x100000001b3ull;
  uint64_t state = seed;
  uint64_t mixed = splitmix64(state) ^ h;
  mixed = splitmix64(mixed) ^ index;
  return splitmix64(mixed);
}

double db_to_amplitude(double db) {
  // 10^(db/20) = 2^n * e^(f ln 2) with n an integer and |f| <= 1/2; the
  // Taylor series of e^x for |x| <= 0.35 converges to double precision in
  // 20 terms. Only IEEE basic operations, so every machine gets the same bits.
  db = std::clamp(db, -400.0, 400.0);
  const double y = db / 20.0 * 3.32192809488736234787;  // log2(10)
  const double n = std::floor(y + 0.5);
  const double x = (y - n) * 0.69314718055994530942;  // ln 2
  double term = 1.0, sum = 1.0;
  for (int k = 1; k <= 20; ++k) {
    term = term * x / k;
    sum += term;
  }
  return std::ldexp(sum, static_cast<int>(n));
}

std::array<uint8_t, 32> NoiseBank::digest() const {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  hash_le(state, sample_rate, 4);
  hash_le(state, recordings.size(), 8);
  std::vector<uint8_t> bytes;
  for (const auto& r : recordings) {
    hash_le(state, r.size(), 8);
    bytes.resize(r.size() * 2);
    for (size_t i = 0; i < r.size(); ++i) {
      const auto u = static_cast<uint16_t>(r[i]);
      bytes[2 * i] = static_cast<uint8_t>(u);
      bytes[2 * i + 1] = static_cast<uint8_t>(u >> 8);
    }
    crypto_hash_sha256_update(&state, bytes.data(), bytes.size());
  }
  std::array<uint8_t, 32> out;
  crypto_hash_sha256_final(&state, out.data());
  return out;
}

NoiseBank load_noise_bank(const std::string& dir_or_file, uint32_t sample_rate) {
  if (sample_rate == 0) fail(dir_or_file, ": noise bank: the sample rate must be positive");
  std::error_code ec;
  std::vector<fs::path> files;
  if (fs::is_directory(dir_or_file, ec)) {
    for (const auto& entry : fs::directory_iterator(dir_or_file, ec)) {
      if (entry.is_regular_file() && is_audio_file(entry.path())) files.push_back(entry.path());
    }
    if (ec) fail(dir_or_file, ": cannot list the folder (", ec.message(), ")");
    if (files.empty()) {
      fail(dir_or_file, ": no audio files (.wav, .flac, .ogg, .aif, .aiff) for background noise");
    }
    std::sort(files.begin(), files.end());
  } else if (fs::exists(dir_or_file, ec)) {
    files.push_back(dir_or_file);
  } else {
    fail(dir_or_file, ": no such file or folder (background noise)");
  }
  NoiseBank bank;
  bank.sample_rate = sample_rate;
  for (const fs::path& file : files) {
    bank.names.push_back(file.filename().string());
    bank.recordings.push_back(read_audio(file.string(), sample_rate).samples);
  }
  return bank;
}

AugmentOptions parse_augment_options(const YAML::Node& node, const std::string& where) {
  AugmentOptions o;
  if (!node || node.IsNull()) return o;
  if (node.IsScalar()) {
    bool on = true;
    try {
      on = node.as<bool>();
    } catch (const YAML::Exception&) {
      fail(yaml_position(where, node.Mark()),
           ": train.augment: expected a map (noise, snr_db, shift_ms, gain_db), true or false, "
           "got '", node.Scalar(), "'");
    }
    return on ? o : AugmentOptions::none();
  }
  YamlFields f(node, where, "train.augment");
  double noise = o.noise_probability;
  f.get("noise", noise);
  if (!(noise >= 0 && noise <= 1)) {
    f.error_at(node["noise"], "train.augment.noise: the share of clips that get noise must lie "
                              "within [0, 1]");
  }
  o.noise_probability = static_cast<float>(noise);
  read_range(f, "snr_db", o.snr_min_db, o.snr_max_db, -30, 100);
  read_range(f, "gain_db", o.gain_min_db, o.gain_max_db, -60, 60);
  int64_t shift = o.shift_ms;
  f.get("shift_ms", shift);
  if (shift < 0 || shift > 60000) {
    f.error_at(node["shift_ms"], "train.augment.shift_ms: must lie within [0, 60000]");
  }
  o.shift_ms = static_cast<uint32_t>(shift);
  f.reject_unknown();
  return o;
}

void augment_clip(std::vector<int16_t>& clip, uint32_t sample_rate, const NoiseBank& noise,
                  const AugmentOptions& options, uint64_t seed) {
  if (!noise.empty() && noise.sample_rate != sample_rate) {
    fail("augment: the noise bank is at ", noise.sample_rate, " Hz, the clip at ", sample_rate,
         " Hz");
  }
  // Every draw happens in the same order whatever the options, so one
  // option's range does not reshuffle the others.
  Random random(seed);
  const uint64_t shift_draw = random.next();
  const double gain_db = random.uniform(options.gain_min_db, options.gain_max_db);
  const double noise_draw = random.uniform();
  const uint64_t recording_draw = random.next();
  const uint64_t offset_draw = random.next();
  const double snr_db = random.uniform(options.snr_min_db, options.snr_max_db);

  const size_t n = clip.size();
  if (n == 0) return;
  const int64_t max_shift = int64_t{options.shift_ms} * sample_rate / 1000;
  const int64_t shift =
      static_cast<int64_t>(scale_below(shift_draw, static_cast<uint64_t>(2 * max_shift + 1))) -
      max_shift;
  std::vector<double> x(n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    const int64_t from = static_cast<int64_t>(i) - shift;
    if (from >= 0 && from < static_cast<int64_t>(n)) x[i] = clip[static_cast<size_t>(from)];
  }

  if (!noise.empty() && noise_draw < options.noise_probability) {
    const auto& recording = noise.recordings[scale_below(recording_draw, noise.recordings.size())];
    const std::vector<double> segment = noise_segment(recording, n, offset_draw);
    const double noise_rms = rms(segment);
    if (noise_rms > 0) {
      const double clip_rms = rms(x);
      const double level =
          clip_rms >= 1.0 ? clip_rms : 32768.0 * db_to_amplitude(kSilentClipReferenceDbfs);
      const double k = level * db_to_amplitude(-snr_db) / noise_rms;
      for (size_t i = 0; i < n; ++i) x[i] += k * segment[i];
    }
  }

  const double gain = db_to_amplitude(gain_db);
  for (size_t i = 0; i < n; ++i) clip[i] = saturate_round(x[i] * gain);
}

std::vector<int16_t> silence_clip(const NoiseBank& noise, size_t samples, uint64_t seed) {
  Random random(seed);
  const double zero_draw = random.uniform();
  const uint64_t recording_draw = random.next();
  const uint64_t offset_draw = random.next();
  const double level_dbfs = random.uniform(kSilenceMinDbfs, kSilenceMaxDbfs);
  std::vector<int16_t> out(samples, 0);
  if (noise.empty() || samples == 0 || zero_draw < kSilenceZeroShare) return out;
  const auto& recording = noise.recordings[scale_below(recording_draw, noise.recordings.size())];
  const std::vector<double> segment = noise_segment(recording, samples, offset_draw);
  const double noise_rms = rms(segment);
  if (noise_rms <= 0) return out;
  const double k = 32768.0 * db_to_amplitude(level_dbfs) / noise_rms;
  for (size_t i = 0; i < samples; ++i) out[i] = saturate_round(segment[i] * k);
  return out;
}

}  // namespace locus::host
