// Starter pipelines for `locus init --template NAME`.
#include <map>

#include "host/common/error.h"
#include "host/pipeline/pipeline_file.h"

namespace locus::host {
namespace {

const std::map<std::string, std::string>& templates() {
  static const std::map<std::string, std::string> kTemplates = {
      {"kws", R"(# Keyword spotting with TFLM's audio front end.
name: kws
version: 1.0.0
input:    { sensor: audio, sample_rate: 16000, window_ms: 1000, stride_ms: 200 }
features:
  - audio_frontend: { window_ms: 30, step_ms: 20, channels: 40,
                      noise_reduction: { smoothing_bits: 10, even_smoothing: 0.025,
                                         odd_smoothing: 0.06, min_signal_remaining: 0.05 },
                      gain_control: { strength: 0.95, offset: 80, gain_bits: 21 },
                      log_scale: { scale_shift: 6 },
                      output: int8 }
model:
  import: model.tflite        # an int8 model taking 49 x 40 int8 features
  labels: [silence, unknown, yes, no]
postprocess: { average_ms: 1000, threshold: 0.7, suppress_ms: 1500, background: [silence, unknown] }
outputs: [events]
train:    { epochs: 40, batch: 64, augment: { noise: 0.8, shift_ms: 100 } }
)"},
      {"imu", R"(# Gesture or vibration classification from a 3-axis accelerometer.
name: gestures
version: 1.0.0
input:    { sensor: accelerometer, sample_rate: 100, axes: 3, window_ms: 2000, stride_ms: 500 }
features:
  - imu_features: { axes: 3, sample_rate: 100, window_ms: 2000, stride_ms: 500,
                    filter: { type: low_pass, cutoff_hz: 20, order: 4 },
                    stats: [rms, std, skewness, kurtosis],
                    spectrum: { kind: band_power, fft_length: 128, bands_hz: [0, 1, 3, 6, 12, 50] },
                    peaks: { count: 3 } }
model:
  import: model.tflite        # a float32 or int8 model over the feature vector
  labels: [idle, wave, circle]
postprocess: { average_ms: 1000, threshold: 0.8, suppress_ms: 1000, background: [idle] }
)"},
      {"anomaly", R"(# Machine-sound anomaly detection with an autoencoder (MLPerf Tiny AD style).
name: machine
version: 1.0.0
input:    { sensor: audio, sample_rate: 16000, window_ms: 96, stride_ms: 32 }
features:
  - mfe: { window_ms: 64, step_ms: 32, fft_length: 1024, mel_bands: 128, lower_hz: 0,
           upper_hz: 8000, log: decibel, quantize: { scale: 0.5, zero_point: 0 } }
model:
  import: model.tflite        # an autoencoder whose input and output have the same shape
postprocess: { kind: anomaly, anomaly_threshold: 20.0 }
)"},
      {"image", R"(# Person detection on 96x96 grayscale images.
name: person
version: 1.0.0
input:    { sensor: image }
features:
  - image_preprocess: { width: 96, height: 96, channels: 1, resize: bilinear, quantization: raw }
model:
  import: person_detect.tflite
  labels: [no_person, person]
postprocess: { threshold: 0.6 }
)"},
  };
  return kTemplates;
}

}  // namespace

std::vector<std::string> pipeline_templates() {
  std::vector<std::string> names;
  for (const auto& [name, _] : templates()) names.push_back(name);
  return names;
}

std::string pipeline_template(const std::string& name) {
  const auto it = templates().find(name);
  if (it == templates().end()) {
    std::string known;
    for (const auto& [n, _] : templates()) known += (known.empty() ? "" : ", ") + n;
    fail("no template '", name, "' (templates: ", known, ")");
  }
  return it->second;
}

}  // namespace locus::host
