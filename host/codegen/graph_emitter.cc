// The operators of a graph as direct kernel calls. Parameter blocks come
// from runtime/ops/kernel_params.h — the functions the engine itself calls —
// and are printed as constexpr constants, so generated code and interpreter
// hand each kernel the same arguments.
#include <cstring>
#include <set>
#include <vector>

#include "host/codegen/cpp_emitter.h"
#include "host/common/error.h"
#include "runtime/ops/kernel_params.h"
#include "runtime/ops/op_context.h"

namespace locus::host::codegen {
namespace {

using schema::OpKind;
using schema::TensorType;

std::string dims_literal(const kernels::Dims4& d) {
  return "{" + std::to_string(d.n) + ", " + std::to_string(d.h) + ", " + std::to_string(d.w) +
         ", " + std::to_string(d.c) + "}";
}

// A tensor name fit for a // comment: one line, printable, not too long.
std::string comment_text(const flatbuffers::String* name) {
  std::string out;
  if (name == nullptr) return out;
  for (char c : name->str()) {
    if (out.size() == 100) return out + "...";
    out += (c >= 0x20 && c < 0x7f && c != '\\') ? c : '?';
  }
  return out;
}

class GraphEmitter {
 public:
  explicit GraphEmitter(const schema::Graph* graph) : graph_(graph) {}

  GraphCode run() {
    const auto* operators = graph_->operators();
    for (uint32_t i = 0; i < operators->size(); ++i) {
      ops::OpContext ctx;
      ctx.graph = graph_;
      ctx.op = operators->Get(i);
      op_ = "kOp" + std::to_string(i);
      const char* name = schema::EnumNameOpKind(ctx.op->kind());
      body_ << "  // " << i << ": " << name << "\n";
      emit_operator(ctx, i, name);
    }
    GraphCode code;
    code.constants = constants_.str();
    code.invoke = body_.str();
    code.uses_memmove = uses_memmove_;
    return code;
  }

 private:
  const schema::Tensor* tensor(int32_t index) const {
    return graph_->tensors()->Get(static_cast<uint32_t>(index));
  }

  // A constant becomes an array (once); anything else is its arena offset.
  std::string ref(int32_t index, bool writable) {
    if (index < 0) return "nullptr";
    const schema::Tensor* t = tensor(index);
    const std::string type = c_type(t->type());
    if (t->data() != nullptr) {
      const std::string name = "kTensor" + std::to_string(index);
      if (emitted_.insert(index).second) {
        constants_ << "// tensor " << index << ": " << comment_text(t->name()) << "\n";
        emit_array(constants_, name, t->type(), t->data()->data(), t->data()->size());
      }
      return name;
    }
    return std::string("reinterpret_cast<") + (writable ? "" : "const ") + type +
           "*>(arena + " + std::to_string(t->arena_offset()) + ")";
  }
  std::string in(const ops::OpContext& ctx, int i) { return ref(ctx.op->inputs()->Get(i), false); }
  std::string out(const ops::OpContext& ctx, int i) {
    return ref(ctx.op->outputs()->Get(i), true);
  }
  std::string optional_in(const ops::OpContext& ctx, int i) {
    return ctx.input_count() > i ? in(ctx, i) : "nullptr";
  }

  std::string dims(const std::string& suffix, const kernels::Dims4& d) {
    const std::string name = op_ + suffix;
    constants_ << "constexpr ::locus::kernels::Dims4 " << name << " = " << dims_literal(d) << ";\n";
    return name;
  }

  // Opens `constexpr TYPE kOpN = [] { TYPE p{}; p.a = ...; return p; }();`.
  void begin_params(const char* type) {
    constants_ << "constexpr ::locus::kernels::" << type << " " << op_ << " = [] {\n"
               << "  ::locus::kernels::" << type << " p{};\n";
  }
  void field(const char* name, int64_t value) {
    constants_ << "  p." << name << " = " << int_literal(value) << ";\n";
  }
  void end_params() { constants_ << "  return p;\n}();\n"; }

