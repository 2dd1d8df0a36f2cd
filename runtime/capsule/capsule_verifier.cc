// Semantic verification of a capsule graph: everything the engine and the
// kernels rely on is checked here once, so that running a capsule that
// opened successfully can never read or write outside its buffers.
#include <math.h>

#include "runtime/capsule/capsule_reader.h"
#include "runtime/ops/op_context.h"

namespace locus {
namespace {

using schema::TensorType;

bool valid_type(TensorType type) {
  return static_cast<int>(type) >= static_cast<int>(TensorType::MIN) &&
         static_cast<int>(type) <= static_cast<int>(TensorType::MAX);
}

Status verify_tensor(const schema::Tensor* t, uint32_t arena_bytes) {
  if (!valid_type(t->type())) {
    return Status::error(StatusCode::kMalformed, "unknown type %d", static_cast<int>(t->type()));
  }
  if (t->shape() == nullptr) return Status::error(StatusCode::kMalformed, "no shape");
  if (t->shape()->size() > static_cast<uint32_t>(ops::kMaxRank)) {
    return Status::error(StatusCode::kMalformed, "rank %u exceeds %d", t->shape()->size(),
                         ops::kMaxRank);
  }
  int64_t bytes = static_cast<int64_t>(ops::type_size(t->type()));
  for (uint32_t i = 0; i < t->shape()->size(); ++i) {
    const int32_t d = t->shape()->Get(i);
    if (d < 1) return Status::error(StatusCode::kMalformed, "dimension %u is %d", i, d);
    bytes *= d;
    if (bytes > kMaxTensorBytes) {
      return Status::error(StatusCode::kMalformed, "size exceeds %lld bytes",
                           static_cast<long long>(kMaxTensorBytes));
    }
  }
  if (const auto* q = t->quantization()) {
    const uint32_t n = q->scale() ? q->scale()->size() : 0;
    const uint32_t nz = q->zero_point() ? q->zero_point()->size() : 0;
    if (n != nz) {
      return Status::error(StatusCode::kMalformed, "%u scales but %u zero points", n, nz);
    }
    if (n > 1) {
      const int32_t qd = q->quantized_dimension();
      if (qd < 0 || qd >= static_cast<int32_t>(t->shape()->size()) ||
          static_cast<int64_t>(n) != t->shape()->Get(static_cast<uint32_t>(qd))) {
        return Status::error(StatusCode::kMalformed,
                             "%u per-channel scales do not match quantized dimension %d", n, qd);
      }
    }
    for (uint32_t i = 0; i < n; ++i) {
      const float s = q->scale()->Get(i);
      if (!isfinite(s) || s < 0.0f) {
        return Status::error(StatusCode::kMalformed, "scale %u is not a finite non-negative number",
                             i);
      }
    }
  }
  if (t->data() != nullptr) {
    if (static_cast<int64_t>(t->data()->size()) != bytes) {
      return Status::error(StatusCode::kMalformed, "constant has %u bytes, shape needs %lld",
                           t->data()->size(), static_cast<long long>(bytes));
    }
    if ((reinterpret_cast<uintptr_t>(t->data()->data()) & (ops::type_size(t->type()) - 1)) != 0) {
      return Status::error(StatusCode::kMalformed, "constant data is misaligned");
    }
    return Status::ok();
  }
  const uint64_t end = uint64_t{t->arena_offset()} + static_cast<uint64_t>(bytes);
  if (end > arena_bytes) {
    return Status::error(StatusCode::kMalformed,
                         "arena range [%u, %llu) exceeds the %u-byte arena", t->arena_offset(),
                         static_cast<unsigned long long>(end), arena_bytes);
  }
  if (t->arena_offset() % ops::type_size(t->type()) != 0) {
    return Status::error(StatusCode::kMalformed, "arena offset %u is misaligned for %s",
                         t->arena_offset(), schema::EnumNameTensorType(t->type()));
  }
  return Status::ok();
}

Status verify_index_list(const flatbuffers::Vector<int32_t>* list, uint32_t tensor_count,
                         bool allow_absent, const char* what) {
  if (list == nullptr) return Status::error(StatusCode::kMalformed, "%s missing", what);
  for (uint32_t i = 0; i < list->size(); ++i) {
    const int32_t index = list->Get(i);
    if (index == -1 && allow_absent) continue;
    if (index < 0 || static_cast<uint32_t>(index) >= tensor_count) {
      return Status::error(StatusCode::kMalformed, "%s %u: tensor index %d out of range (%u tensors)",
                           what, i, index, tensor_count);
    }
  }
  return Status::ok();
}

Status verify_operator(const schema::Graph* graph, const schema::Operator* op, uint32_t index) {
  const auto kind = op->kind();
  const ops::OpHandler* handler = ops::find_op_handler(kind);
  if (handler == nullptr) {
    return Status::error(StatusCode::kUnsupported,
                         "operator %u: kind %u is not supported by this runtime", index,
                         static_cast<unsigned>(kind));
  }
  const uint32_t tensor_count = graph->tensors()->size();
  Status s = verify_index_list(op->inputs(), tensor_count, true, "input");
  if (s) s = verify_index_list(op->outputs(), tensor_count, false, "output");
  if (s && (op->params_type() != handler->params_type || op->params() == nullptr)) {
    s = Status::error(StatusCode::kMalformed, "parameters are missing or of the wrong kind");
  }
  if (s && op->scratch_bytes() > 0 &&
      uint64_t{op->scratch_offset()} + op->scratch_bytes() > graph->arena_bytes()) {
    s = Status::error(StatusCode::kMalformed, "scratch exceeds the arena");
  }
  if (s) {
    ops::OpContext ctx;
    ctx.graph = graph;
    ctx.op = op;
    s = handler->check(ctx);
  }
  if (!s) s.prefix("operator %u (%s)", index, handler->name);
  return s;
}

}  // namespace

Status verify_graph(const schema::Graph* graph) {
  const auto* tensors = graph->tensors();
  const auto* operators = graph->operators();
  if (tensors == nullptr || tensors->size() == 0) {
    return Status::error(StatusCode::kMalformed, "graph has no tensors");
  }
  if (tensors->size() > kMaxTensors) {
    return Status::error(StatusCode::kMalformed, "graph has %u tensors (limit %u)",
                         tensors->size(), kMaxTensors);
  }
  if (operators == nullptr || operators->size() > kMaxOperators) {
    return Status::error(StatusCode::kMalformed, "graph operator list missing or over %u",
                         kMaxOperators);
  }
  if (graph->arena_bytes() > (uint32_t{1} << 31)) {
    return Status::error(StatusCode::kMalformed, "arena of %u bytes is too large",
                         graph->arena_bytes());
  }
  for (uint32_t i = 0; i < tensors->size(); ++i) {
    Status s = verify_tensor(tensors->Get(i), graph->arena_bytes());
    if (!s) return s.prefix("tensor %u", i);
  }
  LOCUS_RETURN_IF_ERROR(verify_index_list(graph->inputs(), tensors->size(), false, "graph input"));
  LOCUS_RETURN_IF_ERROR(verify_index_list(graph->outputs(), tensors->size(), false, "graph output"));
  if (graph->inputs()->size() == 0 || graph->outputs()->size() == 0) {
    return Status::error(StatusCode::kMalformed, "graph needs at least one input and one output");
  }
  for (int32_t index : *graph->inputs()) {
    if (tensors->Get(static_cast<uint32_t>(index))->data() != nullptr) {
      return Status::error(StatusCode::kMalformed, "graph input %d is a constant", index);
    }
  }
  for (uint32_t i = 0; i < operators->size(); ++i) {
    LOCUS_RETURN_IF_ERROR(verify_operator(graph, operators->Get(i), i));
  }
  return Status::ok();
}

}  // namespace locus
