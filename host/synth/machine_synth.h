// `locus synth machine`: machine sounds for anomaly detection. A location
// has one normal machine signature (a rotation frequency with harmonics, a
// gear-mesh tone and filtered broadband noise), drawn from the location's
// name and the seed; normal clips vary it slightly, anomalous clips add one
// fault: a bearing tick (periodic decaying impulses at a structural
// resonance), imbalance (a stronger once-per-turn component and amplitude
// modulation at the rotation frequency) or frequency drift (the speed off
// its nominal value and sliding within the clip).
#ifndef LOCUS_HOST_SYNTH_MACHINE_SYNTH_H_
#define LOCUS_HOST_SYNTH_MACHINE_SYNTH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "host/synth/synth_output.h"

namespace locus::host {

inline constexpr const char* kMachineAnomalies[] = {"tick", "imbalance", "drift"};

struct MachineSignature {
  double rotation_hz = 0;               // fundamental
  std::vector<double> harmonics;        // amplitude of k * rotation_hz, k = 1..
  double mesh_order = 0;                // gear-mesh tone at mesh_order * rotation_hz
  double mesh_level = 0;
  double noise_level = 0;               // broadband, relative to the tones' RMS
  double noise_cutoff_hz = 0;           // one-pole low-pass of that noise
  double resonance_hz = 0;              // where bearing impacts ring
  double bearing_order = 0;             // impacts per turn of a damaged bearing
};

MachineSignature machine_signature(const std::string& location, uint64_t seed,
                                   uint32_t sample_rate);

// One clip of the machine: anomaly "" (normal), "tick", "imbalance" or
// "drift" at severity 0..1. The level is set by the signature, not the
// clip, so a fault that adds energy makes the clip louder, as it would.
std::vector<int16_t> render_machine_clip(const MachineSignature& m, const std::string& anomaly,
                                         double severity, uint32_t sample_rate, size_t samples,
                                         uint64_t seed);

struct MachineSynthOptions {
  size_t normal = 100;
  size_t anomalous = 20;
  std::vector<std::string> anomalies{"tick", "imbalance", "drift"};  // used in turn
  Range severity{0.5, 1.0};
  uint32_t clip_ms = 1000;
  NoiseOptions noise;
  SynthRun run;
};

// Splits "tick,drift" and checks the names.
std::vector<std::string> parse_machine_anomalies(const std::string& text);

// Writes OUT/normal/*.wav and OUT/anomalous/*.wav with a manifest (extra
// columns anomaly, severity, rotation_hz, noise, snr_db).
SynthSummary synth_machine(const MachineSynthOptions& o);

}  // namespace locus::host

#endif  // LOCUS_HOST_SYNTH_MACHINE_SYNTH_H_
