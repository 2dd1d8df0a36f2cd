#include "runtime/engine/engine.h"

#include <string.h>

#include "runtime/ops/op_context.h"

namespace locus {

Status Engine::init(const Capsule& capsule, uint8_t* arena, size_t arena_size) {
  graph_ = nullptr;
  if (capsule.body() == nullptr) {
    return Status::error(StatusCode::kFailedPrecondition, "engine: capsule is not open");
  }
  if (arena == nullptr && capsule.arena_bytes() > 0) {
    return Status::error(StatusCode::kInvalidArgument, "engine: arena is null");
  }
  if ((reinterpret_cast<uintptr_t>(arena) & (kArenaAlignment - 1)) != 0) {
    return Status::error(StatusCode::kInvalidArgument, "engine: arena must be %zu-byte aligned",
                         kArenaAlignment);
  }
  if (arena_size < capsule.arena_bytes()) {
    return Status::error(StatusCode::kResourceExhausted,
                         "engine: arena has %zu bytes, the capsule needs %zu", arena_size,
                         capsule.arena_bytes());
  }
  graph_ = capsule.graph();
  body_ = capsule.body();
  arena_ = arena;
  return Status::ok();
}

size_t Engine::input_count() const { return graph_ ? graph_->inputs()->size() : 0; }
size_t Engine::output_count() const { return graph_ ? graph_->outputs()->size() : 0; }

TensorView Engine::view(int32_t tensor_index) const {
  const schema::Tensor* t = graph_->tensors()->Get(static_cast<uint32_t>(tensor_index));
  TensorView v;
  v.type = t->type();
  v.dims = t->shape()->data();
  v.rank = static_cast<int32_t>(t->shape()->size());
  v.data = arena_ + t->arena_offset();
  v.bytes = static_cast<size_t>(ops::element_count(t)) * ops::type_size(t->type());
  v.scale = ops::scale(t);
  v.zero_point = ops::zero_point(t);
  return v;
}

TensorView Engine::input(size_t i) const {
  if (graph_ == nullptr || i >= input_count()) return TensorView();
  return view(graph_->inputs()->Get(static_cast<uint32_t>(i)));
}

TensorView Engine::output(size_t i) const {
  if (graph_ == nullptr || i >= output_count()) return TensorView();
  const int32_t index = graph_->outputs()->Get(static_cast<uint32_t>(i));
  const schema::Tensor* t = graph_->tensors()->Get(static_cast<uint32_t>(index));
  TensorView v = view(index);
  // An output may be a constant (a graph that passes a weight through).
  if (t->data() != nullptr) v.data = const_cast<uint8_t*>(t->data()->data());
  return v;
}

Status Engine::invoke() {
  if (graph_ == nullptr) {
    return Status::error(StatusCode::kFailedPrecondition, "engine: init() has not succeeded");
  }
  ops::OpContext ctx;
  ctx.graph = graph_;
  ctx.arena = arena_;
  const auto* operators = graph_->operators();
  for (uint32_t i = 0; i < operators->size(); ++i) {
    ctx.op = operators->Get(i);
    // Verified at open: the handler exists and the parameters fit it.
    const ops::OpHandler* handler = ops::find_op_handler(ctx.op->kind());
    if (observer_) observer_(observer_context_, i, ctx.op->kind(), false);
    handler->run(ctx);
    if (observer_) observer_(observer_context_, i, ctx.op->kind(), true);
  }
  return Status::ok();
}

bool Engine::has_self_test() const {
  return body_ != nullptr && body_->self_test() != nullptr &&
         body_->self_test()->inputs() != nullptr && body_->self_test()->outputs() != nullptr;
}

Status Engine::run_self_test() {
  if (graph_ == nullptr) {
    return Status::error(StatusCode::kFailedPrecondition, "engine: init() has not succeeded");
  }
  if (!has_self_test()) return Status::ok();
  const auto* inputs = body_->self_test()->inputs();
  const auto* outputs = body_->self_test()->outputs();
  if (inputs->size() != input_count() || outputs->size() != output_count()) {
    return Status::error(StatusCode::kMalformed,
                         "self-test: has %u inputs and %u outputs, graph has %zu and %zu",
                         inputs->size(), outputs->size(), input_count(), output_count());
  }
  for (uint32_t i = 0; i < inputs->size(); ++i) {
    const auto* bytes = inputs->Get(i)->bytes();
    const TensorView in = input(i);
    if (bytes == nullptr || bytes->size() != in.bytes) {
      return Status::error(StatusCode::kMalformed, "self-test: input %u has %u bytes, expected %zu",
                           i, bytes ? bytes->size() : 0u, in.bytes);
    }
    memcpy(in.data, bytes->data(), in.bytes);
  }
  LOCUS_RETURN_IF_ERROR(invoke());
  for (uint32_t i = 0; i < outputs->size(); ++i) {
    const auto* expected = outputs->Get(i)->bytes();
    const TensorView out = output(i);
    if (expected == nullptr || expected->size() != out.bytes) {
      return Status::error(StatusCode::kMalformed,
                           "self-test: output %u has %u expected bytes, tensor has %zu", i,
                           expected ? expected->size() : 0u, out.bytes);
    }
    const uint8_t* actual = static_cast<const uint8_t*>(out.data);
    for (size_t b = 0; b < out.bytes; ++b) {
      if (actual[b] != expected->Get(static_cast<uint32_t>(b))) {
        return Status::error(StatusCode::kDataLoss,
                             "self-test: output %u byte %zu is %u, expected %u", i, b,
                             unsigned{actual[b]}, unsigned{expected->Get(static_cast<uint32_t>(b))});
      }
    }
  }
  return Status::ok();
}

}  // namespace locus