  void requant(const kernels::Requant& r) {
    std::vector<uint8_t> m(r.count * 4), s(r.count * 4);
    std::memcpy(m.data(), r.multiplier, m.size());
    std::memcpy(s.data(), r.shift, s.size());
    emit_array(constants_, op_ + "Multiplier", TensorType::Int32, m.data(), m.size());
    emit_array(constants_, op_ + "Shift", TensorType::Int32, s.data(), s.size());
  }
  void requant_fields(const kernels::Requant& r) {
    constants_ << "  p.requant.multiplier = " << op_ << "Multiplier;\n"
               << "  p.requant.shift = " << op_ << "Shift;\n";
    field("requant.count", r.count);
  }

  void conv_params(const kernels::ConvParams& k) {
    requant(k.requant);
    begin_params("ConvParams");
#define LOCUS_FIELD(f) field(#f, k.f)
    LOCUS_FIELD(stride_h); LOCUS_FIELD(stride_w); LOCUS_FIELD(dilation_h);
    LOCUS_FIELD(dilation_w); LOCUS_FIELD(pad_top); LOCUS_FIELD(pad_left);
    LOCUS_FIELD(input_offset); LOCUS_FIELD(output_offset); LOCUS_FIELD(activation_min);
    LOCUS_FIELD(activation_max); LOCUS_FIELD(depth_multiplier);
    requant_fields(k.requant);
    end_params();
  }

  void emit_operator(const ops::OpContext& ctx, uint32_t index, const char* name);

