// Assigns every non-constant tensor an arena offset from tensor lifetimes.
//
// A tensor lives from the operator that writes it (graph inputs: from the
// start) to the last operator that reads it (graph outputs: to the end).
// RESHAPE outputs share their input's bytes. Several placement orders are
// tried and the smallest arena wins; the lower bound (the largest total of
// simultaneously live tensors) is reported beside it.
#ifndef LOCUS_HOST_PLANNER_MEMORY_PLANNER_H_
#define LOCUS_HOST_PLANNER_MEMORY_PLANNER_H_

#include <cstdint>
#include <string>

#include "host/model/graph.h"

namespace locus::host {

struct MemoryPlan {
  uint32_t arena_bytes = 0;
  uint32_t lower_bound = 0;
  std::string strategy;  // the placement order that won
};

constexpr uint32_t kTensorAlignment = 16;

// Fills graph.tensors[*].arena_offset, graph.arena_bytes and
// graph.arena_lower_bound. Throws Error on an inconsistent graph.
MemoryPlan plan_memory(Graph& graph);

}  // namespace locus::host

#endif  // LOCUS_HOST_PLANNER_MEMORY_PLANNER_H_
