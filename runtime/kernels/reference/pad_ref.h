// Plain scalar reference for Pad (any element size): loops straight from the TFLite Micro
// semantics, no shortcuts. Used by the tests and benchmarks as the oracle for
// the production kernel of the same name in runtime/kernels/.
#ifndef LOCUS_RUNTIME_KERNELS_REFERENCE_PAD_REF_H_
#define LOCUS_RUNTIME_KERNELS_REFERENCE_PAD_REF_H_

#include <stddef.h>
#include <stdint.h>

#include "runtime/kernels/kernel_types.h"

namespace locus::kernels::reference {

void pad(const PadParams& p, const Dims4& input_dims, const void* input, size_t element_bytes,
         const void* pad_value, const Dims4& output_dims, void* output);

}  // namespace locus::kernels::reference

#endif  // LOCUS_RUNTIME_KERNELS_REFERENCE_PAD_REF_H_
