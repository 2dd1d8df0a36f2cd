// Plain scalar reference for Add (int8, broadcasting): loops straight from the TFLite Micro
// semantics, no shortcuts. Used by the tests and benchmarks as the oracle for
// the production kernel of the same name in runtime/kernels/.
#ifndef LOCUS_RUNTIME_KERNELS_REFERENCE_ADD_REF_H_
#define LOCUS_RUNTIME_KERNELS_REFERENCE_ADD_REF_H_

#include <stddef.h>
#include <stdint.h>

#include "runtime/kernels/kernel_types.h"

namespace locus::kernels::reference {

void add_s8(const AddParams& p, const Dims4& dims1, const int8_t* input1, const Dims4& dims2,
            const int8_t* input2, const Dims4& output_dims, int8_t* output);

}  // namespace locus::kernels::reference

#endif  // LOCUS_RUNTIME_KERNELS_REFERENCE_ADD_REF_H_
