// The two generated files: the header (API, sizes, tensor layout) and the
// source (constants, invoke, self-test, labels, DSP configuration).
#include "host/codegen/code_generator.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "host/codegen/cpp_emitter.h"
#include "host/common/error.h"
#include "runtime/ops/op_context.h"
#include "runtime/pipeline/pipeline.h"

namespace locus::host {
namespace {

using codegen::c_type;

bool is_identifier(const std::string& s) {
  static const std::set<std::string> kKeywords = {
      "alignas", "alignof", "and", "asm", "auto", "bool", "break", "case", "catch", "char",
      "class", "const", "constexpr", "continue", "default", "delete", "do", "double", "else",
      "enum", "explicit", "export", "extern", "false", "float", "for", "friend", "goto", "if",
      "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "nullptr",
      "operator", "or", "private", "protected", "public", "register", "return", "short",
      "signed", "sizeof", "static", "struct", "switch", "template", "this", "throw", "true",
      "try", "typedef", "typeid", "typename", "union", "unsigned", "using", "virtual", "void",
      "volatile", "while", "xor", "std", "locus"};
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return kKeywords.count(s) == 0;
}

std::vector<std::string> namespace_parts(const std::string& ns) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t end = ns.find("::", start);
    parts.push_back(ns.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 2;
  }
  for (const std::string& p : parts) {
    if (!is_identifier(p)) {
      fail("codegen: namespace \"", ns, "\": \"", p, "\" is not a usable C++ identifier "
           "(letters, digits and _, not a keyword, not std or locus)");
    }
  }
  return parts;
}

struct TensorLayout {
  size_t offset, bytes;
  std::string type;
  float scale;
  int32_t zero_point;
};

TensorLayout layout(const schema::Graph* graph, int32_t index) {
  const schema::Tensor* t = graph->tensors()->Get(static_cast<uint32_t>(index));
  return {t->arena_offset(),
          static_cast<size_t>(ops::element_count(t)) * codegen::type_bytes(t->type()),
          c_type(t->type()), ops::scale(t), ops::zero_point(t)};
}

void emit_layouts(std::ostringstream& h, const char* name,
                  const flatbuffers::Vector<int32_t>* indices, const schema::Graph* graph) {
  h << "inline constexpr TensorInfo " << name << "[" << indices->size() << "] = {\n";
  for (int32_t index : *indices) {
    const TensorLayout l = layout(graph, index);
    h << "    {" << l.offset << ", " << l.bytes << ", \"" << l.type << "\", "
      << codegen::float_literal(l.scale) << ", " << l.zero_point << "},\n";
  }
  h << "};\n";
}

std::string identity_line(const schema::CapsuleBody* body) {
  const schema::Identity* id = body->identity();
  std::ostringstream out;
  out << "capsule \"" << (id && id->name() ? id->name()->str() : "") << "\" "
      << (id && id->version() ? id->version()->str() : "") << " (sequence "
      << (id ? id->sequence() : 0) << ")";
  return out.str();
}

// The capsule's self-test, baked in: the same check a device runs after
// loading a capsule, here after flashing.
std::string emit_self_test(const schema::CapsuleBody* body, std::ostringstream& constants) {
  const schema::SelfTest* st = body->self_test();
  const schema::Graph* graph = body->graph();
  std::ostringstream f;
  f << "bool self_test(uint8_t* arena) {\n";
  if (st == nullptr || st->inputs() == nullptr || st->outputs() == nullptr) {
    f << "  (void)arena;\n  return true;  // the capsule has no self-test\n}\n";
    return f.str();
  }
  if (st->inputs()->size() != graph->inputs()->size() ||
      st->outputs()->size() != graph->outputs()->size()) {
    fail("codegen: self-test has ", st->inputs()->size(), " inputs and ", st->outputs()->size(),
         " outputs, the graph ", graph->inputs()->size(), " and ", graph->outputs()->size());
  }
  auto emit = [&](const char* what, const flatbuffers::Vector<flatbuffers::Offset<schema::TensorBytes>>* list,
                  const flatbuffers::Vector<int32_t>* tensors, bool copy_in) {
    for (uint32_t i = 0; i < list->size(); ++i) {
      const auto* bytes = list->Get(i)->bytes();
      const TensorLayout l = layout(graph, tensors->Get(i));
      if (bytes == nullptr || bytes->size() != l.bytes) {
        fail("codegen: self-test ", what, " ", i, " has ", bytes ? bytes->size() : 0,
             " bytes, the tensor ", l.bytes);
      }
      const std::string name = std::string("kSelfTest") + (copy_in ? "Input" : "Output") +
                               std::to_string(i);
      codegen::emit_array(constants, name, schema::TensorType::UInt8, bytes->data(),
                          bytes->size());
      if (copy_in) {
        f << "  memcpy(arena + " << l.offset << ", " << name << ", " << l.bytes << ");\n";
      } else {
        f << "  if (memcmp(arena + " << l.offset << ", " << name << ", " << l.bytes
          << ") != 0) return false;\n";
      }
    }
  };
  emit("input", st->inputs(), graph->inputs(), true);
  f << "  invoke(arena);\n";
  emit("output", st->outputs(), graph->outputs(), false);
  f << "  return true;\n}\n";
  return f.str();
}

}  // namespace

