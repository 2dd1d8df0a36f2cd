// A small reader of TFLite model files, written on FlatBuffers' low-level
// API (see tflite_format.h for the field ids). It verifies every table,
// vector and string it touches and bounds-checks every index, and turns the
// file into plain structs; nothing it returns points into unverified data.
// A malformed file makes it throw host::Error naming the problem and where.
#ifndef LOCUS_HOST_TFLITE_TFLITE_READER_H_
#define LOCUS_HOST_TFLITE_TFLITE_READER_H_

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace locus::host::tflite {

struct QuantizationInfo {
  std::vector<float> min;
  std::vector<float> max;
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  uint8_t details_type = 0;  // non-zero: custom / blockwise quantisation
  int32_t quantized_dimension = 0;
};

struct TensorInfo {
  std::string name;
  std::vector<int32_t> shape;
  int8_t type = 0;      // tensor_type::k...
  uint32_t buffer = 0;  // index into ModelInfo::buffers (checked)
  bool has_quantization = false;
  QuantizationInfo quantization;
  bool is_variable = false;
  bool is_sparse = false;
};

// Builtin options of the operators the importer understands. Fields keep
// the schema's defaults when absent from the file.
struct Conv2DOptions {
  int8_t padding = 0;
  int32_t stride_w = 0, stride_h = 0;
  int8_t fused_activation = 0;
  int32_t dilation_w = 1, dilation_h = 1;
};
struct DepthwiseConv2DOptions {
  int8_t padding = 0;
  int32_t stride_w = 0, stride_h = 0;
  int32_t depth_multiplier = 0;
  int8_t fused_activation = 0;
  int32_t dilation_w = 1, dilation_h = 1;
};
struct Pool2DOptions {
  int8_t padding = 0;
  int32_t stride_w = 0, stride_h = 0;
  int32_t filter_width = 0, filter_height = 0;
  int8_t fused_activation = 0;
};
struct FullyConnectedOptions {
  int8_t fused_activation = 0;
  int8_t weights_format = 0;  // 0 = DEFAULT
  bool keep_num_dims = false;
  bool asymmetric_quantize_inputs = false;
};
struct SoftmaxOptions {
  float beta = 0.0f;
};
struct ConcatenationOptions {
  int32_t axis = 0;
  int8_t fused_activation = 0;
};
struct AddOptions {
  int8_t fused_activation = 0;
  bool pot_scale_int16 = true;
};
struct MulOptions {
  int8_t fused_activation = 0;
};
struct ReshapeOptions {
  std::vector<int32_t> new_shape;
};
struct ReducerOptions {
  bool keep_dims = false;
};

// monostate: no options, or options of a type this reader does not decode
// (the table is still verified as a table).
using BuiltinOptions =
    std::variant<std::monostate, Conv2DOptions, DepthwiseConv2DOptions, Pool2DOptions,
                 FullyConnectedOptions, SoftmaxOptions, ConcatenationOptions, AddOptions,
                 MulOptions, ReshapeOptions, ReducerOptions>;

struct OperatorInfo {
  uint32_t opcode_index = 0;     // checked against operator_codes
  std::vector<int32_t> inputs;   // checked: -1 (absent) or a tensor index
  std::vector<int32_t> outputs;  // checked: -1 (absent) or a tensor index
  std::vector<int32_t> intermediates;
  uint8_t builtin_options_type = 0;
  BuiltinOptions builtin_options;
  bool has_custom_options = false;
};

struct OperatorCodeInfo {
  int32_t builtin_code = 0;  // max of the deprecated int8 and the int32 field
  std::string custom_code;
  int32_t version = 1;
};

struct SubGraphInfo {
  std::string name;
  std::vector<TensorInfo> tensors;
  std::vector<int32_t> inputs;   // checked tensor indices
  std::vector<int32_t> outputs;  // checked tensor indices
  std::vector<OperatorInfo> operators;
};

struct BufferInfo {
  // Points into the file bytes given to read_tflite_model: inside the
  // FlatBuffer, or after it when the file stores data by offset/size.
  std::span<const uint8_t> data;
  bool stored_outside_flatbuffer = false;
};

struct ModelInfo {
  uint32_t version = 0;
  std::string description;
  std::vector<OperatorCodeInfo> operator_codes;
  std::vector<SubGraphInfo> subgraphs;
  std::vector<BufferInfo> buffers;
};

// Reads and verifies a whole .tflite file. The "TFL3" file identifier is
// optional. file_bytes must stay alive while the result's buffer spans are
// used, and must start at an 8-byte aligned address (FlatBuffers reads
// scalars in place); import_tflite copies misaligned input for you.
// Throws host::Error on anything malformed.
ModelInfo read_tflite_model(std::span<const uint8_t> file_bytes);

}  // namespace locus::host::tflite

#endif  // LOCUS_HOST_TFLITE_TFLITE_READER_H_
