// Runs a capsule on raw tensor bytes (the input file holds the first graph
// input's exact bytes), optionally timing each operator.
#ifndef LOCUS_HOST_CAPSULE_RAW_RUNNER_H_
#define LOCUS_HOST_CAPSULE_RAW_RUNNER_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "runtime/capsule/capsule_reader.h"

namespace locus::host {

struct OpTiming {
  uint32_t index = 0;
  std::string kind;
  double microseconds = 0;
};

struct RawRunResult {
  std::vector<std::vector<uint8_t>> outputs;  // bytes per graph output
  std::vector<OpTiming> timings;              // when profiling
  bool self_test_passed = false;              // when a self-test ran
};

struct RawRunOptions {
  bool self_test = true;
  bool profile = false;
};

// Throws Error if the input size does not match or the capsule fails.
RawRunResult run_raw(const Capsule& capsule, std::span<const uint8_t> input,
                     const RawRunOptions& options);

}  // namespace locus::host

#endif  // LOCUS_HOST_CAPSULE_RAW_RUNNER_H_
