// Pieces of the code generator (internal to host/codegen): exact C++
// literals, constant arrays, the operator calls of a graph and the DSP block
// configuration.
#ifndef LOCUS_HOST_CODEGEN_CPP_EMITTER_H_
#define LOCUS_HOST_CODEGEN_CPP_EMITTER_H_

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "locus/schema/capsule_generated.h"
#include "runtime/pipeline/dsp_from_capsule.h"

namespace locus::host::codegen {

// Exact literals: floats in hexadecimal (every bit survives the round trip),
// INT32_MIN spelled so that it is an int32 expression.
std::string float_literal(float v);
std::string int_literal(int64_t v);
std::string string_literal(const std::string& s);

// "int8_t", "int16_t", "int32_t", "uint8_t", "float".
const char* c_type(schema::TensorType type);
size_t type_bytes(schema::TensorType type);

// `alignas(16) const TYPE NAME[] = {...};` from little-endian bytes.
void emit_array(std::ostringstream& out, const std::string& name, schema::TensorType type,
                const uint8_t* data, size_t bytes);

struct GraphCode {
  std::string constants;  // weights and parameter blocks (namespace scope)
  std::string invoke;     // body of invoke(uint8_t* arena)
  bool uses_memmove = false;
};

// Every operator of a verified graph as a direct kernel call. Throws Error
// for what cannot be generated (named by operator index and kind).
GraphCode emit_graph(const schema::Graph* graph);

// Statements filling `c` (a locus::DspBlockConfig) with `config`'s values.
// Throws Error for block kinds the generator cannot bake in.
std::string emit_dsp_config(const DspBlockConfig& config);

}  // namespace locus::host::codegen

#endif  // LOCUS_HOST_CODEGEN_CPP_EMITTER_H_
