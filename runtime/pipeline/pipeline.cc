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

Status Pipeline::init_block(uint8_t* memory) {
  uint8_t* state = memory + plan_.dsp_offset;
  const size_t bytes = plan_.dsp_bytes;
  const DspBlockConfig& c = plan_.dsp;
  spectral_ = nullptr;
  switch (c.kind) {
    case DspBlockKind::kAudioFrontend:
      return frontend_.init(c.audio, c.sample_rate_hz, state, bytes);
    case DspBlockKind::kSpectrogram:
      spectral_ = &spectrogram_;
      LOCUS_RETURN_IF_ERROR(spectrogram_.init(c.spectrogram, state, bytes));
      break;
    case DspBlockKind::kMfe:
      spectral_ = &mfe_;
      LOCUS_RETURN_IF_ERROR(mfe_.init(c.mfe, state, bytes));
      break;
    case DspBlockKind::kMfcc:
      spectral_ = &mfcc_;
      LOCUS_RETURN_IF_ERROR(mfcc_.init(c.mfcc, state, bytes));
      break;
    case DspBlockKind::kImuFeatures: return imu_.init(c.imu, state, bytes);
    case DspBlockKind::kImagePreprocess: return image_.init(c.image, state, bytes);
  }
  if (spectral_ != nullptr && c.quantize && c.arithmetic() == dsp::Arithmetic::kFixed) {
    return fixed_quantizer_.init(c.quant_scale, c.quant_zero_point, c.fixed_frac_bits());
  }
  return Status::ok();
}

Status Pipeline::init(const Capsule& capsule, uint8_t* memory, size_t bytes) {
  ready_ = false;
  LOCUS_RETURN_IF_ERROR(make_plan(capsule, &plan_));
  if (memory == nullptr || (reinterpret_cast<uintptr_t>(memory) & 15) != 0) {
    return Status::error(StatusCode::kInvalidArgument,
                         "pipeline: memory must be non-null and 16-byte aligned");
  }
  if (bytes < plan_.total_bytes) {
    return Status::error(StatusCode::kResourceExhausted,
                         "pipeline: memory has %zu bytes, this capsule needs %zu", bytes,
                         plan_.total_bytes);
  }
  body_ = capsule.body();
  {
    Status s = init_block(memory);
    if (!s) return s.prefix("dsp block 0 (%s)", dsp_block_kind_name(plan_.dsp.kind));
  }
  ring_ = plan_.ring_bytes ? memory + plan_.ring_offset : nullptr;
  scratch_ = plan_.scratch_bytes ? memory + plan_.scratch_offset : nullptr;
  samples_ = plan_.samples_bytes ? reinterpret_cast<float*>(memory + plan_.samples_offset) : nullptr;
  {
    Status s = engine_.init(capsule, memory + plan_.arena_offset, plan_.arena_bytes);
    if (!s) return s.prefix("pipeline");
  }
  if (engine_.has_self_test()) {
    Status s = engine_.run_self_test();
    if (!s) return s.prefix("pipeline: self-test failed");
  }
  const TensorView in = engine_.input(0);
  input_scale_ = in.scale;
  input_zero_point_ = in.zero_point;
  if (plan_.dsp.kind == DspBlockKind::kImuFeatures && in.type == schema::TensorType::Int8 &&
      !(in.scale > 0.0f)) {
    return Status::error(kBad, "pipeline: model input 0 is int8 without a positive scale");
  }
  LOCUS_RETURN_IF_ERROR(post_.init(plan_.post, memory + plan_.history_offset, plan_.history_bytes));
  ready_ = true;
  reset();
  return Status::ok();
}

void Pipeline::reset() {
  if (!ready_) return;
  switch (plan_.dsp.kind) {
    case DspBlockKind::kAudioFrontend: frontend_.reset(); break;
    case DspBlockKind::kSpectrogram:
    case DspBlockKind::kMfe:
    case DspBlockKind::kMfcc: spectral_->reset(); break;
    default: break;
  }
  post_.reset();
  head_ = 0;
  frames_to_next_ = plan_.window_frames;
  position_ = 0;
  dsp_us_ = 0;
  imu_fill_ = 0;
  imu_skip_ = 0;
}

