#include "train/feature_windows.h"

#include <algorithm>
#include <cmath>

#include "host/capsule/capsule_file.h"
#include "host/capsule/raw_runner.h"
#include "host/common/error.h"
#include "host/quantize/model_quantizer.h"

namespace locus::train {

Windows windows_of(const std::vector<host::FeatureMatrix>& matrices, int32_t frames,
                   int32_t features, int32_t step,
                   const std::optional<host::FeatureQuantization>& q) {
  int64_t count = 0;
  for (const auto& m : matrices) {
    if (m.features != features) {
      host::fail("features: a clip gave ", m.features, " values per frame, expected ", features);
    }
    if (m.frames >= frames) count += (int64_t{m.frames} - frames) / step + 1;
  }
  Windows w;
  w.raw = torch::empty({count, frames, features});
  float* out = w.raw.data_ptr<float>();
  for (size_t i = 0; i < matrices.size(); ++i) {
    const auto& m = matrices[i];
    for (int64_t start = 0; start + frames <= m.frames; start += step) {
      std::copy_n(m.values.begin() + start * features, int64_t{frames} * features, out);
      out += int64_t{frames} * features;
      w.origin.push_back(static_cast<int64_t>(i));
    }
  }
  w.x = q ? (w.raw - static_cast<float>(q->zero_point)) * q->scale : w.raw;
  return w;
}

torch::Tensor labels_of(const std::vector<host::TrainingExample>& examples,
                        const std::vector<int64_t>& origin) {
  std::vector<int64_t> y;
  y.reserve(origin.size());
  for (int64_t i : origin) y.push_back(examples[static_cast<size_t>(i)].label);
  return torch::tensor(y, torch::kInt64);
}

namespace {

// The bytes the runtime's model input takes for one window.
std::vector<uint8_t> input_bytes(const torch::Tensor& raw_window, const host::TensorDef& input,
                                 const std::optional<host::FeatureQuantization>& q) {
  const torch::Tensor w = raw_window.contiguous();
  const float* v = w.data_ptr<float>();
  std::vector<uint8_t> bytes(static_cast<size_t>(w.numel()));
  const host::AffineQuantization aq{input.scale.at(0), input.zero_point.at(0)};
  for (size_t i = 0; i < bytes.size(); ++i) {
    // int8 features already are the model's input values.
    const int8_t value = q ? static_cast<int8_t>(v[i]) : host::quantize_value(v[i], aq);
    bytes[i] = static_cast<uint8_t>(value);
  }
  return bytes;
}

}  // namespace

std::vector<double> run_int8(const std::vector<uint8_t>& capsule_bytes, const Windows& w,
                             const std::optional<host::FeatureQuantization>& q, Task task) {
  const host::LoadedCapsule loaded =
      host::open_capsule(host::copy_to_aligned(capsule_bytes), "trained");
  std::vector<double> result;
  // The graph's input and output quantisation, from the capsule itself.
  const auto* body = loaded.capsule.body();
  const auto* graph = body->graph();
  const auto* in = graph->tensors()->Get(graph->inputs()->Get(0));
  const auto* out = graph->tensors()->Get(graph->outputs()->Get(0));
  host::TensorDef input_def;
  input_def.scale = {in->quantization()->scale()->Get(0)};
  input_def.zero_point = {static_cast<int32_t>(in->quantization()->zero_point()->Get(0))};
  const host::AffineQuantization out_q{out->quantization()->scale()->Get(0),
                                       static_cast<int32_t>(out->quantization()->zero_point()->Get(0))};
  host::RawRunOptions options;
  options.self_test = false;
  for (int64_t i = 0; i < w.raw.size(0); ++i) {
    const std::vector<uint8_t> bytes = input_bytes(w.raw[i], input_def, q);
    const host::RawRunResult r = host::run_raw(loaded.capsule, bytes, options);
    const auto& o = r.outputs.at(0);
    if (task == Task::kClassify) {
      size_t best = 0;
      for (size_t k = 1; k < o.size(); ++k) {
        if (static_cast<int8_t>(o[k]) > static_cast<int8_t>(o[best])) best = k;
      }
      result.push_back(static_cast<double>(best));
    } else {
      const host::AffineQuantization in_q{input_def.scale[0], input_def.zero_point[0]};
      double sum = 0;
      for (size_t k = 0; k < o.size(); ++k) {
        const double x = host::dequantize_value(static_cast<int8_t>(bytes[k]), in_q);
        const double y = host::dequantize_value(static_cast<int8_t>(o[k]), out_q);
        sum += (x - y) * (x - y);
      }
      result.push_back(sum / static_cast<double>(o.size()));
    }
  }
  return result;
}

double accuracy_of(const std::vector<double>& predicted, const torch::Tensor& y) {
  if (predicted.empty()) return NAN;
  int64_t correct = 0;
  for (size_t i = 0; i < predicted.size(); ++i) {
    correct += static_cast<int64_t>(predicted[i]) == y[static_cast<int64_t>(i)].item<int64_t>();
  }
  return double(correct) / double(predicted.size());
}

}  // namespace locus::train
