#include "runtime/ops/op_context.h"

#include <math.h>

namespace locus::ops {

int64_t element_count(const schema::Tensor* t) {
  int64_t n = 1;
  for (int32_t d : *t->shape()) n *= d;
  return n;
}

int32_t rank(const schema::Tensor* t) { return static_cast<int32_t>(t->shape()->size()); }

int32_t dim(const schema::Tensor* t, int32_t i) { return t->shape()->Get(static_cast<uint32_t>(i)); }

kernels::Dims4 dims4(const schema::Tensor* t) {
  int32_t d[4] = {1, 1, 1, 1};
  const int32_t r = rank(t);
  for (int32_t i = 0; i < r && i < 4; ++i) d[4 - r + i] = dim(t, i);
  kernels::Dims4 out;
  out.n = d[0];
  out.h = d[1];
  out.w = d[2];
  out.c = d[3];
  return out;
}

bool same_shape(const schema::Tensor* a, const schema::Tensor* b) {
  if (rank(a) != rank(b)) return false;
  for (int32_t i = 0; i < rank(a); ++i) {
    if (dim(a, i) != dim(b, i)) return false;
  }
  return true;
}

int32_t zero_point(const schema::Tensor* t) {
  const auto* q = t->quantization();
  if (q == nullptr || q->zero_point() == nullptr || q->zero_point()->size() == 0) return 0;
  return q->zero_point()->Get(0);
}

float scale(const schema::Tensor* t) {
  const auto* q = t->quantization();
  if (q == nullptr || q->scale() == nullptr || q->scale()->size() == 0) return 0.0f;
  return q->scale()->Get(0);
}

Status expect_arity(const OpContext& ctx, int min_inputs, int max_inputs, int outputs) {
  if (ctx.input_count() < min_inputs || ctx.input_count() > max_inputs) {
    return Status::error(StatusCode::kMalformed, "has %d inputs, expected %d..%d",
                         ctx.input_count(), min_inputs, max_inputs);
  }
  if (ctx.output_count() != outputs) {
    return Status::error(StatusCode::kMalformed, "has %d outputs, expected %d",
                         ctx.output_count(), outputs);
  }
  for (int i = 0; i < min_inputs; ++i) {
    if (ctx.input(i) == nullptr) {
      return Status::error(StatusCode::kMalformed, "required input %d is absent", i);
    }
  }
  for (int i = 0; i < outputs; ++i) {
    if (ctx.output(i) == nullptr || ctx.output(i)->data() != nullptr) {
      return Status::error(StatusCode::kMalformed, "output %d must be a non-constant tensor", i);
    }
  }
  return Status::ok();
}

Status expect_type(const schema::Tensor* t, schema::TensorType type, const char* role) {
  if (t->type() != type) {
    return Status::error(StatusCode::kUnsupported, "%s has type %s, expected %s", role,
                         schema::EnumNameTensorType(t->type()), schema::EnumNameTensorType(type));
  }
  return Status::ok();
}

Status expect_rank(const schema::Tensor* t, int32_t min_rank, int32_t max_rank, const char* role) {
  if (rank(t) < min_rank || rank(t) > max_rank) {
    return Status::error(StatusCode::kMalformed, "%s has rank %d, expected %d..%d", role, rank(t),
                         min_rank, max_rank);
  }
  return Status::ok();
}

Status expect_range(int64_t value, int64_t lo, int64_t hi, const char* what) {
  if (value < lo || value > hi) {
    return Status::error(StatusCode::kMalformed, "%s is %lld, expected %lld..%lld", what,
                         static_cast<long long>(value), static_cast<long long>(lo),
                         static_cast<long long>(hi));
  }
  return Status::ok();
}

Status expect_activation(int32_t min, int32_t max) {
  LOCUS_RETURN_IF_ERROR(expect_range(min, -128, 127, "activation_min"));
  LOCUS_RETURN_IF_ERROR(expect_range(max, -128, 127, "activation_max"));
  if (min > max) {
    return Status::error(StatusCode::kMalformed, "activation_min %d exceeds activation_max %d",
                         min, max);
  }
  return Status::ok();
}

Status expect_multiplier(int32_t multiplier, int32_t shift, const char* what) {
  if (multiplier < 0) {
    return Status::error(StatusCode::kMalformed, "%s multiplier %d is negative", what, multiplier);
  }
  if (shift < -31 || shift > 30) {
    return Status::error(StatusCode::kMalformed, "%s shift %d outside -31..30", what, shift);
  }
  return Status::ok();
}

Status expect_requant(const flatbuffers::Vector<int32_t>* multipliers,
                      const flatbuffers::Vector<int32_t>* shifts, int32_t channels) {
  if (multipliers == nullptr || shifts == nullptr) {
    return Status::error(StatusCode::kMalformed, "output multipliers missing");
  }
  if (multipliers->size() != shifts->size() ||
      (multipliers->size() != 1 && static_cast<int32_t>(multipliers->size()) != channels)) {
    return Status::error(StatusCode::kMalformed,
                         "%u multipliers and %u shifts for %d output channels",
                         multipliers->size(), shifts->size(), channels);
  }
  for (uint32_t i = 0; i < multipliers->size(); ++i) {
    LOCUS_RETURN_IF_ERROR(expect_multiplier(multipliers->Get(i), shifts->Get(i), "output"));
  }
  return Status::ok();
}

Status expect_quantized(const schema::Tensor* t, const char* role) {
  const auto* q = t->quantization();
  if (q == nullptr || q->scale() == nullptr || q->scale()->size() == 0 ||
      q->zero_point() == nullptr || q->zero_point()->size() == 0) {
    return Status::error(StatusCode::kMalformed, "%s has no quantisation", role);
  }
  const float s = q->scale()->Get(0);
  if (!(s > 0.0f) || !isfinite(s)) {
    return Status::error(StatusCode::kMalformed, "%s scale is not a positive finite number", role);
  }
  return Status::ok();
}

bool same_quantization(const schema::Tensor* a, const schema::Tensor* b) {
  return scale(a) == scale(b) && zero_point(a) == zero_point(b);
}

size_t type_size(schema::TensorType type) {
  switch (type) {
    case schema::TensorType::Float32: return 4;
    case schema::TensorType::Int8: return 1;
    case schema::TensorType::Int16: return 2;
    case schema::TensorType::Int32: return 4;
    case schema::TensorType::UInt8: return 1;
  }
  return 0;
}

}  // namespace locus::ops
