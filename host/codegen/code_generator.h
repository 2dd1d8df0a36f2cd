// `locus codegen`: a capsule turned into C++ source with no interpreter.
//
// The weights become constants, every operator becomes a direct call of the
// runtime's kernel with its parameter block precomputed, every intermediate
// tensor a fixed offset of the memory plan in one caller-owned arena, and the
// DSP block's configuration a function returning constants. Only the kernels
// the model calls are referenced, so the linker leaves the rest of the runtime
// (and the capsule reader, verifier and engine) out of the firmware.
//
// Everything a model defines lives in its own namespace, so several generated
// models link into one firmware. The generated code is C++17 and needs no
// exceptions, RTTI or heap, like the runtime it calls.
#ifndef LOCUS_HOST_CODEGEN_CODE_GENERATOR_H_
#define LOCUS_HOST_CODEGEN_CODE_GENERATOR_H_

#include <string>

#include "runtime/capsule/capsule_reader.h"

namespace locus::host {

struct CodegenOptions {
  // C++ namespace of everything generated, e.g. "kws" or "models::kws"
  // (each part an identifier). Empty: derived from the capsule's name.
  std::string name_space;
  // Base name of the two files (NAME.h, NAME.cc). Empty: the namespace's
  // last part.
  std::string file_stem;
  // Generate the model only, leaving out the DSP configuration (a capsule
  // whose DSP block the generator cannot bake in yet needs this).
  bool model_only = false;
};

struct GeneratedCode {
  std::string name_space;
  std::string header_name, header;  // NAME.h
  std::string source_name, source;  // NAME.cc
};

// The capsule must be open (verified). Throws Error naming the operator,
// tensor or block that cannot be generated, or a bad option.
GeneratedCode generate_code(const Capsule& capsule, const CodegenOptions& options);

// Writes both files into `dir` (created if missing); returns their paths,
// header first.
std::pair<std::string, std::string> write_generated_code(const GeneratedCode& code,
                                                         const std::string& dir);

// "micro_speech" from "micro-speech v2": lower case, [a-z0-9_], not
// starting with a digit.
std::string namespace_from_name(const std::string& name);

}  // namespace locus::host

#endif  // LOCUS_HOST_CODEGEN_CODE_GENERATOR_H_
