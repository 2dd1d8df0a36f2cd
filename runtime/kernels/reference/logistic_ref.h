// Plain scalar reference for Logistic (int8): loops straight from the TFLite Micro
// semantics, no shortcuts. Used by the tests and benchmarks as the oracle for
// the production kernel of the same name in runtime/kernels/.
#ifndef LOCUS_RUNTIME_KERNELS_REFERENCE_LOGISTIC_REF_H_
#define LOCUS_RUNTIME_KERNELS_REFERENCE_LOGISTIC_REF_H_

#include <stddef.h>
#include <stdint.h>

#include "runtime/kernels/kernel_types.h"

namespace locus::kernels::reference {

void logistic_s8(const LogisticParams& p, int32_t size, const int8_t* input, int8_t* output);

}  // namespace locus::kernels::reference

#endif  // LOCUS_RUNTIME_KERNELS_REFERENCE_LOGISTIC_REF_H_