  const schema::Graph* graph_;
  std::string op_;
  std::ostringstream constants_, body_;
  std::set<int32_t> emitted_;
  bool uses_memmove_ = false;
};

void GraphEmitter::emit_operator(const ops::OpContext& ctx, uint32_t index, const char* name) {
  const schema::Tensor* input = ctx.input(0);
  const schema::Tensor* output = ctx.output(0);
  const auto size = std::to_string(ops::element_count(input));
  std::ostringstream& b = body_;
  switch (ctx.op->kind()) {
    case OpKind::Conv2D:
    case OpKind::DepthwiseConv2D: {
      const bool depthwise = ctx.op->kind() == OpKind::DepthwiseConv2D;
      conv_params(depthwise ? ops::depthwise_conv_2d_params(ctx) : ops::conv_2d_params(ctx));
      const auto di = dims("In", ops::dims4(input)), df = dims("Filter", ops::dims4(ctx.input(1))),
                 dout = dims("Out", ops::dims4(output));
      b << "  ::locus::kernels::" << (depthwise ? "depthwise_conv_2d_s8" : "conv_2d_s8") << "("
        << op_ << ", " << di << ", " << in(ctx, 0) << ", " << df << ", " << in(ctx, 1) << ",\n      "
        << optional_in(ctx, 2) << ", " << dout << ", " << out(ctx, 0) << ");\n";
      return;
    }
    case OpKind::FullyConnected: {
      const kernels::FullyConnectedParams k = ops::fully_connected_params(ctx);
      const ops::FullyConnectedShape s = ops::fully_connected_shape(ctx);
      requant(k.requant);
      begin_params("FullyConnectedParams");
      LOCUS_FIELD(input_offset); LOCUS_FIELD(weights_offset); LOCUS_FIELD(output_offset);
      LOCUS_FIELD(activation_min); LOCUS_FIELD(activation_max);
      requant_fields(k.requant);
      end_params();
      b << "  ::locus::kernels::fully_connected_s8(" << op_ << ", " << s.batches << ", "
        << s.accum_depth << ", " << in(ctx, 0) << ",\n      " << s.output_depth << ", "
        << in(ctx, 1) << ", " << optional_in(ctx, 2) << ", " << out(ctx, 0) << ");\n";
      return;
    }
    case OpKind::AveragePool2D:
    case OpKind::MaxPool2D: {
      const kernels::PoolParams k = ops::pool_params(ctx);
      begin_params("PoolParams");
      LOCUS_FIELD(stride_h); LOCUS_FIELD(stride_w); LOCUS_FIELD(filter_h); LOCUS_FIELD(filter_w);
      LOCUS_FIELD(pad_top); LOCUS_FIELD(pad_left); LOCUS_FIELD(activation_min);
      LOCUS_FIELD(activation_max);
      end_params();
      const auto di = dims("In", ops::dims4(input)), dout = dims("Out", ops::dims4(output));
      b << "  ::locus::kernels::"
        << (ctx.op->kind() == OpKind::MaxPool2D ? "max_pool_2d_s8" : "average_pool_2d_s8")
        << "(" << op_ << ", " << di << ", " << in(ctx, 0) << ", " << dout << ", " << out(ctx, 0)
        << ");\n";
      return;
    }
    case OpKind::Add:
    case OpKind::Mul: {
      const bool add = ctx.op->kind() == OpKind::Add;
      if (add) {
        const kernels::AddParams k = ops::add_params(ctx);
        begin_params("AddParams");
        LOCUS_FIELD(input1_offset); LOCUS_FIELD(input2_offset); LOCUS_FIELD(output_offset);
        LOCUS_FIELD(left_shift); LOCUS_FIELD(input1_multiplier); LOCUS_FIELD(input1_shift);
        LOCUS_FIELD(input2_multiplier); LOCUS_FIELD(input2_shift);
        LOCUS_FIELD(output_multiplier); LOCUS_FIELD(output_shift);
        LOCUS_FIELD(activation_min); LOCUS_FIELD(activation_max);
        end_params();
      } else {
        const kernels::MulParams k = ops::mul_params(ctx);
        begin_params("MulParams");
        LOCUS_FIELD(input1_offset); LOCUS_FIELD(input2_offset); LOCUS_FIELD(output_offset);
        LOCUS_FIELD(output_multiplier); LOCUS_FIELD(output_shift);
        LOCUS_FIELD(activation_min); LOCUS_FIELD(activation_max);
        end_params();
      }
      const auto d1 = dims("In1", ops::dims4(input)), d2 = dims("In2", ops::dims4(ctx.input(1))),
                 dout = dims("Out", ops::dims4(output));
      b << "  ::locus::kernels::" << (add ? "add_s8" : "mul_s8") << "(" << op_ << ", " << d1 << ", "
        << in(ctx, 0) << ", " << d2 << ", " << in(ctx, 1) << ", " << dout << ", " << out(ctx, 0)
        << ");\n";
      return;
    }
    case OpKind::Softmax: {
      const kernels::SoftmaxParams k = ops::softmax_params(ctx);
      const ops::RowShape s = ops::softmax_shape(ctx);
      begin_params("SoftmaxParams");
      LOCUS_FIELD(input_multiplier); LOCUS_FIELD(input_left_shift); LOCUS_FIELD(diff_min);
      end_params();
      b << "  ::locus::kernels::"
        << (output->type() == TensorType::Int16 ? "softmax_s8_s16" : "softmax_s8") << "(" << op_
        << ", " << s.outer << ", " << s.depth << ", " << in(ctx, 0) << ", " << out(ctx, 0)
        << ");\n";
      return;
    }
    case OpKind::Logistic: {
      const kernels::LogisticParams k = ops::logistic_params(ctx);
      begin_params("LogisticParams");
      LOCUS_FIELD(input_zero_point); LOCUS_FIELD(input_range_radius);
      LOCUS_FIELD(input_multiplier); LOCUS_FIELD(input_left_shift);
      end_params();
      b << "  ::locus::kernels::logistic_s8(" << op_ << ", " << size << ", " << in(ctx, 0) << ", "
        << out(ctx, 0) << ");\n";
      return;
    }
    case OpKind::Quantize:
      if (input->type() == TensorType::Float32) {
        b << "  ::locus::kernels::quantize_f32_s8(" << float_literal(ops::scale(output)) << ", "
          << ops::zero_point(output) << ", " << size << ", " << in(ctx, 0) << ", " << out(ctx, 0)
          << ");\n";
      } else {
        const kernels::RequantizeParams k = ops::requantize_params(ctx);
        begin_params("RequantizeParams");
        LOCUS_FIELD(input_zero_point); LOCUS_FIELD(output_zero_point);
        LOCUS_FIELD(output_multiplier); LOCUS_FIELD(output_shift);
        end_params();
        b << "  ::locus::kernels::requantize_s8(" << op_ << ", " << size << ", " << in(ctx, 0)
          << ", " << out(ctx, 0) << ");\n";
      }
      return;
    case OpKind::Dequantize:
      b << "  ::locus::kernels::dequantize_s8_f32(" << float_literal(ops::scale(input)) << ", "
        << ops::zero_point(input) << ", " << size << ", " << in(ctx, 0) << ", " << out(ctx, 0)
        << ");\n";
      return;
    case OpKind::Reshape:
      // The planner usually puts the output on the input: then nothing runs.
      if (input->data() == nullptr && input->arena_offset() == output->arena_offset()) {
        b << "  // output shares the input's bytes\n";
      } else {
        uses_memmove_ = true;
        b << "  memmove(" << out(ctx, 0) << ", " << in(ctx, 0) << ", "
          << ops::element_count(input) * static_cast<int64_t>(type_bytes(input->type()))
          << ");\n";
      }
      return;
    case OpKind::Mean: {
      const kernels::MeanParams k = ops::mean_params(ctx);
      begin_params("MeanParams");
      LOCUS_FIELD(axis_mask); LOCUS_FIELD(input_zero_point); LOCUS_FIELD(output_zero_point);
      LOCUS_FIELD(output_multiplier); LOCUS_FIELD(output_shift);
      LOCUS_FIELD(same_quantization);
      end_params();
      const kernels::Dims4 d = ops::dims4(input);
      const auto di = dims("In", d), dout = dims("Out", ops::reduced_dims(d, k.axis_mask));
      b << "  ::locus::kernels::mean_s8(" << op_ << ", " << di << ", " << in(ctx, 0) << ", " << dout
        << ", " << out(ctx, 0) << ");\n";
      return;
    }
    case OpKind::Pad: {
      const kernels::PadParams k = ops::pad_params(ctx);
      begin_params("PadParams");
      for (int d = 0; d < 4; ++d) {
        const std::string at = "[" + std::to_string(d) + "]";
        field(("before" + at).c_str(), k.before[d]);
        field(("after" + at).c_str(), k.after[d]);
      }
      end_params();
      const int32_t value = ctx.op->params_as_PadParams()->pad_value();
      const bool int8 = input->type() == TensorType::Int8;
      constants_ << "constexpr " << c_type(input->type()) << " " << op_ << "Value = "
                 << (int8 ? std::to_string(value) : float_literal(static_cast<float>(value)))
                 << ";\n";
      const auto di = dims("In", ops::dims4(input)), dout = dims("Out", ops::dims4(output));
      b << "  ::locus::kernels::pad(" << op_ << ", " << di << ", " << in(ctx, 0) << ", "
        << type_bytes(input->type()) << ", &" << op_ << "Value, " << dout << ", " << out(ctx, 0)
        << ");\n";
      return;
    }
    case OpKind::Concatenation: {
      const int count = ctx.input_count();
      constants_ << "constexpr ::locus::kernels::Dims4 " << op_ << "InDims[" << count << "] = {";
      for (int i = 0; i < count; ++i) {
        constants_ << (i ? ", " : "") << dims_literal(ops::dims4(ctx.input(i)));
      }
      constants_ << "};\n";
      const auto dout = dims("Out", ops::dims4(output));
      b << "  {\n    const void* const inputs[" << count << "] = {";
      for (int i = 0; i < count; ++i) b << (i ? ", " : "") << in(ctx, i);
      b << "};\n    ::locus::kernels::concatenation(" << ops::concatenation_axis(ctx) << ", "
        << count << ", inputs, " << op_ << "InDims, " << type_bytes(output->type()) << ", "
        << dout << ", " << out(ctx, 0) << ");\n  }\n";
      return;
    }
  }
#undef LOCUS_FIELD
  fail("codegen: operator ", index, " (", name, "): no code generator for this kind");
}

}  // namespace

GraphCode emit_graph(const schema::Graph* graph) {
  if (graph == nullptr || graph->operators() == nullptr || graph->operators()->size() == 0) {
    fail("codegen: the capsule has no operators to generate");
  }
  for (int32_t index : *graph->outputs()) {
    if (graph->tensors()->Get(static_cast<uint32_t>(index))->data() != nullptr) {
      fail("codegen: graph output tensor ", index, " is a constant; generated models read "
           "outputs from the arena");
    }
  }
  return GraphEmitter(graph).run();
}

}  // namespace locus::host::codegen