std::string namespace_from_name(const std::string& name) {
  std::string out;
  for (char c : name) {
    const unsigned char u = static_cast<unsigned char>(c);
    out += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_';
  }
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "model_" + out;
  if (!is_identifier(out)) out += "_model";
  return out;
}

GeneratedCode generate_code(const Capsule& capsule, const CodegenOptions& options) {
  const schema::CapsuleBody* body = capsule.body();
  if (body == nullptr) fail("codegen: the capsule is not open");
  const schema::Graph* graph = body->graph();
  GeneratedCode code;
  code.name_space = options.name_space;
  if (code.name_space.empty()) {
    const schema::Identity* id = body->identity();
    code.name_space = namespace_from_name(id && id->name() ? id->name()->str() : "");
  }
  const std::vector<std::string> parts = namespace_parts(code.name_space);
  const std::string stem = options.file_stem.empty() ? parts.back() : options.file_stem;
  if (!is_identifier(stem)) fail("codegen: file name \"", stem, "\" must be letters, digits, _");
  code.header_name = stem + ".h";
  code.source_name = stem + ".cc";

  // The pipeline around the model, as the runtime's Pipeline would set it up.
  const bool has_dsp = !options.model_only && body->dsp() != nullptr && body->dsp()->size() > 0;
  Pipeline::Plan plan;
  if (has_dsp) {
    const Status s = Pipeline::make_plan(capsule, &plan);
    if (!s) fail("codegen: ", s.message());
  }
  const codegen::GraphCode graph_code = codegen::emit_graph(graph);

  std::string guard = "LOCUS_GENERATED_";
  for (const std::string& p : parts) guard += p + "_";
  for (char& c : guard) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::string banner = "// Generated by `locus codegen` from " + identity_line(body) +
                             ". Do not edit: regenerate.\n";

  std::ostringstream h;
  h << banner
    << "//\n//   alignas(16) static uint8_t arena[" << code.name_space << "::kArenaBytes];\n"
    << "//   memcpy(" << code.name_space << "::input(arena), features, "
    << code.name_space << "::kInputs[0].bytes);\n"
    << "//   " << code.name_space << "::invoke(arena);\n"
    << "//   const int8_t* scores = static_cast<const int8_t*>(" << code.name_space
    << "::output(arena));\n"
    << "#ifndef " << guard << "H_\n#define " << guard << "H_\n\n"
    << "#include <stddef.h>\n#include <stdint.h>\n\n";
  h << "namespace locus {\nstruct DspBlockConfig;  // runtime/pipeline/dsp_from_capsule.h\n}\n\n"
    << "namespace " << code.name_space << " {\n\n"
    << "// Where a graph input or output lives in the arena, and its quantisation.\n"
    << "struct TensorInfo {\n  size_t offset;\n  size_t bytes;\n  const char* type;\n"
    << "  float scale;\n  int32_t zero_point;\n};\n\n"
    << "// Caller-owned working memory of invoke(): 16-byte aligned, the memory plan's size.\n"
    << "constexpr size_t kArenaBytes = " << graph->arena_bytes() << ";\n";
  emit_layouts(h, "kInputs", graph->inputs(), graph);
  emit_layouts(h, "kOutputs", graph->outputs(), graph);
  h << "inline void* input(uint8_t* arena, size_t i = 0) { return arena + kInputs[i].offset; }\n"
    << "inline const void* output(const uint8_t* arena, size_t i = 0) {\n"
    << "  return arena + kOutputs[i].offset;\n}\n\n"
    << "// Runs every operator once; inputs must be in place.\n"
    << "void invoke(uint8_t* arena);\n"
    << "// The capsule's self-test: its input in, invoke, every output byte compared.\n"
    << "bool self_test(uint8_t* arena);\n\n";
  const uint32_t labels = body->labels() ? body->labels()->size() : 0;
  h << "constexpr size_t kLabelCount = " << labels << ";\n";
  if (labels > 0) h << "extern const char* const kLabels[kLabelCount];\n";
  h << "\n// The pipeline: a DSP block frame by frame, a window of kWindowFrames frames of\n"
    << "// kFeaturesPerFrame values (oldest first) as the model input, an inference every\n"
    << "// kStrideFrames new frames. All 0 when generated without a DSP block.\n"
    << "constexpr uint32_t kWindowFrames = " << (has_dsp ? plan.window_frames : 0) << ";\n"
    << "constexpr uint32_t kFeaturesPerFrame = " << (has_dsp ? plan.features : 0) << ";\n"
    << "constexpr uint32_t kStrideFrames = " << (has_dsp ? plan.stride_frames : 0) << ";\n"
    << "// Bytes of DSP block state (tables and buffers) the block's init() needs.\n"
    << "constexpr size_t kDspStateBytes = " << (has_dsp ? plan.dsp_bytes : 0) << ";\n"
    << "// Fills *config with the DSP block's configuration, baked in; false when\n"
    << "// generated without one.\n"
    << "bool dsp_config(::locus::DspBlockConfig* config);\n";
  h << "\n}  // namespace " << code.name_space << "\n\n#endif  // " << guard << "H_\n";

  std::ostringstream constants;
  const std::string self_test = emit_self_test(body, constants);
  std::ostringstream s;
  s << banner << "#include \"" << code.header_name << "\"\n\n#include <string.h>\n\n"
    << "#include \"runtime/kernels/kernels.h\"\n"
    << (has_dsp ? "#include \"runtime/pipeline/dsp_from_capsule.h\"\n" : "") << "\n"
    << "namespace " << code.name_space << " {\nnamespace {\n\n"
    << graph_code.constants << constants.str() << "\n}  // namespace\n\n"
    << "void invoke(uint8_t* arena) {\n" << graph_code.invoke << "}\n\n" << self_test;
  if (labels > 0) {
    s << "\nconst char* const kLabels[kLabelCount] = {";
    for (uint32_t i = 0; i < labels; ++i) {
      const auto* l = body->labels()->Get(i);
      s << (i ? ", " : "") << codegen::string_literal(l ? l->str() : "");
    }
    s << "};\n";
  }
  if (has_dsp) {
    s << "\nbool dsp_config(::locus::DspBlockConfig* config) {\n"
      << "  ::locus::DspBlockConfig& c = *config;\n  c = ::locus::DspBlockConfig();\n"
      << codegen::emit_dsp_config(plan.dsp) << "  return true;\n}\n";
  } else {
    s << "\nbool dsp_config(::locus::DspBlockConfig*) { return false; }\n";
  }
  s << "\n}  // namespace " << code.name_space << "\n";
  code.header = h.str();
  code.source = s.str();
  return code;
}

std::pair<std::string, std::string> write_generated_code(const GeneratedCode& code,
                                                         const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) fail("codegen: cannot create ", dir, ": ", ec.message());
  const std::string header = (std::filesystem::path(dir) / code.header_name).string();
  const std::string source = (std::filesystem::path(dir) / code.source_name).string();
  for (const auto& [path, text] : {std::pair{header, &code.header}, std::pair{source, &code.source}}) {
    // Unchanged files keep their time stamps, so builds do not recompile them.
    std::ifstream existing(path, std::ios::binary);
    if (existing) {
      std::ostringstream old;
      old << existing.rdbuf();
      if (old.str() == *text) continue;
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << *text;
    out.close();
    if (!out) fail("codegen: cannot write ", path);
  }
  return {header, source};
}

}  // namespace locus::host
