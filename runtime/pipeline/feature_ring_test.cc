#include "runtime/pipeline/feature_ring.h"

#include <gtest/gtest.h>

#include <vector>

namespace locus {
namespace {

// Three frames of two bytes, an inference every two new frames: due after
// frames 3, 5, 7, each window oldest first.
TEST(FeatureRing, WindowsAreOldestFirstAndDueEveryStride) {
  uint8_t memory[6];
  FeatureRing ring;
  ring.init(memory, 3, 2, 2);
  std::vector<int> due_at;
  std::vector<std::vector<uint8_t>> windows;
  for (uint8_t f = 1; f <= 8; ++f) {
    ring.next_slot()[0] = f;
    ring.next_slot()[1] = static_cast<uint8_t>(f + 100);
    if (ring.commit()) {
      due_at.push_back(f);
      std::vector<uint8_t> w(6);
      ring.copy_window(w.data());
      windows.push_back(w);
      EXPECT_EQ(ring.frame(0)[0], w[0]);
      EXPECT_EQ(ring.frame(2)[1], w[5]);
    }
  }
  EXPECT_EQ(due_at, (std::vector<int>{3, 5, 7}));
  EXPECT_EQ(windows[0], (std::vector<uint8_t>{1, 101, 2, 102, 3, 103}));
  EXPECT_EQ(windows[1], (std::vector<uint8_t>{3, 103, 4, 104, 5, 105}));
  EXPECT_EQ(windows[2], (std::vector<uint8_t>{5, 105, 6, 106, 7, 107}));
  ring.reset();  // a fresh stream waits for a full window again
  for (uint8_t f = 1; f <= 2; ++f) EXPECT_FALSE(ring.commit());
  EXPECT_TRUE(ring.commit());
}

}  // namespace
}  // namespace locus
