#include "host/synth/machine_synth.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

#include "host/common/error.h"

namespace locus::host {
namespace {

constexpr double kTwoPi = 2 * std::numbers::pi;
constexpr double kMachineDbfs = -20.0;  // RMS of the normal machine's tones

double tones_rms(const MachineSignature& m) {
  double sum = m.mesh_level * m.mesh_level / 2;
  for (double a : m.harmonics) sum += a * a / 2;
  return std::sqrt(sum);
}

}  // namespace

MachineSignature machine_signature(const std::string& location, uint64_t seed,
                                   uint32_t sample_rate) {
  Random r(derive_seed(seed, "machine:" + location, 0));
  MachineSignature m;
  m.rotation_hz = r.uniform(25, 100);  // 1500..6000 rpm
  const double decay = r.uniform(0.6, 1.3);
  for (int k = 1; k <= 12 && k * m.rotation_hz < sample_rate * 0.45; ++k) {
    m.harmonics.push_back(r.uniform(0.3, 1.0) / std::pow(double(k), decay));
  }
  m.mesh_order = double(8 + r.below(17));  // teeth on the driving gear
  if (m.mesh_order * m.rotation_hz >= sample_rate * 0.45) m.mesh_order = 1;
  m.mesh_level = r.uniform(0.1, 0.5);
  m.noise_level = r.uniform(0.05, 0.2);
  m.noise_cutoff_hz = r.uniform(800, 3000);
  m.resonance_hz = std::min(r.uniform(2000, 5000), sample_rate * 0.4);
  m.bearing_order = r.uniform(3.0, 5.5);
  return m;
}

std::vector<int16_t> render_machine_clip(const MachineSignature& m, const std::string& anomaly,
                                         double severity, uint32_t sample_rate, size_t samples,
                                         uint64_t seed) {
  if (!anomaly.empty() && anomaly != "tick" && anomaly != "imbalance" && anomaly != "drift") {
    fail("synth machine: unknown anomaly '", anomaly, "' (known: tick, imbalance, drift)");
  }
  Random r(seed);
  const double rate = sample_rate;
  const double seconds = samples / rate;
  // Normal variation from clip to clip: load changes the speed a little,
  // levels move by about a decibel.
  double f0 = m.rotation_hz * (1 + r.uniform(-0.003, 0.003));
  double slide = 0;  // relative change of f0 over the clip
  if (anomaly == "drift") {
    f0 *= 1 + (r.uniform() < 0.5 ? -1 : 1) * severity * r.uniform(0.04, 0.08);
    slide = severity * r.uniform(-0.03, 0.03);
  }
  std::vector<double> levels, phases;
  for (double a : m.harmonics) {
    levels.push_back(a * db_to_amplitude(r.uniform(-1, 1)));
    phases.push_back(r.uniform(0, kTwoPi));
  }
  if (anomaly == "imbalance" && !levels.empty()) levels[0] *= 1 + 3 * severity;
  const double mesh_phase = r.uniform(0, kTwoPi);
  const double am_phase = r.uniform(0, kTwoPi);

  std::vector<double> x(samples, 0.0);
  const double pole = std::exp(-kTwoPi * m.noise_cutoff_hz / rate);
  const double noise_scale = m.noise_level * tones_rms(m) * 2.0;  // the filter loses about half
  double phase = 0, lowpassed = 0;
  for (size_t i = 0; i < samples; ++i) {
    const double t = i / rate;
    const double f = f0 * (1 + slide * (t / seconds - 0.5));
    phase = std::fmod(phase + kTwoPi * f / rate, kTwoPi * 1024);
    double v = 0;
    for (size_t k = 0; k < levels.size(); ++k) v += levels[k] * std::sin((k + 1) * phase + phases[k]);
    v += m.mesh_level * std::sin(m.mesh_order * phase + mesh_phase);
    if (anomaly == "imbalance") v *= 1 + 0.5 * severity * std::sin(phase + am_phase);
    lowpassed = pole * lowpassed + (1 - pole) * r.uniform(-1, 1) * 1.7;
    x[i] = v + noise_scale * lowpassed;
  }
  if (anomaly == "tick") {
    // A damaged bearing: an impact every turn / bearing_order, ringing at
    // the resonance and dying within a few milliseconds.
    const double period = rate / (f0 * m.bearing_order);
    const double amplitude = severity * 2.5 * tones_rms(m);
    const double decay = std::exp(-1.0 / (0.002 * rate));
    const double step = kTwoPi * m.resonance_hz / rate;
    for (double start = r.uniform(0, period); start < samples; start += period) {
      const double jitter = amplitude * r.uniform(0.7, 1.0);
      double envelope = jitter;
      for (size_t i = static_cast<size_t>(start); i < samples && envelope > amplitude * 1e-3; ++i) {
        x[i] += envelope * std::sin(step * (i - start));
        envelope *= decay;
      }
    }
  }
  const double scale = 32768.0 * db_to_amplitude(kMachineDbfs) / tones_rms(m);
  std::vector<int16_t> out(samples);
  for (size_t i = 0; i < samples; ++i) out[i] = to_sample(x[i] * scale);
  return out;
}

std::vector<std::string> parse_machine_anomalies(const std::string& text) {
  return parse_names(text, "--anomalies", {std::begin(kMachineAnomalies), std::end(kMachineAnomalies)});
}

SynthSummary synth_machine(const MachineSynthOptions& o) {
  if (o.normal + o.anomalous == 0) fail("--normal/--anomalous: nothing to generate");
  if (o.normal > 1000000 || o.anomalous > 1000000) fail("--normal/--anomalous: at most 1000000");
  if (o.anomalous > 0 && o.anomalies.empty()) fail("--anomalies: none given");
  if (o.severity.low < 0 || o.severity.high > 1) fail("--severity: must lie within 0:1");
  check_run_options(o.run, o.clip_ms, o.noise);
  const MachineSignature m = machine_signature(o.run.location, o.run.seed, o.run.sample_rate);
  const NoiseBank bank = make_noise_bank(o.noise, o.run.location, o.run.sample_rate, o.run.seed);
  const std::string scratch = prepare_output(o.run);
  const std::string noise_name = noise_description(o.noise);
  const size_t clip_samples = size_t{o.run.sample_rate} * o.clip_ms / 1000;
  auto make = [&](size_t index, std::vector<int16_t>& clip) {
    const bool normal = index < o.normal;
    const size_t n = normal ? index : index - o.normal;
    const std::string anomaly = normal ? "" : o.anomalies[n % o.anomalies.size()];
    Random r(derive_seed(o.run.seed, "machine-clip:" + o.run.location + ":" + anomaly, n));
    const double severity = normal ? 0 : o.severity.draw(r);
    const uint64_t render_seed = r.next(), noise_seed = r.next();
    clip = render_machine_clip(m, anomaly, severity, o.run.sample_rate, clip_samples, render_seed);
    const std::optional<double> snr = mix_noise(clip, o.run.sample_rate, bank, o.noise, noise_seed);
    char name[64];
    std::snprintf(name, sizeof(name), "%s_%05zu", normal ? "normal" : anomaly.c_str(), n);
    SynthClip c;
    c.label = normal ? "normal" : "anomalous";
    c.path = c.label + "/" + name + ".wav";
    c.group = name;
    c.extra = {{"anomaly", anomaly},
               {"severity", normal ? "" : format_fixed(severity, 3)},
               {"rotation_hz", format_fixed(m.rotation_hz, 2)},
               {"noise", snr ? noise_name : ""},
               {"snr_db", snr ? format_fixed(*snr, 2) : ""}};
    return c;
  };
  return write_synth_dataset(o.run, scratch, o.normal + o.anomalous, make);
}

}  // namespace locus::host
