// Internal to the importer: what an operator converter sees (the operator,
// its subgraph, checked access to its tensors) and the converters' entry.
#ifndef LOCUS_HOST_TFLITE_TFLITE_IMPORT_CONTEXT_H_
#define LOCUS_HOST_TFLITE_TFLITE_IMPORT_CONTEXT_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "host/common/error.h"
#include "host/model/graph.h"
#include "host/tflite/tflite_format.h"
#include "host/tflite/tflite_reader.h"

namespace locus::host::tflite {

// Per-tensor quantisation of an activation (or a per-tensor weight).
struct TensorQuantization {
  float scale = 0.0f;
  int32_t zero_point = 0;
};

class OperatorContext {
 public:
  OperatorContext(const ModelInfo& model, const SubGraphInfo& subgraph, size_t operator_index,
                  int32_t builtin_code);

  const OperatorInfo& op() const { return op_; }
  int32_t builtin_code() const { return builtin_code_; }
  // "tflite: operator 5 (CONV_2D)"; prefix of every error.
  const std::string& where() const { return where_; }
  template <typename... Parts>
  [[noreturn]] void error(Parts&&... parts) const {
    fail(where_, ": ", std::forward<Parts>(parts)...);
  }

  // The options of type T, or an error if they are missing / of another type.
  template <typename T>
  const T& options(const char* type_name) const {
    const T* found = std::get_if<T>(&op_.builtin_options);
    if (found == nullptr) error("missing or mismatched builtin options (expected ", type_name, ")");
    return *found;
  }

  // Requires between min and max inputs; returns the input count.
  size_t require_inputs(size_t min_count, size_t max_count) const;
  void require_one_output() const;

  // Tensor index of input / output `slot`; -1 only if `optional` allows.
  int32_t input(size_t slot, bool optional = false) const;
  int32_t output(size_t slot = 0) const;

  const TensorInfo& tensor(int32_t index) const { return subgraph_.tensors[index]; }
  // "input 0 (tensor 3 'conv1/BiasAdd')"
  std::string describe(int32_t index, const char* role) const;
  bool is_constant(int32_t index) const;
  std::span<const uint8_t> constant_data(int32_t index) const;

  void require_type(int32_t index, int8_t type, const char* role) const;
  void require_rank(int32_t index, size_t rank, const char* role) const;
  void require_constant(int32_t index, const char* role) const;
  // Exactly one scale (positive, finite) and a zero point in the type's range.
  TensorQuantization per_tensor_quantization(int32_t index, const char* role) const;
  // Integer values of a constant int32 tensor (shape / axes / paddings).
  std::vector<int32_t> constant_int32_values(int32_t index, const char* role) const;
  // Maps NONE/RELU/RELU6/RELU_N1_TO_1; anything else is an error.
  schema::Activation fused_activation(int8_t tflite_activation) const;

 private:
  const ModelInfo& model_;
  const SubGraphInfo& subgraph_;
  const OperatorInfo& op_;
  int32_t builtin_code_;
  std::string where_;
};

// Converts one operator; inputs/outputs use the subgraph's tensor indices.
OperatorDef convert_operator(const OperatorContext& context);

// Converters, by family (tflite_convolution_ops.cc, tflite_elementwise_ops.cc).
OperatorDef convert_conv_2d(const OperatorContext& context);
OperatorDef convert_depthwise_conv_2d(const OperatorContext& context);
OperatorDef convert_fully_connected(const OperatorContext& context);
OperatorDef convert_pool_2d(const OperatorContext& context, schema::OpKind kind);
OperatorDef convert_add(const OperatorContext& context);
OperatorDef convert_mul(const OperatorContext& context);
OperatorDef convert_reshape(const OperatorContext& context);
OperatorDef convert_softmax(const OperatorContext& context);
OperatorDef convert_logistic(const OperatorContext& context);
OperatorDef convert_quantize(const OperatorContext& context);
OperatorDef convert_dequantize(const OperatorContext& context);
OperatorDef convert_mean(const OperatorContext& context);
OperatorDef convert_pad(const OperatorContext& context);
OperatorDef convert_concatenation(const OperatorContext& context);

// Element count of a shape (dimensions already checked to be >= 1 by the
// importer's tensor checks; saturates instead of overflowing).
int64_t element_count(const std::vector<int32_t>& shape);

}  // namespace locus::host::tflite

#endif  // LOCUS_HOST_TFLITE_TFLITE_IMPORT_CONTEXT_H_
