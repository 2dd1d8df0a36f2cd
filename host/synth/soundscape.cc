#include "host/synth/soundscape.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "host/common/error.h"
#include "host/synth/espeak.h"
#include "host/synth/synth_output.h"
#include "host/training_data/augment.h"

namespace locus::host {
namespace {

constexpr double kTwoPi = 2 * std::numbers::pi;

void normalize_rms(std::vector<double>& x) {
  double sum = 0;
  for (double v : x) sum += v * v;
  const double rms = x.empty() ? 0 : std::sqrt(sum / static_cast<double>(x.size()));
  if (rms > 0) {
    for (double& v : x) v /= rms;
  }
}

// Mains hum: the line frequency and its harmonics (transformers hum mostly
// at twice the line frequency), each at a level and phase of its own.
std::vector<double> hum(double line_hz, Random& r, uint32_t rate, size_t n) {
  std::vector<double> x(n, 0.0);
  for (int k = 1; k <= 8; ++k) {
    const double level = (k == 2 ? 1.0 : r.uniform(0.1, 0.6)) / std::sqrt(double(k));
    const double phase = r.uniform(0, kTwoPi);
    const double step = kTwoPi * line_hz * k / rate;
    if (line_hz * k >= rate / 2.0) continue;
    for (size_t i = 0; i < n; ++i) x[i] += level * std::sin(phase + step * double(i));
  }
  // A little broadband hiss, as any amplifier chain adds.
  for (double& v : x) v += 0.01 * r.uniform(-1, 1);
  return x;
}

// A machine whine: a high tone with two harmonics whose pitch wobbles
// slowly, as a motor's speed does under varying load.
std::vector<double> whine(Random& r, uint32_t rate, size_t n) {
  const double base = std::min(r.uniform(1200, 4000), rate * 0.3);
  const double wobble_hz = r.uniform(0.2, 1.5), wobble = r.uniform(0.002, 0.01);
  const double wobble_phase = r.uniform(0, kTwoPi);
  const double second = r.uniform(0.1, 0.4), third = r.uniform(0.05, 0.2);
  std::vector<double> x(n, 0.0);
  double phase = 0;
  for (size_t i = 0; i < n; ++i) {
    const double t = double(i) / rate;
    const double f = base * (1 + wobble * std::sin(kTwoPi * wobble_hz * t + wobble_phase));
    phase = std::fmod(phase + kTwoPi * f / rate, kTwoPi);
    x[i] = std::sin(phase) + second * std::sin(2 * phase) +
           (3 * f < rate / 2.0 ? third * std::sin(3 * phase) : 0.0);
  }
  return x;
}

// Traffic: brown noise (leaky-integrated white noise, so the spectrum falls
// 6 dB per octave) under an envelope with a bump for every passing vehicle.
std::vector<double> traffic(Random& r, uint32_t rate, size_t n) {
  std::vector<double> x(n, 0.0);
  const double leak = 1.0 - 20.0 * kTwoPi / rate;  // about 20 Hz high-pass
  double y = 0;
  for (size_t i = 0; i < n; ++i) {
    y = leak * y + r.uniform(-1, 1);
    x[i] = y;
  }
  const double seconds = double(n) / rate;
  const int vehicles = 1 + static_cast<int>(seconds / r.uniform(2, 5));
  std::vector<double> centres, widths, levels;
  for (int v = 0; v < vehicles; ++v) {
    centres.push_back(r.uniform(0, seconds));
    widths.push_back(r.uniform(0.8, 3.0));
    levels.push_back(r.uniform(1, 4));
  }
  for (size_t i = 0; i < n; ++i) {
    const double t = double(i) / rate;
    double envelope = 0.5;  // distant traffic never stops
    for (int v = 0; v < vehicles; ++v) {
      const double d = (t - centres[v]) / widths[v];
      envelope += levels[v] * std::exp(-d * d);
    }
    x[i] *= envelope;
  }
  return x;
}

// Babble: several voices speaking strings of random syllables at once. The
// syllables are not words of any language, so no keyword hides in it.
std::vector<double> babble(const SoundscapeOptions& o, Random& r, size_t n) {
  static const char* kOnsets[] = {"p", "t", "k", "b", "d", "g", "m", "n", "l", "r", "s", "v", "h"};
  static const char* kVowels[] = {"a", "e", "i", "o", "u", "ai", "ou"};
  const std::vector<std::string> voices = resolve_voices("8", o.language);
  std::vector<double> x(n, 0.0);
  for (int stream = 0; stream < 5; ++stream) {
    size_t at = static_cast<size_t>(r.uniform(0, 0.5) * o.sample_rate);
    while (at < n) {
      std::string text;
      const int words = 3 + static_cast<int>(r.below(5));
      for (int w = 0; w < words; ++w) {
        const int syllables = 1 + static_cast<int>(r.below(3));
        for (int s = 0; s < syllables; ++s) {
          text += kOnsets[r.below(std::size(kOnsets))];
          text += kVowels[r.below(std::size(kVowels))];
        }
        text += ' ';
      }
      Utterance u;
      u.voice = voices[r.below(voices.size())];
      u.text = text;
      u.pitch = static_cast<int>(r.uniform(20, 80));
      u.speed = static_cast<int>(r.uniform(150, 220));
      const Audio a = espeak_say(u, o.temp_dir, o.sample_rate);
      const double level = r.uniform(0.5, 1.0);
      for (size_t i = 0; i < a.samples.size() && at + i < n; ++i) {
        x[at + i] += level * a.samples[i] / 32768.0;
      }
      at += a.samples.size() + static_cast<size_t>(r.uniform(0, 0.3) * o.sample_rate);
    }
  }
  return x;
}

}  // namespace

std::vector<std::string> parse_soundscape_kinds(const std::string& text) {
  return parse_names(text, "--soundscape", {std::begin(kSoundscapeKinds), std::end(kSoundscapeKinds)});
}

std::vector<double> render_soundscape_kind(const std::string& kind, const SoundscapeOptions& o) {
  if (o.sample_rate < 8000) fail("soundscape: the sample rate must be at least 8000 Hz");
  if (!(o.seconds > 0 && o.seconds <= 600)) fail("soundscape: length must be in (0, 600] s");
  const size_t n = static_cast<size_t>(o.seconds * o.sample_rate);
  Random r(derive_seed(o.seed, "soundscape:" + o.location + ":" + kind, 0));
  std::vector<double> x;
  if (kind == "hum") {
    x = hum(50, r, o.sample_rate, n);
  } else if (kind == "hum60") {
    x = hum(60, r, o.sample_rate, n);
  } else if (kind == "whine") {
    x = whine(r, o.sample_rate, n);
  } else if (kind == "traffic") {
    x = traffic(r, o.sample_rate, n);
  } else if (kind == "babble") {
    x = babble(o, r, n);
  } else {
    fail("soundscape: unknown kind '", kind, "'");
  }
  normalize_rms(x);
  return x;
}

std::vector<int16_t> render_soundscape(const SoundscapeOptions& o) {
  if (o.kinds.empty()) fail("soundscape: no kinds given");
  std::vector<double> sum;
  for (const std::string& kind : o.kinds) {
    const std::vector<double> x = render_soundscape_kind(kind, o);
    if (sum.empty()) sum.assign(x.size(), 0.0);
    for (size_t i = 0; i < x.size(); ++i) sum[i] += x[i];
  }
  normalize_rms(sum);
  const double scale = 32768.0 * db_to_amplitude(kSoundscapeDbfs);
  std::vector<int16_t> out(sum.size());
  for (size_t i = 0; i < sum.size(); ++i) out[i] = to_sample(sum[i] * scale);
  return out;
}

}  // namespace locus::host
