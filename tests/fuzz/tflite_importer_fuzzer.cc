// Feeds arbitrary bytes to the TFLite importer: it must either produce a
// graph or throw host::Error, never crash or read out of bounds.
#include <cstdint>

#include "host/common/error.h"
#include "host/tflite/tflite_importer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    (void)locus::host::import_tflite({data, size});
  } catch (const locus::host::Error&) {
  }
  return 0;
}
