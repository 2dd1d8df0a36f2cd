// Plain scalar reference for Concatenation (any element size): loops straight from the TFLite Micro
// semantics, no shortcuts. Used by the tests and benchmarks as the oracle for
// the production kernel of the same name in runtime/kernels/.
#ifndef LOCUS_RUNTIME_KERNELS_REFERENCE_CONCATENATION_REF_H_
#define LOCUS_RUNTIME_KERNELS_REFERENCE_CONCATENATION_REF_H_

#include <stddef.h>
#include <stdint.h>

#include "runtime/kernels/kernel_types.h"

namespace locus::kernels::reference {

void concatenation(int32_t axis, int32_t count, const void* const* inputs,
                   const Dims4* input_dims, size_t element_bytes, const Dims4& output_dims,
                   void* output);

}  // namespace locus::kernels::reference

#endif  // LOCUS_RUNTIME_KERNELS_REFERENCE_CONCATENATION_REF_H_
