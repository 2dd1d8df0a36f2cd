// The glue between a capsule operator and its kernel. Each operator kind
// has a check (run once, when the capsule is opened: types, shapes and
// parameters are validated so that the kernel can trust them) and a run
// (decodes parameters in place and calls the kernel).
#ifndef LOCUS_RUNTIME_OPS_OP_CONTEXT_H_
#define LOCUS_RUNTIME_OPS_OP_CONTEXT_H_

#include <stddef.h>
#include <stdint.h>

#include "locus/schema/capsule_generated.h"
#include "runtime/kernels/kernel_types.h"
#include "runtime/status.h"

namespace locus::ops {

// Largest tensor rank a capsule may use; kernels see at most 4 dimensions.
constexpr int32_t kMaxRank = 6;
// Most inputs one CONCATENATION may have (the engine gathers them on the stack).
constexpr int32_t kMaxConcatInputs = 32;

struct OpContext {
  const schema::Graph* graph = nullptr;
  const schema::Operator* op = nullptr;
  uint8_t* arena = nullptr;  // null while checking

  int input_count() const { return static_cast<int>(op->inputs()->size()); }
  int output_count() const { return static_cast<int>(op->outputs()->size()); }
  // Null for an absent optional input (index -1).
  const schema::Tensor* input(int i) const { return tensor_at(op->inputs()->Get(i)); }
  const schema::Tensor* output(int i) const { return tensor_at(op->outputs()->Get(i)); }
  const schema::Tensor* tensor_at(int32_t index) const {
    return index < 0 ? nullptr : graph->tensors()->Get(static_cast<uint32_t>(index));
  }

  // Where a tensor's bytes are: in the capsule for constants, else the arena.
  const void* data(const schema::Tensor* t) const {
    if (t == nullptr) return nullptr;
    if (t->data() != nullptr) return t->data()->data();
    return arena + t->arena_offset();
  }
  void* mutable_data(const schema::Tensor* t) const { return arena + t->arena_offset(); }
  template <typename T>
  const T* in(int i) const { return static_cast<const T*>(data(input(i))); }
  template <typename T>
  T* out(int i) const { return static_cast<T*>(mutable_data(output(i))); }
};

struct OpHandler {
  const char* name;
  schema::OpParams params_type;
  Status (*check)(const OpContext& ctx);
  void (*run)(const OpContext& ctx);
};

// Null when this runtime build has no handler for `kind`.
const OpHandler* find_op_handler(schema::OpKind kind);

// ---- helpers shared by the per-family files ----

int64_t element_count(const schema::Tensor* t);
int32_t rank(const schema::Tensor* t);
int32_t dim(const schema::Tensor* t, int32_t i);
// Shape right-aligned into NHWC (missing leading dimensions become 1).
kernels::Dims4 dims4(const schema::Tensor* t);
bool same_shape(const schema::Tensor* a, const schema::Tensor* b);

// First zero point of a tensor (0 when unquantised).
int32_t zero_point(const schema::Tensor* t);
float scale(const schema::Tensor* t);

Status expect_arity(const OpContext& ctx, int min_inputs, int max_inputs, int outputs);
Status expect_type(const schema::Tensor* t, schema::TensorType type, const char* role);
Status expect_rank(const schema::Tensor* t, int32_t min_rank, int32_t max_rank, const char* role);
Status expect_range(int64_t value, int64_t lo, int64_t hi, const char* what);
Status expect_activation(int32_t min, int32_t max);
Status expect_requant(const flatbuffers::Vector<int32_t>* multipliers,
                      const flatbuffers::Vector<int32_t>* shifts, int32_t channels);
Status expect_multiplier(int32_t multiplier, int32_t shift, const char* what);
Status expect_quantized(const schema::Tensor* t, const char* role);
bool same_quantization(const schema::Tensor* a, const schema::Tensor* b);
size_t type_size(schema::TensorType type);

}  // namespace locus::ops

#endif  // LOCUS_RUNTIME_OPS_OP_CONTEXT_H_
