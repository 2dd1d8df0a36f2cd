#include "host/planner/memory_planner.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <numeric>
#include <vector>

#include "host/common/error.h"

namespace locus::host {
namespace {

struct Buffer {
  uint64_t size = 0;
  int first = std::numeric_limits<int>::max();  // step of first use; -1 = before op 0
  int last = -2;                                // step of last use
  uint64_t offset = 0;
};

bool overlaps_in_time(const Buffer& a, const Buffer& b) {
  return a.first <= b.last && b.first <= a.last;
}

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

// Places buffers in `order`, each at the lowest offset that does not collide
// with an already placed buffer alive at the same time. Returns the
// high-water mark.
uint64_t place(std::vector<Buffer>& buffers, const std::vector<size_t>& order) {
  std::vector<size_t> placed;
  uint64_t high = 0;
  std::vector<std::pair<uint64_t, uint64_t>> busy;
  for (size_t b : order) {
    busy.clear();
    for (size_t p : placed) {
      if (overlaps_in_time(buffers[b], buffers[p])) {
        busy.emplace_back(buffers[p].offset, buffers[p].offset + buffers[p].size);
      }
    }
    std::sort(busy.begin(), busy.end());
    uint64_t offset = 0;
    for (const auto& [start, end] : busy) {
      if (offset + buffers[b].size <= start) break;
      offset = std::max(offset, end);
    }
    buffers[b].offset = offset;
    high = std::max(high, offset + buffers[b].size);
    placed.push_back(b);
  }
  return high;
}

}  // namespace

MemoryPlan plan_memory(Graph& graph) {
  const size_t tensor_count = graph.tensors.size();
  const int op_count = static_cast<int>(graph.operators.size());
  auto check_index = [&](int32_t t, const char* where) {
    if (t < 0 || static_cast<size_t>(t) >= tensor_count) {
      fail("memory planner: ", where, " refers to tensor ", t, " of ", tensor_count);
    }
  };

  // Union RESHAPE outputs with their (non-constant) inputs.
  std::vector<size_t> root(tensor_count);
  std::iota(root.begin(), root.end(), 0);
  std::function<size_t(size_t)> find = [&](size_t t) {
    return root[t] == t ? t : root[t] = find(root[t]);
  };
  for (const OperatorDef& op : graph.operators) {
    if (op.kind == schema::OpKind::Reshape && op.inputs.size() == 1 && op.outputs.size() == 1) {
      check_index(op.inputs[0], "reshape input");
      check_index(op.outputs[0], "reshape output");
      if (!graph.tensors[op.inputs[0]].constant) {
        root[find(op.outputs[0])] = find(op.inputs[0]);
      }
    }
  }

  std::vector<Buffer> buffers(tensor_count);
  std::vector<bool> used(tensor_count, false);
  auto touch = [&](int32_t t, int step) {
    if (t < 0) return;
    check_index(t, "operator");
    if (graph.tensors[t].constant) return;
    Buffer& b = buffers[find(t)];
    b.first = std::min(b.first, step);
    b.last = std::max(b.last, step);
    b.size = std::max<uint64_t>(b.size, align_up(graph.tensors[t].byte_size(), kTensorAlignment));
    used[find(t)] = true;
  };
  for (int32_t t : graph.inputs) touch(t, -1);
  for (int32_t t : graph.outputs) touch(t, op_count);
  for (int i = 0; i < op_count; ++i) {
    for (int32_t t : graph.operators[i].inputs) touch(t, i);
    for (int32_t t : graph.operators[i].outputs) touch(t, i);
  }

  std::vector<size_t> live;
  for (size_t t = 0; t < tensor_count; ++t) {
    if (used[t] && find(t) == t) live.push_back(t);
  }

  MemoryPlan plan;
  uint64_t lower = 0;
  for (int step = -1; step <= op_count; ++step) {
    uint64_t total = 0;
    for (size_t b : live) {
      if (buffers[b].first <= step && step <= buffers[b].last) total += buffers[b].size;
    }
    lower = std::max(lower, total);
  }

  using Less = std::function<bool(size_t, size_t)>;
  auto duration = [&](size_t b) { return buffers[b].last - buffers[b].first; };
  const std::vector<std::pair<const char*, Less>> strategies = {
      {"largest first",
       [&](size_t a, size_t b) { return buffers[a].size > buffers[b].size; }},
      {"earliest first",
       [&](size_t a, size_t b) {
         return std::tie(buffers[a].first, buffers[b].size) <
                std::tie(buffers[b].first, buffers[a].size);
       }},
      {"longest-lived first",
       [&](size_t a, size_t b) {
         return std::make_pair(duration(a), buffers[a].size) >
                std::make_pair(duration(b), buffers[b].size);
       }},
      {"largest area first",
       [&](size_t a, size_t b) {
         return buffers[a].size * (duration(a) + 1) > buffers[b].size * (duration(b) + 1);
       }},
  };
  uint64_t best = std::numeric_limits<uint64_t>::max();
  std::vector<uint64_t> best_offsets;
  for (const auto& [name, less] : strategies) {
    std::vector<size_t> order = live;
    std::stable_sort(order.begin(), order.end(), less);
    const uint64_t high = place(buffers, order);
    if (high < best) {
      best = high;
      plan.strategy = name;
      best_offsets.assign(tensor_count, 0);
      for (size_t b : live) best_offsets[b] = buffers[b].offset;
    }
    if (best == lower) break;
  }
  if (live.empty()) best = 0;
  if (best > std::numeric_limits<uint32_t>::max() / 2) {
    fail("memory planner: arena of ", best, " bytes exceeds the 2 GiB limit");
  }

  for (size_t t = 0; t < tensor_count; ++t) {
    TensorDef& tensor = graph.tensors[t];
    tensor.arena_offset = tensor.constant ? 0 : static_cast<uint32_t>(best_offsets.empty()
                                                                          ? 0
                                                                          : best_offsets[find(t)]);
  }
  plan.arena_bytes = static_cast<uint32_t>(best);
  plan.lower_bound = static_cast<uint32_t>(lower);
  graph.arena_bytes = plan.arena_bytes;
  graph.arena_lower_bound = plan.lower_bound;
  return plan;
}

}  // namespace locus::host