const char* Pipeline::label(int32_t index) const {
  if (body_ == nullptr || body_->labels() == nullptr || index < 0 ||
      static_cast<uint32_t>(index) >= body_->labels()->size()) {
    return "";
  }
  const flatbuffers::String* s = body_->labels()->Get(static_cast<uint32_t>(index));
  return s ? s->c_str() : "";
}

const char* Pipeline::sensor_name() const {
  if (plan_.dsp.is_audio()) return "audio";
  return plan_.dsp.kind == DspBlockKind::kImuFeatures ? "accelerometer" : "image";
}

uint64_t Pipeline::timestamp_ms() const {
  const DspBlockConfig& c = plan_.dsp;
  if (c.is_audio()) return position_ * 1000 / c.sample_rate_hz;
  if (c.kind == DspBlockKind::kImuFeatures) {
    return static_cast<uint64_t>(static_cast<double>(position_) * 1000.0 /
                                 static_cast<double>(c.imu.sample_rate_hz));
  }
  return static_cast<uint64_t>(static_cast<double>(position_) * plan_.stride_ms);
}

// Moves the block's raw frame in scratch_ into the ring's next slot, in the
// model input's type.
void Pipeline::store_frame() {
  int8_t* slot8 = reinterpret_cast<int8_t*>(ring_ + size_t{head_} * plan_.frame_bytes);
  uint8_t* slot = ring_ + size_t{head_} * plan_.frame_bytes;
  const DspBlockConfig& c = plan_.dsp;
  const size_t n = plan_.features;
  switch (c.kind) {
    case DspBlockKind::kAudioFrontend:
      // int8_output is required by make_plan (no tensor type holds uint16).
      dsp::frontend_to_int8_micro_speech(reinterpret_cast<const uint16_t*>(scratch_),
                                         static_cast<int32_t>(n), slot8);
      break;
    case DspBlockKind::kSpectrogram:
    case DspBlockKind::kMfe:
    case DspBlockKind::kMfcc:
      if (c.arithmetic() == dsp::Arithmetic::kFixed) {
        const auto* v = reinterpret_cast<const int16_t*>(scratch_);
        if (c.quantize) fixed_quantizer_.quantize(v, n, slot8);
        else memcpy(slot, v, n * sizeof(int16_t));
      } else {
        const auto* v = reinterpret_cast<const float*>(scratch_);
        if (c.quantize) dsp::quantize_features(v, n, c.quant_scale, c.quant_zero_point, slot8);
        else memcpy(slot, v, n * sizeof(float));
      }
      break;
    case DspBlockKind::kImuFeatures: {
      const auto* v = reinterpret_cast<const float*>(scratch_);
      if (plan_.feature_type == schema::TensorType::Int8) {
        dsp::quantize_features(v, n, input_scale_, input_zero_point_, slot8);
      } else {
        memcpy(slot, v, n * sizeof(float));
      }
      break;
    }
    case DspBlockKind::kImagePreprocess: break;
  }
  head_ = head_ + 1 == plan_.window_frames ? 0 : head_ + 1;
}

float Pipeline::mean_squared_error() const {
  // The input as the model saw it: the ring, oldest frame (head_) first.
  const TensorView in = engine_.input(0);
  const TensorView out = engine_.output(0);
  const size_t n = plan_.features;
  float sum = 0.0f;
  size_t i = 0;
  for (uint32_t f = 0; f < plan_.window_frames; ++f) {
    uint32_t slot = head_ + f;
    if (slot >= plan_.window_frames) slot -= plan_.window_frames;
    const uint8_t* frame = ring_ + size_t{slot} * plan_.frame_bytes;
    for (size_t j = 0; j < n; ++j, ++i) {
      const float x = dequantize_value(in.type, frame, j, in.scale, in.zero_point);
      const float y = dequantize_value(out.type, out.data, i, out.scale, out.zero_point);
      const float d = y - x;
      sum += d * d;
    }
  }
  return i ? sum / static_cast<float>(i) : 0.0f;
}

