// Decoding of the builtin options tables the importer understands.
#include "host/tflite/tflite_table_view.h"

namespace locus::host::tflite {
namespace {

Conv2DOptions read_conv_2d(const TableView& t) {
  namespace f = conv_2d_options_field;
  Conv2DOptions o;
  o.padding = t.scalar<int8_t>(f::kPadding, 0, "padding");
  o.stride_w = t.scalar<int32_t>(f::kStrideW, 0, "stride_w");
  o.stride_h = t.scalar<int32_t>(f::kStrideH, 0, "stride_h");
  o.fused_activation = t.scalar<int8_t>(f::kFusedActivation, 0, "fused_activation_function");
  o.dilation_w = t.scalar<int32_t>(f::kDilationW, 1, "dilation_w_factor");
  o.dilation_h = t.scalar<int32_t>(f::kDilationH, 1, "dilation_h_factor");
  return o;
}

DepthwiseConv2DOptions read_depthwise_conv_2d(const TableView& t) {
  namespace f = depthwise_conv_2d_options_field;
  DepthwiseConv2DOptions o;
  o.padding = t.scalar<int8_t>(f::kPadding, 0, "padding");
  o.stride_w = t.scalar<int32_t>(f::kStrideW, 0, "stride_w");
  o.stride_h = t.scalar<int32_t>(f::kStrideH, 0, "stride_h");
  o.depth_multiplier = t.scalar<int32_t>(f::kDepthMultiplier, 0, "depth_multiplier");
  o.fused_activation = t.scalar<int8_t>(f::kFusedActivation, 0, "fused_activation_function");
  o.dilation_w = t.scalar<int32_t>(f::kDilationW, 1, "dilation_w_factor");
  o.dilation_h = t.scalar<int32_t>(f::kDilationH, 1, "dilation_h_factor");
  return o;
}

Pool2DOptions read_pool_2d(const TableView& t) {
  namespace f = pool_2d_options_field;
  Pool2DOptions o;
  o.padding = t.scalar<int8_t>(f::kPadding, 0, "padding");
  o.stride_w = t.scalar<int32_t>(f::kStrideW, 0, "stride_w");
  o.stride_h = t.scalar<int32_t>(f::kStrideH, 0, "stride_h");
  o.filter_width = t.scalar<int32_t>(f::kFilterWidth, 0, "filter_width");
  o.filter_height = t.scalar<int32_t>(f::kFilterHeight, 0, "filter_height");
  o.fused_activation = t.scalar<int8_t>(f::kFusedActivation, 0, "fused_activation_function");
  return o;
}

FullyConnectedOptions read_fully_connected(const TableView& t) {
  namespace f = fully_connected_options_field;
  FullyConnectedOptions o;
  o.fused_activation = t.scalar<int8_t>(f::kFusedActivation, 0, "fused_activation_function");
  o.weights_format = t.scalar<int8_t>(f::kWeightsFormat, 0, "weights_format");
  o.keep_num_dims = t.boolean(f::kKeepNumDims, false, "keep_num_dims");
  o.asymmetric_quantize_inputs =
      t.boolean(f::kAsymmetricQuantizeInputs, false, "asymmetric_quantize_inputs");
  return o;
}

SoftmaxOptions read_softmax(const TableView& t) {
  SoftmaxOptions o;
  o.beta = t.scalar<float>(softmax_options_field::kBeta, 0.0f, "beta");
  return o;
}

ConcatenationOptions read_concatenation(const TableView& t) {
  namespace f = concatenation_options_field;
  ConcatenationOptions o;
  o.axis = t.scalar<int32_t>(f::kAxis, 0, "axis");
  o.fused_activation = t.scalar<int8_t>(f::kFusedActivation, 0, "fused_activation_function");
  return o;
}

AddOptions read_add(const TableView& t) {
  namespace f = add_options_field;
  AddOptions o;
  o.fused_activation = t.scalar<int8_t>(f::kFusedActivation, 0, "fused_activation_function");
  o.pot_scale_int16 = t.boolean(f::kPotScaleInt16, true, "pot_scale_int16");
  return o;
}

MulOptions read_mul(const TableView& t) {
  MulOptions o;
  o.fused_activation =
      t.scalar<int8_t>(mul_options_field::kFusedActivation, 0, "fused_activation_function");
  return o;
}

ReshapeOptions read_reshape(const TableView& t) {
  ReshapeOptions o;
  o.new_shape = t.scalar_vector<int32_t>(reshape_options_field::kNewShape, "new_shape");
  return o;
}

ReducerOptions read_reducer(const TableView& t) {
  ReducerOptions o;
  o.keep_dims = t.boolean(reducer_options_field::kKeepDims, false, "keep_dims");
  return o;
}

}  // namespace

BuiltinOptions read_builtin_options(VerifiedFile& file, uint8_t type, const uint8_t* table,
                                    const std::string& where) {
  if (table == nullptr) return std::monostate{};
  const TableView t(file, table, where + ": builtin options");
  namespace type_tag = builtin_options_type;
  switch (type) {
    case type_tag::kConv2D:
      return read_conv_2d(t);
    case type_tag::kDepthwiseConv2D:
      return read_depthwise_conv_2d(t);
    case type_tag::kPool2D:
      return read_pool_2d(t);
    case type_tag::kFullyConnected:
      return read_fully_connected(t);
    case type_tag::kSoftmax:
      return read_softmax(t);
    case type_tag::kConcatenation:
      return read_concatenation(t);
    case type_tag::kAdd:
      return read_add(t);
    case type_tag::kMul:
      return read_mul(t);
    case type_tag::kReshape:
      return read_reshape(t);
    case type_tag::kReducer:
      return read_reducer(t);
    default:
      return std::monostate{};  // verified as a table, not decoded
  }
}

}  // namespace locus::host::tflite
