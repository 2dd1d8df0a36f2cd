#include "host/planner/memory_planner.h"

#include <gtest/gtest.h>

#include "host/common/error.h"
#include "tests/support/tiny_models.h"

namespace locus::host {
namespace {

TensorDef act(std::vector<int32_t> shape) {
  TensorDef t;
  t.type = schema::TensorType::Int8;
  t.shape = std::move(shape);
  return t;
}

OperatorDef op(schema::OpKind kind, std::vector<int32_t> in, std::vector<int32_t> out) {
  OperatorDef o;
  o.kind = kind;
  o.inputs = std::move(in);
  o.outputs = std::move(out);
  return o;
}

bool intervals_overlap(uint32_t a, uint32_t as, uint32_t b, uint32_t bs) {
  return a < b + bs && b < a + as;
}

TEST(MemoryPlanner, ChainReusesMemoryAndHitsLowerBound) {
  // t0 (100) -> t1 (200) -> t2 (50) -> t3 (300): at most two live at a time.
  Graph g;
  g.tensors = {act({100}), act({200}), act({50}), act({300})};
  g.operators = {op(schema::OpKind::Logistic, {0}, {1}), op(schema::OpKind::Logistic, {1}, {2}),
                 op(schema::OpKind::Logistic, {2}, {3})};
  g.inputs = {0};
  g.outputs = {3};
  MemoryPlan plan = plan_memory(g);
  // Sizes round up to 16: 112, 208, 64, 304. Peaks: 112+208, 208+64, 64+304 = 368.
  EXPECT_EQ(plan.lower_bound, 368u);
  EXPECT_EQ(plan.arena_bytes, 368u);
  EXPECT_EQ(g.arena_bytes, 368u);
  EXPECT_EQ(g.arena_lower_bound, 368u);
  for (const TensorDef& t : g.tensors) EXPECT_EQ(t.arena_offset % kTensorAlignment, 0u);
  // Neighbours in the chain must not overlap.
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(intervals_overlap(g.tensors[i].arena_offset, g.tensors[i].byte_size(),
                                   g.tensors[i + 1].arena_offset, g.tensors[i + 1].byte_size()));
  }
}

TEST(MemoryPlanner, GraphInputsLiveFromStartAndOutputsToEnd) {
  // Input 0 feeds op 0 and is a graph output too, so it lives throughout and
  // may not share bytes with t2, born later.
  Graph g;
  g.tensors = {act({64}), act({64}), act({64})};
  g.operators = {op(schema::OpKind::Logistic, {0}, {1}), op(schema::OpKind::Logistic, {1}, {2})};
  g.inputs = {0};
  g.outputs = {2, 0};
  plan_memory(g);
  EXPECT_FALSE(intervals_overlap(g.tensors[0].arena_offset, 64, g.tensors[2].arena_offset, 64));
  EXPECT_EQ(g.arena_bytes, 192u);
}

TEST(MemoryPlanner, ReshapeSharesItsInputsBytes) {
  Graph g;
  g.tensors = {act({4, 4}), act({16}), act({16}), act({16})};
  g.operators = {op(schema::OpKind::Logistic, {0}, {1}), op(schema::OpKind::Reshape, {1}, {2}),
                 op(schema::OpKind::Logistic, {2}, {3})};
  g.inputs = {0};
  g.outputs = {3};
  plan_memory(g);
  EXPECT_EQ(g.tensors[1].arena_offset, g.tensors[2].arena_offset);
  EXPECT_EQ(g.arena_bytes, 32u);
}

TEST(MemoryPlanner, ConstantsTakeNoArena) {
  Graph g = testing::tiny_classifier();
  MemoryPlan plan = plan_memory(g);
  // input and fc live together at op 0; fc (a graph output, sharing bytes
  // with its reshape) and probs at op 2: 16 + 16 either way.
  EXPECT_EQ(plan.lower_bound, 32u);
  EXPECT_EQ(plan.arena_bytes, 32u);
  EXPECT_EQ(g.tensors[1].arena_offset, 0u);
}

TEST(MemoryPlanner, RejectsOutOfRangeIndices) {
  Graph g;
  g.tensors = {act({4})};
  g.operators = {op(schema::OpKind::Logistic, {0}, {5})};
  g.inputs = {0};
  g.outputs = {0};
  EXPECT_THROW(plan_memory(g), Error);
}

}  // namespace
}  // namespace locus::host
