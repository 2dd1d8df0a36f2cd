#include "host/pipeline/pipeline_builder.h"

#include <chrono>
#include <cmath>

#include "host/capsule/capsule_builder.h"
#include "host/capsule/capsule_file.h"
#include "host/common/error.h"
#include "host/features/feature_block.h"
#include "host/features/yaml_fields.h"
#include "host/tflite/tflite_importer.h"

namespace locus::host {
namespace {

std::string at(const PipelineFile& p, const YAML::Mark& mark) { return yaml_position(p.path, mark); }

schema::TensorType tensor_type_of(FeatureType t) {
  switch (t) {
    case FeatureType::kInt8: return schema::TensorType::Int8;
    case FeatureType::kInt16: return schema::TensorType::Int16;
    case FeatureType::kFloat32: return schema::TensorType::Float32;
    case FeatureType::kUInt16: return schema::TensorType::Int16;  // no uint16 model inputs
  }
  return schema::TensorType::Int8;
}

std::string shape_text(const std::vector<int32_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

schema::SensorKind sensor_kind(const std::string& sensor) {
  if (sensor == "audio") return schema::SensorKind::Audio;
  if (sensor == "accelerometer") return schema::SensorKind::Accelerometer;
  if (sensor == "image") return schema::SensorKind::Image;
  return schema::SensorKind::Raw;
}

// Per-feature mean and variance over the frames of the given recordings.
void feature_statistics(FeatureBlock& block, const PipelineBuildOptions& options,
                        CapsuleSpec& spec) {
  const size_t n = static_cast<size_t>(block.features_per_frame());
  std::vector<double> sum(n, 0.0), sum_sq(n, 0.0);
  size_t frames = 0;
  for (size_t i = 0; i < options.data_files.size(); ++i) {
    const FeatureMatrix m = block.compute_file(options.data_files[i]);
    for (int32_t r = 0; r < m.frames; ++r) {
      for (size_t c = 0; c < n; ++c) {
        const double v = m.at(r, static_cast<int32_t>(c));
        sum[c] += v;
        sum_sq[c] += v * v;
      }
    }
    frames += static_cast<size_t>(m.frames);
    if (options.progress) options.progress(i + 1, options.data_files.size());
  }
  if (frames == 0) fail("feature statistics: the data gave no complete frame");
  spec.feature_mean.resize(n);
  spec.feature_variance.resize(n);
  for (size_t c = 0; c < n; ++c) {
    const double mean = sum[c] / frames;
    spec.feature_mean[c] = static_cast<float>(mean);
    spec.feature_variance[c] = static_cast<float>(std::max(0.0, sum_sq[c] / frames - mean * mean));
  }
}

}  // namespace

PipelineFeatures pipeline_features(const PipelineFile& p) {
  if (p.features.empty()) fail(p.path, ": features: a pipeline needs one feature block");
  if (p.features.size() != 1) {
    fail(at(p, p.features[1].Mark()),
         ": features: this version runs exactly one feature block per pipeline");
  }
  PipelineFeatures result;
  result.block = make_feature_block(p.features[0], p.path);
  FeatureBlock* block = result.block.get();
  const std::string where = at(p, p.features[0].Mark()) + ": features[0] (" + block->kind() + ")";
  result.where = where;

  // Sensor and block must agree.
  const bool audio_block = block->kind() == "audio_frontend" || block->kind() == "mfcc" ||
                           block->kind() == "mfe" || block->kind() == "spectrogram";
  result.audio = audio_block;
  const std::string expected_sensor = audio_block                       ? "audio"
                                      : block->kind() == "imu_features" ? "accelerometer"
                                                                        : "image";
  if (p.input.sensor != expected_sensor) {
    fail(where, ": needs input.sensor ", expected_sensor, ", the pipeline says ", p.input.sensor);
  }
  if (audio_block && block->sample_rate() != p.input.sample_rate) {
    fail(where, ": runs at ", block->sample_rate(), " Hz but input.sample_rate is ",
         p.input.sample_rate, " Hz");
  }
  const schema::DspBlockT dsp = block->to_capsule();
  if (const auto* sp = dsp.params.AsSpectralParams()) {
    (void)sp;
    const YAML::Node params = p.features[0].begin()->second;
    if (params["normalize"] || params["clip_ms"]) {
      fail(where, ": 'normalize' and 'clip_ms' need whole clips and cannot run on a stream; "
                  "remove them from the pipeline (locus features still accepts them)");
    }
  }

  // Feature frames per model input and between inferences.
  uint32_t frames = 1, stride_frames = 1;
  if (audio_block) {
    const uint64_t window = uint64_t{p.input.window_ms} * p.input.sample_rate / 1000;
    const auto length = static_cast<uint64_t>(block->frame_length());
    const auto step = static_cast<uint64_t>(block->frame_step());
    if (window < length) {
      fail(at(p, p.input.mark), ": input.window_ms ", p.input.window_ms, " is shorter than one ",
           block->kind(), " frame (", length, " samples)");
    }
    frames = static_cast<uint32_t>(1 + (window - length) / step);
    result.window_samples = static_cast<uint32_t>(window);
    const uint64_t stride = uint64_t{p.input.stride_ms ? p.input.stride_ms : p.input.window_ms} *
                            p.input.sample_rate / 1000;
    if (stride % step != 0 || stride == 0) {
      fail(at(p, p.input.mark), ": input.stride_ms ", p.input.stride_ms,
           " is not a whole number of ", block->kind(), " steps (", step * 1000 / p.input.sample_rate,
           " ms)");
    }
    stride_frames = static_cast<uint32_t>(stride / step);
  }
  result.frames = frames;
  result.features = static_cast<uint32_t>(block->features_per_frame());
  result.stride_frames = stride_frames;
  return result;
}

CapsuleSpec pipeline_spec(const PipelineFile& p, const PipelineBuildOptions& options,
                          PipelineBuild* shape) {
  PipelineFeatures chain = pipeline_features(p);
  FeatureBlock* block = chain.block.get();
  const std::string& where = chain.where;
  const uint32_t frames = chain.frames, features = chain.features,
                 stride_frames = chain.stride_frames;
  const schema::DspBlockT dsp = block->to_capsule();

  // The model.
  CapsuleSpec spec;
  if (p.model.import_path.empty()) {
    if (options.trained_model == nullptr) {
      fail(at(p, p.model.mark), ": model.arch '", p.model.arch,
           "' is a model to train: run 'locus train -f ", p.path, "'");
    }
    spec.graph = *options.trained_model;
  } else {
    AlignedBuffer model = read_file(p.model.import_path);
    try {
      spec.graph = import_tflite(model.span());
    } catch (const Error& e) {
      fail(at(p, p.model.import_mark), ": ", e.what());
    }
  }
  if (spec.graph.inputs.size() != 1) {
    fail(at(p, p.model.import_mark), ": the model has ", spec.graph.inputs.size(),
         " inputs; a pipeline feeds exactly one");
  }
  const TensorDef& input = spec.graph.tensors.at(spec.graph.inputs[0]);
  const auto type = tensor_type_of(block->output_type());
  if (static_cast<int64_t>(frames) * features != input.element_count() || input.type != type) {
    fail(where, ": gives ", frames, " frames x ", features, " ",
         feature_type_name(block->output_type()), " = ", int64_t{frames} * features,
         " values per ", p.input.window_ms, " ms window, but the model input '", input.name,
         "' takes ", shape_text(input.shape), " ", tensor_type_name(input.type), " = ",
         input.element_count(), " values");
  }
  const TensorDef& output = spec.graph.tensors.at(spec.graph.outputs.at(0));
  if (p.postprocess.kind == "classify") {
    if (!p.model.labels.empty() &&
        static_cast<int64_t>(p.model.labels.size()) != output.element_count()) {
      fail(at(p, p.model.labels_mark), ": model.labels has ", p.model.labels.size(),
           " labels but the model output '", output.name, "' ", shape_text(output.shape), " has ",
           output.element_count(), " scores");
    }
  } else if (output.element_count() != input.element_count()) {
    fail(at(p, p.postprocess.mark), ": postprocess.kind anomaly needs an autoencoder (output the "
         "size of the input), the model maps ", input.element_count(), " values to ",
         output.element_count());
  }

  spec.identity.name = p.name;
  spec.identity.version = p.version;
  spec.identity.location = p.location;
  spec.identity.sequence = options.sequence;
  spec.identity.producer = options.producer;
  spec.identity.created_unix = std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
  schema::InputSpecT in;
  in.sensor = sensor_kind(p.input.sensor);
  in.sample_rate_hz = p.input.sample_rate;
  in.axes = static_cast<uint16_t>(p.input.axes);
  in.window_ms = p.input.window_ms;
  in.stride_ms = p.input.stride_ms ? p.input.stride_ms : p.input.window_ms;
  spec.input = in;
  spec.dsp.push_back(dsp);
  spec.labels = p.model.labels;
  schema::PostProcessT post;
  post.kind = p.postprocess.kind == "anomaly" ? schema::PostProcessKind::Anomaly
                                              : schema::PostProcessKind::Classify;
  post.average_ms = p.postprocess.average_ms;
  post.threshold = p.postprocess.threshold;
  post.suppress_ms = p.postprocess.suppress_ms;
  post.anomaly_threshold = p.postprocess.anomaly_threshold;
  for (const auto& label : p.postprocess.background) {
    const auto it = std::find(p.model.labels.begin(), p.model.labels.end(), label);
    if (it == p.model.labels.end()) {
      fail(at(p, p.postprocess.background_mark), ": postprocess.background: '", label,
           "' is not one of model.labels");
    }
    post.background_labels.push_back(static_cast<int32_t>(it - p.model.labels.begin()));
  }
  spec.postprocess = post;
  schema::FeatureWindowT window;
  window.frames = frames;
  window.features = features;
  window.stride_frames = stride_frames;
  spec.feature_window = window;
  if (!options.data_files.empty()) feature_statistics(*block, options, spec);

  if (shape != nullptr) {
    shape->frames = frames;
    shape->features = features;
    shape->stride_frames = stride_frames;
    shape->feature_type = feature_type_name(block->output_type());
    shape->dsp_state_bytes = block->state_bytes();
  }
  return spec;
}

PipelineBuild build_pipeline(const PipelineFile& pipeline, const PipelineBuildOptions& options) {
  PipelineBuild result;
  CapsuleSpec spec = pipeline_spec(pipeline, options, &result);
  BuiltCapsule built = build_capsule(std::move(spec));
  result.bytes = std::move(built.bytes);
  result.plan = built.plan;
  return result;
}

}  // namespace locus::host