Status Pipeline::run_inference(PipelineResult* result, uint64_t dsp_us) {
  *result = PipelineResult();
  const TensorView in = engine_.input(0);
  if (ring_ != nullptr && plan_.dsp.kind != DspBlockKind::kImagePreprocess) {
    // Oldest first: head_ is the next slot to write, i.e. the oldest frame.
    const size_t older = size_t{plan_.window_frames - head_} * plan_.frame_bytes;
    memcpy(in.data, ring_ + size_t{head_} * plan_.frame_bytes, older);
    memcpy(static_cast<uint8_t*>(in.data) + older, ring_, size_t{head_} * plan_.frame_bytes);
  } else if (ring_ != nullptr) {
    memcpy(in.data, ring_, plan_.frame_bytes);
  }
  const uint64_t t0 = now();
  LOCUS_RETURN_IF_ERROR(engine_.invoke());
  const uint64_t t1 = now();
  result->end_index = position_;
  result->timestamp_ms = timestamp_ms();
  if (plan_.post.kind == schema::PostProcessKind::Anomaly) {
    post_.anomaly(mean_squared_error(), result->timestamp_ms, result);
  } else {
    const TensorView out = engine_.output(0);
    dequantize_values(out.type, out.data, plan_.post.label_count, out.scale, out.zero_point,
                      result->scores);
    post_.classify(result->scores, result->timestamp_ms, result);
  }
  const uint64_t t2 = now();
  result->dsp_us = static_cast<uint32_t>(dsp_us);
  result->model_us = static_cast<uint32_t>(t1 - t0);
  result->post_us = static_cast<uint32_t>(t2 - t1);
  return Status::ok();
}

Status Pipeline::push(const int16_t* samples, size_t count, size_t* consumed,
                      PipelineResult* result, bool* has_result) {
  if (consumed == nullptr || result == nullptr || has_result == nullptr) {
    return Status::error(StatusCode::kInvalidArgument, "pipeline.push: null output pointer");
  }
  *consumed = 0;
  *has_result = false;
  if (!ready_) {
    return Status::error(StatusCode::kFailedPrecondition, "pipeline.push: init() has not succeeded");
  }
  if (!plan_.dsp.is_audio()) {
    return Status::error(StatusCode::kFailedPrecondition,
                         "pipeline.push: this is a %s pipeline, push() takes audio",
                         sensor_name());
  }
  if (samples == nullptr && count > 0) {
    return Status::error(StatusCode::kInvalidArgument, "pipeline.push: samples is null");
  }
  while (*consumed < count) {
    const uint64_t t0 = now();
    size_t used = 0;
    bool produced = false;
    Status s;
    if (plan_.dsp.kind == DspBlockKind::kAudioFrontend) {
      s = frontend_.process(samples + *consumed, count - *consumed, &used,
                            reinterpret_cast<uint16_t*>(scratch_), &produced);
    } else if (plan_.dsp.arithmetic() == dsp::Arithmetic::kFixed) {
      s = spectral_->process(samples + *consumed, count - *consumed, &used,
                             reinterpret_cast<int16_t*>(scratch_), &produced);
    } else {
      s = spectral_->process(samples + *consumed, count - *consumed, &used,
                             reinterpret_cast<float*>(scratch_), &produced);
    }
    if (!s) return s.prefix("pipeline.push: dsp block 0 (%s)", dsp_block_kind_name(plan_.dsp.kind));
    *consumed += used;
    position_ += used;
    if (produced) store_frame();
    dsp_us_ += now() - t0;
    if (produced && --frames_to_next_ == 0) {
      frames_to_next_ = plan_.stride_frames;
      const uint64_t dsp_us = dsp_us_;
      dsp_us_ = 0;
      LOCUS_RETURN_IF_ERROR(run_inference(result, dsp_us));
      *has_result = true;
      return Status::ok();
    }
    if (used == 0) break;  // the block made no progress (cannot happen with count > 0)
  }
  return Status::ok();
}

