// Pipeline::make_plan: everything init() checks about a capsule, and the
// layout of the caller's buffer, computed without touching memory.
#include "runtime/pipeline/pipeline.h"

#include <string.h>

#include "runtime/ops/op_context.h"

namespace locus {
namespace {

constexpr StatusCode kBad = StatusCode::kMalformed;

size_t round16(size_t n) { return (n + 15) & ~size_t{15}; }

const char* tensor_type_name(schema::TensorType t) {
  switch (t) {
    case schema::TensorType::Float32: return "float32";
    case schema::TensorType::Int8: return "int8";
    case schema::TensorType::Int16: return "int16";
    case schema::TensorType::Int32: return "int32";
    case schema::TensorType::UInt8: return "uint8";
  }
  return "unknown";
}

const char* sensor_kind_name(schema::SensorKind k) {
  switch (k) {
    case schema::SensorKind::Raw: return "raw";
    case schema::SensorKind::Audio: return "audio";
    case schema::SensorKind::Accelerometer: return "accelerometer";
    case schema::SensorKind::Image: return "image";
  }
  return "unknown";
}

// Values per frame the block writes (before any int8 mapping).
size_t block_features(const DspBlockConfig& c) {
  switch (c.kind) {
    case DspBlockKind::kAudioFrontend: return static_cast<size_t>(c.audio.channels);
    case DspBlockKind::kSpectrogram: return c.spectrogram.fft_length / 2 + 1;
    case DspBlockKind::kMfe: return c.mfe.mel_bands;
    case DspBlockKind::kMfcc: return c.mfcc.coefficients;
    case DspBlockKind::kImuFeatures: return dsp::ImuFeatures::feature_count(c.imu);
    case DspBlockKind::kImagePreprocess:
      return static_cast<size_t>(c.image.output_width) * static_cast<size_t>(c.image.output_height) *
             static_cast<size_t>(c.image.output_channels);
  }
  return 0;
}

// The block's own verdict on the config (its init() validates first, so an
// init without memory yields the validation message).
Status check_block(const DspBlockConfig& c) {
  switch (c.kind) {
    case DspBlockKind::kAudioFrontend:
      if (dsp::AudioFrontend::state_bytes(c.audio, c.sample_rate_hz) == 0) {
        dsp::AudioFrontend probe;
        return probe.init(c.audio, c.sample_rate_hz, nullptr, 0);
      }
      return Status::ok();
    case DspBlockKind::kSpectrogram:
      if (dsp::Spectrogram::state_bytes(c.spectrogram) == 0) {
        dsp::Spectrogram probe;
        return probe.init(c.spectrogram, nullptr, 0);
      }
      return Status::ok();
    case DspBlockKind::kMfe:
      if (dsp::Mfe::state_bytes(c.mfe) == 0) {
        dsp::Mfe probe;
        return probe.init(c.mfe, nullptr, 0);
      }
      return Status::ok();
    case DspBlockKind::kMfcc:
      if (dsp::Mfcc::state_bytes(c.mfcc) == 0) {
        dsp::Mfcc probe;
        return probe.init(c.mfcc, nullptr, 0);
      }
      return Status::ok();
    case DspBlockKind::kImuFeatures: return dsp::ImuFeatures::validate(c.imu);
    case DspBlockKind::kImagePreprocess: return dsp::ImagePreprocessor::validate(c.image);
  }
  return Status::error(StatusCode::kInternal, "unknown block kind");
}

schema::TensorType tensor_type_of(FeatureElement e) {
  switch (e) {
    case FeatureElement::kInt8: return schema::TensorType::Int8;
    case FeatureElement::kInt16: return schema::TensorType::Int16;
    case FeatureElement::kFloat32: return schema::TensorType::Float32;
    case FeatureElement::kUInt16: break;
  }
  return schema::TensorType::UInt8;  // no tensor type carries uint16 features
}

}  // namespace

Status Pipeline::make_plan(const Capsule& capsule, Plan* plan) {
  *plan = Plan();
  const schema::CapsuleBody* body = capsule.body();
  if (body == nullptr) {
    return Status::error(StatusCode::kFailedPrecondition, "pipeline: capsule is not open");
  }
  const schema::InputSpec* input = body->input();
  if (input == nullptr) return Status::error(kBad, "pipeline: capsule has no input spec");
  const schema::SensorKind sensor = input->sensor();

  // ---- the DSP block: exactly one, of a kind that fits the sensor.
  const auto* blocks = body->dsp();
  const uint32_t block_count = blocks ? blocks->size() : 0;
  const char* expected = sensor == schema::SensorKind::Audio ? "audio_frontend, spectrogram, mfe or mfcc"
                         : sensor == schema::SensorKind::Accelerometer ? "imu_features"
                         : sensor == schema::SensorKind::Image          ? "image_preprocess"
                                                                        : nullptr;
  if (expected == nullptr) {
    return Status::error(StatusCode::kUnsupported,
                         "pipeline: input sensor %s has no streaming pipeline in this runtime",
                         sensor_kind_name(sensor));
  }
  if (block_count != 1) {
    return Status::error(block_count == 0 ? kBad : StatusCode::kUnsupported,
                         "pipeline: capsule has %u dsp blocks, a %s pipeline needs exactly one (%s)",
                         unsigned(block_count), sensor_kind_name(sensor), expected);
  }
  DspBlockConfig& dsp = plan->dsp;
  LOCUS_RETURN_IF_ERROR(dsp_block_from_capsule(blocks->Get(0), 0, input->sample_rate_hz(), &dsp));
  const char* kind = dsp_block_kind_name(dsp.kind);
  const bool fits = sensor == schema::SensorKind::Audio ? dsp.is_audio()
                    : sensor == schema::SensorKind::Accelerometer
                        ? dsp.kind == DspBlockKind::kImuFeatures
                        : dsp.kind == DspBlockKind::kImagePreprocess;
  if (!fits) {
    return Status::error(kBad, "dsp block 0 (%s): does not take %s input (expected %s)", kind,
                         sensor_kind_name(sensor), expected);
  }
  {
    Status s = check_block(dsp);
    if (!s) return s.prefix("dsp block 0 (%s)", kind);
  }
  const size_t block_values = block_features(dsp);

  // ---- the model: one input, at least one output.
  const schema::Graph* graph = capsule.graph();
  if (graph == nullptr || graph->inputs() == nullptr || graph->outputs() == nullptr) {
    return Status::error(kBad, "pipeline: capsule has no model graph");
  }
  if (graph->inputs()->size() != 1 || graph->outputs()->size() < 1) {
    return Status::error(StatusCode::kUnsupported,
                         "pipeline: the model has %u inputs and %u outputs, a pipeline needs one "
                         "input and at least one output",
                         unsigned(graph->inputs()->size()), unsigned(graph->outputs()->size()));
  }
  const schema::Tensor* in = graph->tensors()->Get(static_cast<uint32_t>(graph->inputs()->Get(0)));
  const schema::Tensor* out =
      graph->tensors()->Get(static_cast<uint32_t>(graph->outputs()->Get(0)));
  const size_t input_bytes = static_cast<size_t>(ops::element_count(in)) * ops::type_size(in->type());
  const size_t output_values = static_cast<size_t>(ops::element_count(out));

  // ---- feature types: what the block produces must be what the model reads.
  const FeatureElement element = dsp.output_element();
  schema::TensorType feature_type = tensor_type_of(element);
  if (dsp.kind == DspBlockKind::kImuFeatures && in->type() == schema::TensorType::Int8) {
    // IMU features are float; they enter an int8 model through the model
    // input's own quantisation (as TFLite's QUANTIZE at the model boundary).
    feature_type = schema::TensorType::Int8;
  }
  if (element == FeatureElement::kUInt16) {
    return Status::error(kBad,
                         "pipeline: dsp block 0 (%s) produces uint16 features, model input 0 is %s "
                         "(set int8_output)",
                         kind, tensor_type_name(in->type()));
  }
  if (feature_type != in->type()) {
    const char* hint = "";
    if (dsp.kind == DspBlockKind::kAudioFrontend && !dsp.int8_output) hint = " (set int8_output)";
    if (dsp.is_spectral() && in->type() == schema::TensorType::Int8) hint = " (set quantize)";
    return Status::error(StatusCode::kMalformed,
                         "pipeline: dsp block 0 (%s) produces %s features, model input 0 is %s%s",
                         kind, feature_element_name(element), tensor_type_name(in->type()), hint);
  }
  plan->feature_type = feature_type;
  const size_t element_bytes = ops::type_size(feature_type);

  // ---- the feature window.
  const schema::FeatureWindow* fw = body->feature_window();
  if (dsp.kind == DspBlockKind::kImagePreprocess) {
    if (fw != nullptr && fw->frames() != 1) {
      return Status::error(kBad, "pipeline: feature window has %u frames, an image pipeline has 1",
                           unsigned(fw->frames()));
    }
    plan->window_frames = 1;
    plan->features = static_cast<uint32_t>(block_values);
    plan->stride_frames = 1;
  } else if (fw != nullptr) {
    plan->window_frames = fw->frames();
    plan->features = fw->features();
    plan->stride_frames = fw->stride_frames();
  } else {
    // No window in the capsule: as many whole frames as the input holds.
    const size_t frame = block_values * element_bytes;
    plan->window_frames = frame ? static_cast<uint32_t>(input_bytes / frame) : 0;
    plan->features = static_cast<uint32_t>(block_values);
    plan->stride_frames = 1;
  }
  if (plan->window_frames == 0 || plan->window_frames > 65536 || plan->stride_frames == 0 ||
      plan->stride_frames > 65536) {
    return Status::error(kBad, "pipeline: feature window of %u frames every %u frames is not usable",
                         unsigned(plan->window_frames), unsigned(plan->stride_frames));
  }
  if (plan->features != block_values) {
    return Status::error(kBad,
                         "pipeline: feature window has %u features per frame, dsp block 0 (%s) "
                         "produces %zu",
                         unsigned(plan->features), kind, block_values);
  }
  plan->frame_bytes = block_values * element_bytes;
  const uint64_t window_bytes = uint64_t{plan->window_frames} * plan->frame_bytes;
  if (window_bytes != input_bytes) {
    return Status::error(kBad,
                         "pipeline: feature window %u frames x %u features x %zu bytes = %llu "
                         "bytes, model input 0 has %zu",
                         unsigned(plan->window_frames), unsigned(plan->features), element_bytes,
                         static_cast<unsigned long long>(window_bytes), input_bytes);
  }

  // ---- time between inferences, for averaging.
  if (dsp.is_audio()) {
    plan->stride_ms = static_cast<double>(plan->stride_frames) * dsp.frame_step() * 1000.0 /
                      static_cast<double>(dsp.sample_rate_hz);
  } else if (dsp.kind == DspBlockKind::kImuFeatures) {
    plan->stride_ms = static_cast<double>(plan->stride_frames) * dsp.imu_stride_frames * 1000.0 /
                      static_cast<double>(dsp.imu.sample_rate_hz);
  } else {
    plan->stride_ms = input->stride_ms();
  }

  // ---- post-processing: labels against the model output.
  const schema::PostProcess* post = body->postprocess();
  const uint32_t labels = body->labels() ? body->labels()->size() : 0;
  const bool anomaly = post != nullptr && post->kind() == schema::PostProcessKind::Anomaly;
  uint32_t label_count = 0;
  if (anomaly) {
    if (output_values * ops::type_size(out->type()) != 0 &&
        output_values != static_cast<size_t>(ops::element_count(in))) {
      return Status::error(kBad,
                           "pipeline: anomaly scoring compares output 0 (%zu values) with input 0 "
                           "(%lld values); they must match",
                           output_values, static_cast<long long>(ops::element_count(in)));
    }
  } else {
    if (labels > kMaxPipelineLabels || (labels == 0 && output_values > kMaxPipelineLabels)) {
      return Status::error(StatusCode::kUnsupported,
                           "pipeline: %zu labels, this runtime supports at most %u",
                           labels ? size_t{labels} : output_values, unsigned(kMaxPipelineLabels));
    }
    if (labels != 0 && labels != output_values) {
      return Status::error(kBad, "pipeline: capsule has %u labels, model output 0 has %zu scores",
                           unsigned(labels), output_values);
    }
    label_count = static_cast<uint32_t>(output_values);
  }
  LOCUS_RETURN_IF_ERROR(
      postprocess_config_from_capsule(post, label_count, plan->stride_ms, &plan->post));

  // ---- memory layout.
  size_t at = 0;
  auto take = [&at](size_t bytes, size_t* offset, size_t* size) {
    *offset = at;
    *size = round16(bytes);
    at += *size;
  };
  take(dsp_block_state_bytes(dsp), &plan->dsp_offset, &plan->dsp_bytes);
  size_t ring = static_cast<size_t>(window_bytes);
  // Classifying images writes straight into the model input; anomaly
  // scoring keeps the input, since the graph may reuse the input's bytes.
  if (dsp.kind == DspBlockKind::kImagePreprocess && !anomaly) ring = 0;
  take(ring, &plan->ring_offset, &plan->ring_bytes);
  const size_t scratch = dsp.kind == DspBlockKind::kImagePreprocess ? 0 : block_values * 4;
  take(scratch, &plan->scratch_offset, &plan->scratch_bytes);
  const size_t samples = dsp.kind == DspBlockKind::kImuFeatures
                             ? sizeof(float) * static_cast<size_t>(dsp.imu.max_frames) *
                                   static_cast<size_t>(dsp.imu.axes)
                             : 0;
  take(samples, &plan->samples_offset, &plan->samples_bytes);
  take(PostProcessor::history_bytes(plan->post), &plan->history_offset, &plan->history_bytes);
  take(capsule.arena_bytes(), &plan->arena_offset, &plan->arena_bytes);
  plan->total_bytes = at;
  return Status::ok();
}

Status Pipeline::memory_bytes(const Capsule& capsule, size_t* bytes) {
  *bytes = 0;
  Plan plan;
  LOCUS_RETURN_IF_ERROR(make_plan(capsule, &plan));
  *bytes = plan.total_bytes;
  return Status::ok();
}

}  // namespace locus
