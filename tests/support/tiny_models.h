// Small hand-made graphs for tests: built with the host IR, with
// quantisation chosen so the expected outputs can be worked out by hand.
#ifndef LOCUS_TESTS_SUPPORT_TINY_MODELS_H_
#define LOCUS_TESTS_SUPPORT_TINY_MODELS_H_

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "host/capsule/capsule_writer.h"
#include "host/model/graph.h"

namespace locus::testing {

// input int8 [1,4] (scale 0.5, zp 0)
//   -> FULLY_CONNECTED (weights [3,4] scale 0.25, bias [3]) -> fc int8 [1,3] (scale 1, zp 0)
//   -> RESHAPE [1,1,1,3] -> SOFTMAX -> probs int8 [1,1,1,3] (scale 1/256, zp -128)
// Graph outputs: probs, fc. For input {2,4,6,8}: fc = {3, 1, 5}.
host::Graph tiny_classifier();

// A spec around tiny_classifier() with identity and labels filled in.
host::CapsuleSpec tiny_classifier_spec();

// Capsule bytes for tiny_classifier(), planned, with a self-test.
std::vector<uint8_t> tiny_classifier_capsule();

// Environment variable LOCUS_TEST_DATA, or empty when unset.
std::string test_data_dir();

}  // namespace locus::testing

#endif  // LOCUS_TESTS_SUPPORT_TINY_MODELS_H_