Status Pipeline::push_imu(const float* interleaved, size_t frames, size_t* consumed,
                          PipelineResult* result, bool* has_result) {
  if (consumed == nullptr || result == nullptr || has_result == nullptr) {
    return Status::error(StatusCode::kInvalidArgument, "pipeline.push_imu: null output pointer");
  }
  *consumed = 0;
  *has_result = false;
  if (!ready_) {
    return Status::error(StatusCode::kFailedPrecondition,
                         "pipeline.push_imu: init() has not succeeded");
  }
  if (plan_.dsp.kind != DspBlockKind::kImuFeatures) {
    return Status::error(StatusCode::kFailedPrecondition,
                         "pipeline.push_imu: this is a %s pipeline, push_imu() takes IMU frames",
                         sensor_name());
  }
  if (interleaved == nullptr && frames > 0) {
    return Status::error(StatusCode::kInvalidArgument, "pipeline.push_imu: samples is null");
  }
  const size_t axes = static_cast<size_t>(plan_.dsp.imu.axes);
  const uint32_t window = static_cast<uint32_t>(plan_.dsp.imu.max_frames);
  const uint32_t stride = static_cast<uint32_t>(plan_.dsp.imu_stride_frames);
  while (*consumed < frames) {
    const size_t left = frames - *consumed;
    if (imu_skip_ > 0) {
      const size_t n = left < imu_skip_ ? left : imu_skip_;
      imu_skip_ -= static_cast<uint32_t>(n);
      *consumed += n;
      position_ += n;
      continue;
    }
    const size_t room = window - imu_fill_;
    const size_t n = left < room ? left : room;
    memcpy(samples_ + size_t{imu_fill_} * axes, interleaved + *consumed * axes,
           n * axes * sizeof(float));
    imu_fill_ += static_cast<uint32_t>(n);
    *consumed += n;
    position_ += n;
    if (imu_fill_ < window) continue;
    const uint64_t t0 = now();
    Status s = imu_.compute(samples_, static_cast<int32_t>(window),
                            reinterpret_cast<float*>(scratch_));
    if (!s) return s.prefix("pipeline.push_imu: dsp block 0 (imu_features)");
    store_frame();
    if (stride < window) {
      memmove(samples_, samples_ + size_t{stride} * axes, size_t{window - stride} * axes * sizeof(float));
      imu_fill_ = window - stride;
    } else {
      imu_fill_ = 0;
      imu_skip_ = stride - window;
    }
    dsp_us_ += now() - t0;
    if (--frames_to_next_ == 0) {
      frames_to_next_ = plan_.stride_frames;
      const uint64_t dsp_us = dsp_us_;
      dsp_us_ = 0;
      LOCUS_RETURN_IF_ERROR(run_inference(result, dsp_us));
      *has_result = true;
      return Status::ok();
    }
  }
  return Status::ok();
}

Status Pipeline::infer_image(const uint8_t* pixels, int32_t width, int32_t height,
                             dsp::PixelFormat format, PipelineResult* result) {
  if (result == nullptr) {
    return Status::error(StatusCode::kInvalidArgument, "pipeline.infer_image: result is null");
  }
  if (!ready_) {
    return Status::error(StatusCode::kFailedPrecondition,
                         "pipeline.infer_image: init() has not succeeded");
  }
  if (plan_.dsp.kind != DspBlockKind::kImagePreprocess) {
    return Status::error(StatusCode::kFailedPrecondition,
                         "pipeline.infer_image: this is a %s pipeline, infer_image() takes images",
                         sensor_name());
  }
  if (pixels == nullptr) {
    return Status::error(StatusCode::kInvalidArgument, "pipeline.infer_image: pixels is null");
  }
  const uint64_t t0 = now();
  int8_t* out = ring_ != nullptr ? reinterpret_cast<int8_t*>(ring_) : engine_.input(0).as<int8_t>();
  Status s = image_.process(pixels, width, height, format, out);
  if (!s) return s.prefix("pipeline.infer_image: dsp block 0 (image_preprocess)");
  const uint64_t dsp_us = now() - t0;
  ++position_;
  return run_inference(result, dsp_us);
}

}  // namespace locus
