// Pipeline: initialising from a plan and streaming samples through it.
#include "runtime/pipeline/pipeline.h"

#include <string.h>

#include "runtime/ops/op_context.h"

namespace locus {
namespace {
constexpr StatusCode kBad = StatusCode::kMalformed;
}  // namespace

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
  window_.init(ring_, plan_.window_frames, plan_.frame_bytes, plan_.stride_frames);
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
  window_.reset();
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
bool Pipeline::store_frame() {
  uint8_t* slot = window_.next_slot();
  int8_t* slot8 = reinterpret_cast<int8_t*>(slot);
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
  return window_.commit();
}

float Pipeline::mean_squared_error() const {
  // The input as the model saw it: the window, oldest frame first.
  const TensorView in = engine_.input(0);
  const TensorView out = engine_.output(0);
  const size_t n = plan_.features;
  float sum = 0.0f;
  size_t i = 0;
  for (uint32_t f = 0; f < plan_.window_frames; ++f) {
    const uint8_t* frame = window_.frame(f);
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
    window_.copy_window(static_cast<uint8_t*>(in.data));
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
    const bool due = produced && store_frame();
    dsp_us_ += now() - t0;
    if (due) {
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
    const bool due = store_frame();
    if (stride < window) {
      memmove(samples_, samples_ + size_t{stride} * axes, size_t{window - stride} * axes * sizeof(float));
      imu_fill_ = window - stride;
    } else {
      imu_fill_ = 0;
      imu_skip_ = stride - window;
    }
    dsp_us_ += now() - t0;
    if (due) {
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
