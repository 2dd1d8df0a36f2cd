#include "runtime/pipeline/postprocess.h"

#include <string.h>

namespace locus {
namespace {

bool finite(float v) { return v == v && v - v == 0.0f; }

size_t round16(size_t n) { return (n + 15) & ~size_t{15}; }

}  // namespace

Status postprocess_config_from_capsule(const schema::PostProcess* p, uint32_t label_count,
                                       double stride_ms, PostProcessConfig* out) {
  *out = PostProcessConfig();
  out->label_count = label_count;
  if (label_count > kMaxPipelineLabels) {
    return Status::error(StatusCode::kUnsupported,
                         "postprocess: %u labels, this runtime supports at most %u",
                         unsigned(label_count), unsigned(kMaxPipelineLabels));
  }
  if (p == nullptr) {
    out->raise_events = false;
    return Status::ok();
  }
  if (p->kind() != schema::PostProcessKind::Classify &&
      p->kind() != schema::PostProcessKind::Anomaly) {
    return Status::error(StatusCode::kUnsupported, "postprocess: kind %u is not known",
                         unsigned(p->kind()));
  }
  out->kind = p->kind();
  if (!finite(p->threshold())) {
    return Status::error(StatusCode::kMalformed, "postprocess: threshold is not finite");
  }
  if (!finite(p->anomaly_threshold())) {
    return Status::error(StatusCode::kMalformed, "postprocess: anomaly_threshold is not finite");
  }
  out->threshold = p->threshold();
  out->anomaly_threshold = p->anomaly_threshold();
  out->suppress_ms = p->suppress_ms();
  if (p->average_ms() > 0 && stride_ms > 0.0) {
    // Rounded down, at least one inference; bounded so the history stays small.
    double n = static_cast<double>(p->average_ms()) / stride_ms;
    if (n > 1024.0) {
      return Status::error(StatusCode::kUnsupported,
                           "postprocess: average_ms %u spans more than 1024 inferences",
                           unsigned(p->average_ms()));
    }
    out->average_count = n < 1.0 ? 1u : static_cast<uint32_t>(n);
  }
  if (const auto* bg = p->background_labels()) {
    for (uint32_t i = 0; i < bg->size(); ++i) {
      const int32_t label = bg->Get(i);
      if (label < 0 || static_cast<uint32_t>(label) >= label_count) {
        return Status::error(StatusCode::kMalformed,
                             "postprocess: background label %d is not one of the %u labels",
                             int(label), unsigned(label_count));
      }
      out->background_mask |= uint64_t{1} << label;
    }
  }
  return Status::ok();
}

size_t PostProcessor::history_bytes(const PostProcessConfig& c) {
  if (c.kind != schema::PostProcessKind::Classify) return 0;
  return round16(sizeof(float) * size_t{c.average_count} * c.label_count) +
         round16(sizeof(float) * c.label_count);
}

Status PostProcessor::init(const PostProcessConfig& config, uint8_t* memory, size_t bytes) {
  *this = PostProcessor();
  if (config.label_count > kMaxPipelineLabels || config.average_count == 0) {
    return Status::error(StatusCode::kInvalidArgument, "postprocess: invalid configuration");
  }
  const size_t need = history_bytes(config);
  if (bytes < need) {
    return Status::error(StatusCode::kResourceExhausted,
                         "postprocess: history needs %zu bytes, got %zu", need, bytes);
  }
  if (need > 0 && (reinterpret_cast<uintptr_t>(memory) & 3) != 0) {
    return Status::error(StatusCode::kInvalidArgument, "postprocess: memory is not aligned");
  }
  config_ = config;
  if (need > 0) {
    history_ = reinterpret_cast<float*>(memory);
    sums_ = reinterpret_cast<float*>(
        memory + round16(sizeof(float) * size_t{config.average_count} * config.label_count));
  }
  reset();
  return Status::ok();
}

void PostProcessor::reset() {
  next_row_ = 0;
  rows_ = 0;
  has_event_ = false;
  last_event_ms_ = 0;
}

bool PostProcessor::may_raise(uint64_t timestamp_ms) const {
  if (!config_.raise_events) return false;
  return !has_event_ || timestamp_ms - last_event_ms_ >= config_.suppress_ms;
}

void PostProcessor::classify(const float* scores, uint64_t timestamp_ms, PipelineResult* r) {
  const uint32_t n = config_.label_count;
  r->label_count = n;
  r->event = false;
  r->top_label = -1;
  r->top_score = 0.0f;
  r->top_average = 0.0f;
  if (n == 0) return;
  memcpy(history_ + size_t{next_row_} * n, scores, sizeof(float) * n);
  next_row_ = next_row_ + 1 == config_.average_count ? 0 : next_row_ + 1;
  if (rows_ < config_.average_count) ++rows_;
  // Summed fresh every time (no drift from a running sum), oldest row first.
  for (uint32_t j = 0; j < n; ++j) sums_[j] = 0.0f;
  const uint32_t first = rows_ < config_.average_count ? 0 : next_row_;
  for (uint32_t k = 0; k < rows_; ++k) {
    uint32_t row = first + k;
    if (row >= config_.average_count) row -= config_.average_count;
    const float* h = history_ + size_t{row} * n;
    for (uint32_t j = 0; j < n; ++j) sums_[j] += h[j];
  }
  int32_t top = 0;
  for (uint32_t j = 0; j < n; ++j) {
    r->scores[j] = scores[j];
    r->average[j] = sums_[j] / static_cast<float>(rows_);
    if (r->average[j] > r->average[top]) top = static_cast<int32_t>(j);
  }
  r->top_label = top;
  r->top_score = r->scores[top];
  r->top_average = r->average[top];
  const bool background = (config_.background_mask >> top) & 1u;
  if (!background && r->top_average >= config_.threshold && may_raise(timestamp_ms)) {
    r->event = true;
    has_event_ = true;
    last_event_ms_ = timestamp_ms;
  }
}

void PostProcessor::anomaly(float score, uint64_t timestamp_ms, PipelineResult* r) {
  r->anomaly_score = score;
  r->event = false;
  if (score >= config_.anomaly_threshold && may_raise(timestamp_ms)) {
    r->event = true;
    has_event_ = true;
    last_event_ms_ = timestamp_ms;
  }
}

float dequantize_value(schema::TensorType type, const void* data, size_t i, float scale,
                       int32_t zero_point) {
  switch (type) {
    case schema::TensorType::Float32: return static_cast<const float*>(data)[i];
    case schema::TensorType::Int8:
      return scale * static_cast<float>(int32_t{static_cast<const int8_t*>(data)[i]} - zero_point);
    case schema::TensorType::UInt8:
      return scale * static_cast<float>(int32_t{static_cast<const uint8_t*>(data)[i]} - zero_point);
    case schema::TensorType::Int16:
      return scale * static_cast<float>(int32_t{static_cast<const int16_t*>(data)[i]} - zero_point);
    case schema::TensorType::Int32:
      return scale * static_cast<float>(int64_t{static_cast<const int32_t*>(data)[i]} - zero_point);
  }
  return 0.0f;
}

void dequantize_values(schema::TensorType type, const void* data, size_t count, float scale,
                       int32_t zero_point, float* out) {
  for (size_t i = 0; i < count; ++i) out[i] = dequantize_value(type, data, i, scale, zero_point);
}

}  // namespace locus
