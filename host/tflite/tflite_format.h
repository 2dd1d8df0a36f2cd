// Facts about the TFLite FlatBuffers format ("TFL3") that the reader needs:
// the field ids of the tables we read, and the enum values we interpret.
// Written from the public description of the format (schema version 3);
// the project deliberately has no generated TFLite code.
//
// A FlatBuffers vtable slot for field id N sits at byte offset 4 + 2 * N.
// A union field occupies two ids: its type tag (ubyte) and then its value.
#ifndef LOCUS_HOST_TFLITE_TFLITE_FORMAT_H_
#define LOCUS_HOST_TFLITE_TFLITE_FORMAT_H_

#include <flatbuffers/flatbuffers.h>

#include <cstdint>

namespace locus::host::tflite {

constexpr flatbuffers::voffset_t field_slot(int field_id) {
  return static_cast<flatbuffers::voffset_t>(4 + 2 * field_id);
}

namespace model_field {
constexpr int kVersion = 0, kOperatorCodes = 1, kSubgraphs = 2, kDescription = 3, kBuffers = 4;
}
namespace operator_code_field {
// The real builtin code is max(deprecated_builtin_code, builtin_code): old
// files only have the int8 field, new ones write both (codes > 127 only in
// the int32 field, with 127 as the placeholder in the old one).
constexpr int kDeprecatedBuiltinCode = 0, kCustomCode = 1, kVersion = 2, kBuiltinCode = 3;
}  // namespace operator_code_field
namespace subgraph_field {
constexpr int kTensors = 0, kInputs = 1, kOutputs = 2, kOperators = 3, kName = 4;
}
namespace tensor_field {
constexpr int kShape = 0, kType = 1, kBuffer = 2, kName = 3, kQuantization = 4, kIsVariable = 5,
              kSparsity = 6;
}
namespace quantization_field {
constexpr int kMin = 0, kMax = 1, kScale = 2, kZeroPoint = 3, kDetailsType = 4, kDetails = 5,
              kQuantizedDimension = 6;
}
namespace buffer_field {
// offset/size locate data stored after the FlatBuffer (models > 2 GB);
// the offset counts from the start of the file and is valid only if > 1.
constexpr int kData = 0, kOffset = 1, kSize = 2;
}  // namespace buffer_field
namespace operator_field {
constexpr int kOpcodeIndex = 0, kInputs = 1, kOutputs = 2, kBuiltinOptionsType = 3,
              kBuiltinOptions = 4, kCustomOptions = 5, kCustomOptionsFormat = 6,
              kMutatingVariableInputs = 7, kIntermediates = 8;
}

// Builtin options tables.
namespace conv_2d_options_field {
constexpr int kPadding = 0, kStrideW = 1, kStrideH = 2, kFusedActivation = 3, kDilationW = 4,
              kDilationH = 5;
}
namespace depthwise_conv_2d_options_field {
constexpr int kPadding = 0, kStrideW = 1, kStrideH = 2, kDepthMultiplier = 3, kFusedActivation = 4,
              kDilationW = 5, kDilationH = 6;
}
namespace pool_2d_options_field {
constexpr int kPadding = 0, kStrideW = 1, kStrideH = 2, kFilterWidth = 3, kFilterHeight = 4,
              kFusedActivation = 5;
}
namespace fully_connected_options_field {
constexpr int kFusedActivation = 0, kWeightsFormat = 1, kKeepNumDims = 2,
              kAsymmetricQuantizeInputs = 3;
}
namespace softmax_options_field {
constexpr int kBeta = 0;
}
namespace concatenation_options_field {
constexpr int kAxis = 0, kFusedActivation = 1;
}
namespace add_options_field {
constexpr int kFusedActivation = 0, kPotScaleInt16 = 1;
}
namespace mul_options_field {
constexpr int kFusedActivation = 0;
}
namespace reshape_options_field {
constexpr int kNewShape = 0;
}
namespace reducer_options_field {
constexpr int kKeepDims = 0;
}

// Union tag values of the BuiltinOptions union (position in the union, 1-based).
namespace builtin_options_type {
constexpr uint8_t kNone = 0, kConv2D = 1, kDepthwiseConv2D = 2, kPool2D = 5, kFullyConnected = 8,
                  kSoftmax = 9, kConcatenation = 10, kAdd = 11, kReshape = 17, kMul = 21, kPad = 22,
                  kReducer = 27, kDequantize = 38, kPadV2 = 43, kQuantize = 89;
}

// TensorType values.
namespace tensor_type {
constexpr int8_t kFloat32 = 0, kFloat16 = 1, kInt32 = 2, kUInt8 = 3, kInt64 = 4, kString = 5,
                 kBool = 6, kInt16 = 7, kComplex64 = 8, kInt8 = 9, kFloat64 = 10;
}

// Padding and ActivationFunctionType values.
namespace padding {
constexpr int8_t kSame = 0, kValid = 1;
}
namespace activation {
constexpr int8_t kNone = 0, kRelu = 1, kReluN1To1 = 2, kRelu6 = 3, kTanh = 4, kSignBit = 5;
}

// BuiltinOperator values of the operators the importer understands.
namespace builtin_op {
constexpr int32_t kAdd = 0, kAveragePool2D = 1, kConcatenation = 2, kConv2D = 3,
                  kDepthwiseConv2D = 4, kDequantize = 6, kFullyConnected = 9, kLogistic = 14,
                  kMaxPool2D = 17, kMul = 18, kReshape = 22, kSoftmax = 25, kCustom = 32, kPad = 34,
                  kMean = 40, kPadV2 = 60, kQuantize = 114;
}

// "CONV_2D" for 3; "UNKNOWN" for codes outside the table.
const char* builtin_operator_name(int32_t code);
// "int8" etc.; "unknown" outside the table.
const char* tensor_type_name(int8_t type);

}  // namespace locus::host::tflite

#endif  // LOCUS_HOST_TFLITE_TFLITE_FORMAT_H_
